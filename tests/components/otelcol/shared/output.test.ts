// The fan-out (src/components/otelcol/shared/output.ts): every consumer but the last gets a copy,
// read-only consumers share the batch and are called before anyone who may change or keep it.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Batch, type Signal } from "../../../../src/otlp/batch.ts";
import type { Consumer } from "../../../../src/otlp/consumer.ts";
import { PipelineError } from "../../../../src/otlp/errors.ts";
import { deliver } from "../../../../src/components/otelcol/shared/output.ts";

const spans = (n: number) =>
  Batch.fromJson("traces", JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: "host.name", value: { stringValue: "h1" } }] }, scopeSpans: [{ spans: Array.from({ length: n }, (_, i) => ({ name: `s${i}`, traceId: "01".repeat(16), spanId: "02".repeat(8) })) }] }] }));

interface Seen {
  name: string;
  batch: Batch<Signal>;
  items: number;
  host: string;
}

/** A consumer that records what it got; `take` empties the batch it got, as a batch processor's append does. */
function consumer(name: string, seen: Seen[], opts: { readOnly?: boolean; take?: boolean; fail?: Error } = {}): Consumer {
  const traces = async (b: Batch<"traces">) => {
    const r = b.resources()[0];
    const host = r?.attributes.find((kv) => kv.key === "host.name")?.value?.value.value;
    seen.push({ name, batch: b, items: b.itemCount(), host: String(host) });
    if (opts.take) spans(0).append(b);
    else if (!opts.readOnly && r) r.attributes = []; // a mutating consumer changes what it owns
    if (opts.fail) throw opts.fail;
  };
  return { consumeTraces: traces, consumeMetrics: async () => {}, consumeLogs: async () => {}, ...(opts.readOnly ? { readOnly: true } : {}) };
}

describe("deliver: the fan-out", () => {
  test("two owners: the first gets a copy, the last the batch itself; neither sees the other's changes", async () => {
    const seen: Seen[] = [];
    const b = spans(3);
    await deliver([consumer("a", seen), consumer("b", seen)], b);
    assert.deepEqual(seen.map((s) => [s.name, s.items, s.host]), [["a", 3, "h1"], ["b", 3, "h1"]]);
    assert.notEqual(seen[0]!.batch, b);
    assert.equal(seen[1]!.batch, b);
  });

  test("a read-only consumer listed last is called first, with the batch itself, and no copy is made", async () => {
    const seen: Seen[] = [];
    const b = spans(4);
    const clone = b.clone.bind(b);
    let clones = 0;
    b.clone = () => (clones++, clone());
    await deliver([consumer("batch", seen, { take: true }), consumer("host_info", seen, { readOnly: true })], b);
    assert.deepEqual(seen.map((s) => [s.name, s.items, s.host]), [["host_info", 4, "h1"], ["batch", 4, "h1"]]);
    assert.equal(seen[0]!.batch, b);
    assert.equal(seen[1]!.batch, b);
    assert.equal(clones, 0);
  });

  test("read-only plus two owners: read-only and the last owner share the batch, the first owner gets a copy", async () => {
    const seen: Seen[] = [];
    const b = spans(2);
    await deliver([consumer("a", seen), consumer("ro", seen, { readOnly: true }), consumer("z", seen)], b);
    assert.deepEqual(seen.map((s) => [s.name, s.items, s.host]), [["ro", 2, "h1"], ["a", 2, "h1"], ["z", 2, "h1"]]);
    assert.equal(seen[0]!.batch, b);
    assert.notEqual(seen[1]!.batch, b);
    assert.equal(seen[2]!.batch, b);
  });

  test("errors of all consumers, read-only ones included, are joined; the others still get the data", async () => {
    const seen: Seen[] = [];
    const one = PipelineError.retryable("queue is full");
    await assert.rejects(deliver([consumer("a", seen), consumer("ro", seen, { readOnly: true, fail: new Error("ro failed") })], spans(1)), (err: unknown) => {
      assert.match(String((err as Error).message), /several consumers failed|ro failed/);
      return true;
    });
    assert.deepEqual(seen.map((s) => s.name), ["ro", "a"]);
    await assert.rejects(deliver([consumer("x", [], { fail: one })], spans(1)), (err: unknown) => err === one);
  });
});
