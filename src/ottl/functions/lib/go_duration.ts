// Go time.Duration text: ParseDuration for the Duration converter (ottl.md §5.3 "Time") and
// Duration.String for rendering durations. Durations are int64 nanoseconds held as bigint.

import { fail } from "../../errors.ts";

const UNITS: ReadonlyMap<string, bigint> = new Map([
  ["ns", 1n],
  ["us", 1_000n],
  ["µs", 1_000n], // U+00B5 micro sign
  ["μs", 1_000n], // U+03BC Greek mu
  ["ms", 1_000_000n],
  ["s", 1_000_000_000n],
  ["m", 60_000_000_000n],
  ["h", 3_600_000_000_000n],
]);

const MAX = 1n << 63n;

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";

/** Parses a Go duration such as `1h30m`, `-1.5s`, `250ms`, `10µs`, `0`; throws a run-time error otherwise. */
export function parseGoDuration(text: string): bigint {
  const bad = (why = "invalid duration"): never => fail(`time: ${why} ${JSON.stringify(text)}`);
  let s = text;
  let neg = false;
  if (s[0] === "-" || s[0] === "+") {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") bad();
  let total = 0n;
  while (s !== "") {
    if (!(s[0] === "." || isDigit(s[0]))) bad();
    let i = 0;
    let v = 0n;
    while (isDigit(s[i])) {
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v >= MAX) bad();
      i++;
    }
    const pre = i > 0;
    let post = false;
    let frac = 0;
    let scale = 1;
    if (s[i] === ".") {
      i++;
      const start = i;
      let overflow = false;
      while (isDigit(s[i])) {
        // Like Go's leadingFraction: stop accumulating once more digits cannot matter.
        if (!overflow) {
          if (frac > Number.MAX_SAFE_INTEGER / 10) overflow = true;
          else {
            frac = frac * 10 + (s.charCodeAt(i) - 48);
            scale *= 10;
          }
        }
        i++;
      }
      post = i > start;
    }
    if (!pre && !post) bad();
    const unitStart = i;
    while (i < s.length && !(s[i] === "." || isDigit(s[i]))) i++;
    if (i === unitStart) bad("missing unit in duration");
    const unitText = s.slice(unitStart, i);
    const unit = UNITS.get(unitText);
    if (unit === undefined) bad(`unknown unit ${JSON.stringify(unitText)} in duration`);
    if (v > MAX / (unit as bigint)) bad();
    v *= unit as bigint;
    if (frac > 0) {
      v += BigInt(Math.trunc(frac * (Number(unit) / scale)));
      if (v > MAX) bad();
    }
    total += v;
    if (total > MAX) bad();
    s = s.slice(i);
  }
  if (neg) return -total;
  if (total > MAX - 1n) bad();
  return total;
}

/** Formats nanoseconds like Go's Duration.String: `1h30m0s`, `1.5s`, `250ms`, `1µs`, `0s`. */
export function formatGoDuration(ns: bigint): string {
  const neg = ns < 0n;
  const u = neg ? -ns : ns;
  let out: string;
  if (u === 0n) return "0s";
  if (u < 1_000n) out = `${u}ns`;
  else if (u < 1_000_000n) out = `${u / 1_000n}${fractionDigits(u, 3)}µs`;
  else if (u < 1_000_000_000n) out = `${u / 1_000_000n}${fractionDigits(u, 6)}ms`;
  else {
    let rest = u / 1_000_000_000n;
    out = `${rest % 60n}${fractionDigits(u, 9)}s`;
    rest /= 60n;
    if (rest > 0n) {
      out = `${rest % 60n}m${out}`;
      rest /= 60n;
      if (rest > 0n) out = `${rest}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

/** The fraction of `v / 10**prec` as `.ddd` without trailing zeros, or "" when it is zero. */
function fractionDigits(v: bigint, prec: number): string {
  const digits = (v % 10n ** BigInt(prec)).toString().padStart(prec, "0").replace(/0+$/, "");
  return digits === "" ? "" : `.${digits}`;
}
