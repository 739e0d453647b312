import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Process, type QueueArgs, SendingQueue, validateQueue } from "../../../../../src/components/otelcol/exporter/shared/queue.ts";
import { StorageHandler } from "../../../../../src/components/otelcol/storage/handler.ts";
import { AuthHandler } from "../../../../../src/components/otelcol/auth/handler.ts";
import type { Batch, Signal } from "../../../../../src/otlp/batch.ts";
import { PipelineError } from "../../../../../src/otlp/errors.ts";
import { createLogger, memorySink } from "../../../../../src/runtime/logger.ts";
import { logs, traces } from "../harness.ts";

function storage(dir: string) {
  return new StorageHandler("otelcol.storage.file.test", () => ({ directory: dir, create_directory: true, directory_permissions: "0750", fsync: false, compactOnStart: false }));
}

const ARGS: QueueArgs = { enabled: true, num_consumers: 1, queue_size: 100, sizer: "requests", block_on_overflow: false, wait_for_result: false };

function newQueue(dir: string, process: Process, args: Partial<QueueArgs> = {}, drainTimeoutMs = 500) {
  const sink = memorySink();
  const q = new SendingQueue({ args: { ...ARGS, storage: storage(dir), ...args }, process, logger: createLogger(sink), drainTimeoutMs, owner: "otelcol.exporter.otlp.x" });
  const abort = new AbortController();
  const running = q.run(abort.signal);
  return { q, lines: sink.lines, stop: async () => (abort.abort(), await running) };
}

/** Spans names of a batch, to compare what arrived. */
const names = (b: Batch<Signal>) => b.itemCount();
const tick = (ms = 10) => new Promise((r) => setTimeout(r, ms));

/** A backend that is down until opened: a send keeps retrying until then, or until the drain ends. */
function backend() {
  const got: Batch<Signal>[] = [];
  let up = false;
  const process: Process = async (batch, stop) => {
    while (!up) {
      if (stop.signal.aborted) throw PipelineError.retryable("backend down");
      await tick(5);
    }
    got.push(batch);
  };
  return { process, got, setUp: (v: boolean) => (up = v) };
}

describe("persistent sending queue (sending_queue.storage)", () => {
  test("validation accepts a storage handler and refuses an auth handler in its place", () => {
    assert.deepEqual(validateQueue({ ...ARGS, storage: storage("/x") }), []);
    const auth = new AuthHandler("otelcol.auth.bearer.x", () => undefined, () => undefined);
    assert.deepEqual(validateQueue({ ...ARGS, storage: auth }), ["storage: not a storage extension (use otelcol.storage.file.<label>.handler)"]);
  });

  test("enqueue is on disk before it returns: a queue abandoned without stopping (a crash) is recovered in order", async () => {
    const dir = mkdtempSync(join(tmpdir(), "solder-pq-"));
    const down = backend();
    const a = newQueue(dir, down.process, { num_consumers: 1 });
    // Never stopped: like SIGKILL, nothing after enqueue gets a chance to run for these.
    for (const n of [1, 2, 3]) await a.q.enqueue(traces(n));
    await a.q.enqueue(logs(4));
    assert.deepEqual(readdirSync(dir), ["otelcol.exporter.otlp.x"]);

    const up = backend();
    up.setUp(true);
    const b = newQueue(dir, up.process);
    for (let i = 0; i < 100 && up.got.length < 4; i++) await tick();
    assert.deepEqual(up.got.map(names), [1, 2, 3, 4]);
    assert.equal(up.got[3]!.signal, "logs");
    assert.ok(up.got.every((x) => x.isLite()), "recovered batches stay lite");
    assert.ok(b.lines.some((l) => l.includes("recovered requests from the persistent queue") && l.includes("requests=4")));
    await b.stop();
    await a.stop();
  });

  test("sent requests are acknowledged and not sent again after a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "solder-pq-"));
    const up = backend();
    up.setUp(true);
    const a = newQueue(dir, up.process);
    for (const n of [1, 2]) await a.q.enqueue(traces(n));
    for (let i = 0; i < 100 && up.got.length < 2; i++) await tick();
    await a.stop();
    const again = backend();
    again.setUp(true);
    const b = newQueue(dir, again.process);
    await b.q.enqueue(traces(9));
    for (let i = 0; i < 100 && again.got.length < 1; i++) await tick();
    await tick(50);
    assert.deepEqual(again.got.map(names), [9]);
    await b.stop();
  });

  test("a permanent refusal is acknowledged (dropped), as the Collector does", async () => {
    const dir = mkdtempSync(join(tmpdir(), "solder-pq-"));
    let calls = 0;
    const a = newQueue(dir, async () => {
      calls++;
      throw PipelineError.permanent("bad data");
    });
    await a.q.enqueue(traces(1));
    for (let i = 0; i < 100 && calls < 1; i++) await tick();
    await tick();
    await a.stop();
    const up = backend();
    up.setUp(true);
    const b = newQueue(dir, up.process);
    await tick(50);
    assert.deepEqual(up.got, []);
    await b.stop();
  });

  test("shutdown with the backend down keeps what was not sent on disk instead of dropping it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "solder-pq-"));
    const down = backend();
    const a = newQueue(dir, down.process, { num_consumers: 2 }, 200);
    for (const n of [1, 2, 3]) await a.q.enqueue(traces(n));
    await tick(20);
    const started = Date.now();
    await a.stop();
    assert.ok(Date.now() - started < 5000);
    assert.ok(a.lines.some((l) => l.includes("stay in the persistent queue")), a.lines.join("\n"));
    assert.ok(!a.lines.some((l) => l.includes("dropping data")), a.lines.join("\n"));
    const up = backend();
    up.setUp(true);
    const b = newQueue(dir, up.process);
    for (let i = 0; i < 100 && up.got.length < 3; i++) await tick();
    assert.deepEqual(up.got.map(names).sort(), [1, 2, 3]);
    await b.stop();
  });

  test("queue_size bounds what is accepted: a full queue refuses with a retryable error and writes nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "solder-pq-"));
    const down = backend();
    const a = newQueue(dir, down.process, { queue_size: 10, sizer: "items", num_consumers: 1 }, 100);
    await a.q.enqueue(traces(6)); // taken by the sender, retried
    await tick();
    await a.q.enqueue(traces(6));
    await assert.rejects(a.q.enqueue(traces(5)), (e: PipelineError) => !e.permanent && /full/.test(e.message));
    await a.stop();
    const up = backend();
    up.setUp(true);
    const b = newQueue(dir, up.process);
    for (let i = 0; i < 100 && up.got.length < 2; i++) await tick();
    await tick(30);
    assert.deepEqual(up.got.map(names), [6, 6]);
    await b.stop();
  });

  test("with the batch block, merged requests are acknowledged only when the merged send succeeds", async () => {
    const dir = mkdtempSync(join(tmpdir(), "solder-pq-"));
    const sent: number[] = [];
    const a = newQueue(dir, async (b) => void sent.push(b.itemCount()), { batch: { flush_timeout: 30, min_size: 5, max_size: 0, sizer: "items" } });
    for (const n of [2, 2, 2]) await a.q.enqueue(traces(n));
    for (let i = 0; i < 100 && sent.length < 1; i++) await tick();
    assert.deepEqual(sent, [6]);
    await a.stop();
    const up = backend();
    up.setUp(true);
    const b = newQueue(dir, up.process);
    await tick(50);
    assert.deepEqual(up.got, []);
    await b.stop();
  });

  test("a queue log that cannot be opened fails the run; enqueue refuses with a retryable error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "solder-pq-"));
    const notADir = join(dir, "file");
    writeFileSync(notADir, "x");
    const sink = memorySink();
    const q = new SendingQueue({ args: { ...ARGS, storage: storage(notADir) }, process: async () => {}, logger: createLogger(sink), drainTimeoutMs: 100, owner: "otelcol.exporter.otlp.x" });
    await assert.rejects(q.run(new AbortController().signal), /is not a directory/);
    await assert.rejects(q.enqueue(traces(1)), (e: PipelineError) => !e.permanent && /not open/.test(e.message));
  });

  test("the storage cannot change under a running queue", async () => {
    const dir = mkdtempSync(join(tmpdir(), "solder-pq-"));
    const a = newQueue(dir, async () => {});
    assert.throws(() => a.q.update({ ...ARGS, storage: undefined }), /cannot change while the exporter runs/);
    await a.stop();
  });
});
