// The batch type: lite decode and byte-exact re-encode, item counting, resource access without
// upgrading, upgrade, split, append, clone and byte size.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ExportMetricsServiceRequestSchema } from "../../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { ExportTraceServiceRequestSchema } from "../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { KeyValueSchema } from "../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import type { Metric } from "../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { SpanSchema } from "../../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import { Batch, type Signal } from "../../src/otlp/batch.ts";
import { flatten, logsBytes, metrics, metricsBytes, requestSchema, span, str, traces, tracesBytes } from "./fixtures.ts";

const samples: Record<Signal, () => Uint8Array> = { traces: tracesBytes, metrics: metricsBytes, logs: logsBytes };
const expectedItems: Record<Signal, number> = { traces: 7, metrics: 10, logs: 4 };
const signals = Object.keys(samples) as Signal[];

describe("lite decode and encode", () => {
  for (const signal of signals) {
    test(`${signal}: untouched batch re-encodes byte for byte`, () => {
      const bytes = samples[signal]();
      const b = Batch.decode(signal, bytes);
      assert.equal(b.isLite(), true);
      assert.deepEqual(b.toBinary(), bytes);
      assert.equal(b.byteSize(), bytes.length);
      b.resources(); // reading resources (and making up a missing one) changes nothing
      assert.deepEqual(b.toBinary(), bytes);
      assert.equal(b.isLite(), true);
    });

    test(`${signal}: toBinary into a caller's dirty buffer (lite, full and mixed entries) writes the same bytes`, () => {
      const bytes = samples[signal]();
      const given: ArrayBuffer[] = [];
      const alloc = (size: number) => {
        const buf = new ArrayBuffer(size + 100);
        new Uint8Array(buf).fill(0xee); // a reused buffer holds the last body's bytes
        given.push(buf);
        return new Uint8Array(buf, 0, size);
      };
      const lite = Batch.decode(signal, bytes);
      const a = lite.toBinary(alloc);
      assert.equal(a.buffer, given[0]);
      assert.deepEqual(new Uint8Array(a), bytes);
      const full = Batch.decode(signal, bytes);
      full.full();
      assert.deepEqual(new Uint8Array(full.toBinary(alloc)), new Uint8Array(full.toBinary()));
      const mixed = Batch.decode(signal, bytes);
      const other = Batch.decode(signal, bytes);
      other.full();
      mixed.append(other);
      assert.deepEqual(new Uint8Array(mixed.toBinary(alloc)), new Uint8Array(mixed.toBinary()));
      assert.equal(given.length, 3);
    });

    test(`${signal}: counts items and resources without decoding`, () => {
      const b = Batch.decode(signal, samples[signal]());
      assert.equal(b.itemCount(), expectedItems[signal]);
      assert.equal(b.resourceCount(), 2);
      assert.equal(b.isLite(), true);
    });
  }

  test("the empty request is an empty batch", () => {
    const b = Batch.decode("traces", new Uint8Array(0));
    assert.equal(b.itemCount(), 0);
    assert.equal(b.resourceCount(), 0);
    assert.deepEqual(b.toBinary(), new Uint8Array(0));
    assert.equal(Batch.empty("logs").toJson(), "{}");
  });

  test("metadata defaults to an empty map and is kept", () => {
    assert.equal(Batch.decode("traces", tracesBytes()).metadata.size, 0);
    const md = new Map([["x-tenant", ["a"]]]);
    const b = Batch.decode("traces", tracesBytes(), md);
    assert.equal(b.clone().metadata, md);
    assert.equal(b.splitFirst(1).metadata, md);
  });
});

describe("item counting per metric type", () => {
  const cases: [string, Metric["data"]["case"], number][] = [
    ["gauge", "gauge", 3],
    ["sum", "sum", 2],
    ["histogram", "histogram", 4],
    ["exponential histogram", "exponentialHistogram", 1],
    ["summary", "summary", 5],
  ];
  for (const [name, kind, n] of cases) {
    test(`${name}: each data point counts 1`, () => {
      const points = Array.from({ length: n }, (_, i) => ({ timeUnixNano: BigInt(i) }));
      const req = create(ExportMetricsServiceRequestSchema, {
        resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name, data: { case: kind, value: { dataPoints: points } } as never }, { name: "no data" }] }] }],
      });
      const bytes = toBinary(ExportMetricsServiceRequestSchema, req);
      const b = Batch.decode("metrics", bytes);
      assert.equal(b.itemCount(), n);
      b.full();
      assert.equal(b.itemCount(), n);
    });
  }

  test("a repeated oneof member adds up, a different one replaces, as a decoder sees it", () => {
    // Metric { gauge{2 points} gauge{1 point} } then Metric { gauge{2 points} sum{1 point} }.
    const point = [0x0a, 0x00]; // data_points: empty NumberDataPoint
    const gauge = (k: number) => [0x2a, 2 * k, ...Array.from({ length: k }, () => point).flat()];
    const sum = (k: number) => [0x3a, 2 * k, ...Array.from({ length: k }, () => point).flat()];
    const m1 = [...gauge(2), ...gauge(1)];
    const m2 = [...gauge(2), ...sum(1)];
    const scope = [0x12, m1.length, ...m1, 0x12, m2.length, ...m2];
    const entry = [0x12, scope.length, ...scope];
    const bytes = Uint8Array.from([0x0a, entry.length, ...entry]);
    const full = fromBinary(ExportMetricsServiceRequestSchema, bytes);
    const decoded = full.resourceMetrics[0]!.scopeMetrics[0]!.metrics.map((m) => (m.data.case ? m.data.value.dataPoints.length : 0));
    assert.deepEqual(decoded, [3, 1]);
    assert.equal(Batch.decode("metrics", bytes).itemCount(), 4);
  });
});

describe("resources()", () => {
  test("changing a resource on a lite batch is encoded, items stay untouched", () => {
    const bytes = tracesBytes();
    const b = Batch.decode("traces", bytes);
    const [first, second] = b.resources();
    first!.attributes.push(create(KeyValueSchema, str("k8s.pod.name", "p-1")));
    second!.attributes.push(create(KeyValueSchema, str("host.name", "h")));
    assert.equal(b.isLite(), true);
    const out = fromBinary(ExportTraceServiceRequestSchema, b.toBinary());
    const orig = fromBinary(ExportTraceServiceRequestSchema, bytes);
    assert.deepEqual(out.resourceSpans[0]!.resource!.attributes.at(-1)!.key, "k8s.pod.name");
    assert.deepEqual(out.resourceSpans[1]!.resource!.attributes.map((a) => a.key), ["host.name"]);
    assert.deepEqual(
      out.resourceSpans.map((r) => r.scopeSpans),
      orig.resourceSpans.map((r) => r.scopeSpans),
    );
  });

  test("an entry without a resource gets one made up, encoded only once it is used", () => {
    const bytes = tracesBytes(); // the second entry has no resource
    const b = Batch.decode("traces", bytes);
    const made = b.resources()[1]!;
    assert.deepEqual(b.toBinary(), bytes, "untouched: still absent");
    made.attributes.push(create(KeyValueSchema, str("host.name", "h")));
    assert.deepEqual(b.resources()[1], made, "the same object after an encode");
    const out = fromBinary(ExportTraceServiceRequestSchema, b.toBinary());
    assert.deepEqual(out.resourceSpans[1]!.resource!.attributes.map((a) => a.key), ["host.name"]);
    const c = Batch.decode("traces", bytes);
    c.resources();
    assert.deepEqual(c.clone().toBinary(), bytes, "a clone of a made-up resource is not encoded either");
  });

  test("scopesPerResource() counts scope entries, empty ones too, without upgrading", () => {
    const expected: Record<Signal, number[]> = { traces: [3, 1], metrics: [1, 1], logs: [2, 0] };
    for (const signal of signals) {
      const b = Batch.decode(signal, samples[signal]());
      assert.deepEqual(b.scopesPerResource(), expected[signal], signal);
      assert.equal(b.isLite(), true);
      b.full();
      assert.deepEqual(b.scopesPerResource(), expected[signal], `${signal} (full)`);
    }
    assert.deepEqual(Batch.empty("traces").scopesPerResource(), []);
  });

  test("the same Resource objects before and after the upgrade", () => {
    const b = Batch.decode("logs", logsBytes());
    const before = b.resources();
    const full = b.full();
    assert.equal(full[0]!.resource, before[0]);
    assert.deepEqual(b.resources(), before);
  });
});

describe("full()", () => {
  for (const signal of signals) {
    test(`${signal}: upgrades once to the same content a full decode gives`, () => {
      const bytes = samples[signal]();
      const b = Batch.decode(signal, bytes);
      const full = b.full();
      assert.equal(b.isLite(), false);
      assert.equal(b.full(), full, "the upgrade happens once");
      const expected = fromBinary(requestSchema(signal), bytes) as unknown as Record<string, unknown[]>;
      assert.deepEqual(full, Object.values(expected).find(Array.isArray));
      assert.deepEqual(b.toBinary(), bytes);
      assert.equal(b.itemCount(), expectedItems[signal]);
    });
  }

  test("changes to the full messages are what gets encoded", () => {
    const b = Batch.decode("traces", tracesBytes());
    const rs = b.full();
    rs[0]!.scopeSpans[0]!.spans[0]!.name = "renamed";
    rs[1]!.scopeSpans[0]!.spans.pop();
    const out = fromBinary(ExportTraceServiceRequestSchema, b.toBinary());
    assert.equal(out.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.name, "renamed");
    assert.equal(b.itemCount(), 6, "counts follow changes to full messages");
  });

  test("toJson() of a lite batch leaves it lite", () => {
    const b = Batch.decode("traces", tracesBytes());
    assert.ok(b.toJson().includes('"traceId":"f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"'));
    assert.equal(b.isLite(), true);
  });
});

describe("splitFirst()", () => {
  for (const signal of signals) {
    for (const view of ["lite", "full"] as const) {
      test(`${signal} (${view}): every cut keeps the items, their order and their context`, () => {
        const bytes = samples[signal]();
        const original = flatten(signal, bytes);
        const n = original.length;
        for (let max = 0; max <= n + 1; max++) {
          const b = make(signal, bytes, view);
          const head = b.splitFirst(max);
          assert.equal(head.itemCount(), Math.min(max, n), `head size at ${max}`);
          assert.equal(b.itemCount(), Math.max(0, n - max), `tail size at ${max}`);
          // Splitting never upgrades (an empty batch counts as lite).
          if (head.resourceCount() > 0) assert.equal(head.isLite(), view === "lite");
          if (b.resourceCount() > 0) assert.equal(b.isLite(), view === "lite");
          assert.deepEqual([...flatten(signal, head.toBinary()), ...flatten(signal, b.toBinary())], original, `cut at ${max}`);
        }
      });

      test(`${signal} (${view}): repeated cuts of every size reassemble the original`, () => {
        const bytes = samples[signal]();
        const original = flatten(signal, bytes);
        for (let size = 1; size <= original.length; size++) {
          const b = make(signal, bytes, view);
          const pieces: string[] = [];
          while (b.itemCount() > 0) {
            const head = b.splitFirst(size);
            assert.ok(head.itemCount() <= size && head.itemCount() > 0);
            pieces.push(...flatten(signal, head.toBinary()));
          }
          assert.deepEqual(pieces, original, `pieces of ${size}`);
        }
      });
    }
  }

  test("rejects a negative or fractional max", () => {
    const b = Batch.decode("traces", tracesBytes());
    assert.throws(() => b.splitFirst(-1), RangeError);
    assert.throws(() => b.splitFirst(1.5), RangeError);
  });

  test("a split metric keeps its name, type and temporality in both halves", () => {
    const b = Batch.decode("metrics", metricsBytes());
    const head = b.splitFirst(1); // cuts gauge "g" after its first point
    const h = fromBinary(ExportMetricsServiceRequestSchema, head.toBinary()).resourceMetrics[0]!.scopeMetrics[0]!.metrics;
    const t = fromBinary(ExportMetricsServiceRequestSchema, b.toBinary()).resourceMetrics[0]!.scopeMetrics[0]!.metrics;
    assert.equal(h.length, 1);
    assert.equal(h[0]!.name, "g");
    assert.equal(h[0]!.data.case, "gauge");
    assert.equal(t[0]!.name, "g");
    assert.equal(t[0]!.unit, "1");
    assert.equal(t[1]!.data.case, "sum");
  });

  test("sizes of the halves add up to about the whole", () => {
    const bytes = tracesBytes();
    const b = Batch.decode("traces", bytes);
    const head = b.splitFirst(3);
    assert.equal(head.byteSize(), head.toBinary().length);
    assert.equal(b.byteSize(), b.toBinary().length);
  });
});

function make<S extends Signal>(signal: S, bytes: Uint8Array, view: "lite" | "full"): Batch<S> {
  const b = Batch.decode(signal, bytes);
  if (view === "full") b.full();
  return b;
}

describe("append()", () => {
  for (const [a, c] of [["lite", "lite"], ["lite", "full"], ["full", "lite"], ["full", "full"]] as const) {
    test(`${a} + ${c}: concatenates resource entries`, () => {
      const x = make("traces", tracesBytes(), a);
      const y = make("traces", tracesBytes(), c);
      x.append(y);
      assert.equal(x.itemCount(), 14);
      assert.equal(x.resourceCount(), 4);
      assert.equal(y.itemCount(), 0, "the appended batch is emptied");
      const one = flatten("traces", tracesBytes());
      assert.deepEqual(flatten("traces", x.toBinary()), [...one, ...one]);
      assert.equal(x.isLite(), a === "lite" && c === "lite");
      assert.equal(x.full().length, 4);
    });
  }

  test("mixed batches split and clone", () => {
    const x = make("metrics", metricsBytes(), "lite");
    x.append(make("metrics", metricsBytes(), "full"));
    const c = x.clone();
    const head = x.splitFirst(13);
    const tail = flatten("metrics", x.toBinary());
    assert.deepEqual([...flatten("metrics", head.toBinary()), ...tail], flatten("metrics", c.toBinary()));
  });

  test("a mixed batch encodes byte for byte as its parts, in order", () => {
    for (const [signal, bytes] of [
      ["traces", tracesBytes()],
      ["metrics", metricsBytes()],
    ] as const) {
      const x = make(signal, bytes, "full");
      x.append(make(signal, bytes, "lite") as never);
      x.append(make(signal, bytes, "full") as never);
      assert.equal(x.isLite(), false);
      const all = new Uint8Array(bytes.length * 3);
      for (let i = 0; i < 3; i++) all.set(bytes, i * bytes.length);
      assert.deepEqual(x.toBinary(), all);
    }
  });

  test("refuses itself and other signals", () => {
    const x = Batch.decode("traces", tracesBytes());
    assert.throws(() => x.append(x));
    assert.throws(() => x.append(Batch.empty("logs") as unknown as Batch<"traces">));
  });
});

describe("clone()", () => {
  for (const view of ["lite", "full"] as const) {
    test(`${view}: the copy is independent`, () => {
      const bytes = tracesBytes();
      const b = make("traces", bytes, view);
      const c = b.clone();
      c.resources()[0]!.attributes.length = 0;
      c.splitFirst(2);
      if (view === "full") c.full()[0]!.scopeSpans.at(-1)!.spans[0]!.name = "changed";
      assert.deepEqual(b.toBinary(), bytes);
      assert.equal(c.isLite(), view === "lite");
      assert.equal(c.itemCount(), 5);
    });
  }
});

describe("fromResources()", () => {
  test("wraps full messages", () => {
    const req = traces();
    const b = Batch.fromResources("traces", req.resourceSpans);
    assert.equal(b.isLite(), false);
    assert.equal(b.itemCount(), 7);
    assert.equal(b.full(), req.resourceSpans);
    assert.deepEqual(b.toBinary(), toBinary(ExportTraceServiceRequestSchema, req));
    assert.equal(b.byteSize(), b.toBinary().length);
  });

  test("an added span shows up in counts and bytes", () => {
    const req = traces();
    const b = Batch.fromResources("traces", req.resourceSpans);
    b.full()[0]!.scopeSpans[0]!.spans.push(create(SpanSchema, span(50)));
    assert.equal(b.itemCount(), 8);
    assert.equal(Batch.decode("traces", b.toBinary()).itemCount(), 8);
    const m = Batch.fromResources("metrics", metrics().resourceMetrics);
    assert.equal(m.itemCount(), 10);
  });
});
