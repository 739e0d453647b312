import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { validateBatch } from "../../../../../src/components/otelcol/exporter/shared/batcher.ts";
import { type Process, type QueueArgs, SendingQueue, validateQueue } from "../../../../../src/components/otelcol/exporter/shared/queue.ts";
import type { Batch, Signal } from "../../../../../src/otlp/batch.ts";
import { Code, PipelineError } from "../../../../../src/otlp/errors.ts";
import { createLogger, memorySink } from "../../../../../src/runtime/logger.ts";
import { logs, traces } from "../harness.ts";

const ARGS: QueueArgs = { enabled: true, num_consumers: 1, queue_size: 3, sizer: "requests", block_on_overflow: false, wait_for_result: false };

/** A process function whose calls stay pending until released. */
function gate() {
  const seen: number[] = [];
  const pending: Array<() => void> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const process: Process = (batch: Batch<Signal>) => {
    seen.push(batch.itemCount());
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    return new Promise<void>((resolve) =>
      pending.push(() => {
        inFlight--;
        resolve();
      }),
    );
  };
  return {
    process,
    seen,
    get maxInFlight() {
      return maxInFlight;
    },
    releaseAll: () => pending.splice(0).forEach((r) => r()),
    pendingCount: () => pending.length,
  };
}

function newQueue(args: Partial<QueueArgs>, process: Process, drainTimeoutMs = 1000) {
  const sink = memorySink();
  const sizes: number[] = [];
  const q = new SendingQueue({ args: { ...ARGS, ...args }, process, logger: createLogger(sink), drainTimeoutMs, onSize: (s) => sizes.push(s) });
  return { q, lines: sink.lines, sizes };
}

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe("SendingQueue (§0.6)", () => {
  test("a taken batch is no longer referenced by the queue (its request bodies can be collected)", async () => {
    const g = gate();
    const { q } = newQueue({ queue_size: 10 }, g.process);
    const abort = new AbortController();
    const running = q.run(abort.signal);
    const slots = () => (q as unknown as { items: unknown[] }).items;
    await q.enqueue(traces(1)); // taken at once by the sender
    await tick();
    for (let i = 0; i < 3; i++) await q.enqueue(traces(1));
    assert.equal(slots().filter((x) => x !== undefined).length, 3);
    g.releaseAll();
    await tick();
    // The sender took one more: its slot is cleared, the two behind it are still held.
    assert.equal(slots().filter((x) => x !== undefined).length, 2);
    for (let i = 0; i < 4 && g.pendingCount() > 0; i++) {
      g.releaseAll();
      await tick();
    }
    assert.equal(q.length, 0);
    assert.deepEqual(slots(), []);
    abort.abort();
    await running;
  });

  test("enqueue returns once queued; a full queue fails at once with a retryable error", async () => {
    const g = gate();
    const { q } = newQueue({}, g.process);
    const abort = new AbortController();
    const running = q.run(abort.signal);
    await q.enqueue(traces(1)); // taken by the sender
    await tick();
    for (let i = 0; i < 3; i++) await q.enqueue(traces(1));
    assert.equal(q.size, 3);
    await assert.rejects(q.enqueue(traces(1)), (e: PipelineError) => !e.permanent && e.message === "sending queue is full" && e.code === Code.Unavailable && e.retryAfterMs === 1000);
    g.releaseAll();
    abort.abort();
    await tick();
    g.releaseAll();
    await tick();
    g.releaseAll();
    await tick();
    g.releaseAll();
    await running;
    assert.equal(g.seen.length, 4);
  });

  test("a batch taken for sending is no longer referenced by the queue", async () => {
    const g = gate();
    const { q } = newQueue({ queue_size: 100 }, g.process);
    const abort = new AbortController();
    const running = q.run(abort.signal);
    const sent = Array.from({ length: 5 }, () => traces(1));
    for (const b of sent) await q.enqueue(b);
    for (let i = 0; i < 5; i++) {
      await tick();
      g.releaseAll();
    }
    await tick();
    assert.equal(g.seen.length, 5);
    // Internal storage: nothing taken may still sit in it (it would pin every sent batch).
    const held = (q as unknown as { items: unknown[] }).items;
    assert.ok(!held.some((x) => sent.some((b) => (x as { batch?: unknown } | undefined)?.batch === b)), "sent batches are still referenced");
    abort.abort();
    g.releaseAll();
    await running;
  });

  test("block_on_overflow waits for space instead", async () => {
    const g = gate();
    const { q } = newQueue({ queue_size: 1, block_on_overflow: true }, g.process);
    const abort = new AbortController();
    const running = q.run(abort.signal);
    await q.enqueue(traces(1));
    await tick();
    await q.enqueue(traces(1));
    let done = false;
    const blocked = q.enqueue(traces(1)).then(() => (done = true));
    await tick(20);
    assert.equal(done, false);
    g.releaseAll(); // the sender takes the next one, making room
    await blocked;
    assert.equal(done, true);
    abort.abort();
    for (let i = 0; i < 3; i++) (await tick(), g.releaseAll());
    await running;
  });

  test("items sizer counts spans; a batch larger than the queue is refused permanently", async () => {
    const { q } = newQueue({ sizer: "items", queue_size: 10 }, async () => {});
    await q.enqueue(traces(4));
    await q.enqueue(traces(6));
    assert.equal(q.size, 10);
    await assert.rejects(q.enqueue(traces(1)), /queue is full/);
    await assert.rejects(q.enqueue(traces(11)), (e: PipelineError) => e.permanent);
  });

  test("num_consumers senders work in parallel", async () => {
    const g = gate();
    const { q } = newQueue({ num_consumers: 3, queue_size: 10 }, g.process);
    const abort = new AbortController();
    const running = q.run(abort.signal);
    for (let i = 0; i < 5; i++) await q.enqueue(traces(1));
    await tick();
    assert.equal(g.maxInFlight, 3);
    abort.abort();
    for (let i = 0; i < 3; i++) (await tick(), g.releaseAll());
    await running;
    assert.equal(g.seen.length, 5);
  });

  test("wait_for_result passes the send outcome back", async () => {
    let fail = true;
    const { q } = newQueue({ wait_for_result: true }, async () => {
      if (fail) throw PipelineError.permanent("rejected");
    });
    const abort = new AbortController();
    const running = q.run(abort.signal);
    await assert.rejects(q.enqueue(traces(1)), /rejected/);
    fail = false;
    await q.enqueue(traces(1));
    abort.abort();
    await running;
  });

  test("shutdown drains, then drops what is left after the deadline and says how much", async () => {
    let stopSeen = false;
    const { q, lines } = newQueue(
      { queue_size: 10 },
      (_b, stop) =>
        new Promise<void>((resolve, reject) => {
          // The first send hangs until the drain deadline aborts it.
          stop.signal.addEventListener("abort", () => ((stopSeen = true), reject(new Error("aborted"))));
          void resolve;
        }),
      100,
    );
    const abort = new AbortController();
    const running = q.run(abort.signal);
    for (let i = 0; i < 4; i++) await q.enqueue(traces(2));
    await tick();
    const t0 = Date.now();
    abort.abort();
    await running;
    assert.ok(Date.now() - t0 >= 95);
    assert.ok(stopSeen);
    assert.equal(q.size, 0);
    const line = lines.find((l) => l.includes("dropping data still in the sending queue"))!;
    assert.match(line, /dropped_requests=3 dropped_items=6/);
    await assert.rejects(q.enqueue(traces(1)), /shutting down/);
  });

  test("update changes capacity and senders in place", async () => {
    const g = gate();
    const { q, sizes } = newQueue({ num_consumers: 1, queue_size: 1 }, g.process);
    const abort = new AbortController();
    const running = q.run(abort.signal);
    q.update({ ...ARGS, num_consumers: 2, queue_size: 5 });
    for (let i = 0; i < 4; i++) await q.enqueue(traces(1));
    await tick();
    assert.equal(g.maxInFlight, 2);
    assert.equal(q.capacity, 5);
    assert.ok(sizes.length > 0);
    abort.abort();
    for (let i = 0; i < 3; i++) (await tick(), g.releaseAll());
    await running;
    assert.equal(g.seen.length, 4);
  });

  test("validation", () => {
    assert.deepEqual(validateQueue(ARGS), []);
    assert.deepEqual(validateQueue({ ...ARGS, queue_size: 0 }), ["queue_size must be greater than zero"]);
    assert.deepEqual(validateQueue({ ...ARGS, sizer: "pages" as QueueArgs["sizer"] }), ["invalid sizer: pages"]);
    const batch = { flush_timeout: 200, min_size: 2000, max_size: 3000, sizer: "items" };
    assert.deepEqual(validateQueue({ ...ARGS, sizer: "items", queue_size: 1000, batch }), ["`min_size` must be less than or equal to `queue_size`"]);
    assert.deepEqual(validateBatch({ ...batch, sizer: "requests" }), ["`batch` supports only `items` or `bytes` sizer"]);
    assert.deepEqual(validateBatch({ ...batch, max_size: 10 }), ["`max_size` must be greater or equal to `min_size`"]);
    assert.deepEqual(validateBatch({ ...batch, flush_timeout: 0 }), ["`flush_timeout` must be positive"]);
  });
});

describe("sending_queue > batch", () => {
  function collect() {
    const sent: number[] = [];
    const process: Process = async (b) => void sent.push(b.itemCount());
    return { sent, process };
  }

  test("merges up to min_size, splits at max_size", async () => {
    const c = collect();
    const { q } = newQueue({ queue_size: 100, batch: { flush_timeout: 10_000, min_size: 10, max_size: 4, sizer: "items" } }, c.process);
    for (let i = 0; i < 4; i++) await q.enqueue(traces(3)); // 12 spans ≥ 10: flushed as 4 + 4 + 4
    const abort = new AbortController();
    const running = q.run(abort.signal);
    await tick(20);
    assert.deepEqual(c.sent, [4, 4, 4]);
    abort.abort();
    await running;
  });

  test("flush_timeout sends what is there", async () => {
    const c = collect();
    const { q } = newQueue({ queue_size: 100, batch: { flush_timeout: 30, min_size: 100, max_size: 0, sizer: "items" } }, c.process);
    const abort = new AbortController();
    const running = q.run(abort.signal);
    const t0 = Date.now();
    await q.enqueue(traces(2));
    await q.enqueue(traces(3));
    while (c.sent.length === 0 && Date.now() - t0 < 1000) await tick();
    assert.ok(Date.now() - t0 >= 25);
    assert.deepEqual(c.sent, [5]);
    abort.abort();
    await running;
  });

  test("shutdown flushes pending batches; wait_for_result callers learn the outcome", async () => {
    const c = collect();
    const { q } = newQueue({ queue_size: 100, wait_for_result: true, batch: { flush_timeout: 10_000, min_size: 100, max_size: 0, sizer: "items" } }, c.process);
    const abort = new AbortController();
    const running = q.run(abort.signal);
    const waiting = Promise.all([q.enqueue(traces(2)), q.enqueue(logs(1))]);
    await tick();
    assert.deepEqual(c.sent, []);
    abort.abort();
    await running;
    await waiting;
    assert.deepEqual(c.sent.sort(), [1, 2]);
  });
});
