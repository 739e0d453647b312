// The `retry_on_failure` block shared by exporters, and the retry loop that follows it
// (spec: alloy-components.md §0.5; the Collector's configretry + exporterhelper retry sender,
// whose backoff is cenkalti/backoff's ExponentialBackOff).

import { PipelineError } from "../../../../otlp/errors.ts";
import { type BlockSpec, attr, t } from "../../../../runtime/schema.ts";

/** Decoded `retry_on_failure` block; durations in milliseconds. */
export interface RetryArgs {
  enabled: boolean;
  initial_interval: number;
  max_interval: number;
  /** 0 = retry forever. */
  max_elapsed_time: number;
  multiplier: number;
  randomization_factor: number;
}

/** Checks a `retry_on_failure` block; messages as Alloy's RetryArguments.Validate words them. */
export function validateRetry(a: RetryArgs): string[] {
  const problems: string[] = [];
  if (!(a.multiplier > 1)) problems.push("multiplier must be greater than 1.0");
  if (a.randomization_factor < 0) problems.push("randomization_factor must be greater or equal to 0");
  return problems;
}

/** `retry_on_failure { … }`: present with defaults when absent. */
export const retryBlock: BlockSpec = {
  defaultPresent: true,
  schema: {
    attrs: {
      enabled: attr(t.bool, true),
      initial_interval: attr(t.duration, 5_000),
      max_interval: attr(t.duration, 30_000),
      max_elapsed_time: attr(t.duration, 300_000),
      multiplier: attr(t.number, 1.5),
      randomization_factor: attr(t.number, 0.5),
    },
    validate: validateRetry,
  },
};

/**
 * Exponential backoff: the wait before retry n is interval·(1 ± randomization_factor·rand); the
 * interval starts at initial_interval and grows by multiplier after each retry, capped at
 * max_interval. A throttle hint from the server raises the wait to at least the hint.
 */
export class Backoff {
  private interval: number;

  constructor(
    private readonly args: RetryArgs,
    private readonly random: () => number = Math.random,
  ) {
    this.interval = args.initial_interval;
  }

  /**
   * The wait before the next attempt, or undefined when that wait would end after
   * max_elapsed_time has passed since the first attempt (spec §0.5: then the data is dropped).
   */
  next(elapsedMs: number, throttleMs = 0): number | undefined {
    const delta = this.args.randomization_factor * this.interval;
    let wait = this.interval - delta + this.random() * 2 * delta;
    this.interval = Math.min(this.interval * this.args.multiplier, this.args.max_interval);
    wait = Math.max(wait, throttleMs, 0);
    const limit = this.args.max_elapsed_time;
    if (limit > 0 && elapsedMs + wait > limit) return undefined;
    return wait;
  }
}

/** The event a `wake` target dispatches to end the retry waits in progress early. */
export const WAKE_EVENT = "wake";

/** Resolves after `ms`, or early (with false) when `signal` aborts, or early (with true) on a `wake` event. */
export function sleep(ms: number, signal?: AbortSignal, wake?: EventTarget): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      wake?.removeEventListener(WAKE_EVENT, onWake);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const onWake = () => done(true);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener("abort", onAbort, { once: true });
    wake?.addEventListener(WAKE_EVENT, onWake, { once: true });
  });
}

export interface RetryOptions {
  args: RetryArgs;
  /** Aborting stops waiting for the next attempt: the data is given up ("interrupted due to shutdown"). */
  signal?: AbortSignal;
  /**
   * An absolute time (ms since epoch) by which a wait must end, e.g. the end of a shutdown drain;
   * a wait that would end later gives up at once.
   */
  deadline?: () => number | undefined;
  /** Called before each wait; for the "will retry" log line. */
  onRetry?(err: PipelineError, waitMs: number): void;
  /**
   * A `wake` event ends the waits in progress at once and the next attempt follows: for a caller
   * whose attempt changes meaning meanwhile (a load-balancing backend dropped from the ring
   * re-routes instead of sending). Later waits are not affected.
   */
  wake?: EventTarget;
  now?: () => number;
  random?: () => number;
}

/**
 * Runs `attempt` until it succeeds, fails permanently, or retries run out. Throws the
 * classified error; when retries ran out the message says so and the error stays retryable.
 */
export async function sendWithRetry(attempt: () => Promise<void>, opts: RetryOptions): Promise<void> {
  const now = opts.now ?? Date.now;
  const start = now();
  const backoff = new Backoff(opts.args, opts.random);
  let woken = false;
  const onWake = () => (woken = true);
  opts.wake?.addEventListener(WAKE_EVENT, onWake);
  try {
    return await retryLoop(attempt, opts, now, start, backoff, () => {
      const w = woken;
      woken = false;
      return w;
    });
  } finally {
    opts.wake?.removeEventListener(WAKE_EVENT, onWake);
  }
}

async function retryLoop(attempt: () => Promise<void>, opts: RetryOptions, now: () => number, start: number, backoff: Backoff, wokenSinceLast: () => boolean): Promise<void> {
  for (;;) {
    let err: PipelineError;
    try {
      return await attempt();
    } catch (e) {
      err = PipelineError.from(e);
    }
    if (err.permanent || !opts.args.enabled) throw err;
    // Woken during the attempt: try again at once (the attempt's meaning changed meanwhile).
    if (wokenSinceLast()) continue;
    const wait = backoff.next(now() - start, err.retryAfterMs);
    if (wait === undefined) throw giveUp("no more retries left", err);
    const deadline = opts.deadline?.();
    if (opts.signal?.aborted || (deadline !== undefined && now() + wait > deadline)) throw giveUp("interrupted due to shutdown", err);
    opts.onRetry?.(err, wait);
    if (!(await sleep(wait, opts.signal, opts.wake))) throw giveUp("interrupted due to shutdown", err);
    wokenSinceLast();
  }
}

function giveUp(why: string, err: PipelineError): PipelineError {
  return new PipelineError(`${why}: ${err.message}`, err.code, false, undefined, { cause: err });
}
