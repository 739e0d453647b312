import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { Backoff, type RetryArgs, WAKE_EVENT, sendWithRetry, validateRetry } from "../../../../../src/components/otelcol/exporter/shared/retry.ts";
import { PipelineError } from "../../../../../src/otlp/errors.ts";

const DEFAULTS: RetryArgs = { enabled: true, initial_interval: 5000, max_interval: 30_000, max_elapsed_time: 300_000, multiplier: 1.5, randomization_factor: 0.5 };

describe("Backoff (§0.5)", () => {
  test("grows by the multiplier up to max_interval, without jitter", () => {
    const b = new Backoff({ ...DEFAULTS, randomization_factor: 0 });
    const waits = Array.from({ length: 7 }, () => b.next(0));
    assert.deepEqual(waits, [5000, 7500, 11250, 16875, 25312.5, 30000, 30000]);
  });

  test("jitter stays within interval·(1 ± randomization_factor)", () => {
    assert.equal(new Backoff(DEFAULTS, () => 0).next(0), 2500);
    assert.equal(new Backoff(DEFAULTS, () => 1).next(0), 7500);
    assert.equal(new Backoff(DEFAULTS, () => 0.5).next(0), 5000);
  });

  test("a throttle hint raises the wait to at least the hint", () => {
    const b = new Backoff({ ...DEFAULTS, randomization_factor: 0 });
    assert.equal(b.next(0, 12_000), 12_000);
    assert.equal(b.next(0, 1_000), 7500);
  });

  test("gives up when the next wait would pass max_elapsed_time; 0 = forever", () => {
    const b = new Backoff({ ...DEFAULTS, randomization_factor: 0 });
    assert.equal(b.next(290_000), 5000);
    assert.equal(b.next(295_000), undefined);
    const forever = new Backoff({ ...DEFAULTS, randomization_factor: 0, max_elapsed_time: 0 });
    assert.equal(forever.next(10 * 86_400_000), 5000);
  });

  test("validation", () => {
    assert.deepEqual(validateRetry(DEFAULTS), []);
    assert.deepEqual(validateRetry({ ...DEFAULTS, multiplier: 1 }), ["multiplier must be greater than 1.0"]);
    assert.deepEqual(validateRetry({ ...DEFAULTS, randomization_factor: -0.1 }), ["randomization_factor must be greater or equal to 0"]);
  });
});

describe("sendWithRetry", () => {
  const fast: RetryArgs = { enabled: true, initial_interval: 5, max_interval: 20, max_elapsed_time: 200, multiplier: 2, randomization_factor: 0 };

  test("retries retryable errors until success", async () => {
    let calls = 0;
    const waits: number[] = [];
    await sendWithRetry(
      async () => {
        if (++calls < 3) throw PipelineError.retryable("busy");
      },
      { args: fast, onRetry: (_e, w) => waits.push(w) },
    );
    assert.equal(calls, 3);
    assert.deepEqual(waits, [5, 10]);
  });

  test("permanent errors are not retried", async () => {
    let calls = 0;
    await assert.rejects(
      sendWithRetry(async () => {
        calls++;
        throw PipelineError.permanent("bad");
      }, { args: fast }),
      (e: PipelineError) => e.permanent && e.message === "bad",
    );
    assert.equal(calls, 1);
  });

  test("disabled retries: one attempt, the error as it is", async () => {
    let calls = 0;
    await assert.rejects(
      sendWithRetry(async () => {
        calls++;
        throw new Error("refused");
      }, { args: { ...fast, enabled: false } }),
      (e: PipelineError) => !e.permanent && e.message === "refused",
    );
    assert.equal(calls, 1);
  });

  test("gives up after max_elapsed_time with a retryable error", async () => {
    const t0 = Date.now();
    let calls = 0;
    await assert.rejects(
      sendWithRetry(async () => {
        calls++;
        throw PipelineError.retryable("down");
      }, { args: fast }),
      (e: PipelineError) => !e.permanent && e.message === "no more retries left: down",
    );
    assert.ok(Date.now() - t0 <= 260);
    assert.ok(calls >= 5);
  });

  test("an abort interrupts the wait", async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 20);
    await assert.rejects(
      sendWithRetry(async () => {
        throw PipelineError.retryable("down");
      }, { args: { ...fast, initial_interval: 10_000, max_interval: 10_000, max_elapsed_time: 0 }, signal: abort.signal }),
      /interrupted due to shutdown: down/,
    );
  });

  test("a wake event ends the wait in progress; later waits back off again", async () => {
    const wake = new EventTarget();
    const attempts: number[] = [];
    const t0 = Date.now();
    const done = sendWithRetry(
      async () => {
        attempts.push(Date.now() - t0);
        if (attempts.length === 1) setTimeout(() => wake.dispatchEvent(new Event(WAKE_EVENT)), 30);
        if (attempts.length < 3) throw PipelineError.retryable("down");
      },
      { args: { ...fast, initial_interval: 10_000, max_interval: 10_000, max_elapsed_time: 0 }, wake },
    );
    // The first 10 s wait ends after ~30 ms; the second is a full wait, ended by a second wake.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(attempts.length, 2);
    assert.ok(attempts[1]! < 1_000, `woken too late: ${attempts[1]}`);
    wake.dispatchEvent(new Event(WAKE_EVENT));
    await done;
    assert.equal(attempts.length, 3);
  });

  test("a wait past the deadline gives up at once", async () => {
    const t0 = Date.now();
    await assert.rejects(
      sendWithRetry(async () => {
        throw PipelineError.retryable("down");
      }, { args: { ...fast, initial_interval: 1000, max_interval: 1000, max_elapsed_time: 0 }, deadline: () => Date.now() + 100 }),
      /interrupted due to shutdown/,
    );
    assert.ok(Date.now() - t0 < 100);
  });

  test("the server's retry delay is honoured", async () => {
    let calls = 0;
    const t0 = Date.now();
    await sendWithRetry(
      async () => {
        if (++calls === 1) throw PipelineError.retryable("throttled", 80);
      },
      { args: fast },
    );
    assert.ok(Date.now() - t0 >= 75);
  });
});
