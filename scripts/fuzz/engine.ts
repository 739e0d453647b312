// The fuzz engine: a seeded PRNG, byte-level mutators, and a loop that runs one target under an
// iteration count and a wall-clock budget. A target gets bytes and throws on a violation; the
// engine turns the first throw (or an input slower than `hangMs`) into a Failure that carries
// the reproducing input in base64 and the seed. Everything is deterministic for a given seed.

/** xorshift128+-free small PRNG (mulberry32): fast, 32-bit state, reproducible across runtimes. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform in [0, 2^32). */
  u32(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : this.u32() % n;
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.u32() / 0x1_0000_0000 < p;
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }
  /** Small sizes far more often than big ones. */
  size(max: number): number {
    return this.chance(0.8) ? this.int(Math.min(max, 16) + 1) : this.int(max + 1);
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}

const enc = new TextEncoder();
const dec = new TextDecoder();
export const utf8 = (s: string): Uint8Array => enc.encode(s);
/** Lossy (U+FFFD) decoding, so every byte string is a valid text input. */
export const text = (b: Uint8Array): string => dec.decode(b);
export const toBase64 = (b: Uint8Array): string => Buffer.from(b).toString("base64");
export const fromBase64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "base64"));

function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x0a, 0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0xc0, 0xed, 0xf4];

export interface MutateContext {
  rng: Rng;
  /** Other corpus entries, for splices. */
  corpus: readonly Uint8Array[];
  /** Tokens that mean something to the target (keywords, punctuation); inserted whole. */
  dictionary: readonly Uint8Array[];
  /** Bytes at the front that select options (content type, signal…); mutated less often. */
  header: number;
  maxLen: number;
  /** Long runs: bigger repetition counts. */
  big: boolean;
}

type Mutator = (b: Uint8Array, c: MutateContext) => Uint8Array;

const pos = (b: Uint8Array, c: MutateContext, extra = 0) => c.header + c.rng.int(Math.max(0, b.length - c.header) + extra);

const MUTATORS: Mutator[] = [
  // bit flip
  (b, c) => {
    if (b.length <= c.header) return b;
    const out = b.slice();
    const i = pos(b, c);
    out[i]! ^= 1 << c.rng.int(8);
    return out;
  },
  // interesting / random byte
  (b, c) => {
    if (b.length <= c.header) return b;
    const out = b.slice();
    out[pos(b, c)] = c.rng.chance(0.5) ? c.rng.pick(INTERESTING) : c.rng.int(256);
    return out;
  },
  // truncate
  (b, c) => b.subarray(0, pos(b, c, 1)),
  // delete a range
  (b, c) => {
    const i = pos(b, c);
    return concat(b.subarray(0, i), b.subarray(Math.min(b.length, i + 1 + c.rng.size(64))));
  },
  // insert random bytes
  (b, c) => {
    const i = pos(b, c, 1);
    return concat(b.subarray(0, i), c.rng.bytes(1 + c.rng.size(32)), b.subarray(i));
  },
  // insert a dictionary token
  (b, c) => {
    if (c.dictionary.length === 0) return b;
    const i = pos(b, c, 1);
    return concat(b.subarray(0, i), c.rng.pick(c.dictionary), b.subarray(i));
  },
  // duplicate a range in place
  (b, c) => {
    const i = pos(b, c);
    const j = Math.min(b.length, i + 1 + c.rng.size(256));
    return concat(b.subarray(0, j), b.subarray(i, j), b.subarray(j));
  },
  // splice: head of this, tail of another corpus entry
  (b, c) => {
    const o = c.rng.pick(c.corpus);
    if (!o) return b;
    return concat(b.subarray(0, pos(b, c, 1)), o.subarray(c.header + c.rng.int(Math.max(1, o.length - c.header))));
  },
  // deep nesting: repeat a short range (an opener) many times, optionally its closer after
  (b, c) => {
    const i = pos(b, c);
    const len = 1 + c.rng.int(Math.min(8, Math.max(1, b.length - i)));
    const unit = b.subarray(i, i + len);
    const times = c.rng.pick(c.big ? [16, 100, 1000, 5000, 50_000] : [16, 100, 1000, 5000]);
    const reps: Uint8Array[] = [];
    for (let k = 0; k < times; k++) reps.push(unit);
    return concat(b.subarray(0, i), ...reps, b.subarray(i));
  },
  // overwrite a range with a copy of another range (shuffles structure)
  (b, c) => {
    if (b.length <= c.header + 2) return b;
    const out = b.slice();
    const from = pos(b, c);
    const to = pos(b, c);
    const n = Math.min(c.rng.size(32), out.length - from, out.length - to);
    out.copyWithin(to, from, from + n);
    return out;
  },
  // change a header (selector) byte
  (b, c) => {
    if (c.header === 0 || b.length < c.header) return b;
    const out = b.slice();
    out[c.rng.int(c.header)] = c.rng.int(256);
    return out;
  },
];

/** Applies 1–4 random mutations; the result is capped at `maxLen`. */
export function mutate(input: Uint8Array, c: MutateContext): Uint8Array {
  let b = input;
  const n = 1 + c.rng.int(4);
  for (let k = 0; k < n; k++) b = c.rng.pick(MUTATORS)(b, c);
  return b.length > c.maxLen ? b.subarray(0, c.maxLen) : b;
}

/** One fuzz target: seeds, optional generators, and a check that throws on a violation. */
export interface Target {
  readonly name: string;
  readonly description: string;
  /** Iterations for the bounded CI run. */
  readonly ciIterations: number;
  /** Valid inputs to mutate from (the bytes a target's `run` receives). */
  seeds(): Uint8Array[];
  /** Structure-aware inputs; used for a share of the iterations when present. `big`: long runs, larger sizes. */
  generate?(rng: Rng, big: boolean): Uint8Array;
  dictionary?: readonly string[];
  /** Leading selector bytes (see MutateContext.header). */
  readonly header?: number;
  readonly maxLen?: number;
  /** Throws on a violation; returns true when the input was accepted (it then joins the corpus). */
  run(input: Uint8Array): boolean | Promise<boolean>;
}

export interface FuzzOptions {
  seed: number;
  iterations: number;
  /** Wall-clock budget in seconds for this target. */
  seconds: number;
  /** An input slower than this is a failure (the decoders are synchronous, so it is timed). */
  hangMs?: number;
  /** Inputs (base64) skipped: known findings kept out of CI. */
  skip?: ReadonlySet<string>;
  /** Go on after a failure, collecting up to 20 distinct ones (by error and top frame) instead of stopping. */
  keepGoing?: boolean;
  /** Long-run mode (`make fuzz`): generators and nesting expansions go to larger sizes, inputs may grow 4× longer. */
  big?: boolean;
}

export interface Failure {
  target: string;
  seed: number;
  iteration: number;
  input: string;
  error: string;
}

export interface FuzzResult {
  target: string;
  iterations: number;
  accepted: number;
  ms: number;
  /** The slowest single input, in ms. */
  slowestMs: number;
  /** The first failure. */
  failure?: Failure;
  /** With keepGoing: every distinct failure. */
  failures: Failure[];
}

const CORPUS_MAX = 256;

/** The first stack frames, identical consecutive frames (deep recursion) collapsed. */
export function framesOf(stack: string | undefined): string {
  const out: string[] = [];
  let last = "";
  let repeats = 0;
  for (const line of (stack ?? "").split("\n").slice(1)) {
    if (line === last) {
      repeats++;
      continue;
    }
    if (repeats > 0) out.push(`    … ×${repeats}`);
    repeats = 0;
    last = line;
    out.push(line);
    if (out.length >= 8) break;
  }
  if (repeats > 0) out.push(`    … ×${repeats}`);
  return out.length > 0 ? `\n${out.join("\n")}` : "";
}

function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}${err instanceof Violation ? "" : framesOf(err.stack)}`;
  return String(err);
}

/** Runs one input; a throw or a slow run is returned as an error string. */
export async function runOne(target: Target, input: Uint8Array, hangMs: number): Promise<{ error?: string; accepted: boolean; ms: number }> {
  const t0 = performance.now();
  let accepted = false;
  try {
    accepted = await target.run(input);
  } catch (err) {
    return { error: describeError(err), accepted, ms: performance.now() - t0 };
  }
  const ms = performance.now() - t0;
  if (ms > hangMs) return { error: `hang: input took ${ms.toFixed(0)} ms (limit ${hangMs} ms)`, accepted, ms };
  return { accepted, ms };
}

/** Fuzzes one target until the iteration count or the time budget runs out, or the first failure. */
export async function fuzz(target: Target, opts: FuzzOptions): Promise<FuzzResult> {
  const rng = new Rng(opts.seed ^ hashName(target.name));
  const hangMs = opts.hangMs ?? 2000;
  const seeds = target.seeds();
  const corpus: Uint8Array[] = [...seeds];
  const dictionary = (target.dictionary ?? []).map(utf8);
  const deadline = performance.now() + opts.seconds * 1000;
  const start = performance.now();
  let accepted = 0;
  let slowestMs = 0;
  let i = 0;
  const failures: Failure[] = [];
  const signatures = new Set<string>();
  const result = (iterations: number): FuzzResult => ({
    target: target.name,
    iterations,
    accepted,
    ms: performance.now() - start,
    slowestMs,
    failure: failures[0],
    failures,
  });
  /** Records a failure; true when the run must stop. */
  const fail = (input: Uint8Array, error: string): boolean => {
    const sig = error.startsWith("hang:") ? "hang" : error.split("\n").slice(0, 3).join("\n");
    if (!signatures.has(sig)) {
      signatures.add(sig);
      failures.push({ target: target.name, seed: opts.seed, iteration: i, input: toBase64(input), error });
    }
    return !opts.keepGoing || failures.length >= 20;
  };
  // Seeds first, unmutated: they must pass.
  for (const s of seeds) {
    const r = await runOne(target, s, hangMs);
    if (r.error && fail(s, `seed input: ${r.error}`)) return result(0);
  }
  for (; i < opts.iterations && performance.now() < deadline; i++) {
    let input: Uint8Array;
    const big = opts.big ?? false;
    if (target.generate && rng.chance(0.25)) input = target.generate(rng, big);
    else {
      const maxLen = (target.maxLen ?? 256 * 1024) * (big ? 4 : 1);
      const ctx: MutateContext = { rng, corpus, dictionary, header: target.header ?? 0, maxLen, big };
      input = mutate(rng.pick(corpus), ctx);
    }
    if (opts.skip?.has(toBase64(input))) continue;
    const r = await runOne(target, input, hangMs);
    slowestMs = Math.max(slowestMs, r.ms);
    if (r.error) {
      if (fail(input, r.error)) return result(i + 1);
      continue;
    }
    if (r.accepted) {
      accepted++;
      if (corpus.length < CORPUS_MAX) corpus.push(input);
      else corpus[seeds.length + rng.int(CORPUS_MAX - seeds.length)] = input;
    }
  }
  return result(i);
}

function hashName(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The failure report, with the command that replays the input. */
export function formatFailure(f: Failure): string {
  return [
    `fuzz target ${f.target} failed (seed ${f.seed}, iteration ${f.iteration})`,
    `  error: ${f.error.split("\n").join("\n  ")}`,
    `  input (base64): ${f.input}`,
    `  replay: node_modules/.bin/bun scripts/fuzz/run.ts --target ${f.target} --input ${f.input.length > 200 ? "@FILE (the base64 above, saved to FILE)" : f.input}`,
  ].join("\n");
}

/** Thrown by targets for an invariant violation or an error of the wrong kind. */
export class Violation extends Error {
  override readonly name = "Violation";
}

/** Rethrows `err` as a Violation unless `ok(err)`. */
export function expectOnly(err: unknown, ok: (e: unknown) => boolean, what: string): void {
  if (ok(err)) return;
  const e = err as Error;
  throw new Violation(`expected only ${what}, got ${e?.name ?? typeof err}: ${e?.message ?? String(err)}${framesOf(e?.stack)}`);
}
