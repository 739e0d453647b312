// Go-compatible durations: the grammar and error texts of Go's time.ParseDuration and the
// output of Duration.String(), because Alloy configs (and their error messages) use them.
// Internally everything is integer nanoseconds (BigInt), as in Go, so "1.5h" and overflow
// checks behave identically; the public API speaks milliseconds.

import { ValueError } from "./value.ts";

const NS_PER_MS = 1_000_000n;
/** Go stores a duration in an int64; 1<<63 is the first magnitude it cannot hold. */
const LIMIT = 1n << 63n;

const UNITS: ReadonlyMap<string, bigint> = new Map([
  ["ns", 1n],
  ["us", 1_000n],
  ["\u00b5s", 1_000n], // µ MICRO SIGN
  ["\u03bcs", 1_000n], // μ GREEK SMALL LETTER MU
  ["ms", 1_000_000n],
  ["s", 1_000_000_000n],
  ["m", 60_000_000_000n],
  ["h", 3_600_000_000_000n],
]);

/** Parses a Go duration string ("1h30m", "1.5s", "-200ms") and returns milliseconds. */
export function parseDuration(s: string): number {
  const ns = parseDurationNanos(s);
  // Split so that large whole-millisecond values stay exact.
  return Number(ns / NS_PER_MS) + Number(ns % NS_PER_MS) / 1e6;
}

/** Parses a Go duration string and returns integer nanoseconds, exactly as Go would. */
export function parseDurationNanos(orig: string): bigint {
  let s = orig;
  let neg = false;
  if (s !== "" && (s[0] === "-" || s[0] === "+")) {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") throw invalid(orig);

  let total = 0n;
  while (s !== "") {
    if (!(s[0] === "." || isDigit(s[0]!))) throw invalid(orig);

    const whole = takeDigits(s);
    const pre = whole.digits !== "";
    s = whole.rest;
    let fraction = "";
    if (s[0] === ".") {
      const frac = takeDigits(s.slice(1));
      fraction = frac.digits;
      s = frac.rest;
    }
    if (!pre && fraction === "") throw invalid(orig);

    let i = 0;
    while (i < s.length && s[i] !== "." && !isDigit(s[i]!)) i++;
    if (i === 0) throw new ValueError(`time: missing unit in duration ${quoteGo(orig)}`);
    const unitName = s.slice(0, i);
    s = s.slice(i);
    const unit = UNITS.get(unitName);
    if (unit === undefined) {
      throw new ValueError(`time: unknown unit ${quoteGo(unitName)} in duration ${quoteGo(orig)}`);
    }

    const v = BigInt(whole.digits || "0");
    if (v > LIMIT / unit) throw invalid(orig);
    const part = v * unit + fractionNanos(fraction, unit);
    if (part > LIMIT) throw invalid(orig);
    total += part;
    if (total > LIMIT) throw invalid(orig);
  }
  if (neg) return -total;
  if (total > LIMIT - 1n) throw invalid(orig);
  return total;
}

/** Formats milliseconds the way Go's Duration.String() does: "1h0m0s", "1m30s", "200ms", "0s". */
export function formatDuration(ms: number): string {
  return formatDurationNanos(BigInt(Math.round(ms * 1e6)));
}

/** Formats integer nanoseconds like Go's Duration.String(). */
export function formatDurationNanos(ns: bigint): string {
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let out: string;
  if (u === 0n) return "0s";
  if (u < 1_000_000_000n) {
    // Below one second Go switches to the largest unit that keeps an integer part.
    if (u < 1_000n) out = `${u}ns`;
    else if (u < 1_000_000n) out = `${withFraction(u, 3)}\u00b5s`;
    else out = `${withFraction(u, 6)}ms`;
  } else {
    const secFrac = fractionText(u % 1_000_000_000n, 9);
    u /= 1_000_000_000n;
    out = `${u % 60n}${secFrac}s`;
    u /= 60n;
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n;
      // Go stops at hours: days vary in length.
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

/** `v / 10**prec` with the fraction's trailing zeros (and a bare ".") removed. */
function withFraction(v: bigint, prec: number): string {
  const scale = 10n ** BigInt(prec);
  return `${v / scale}${fractionText(v % scale, prec)}`;
}

function fractionText(frac: bigint, prec: number): string {
  if (frac === 0n) return "";
  return `.${frac.toString().padStart(prec, "0").replace(/0+$/, "")}`;
}

/**
 * Nanoseconds contributed by the digits after the decimal point. Go accumulates at most as many
 * digits as fit in an int64 and then converts through float64; doing the same keeps rounding
 * identical for long fractions such as "1.0000000001h".
 */
function fractionNanos(digits: string, unit: bigint): bigint {
  let f = 0n;
  let scale = 1;
  for (const d of digits) {
    if (f > (LIMIT - 1n) / 10n) break; // Go drops digits that would overflow
    f = f * 10n + BigInt(d.charCodeAt(0) - 48);
    scale *= 10;
  }
  if (f === 0n) return 0n;
  return BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
}

function takeDigits(s: string): { digits: string; rest: string } {
  let i = 0;
  while (i < s.length && isDigit(s[i]!)) i++;
  return { digits: s.slice(0, i), rest: s.slice(i) };
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

function invalid(orig: string): ValueError {
  return new ValueError(`time: invalid duration ${quoteGo(orig)}`);
}

/**
 * The time package's own quoting: ASCII printable text verbatim (escaping `"` and `\`),
 * everything else as \x escapes of its UTF-8 bytes.
 */
export function quoteGo(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || c >= 0x80) {
      for (const b of new TextEncoder().encode(ch)) out += `\\x${b.toString(16).padStart(2, "0")}`;
    } else {
      if (ch === '"' || ch === "\\") out += "\\";
      out += ch;
    }
  }
  return `${out}"`;
}
