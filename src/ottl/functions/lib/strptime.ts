// strptime-style layouts for Time and FormatTime (ottl.md §5.3 "Time"), following upstream's
// ctimefmt (internal/coreinternal/timeutils): the directive set, the load-time validation, and
// the lenient parser of recent releases (1- or 2-digit numbers, spaces before numbers ignored,
// optional fractional seconds, several %z spellings). Formatting is done in UTC (our times carry
// no zone; ottl.md §5.3 "we use UTC everywhere").

import { MONTHS, WEEKDAYS, civilOf } from "./go_time.ts";

/** One piece of a compiled layout. */
export type Elem =
  | { readonly kind: "lit"; readonly text: string }
  | { readonly kind: "dir"; readonly d: string }
  | { readonly kind: "frac"; readonly d: "L" | "f" | "s"; readonly sep: string };

/** Every single-letter directive upstream supports (composites are expanded). */
const SIMPLE = new Set("YymoqbhBdegaAHlIpPMSZzwijk".split(""));
const COMPOSITE: Readonly<Record<string, string>> = {
  D: "%m/%d/%Y",
  x: "%m/%d/%Y",
  F: "%Y-%m-%d",
  T: "%H:%M:%S",
  X: "%H:%M:%S",
  r: "%I:%M:%S %P",
  R: "%H:%M",
  c: "%a %b %d %H:%M:%S %Y",
};
const LITERAL: Readonly<Record<string, string>> = { n: "\n", t: "\t", "%": "%" };
const FRACTION_DIGITS: Readonly<Record<string, number>> = { L: 3, f: 6, s: 9 };

/** Directives that mean the layout has a date part (upstream hasDateElements). */
export const DATE_DIRECTIVES = new Set("YymoqbhBdegaADxFc".split(""));

/**
 * Checks a layout like upstream's ctimefmt.Validate; returns an error message or undefined.
 * `allowDigits` is for formatting, where literal digits are harmless for us (Go would read them
 * as layout tokens, which upstream's parser forbids).
 */
export function validateStrptime(format: string, allowDigits = false): string | undefined {
  if (format === "") return "format cannot be empty";
  if (!allowDigits && /[0-9]/.test(format)) return "format string should not contain decimals";
  const frac = /(^|[^.,])%[Lfs]/.exec(format);
  if (frac) return `invalid fractional seconds directive: '${frac[0]}'. must be preceded with '.' or ','`;
  const bad: string[] = [];
  for (const m of format.matchAll(/%(.)/gsu)) {
    const d = m[1] as string;
    if (!SIMPLE.has(d) && !(d in COMPOSITE) && !(d in LITERAL) && !(d in FRACTION_DIGITS)) bad.push(`%${d}`);
  }
  return bad.length > 0 ? `invalid strptime format: unsupported directive ${bad.join(", ")}` : undefined;
}

/** Compiles a validated layout into elements; `%D`/`%x` become `%m/%d/%Y` (the parser also takes 2-digit years there). */
export function compileStrptime(format: string): Elem[] {
  const out: Elem[] = [];
  const lit = (text: string): void => {
    const last = out[out.length - 1];
    if (last?.kind === "lit") out[out.length - 1] = { kind: "lit", text: last.text + text };
    else out.push({ kind: "lit", text });
  };
  for (let i = 0; i < format.length; i++) {
    const c = format[i] as string;
    if (c !== "%" || i + 1 >= format.length) {
      lit(c);
      continue;
    }
    const d = format[++i] as string;
    if (d in LITERAL) lit(LITERAL[d] as string);
    else if (d in COMPOSITE) {
      const sub = compileStrptime(COMPOSITE[d] as string);
      // Keep %D's year flexible when parsing: marked with the directive "D".
      if (d === "D" || d === "x") sub[sub.length - 1] = { kind: "dir", d: "D" };
      for (const e of sub) (e.kind === "lit" ? lit(e.text) : out.push(e));
    } else if (d in FRACTION_DIGITS) {
      const prev = out[out.length - 1];
      // The '.' or ',' before %L/%f/%s belongs to the fraction (Go's ".999" element).
      if (prev?.kind === "lit") {
        const sep = prev.text.slice(-1);
        const rest = prev.text.slice(0, -1);
        if (rest === "") out.pop();
        else out[out.length - 1] = { kind: "lit", text: rest };
        out.push({ kind: "frac", d: d as "L" | "f" | "s", sep });
      } else out.push({ kind: "frac", d: d as "L" | "f" | "s", sep: "." });
    } else out.push({ kind: "dir", d });
  }
  return out;
}

/** Formats `ns` (UTC) with compiled elements, as Go's time.Format does with the substituted layout. */
export function formatStrptime(ns: bigint, elems: readonly Elem[]): string {
  const c = civilOf(ns);
  const p2 = (n: number): string => String(n).padStart(2, "0");
  const h12 = c.hour % 12 === 0 ? 12 : c.hour % 12;
  let out = "";
  for (const e of elems) {
    if (e.kind === "lit") {
      out += e.text;
      continue;
    }
    if (e.kind === "frac") {
      // Go's ".999": truncated to the precision, trailing zeros dropped, nothing at all when zero.
      const digits = String(c.nano).padStart(9, "0").slice(0, FRACTION_DIGITS[e.d]).replace(/0+$/, "");
      if (digits !== "") out += e.sep + digits;
      continue;
    }
    out += formatDirective(e.d, c, p2, h12);
  }
  return out;
}

function formatDirective(d: string, c: ReturnType<typeof civilOf>, p2: (n: number) => string, h12: number): string {
  switch (d) {
    case "Y":
    case "D":
      return c.year < 0 ? `-${String(-c.year).padStart(4, "0")}` : String(c.year).padStart(4, "0");
    case "y":
      return p2(((c.year % 100) + 100) % 100);
    case "m":
      return p2(c.month);
    case "o":
      return String(c.month).padStart(2, " ");
    case "q":
      return String(c.month);
    case "b":
    case "h":
      return (MONTHS[c.month - 1] as string).slice(0, 3);
    case "B":
      return MONTHS[c.month - 1] as string;
    case "d":
      return p2(c.day);
    case "e":
      return String(c.day).padStart(2, " ");
    case "g":
      return String(c.day);
    case "a":
      return (WEEKDAYS[c.weekday] as string).slice(0, 3);
    case "A":
      return WEEKDAYS[c.weekday] as string;
    case "H":
      return p2(c.hour);
    case "I":
      return p2(h12);
    case "l":
      return String(h12);
    case "p":
      return c.hour >= 12 ? "PM" : "AM";
    case "P":
      return c.hour >= 12 ? "pm" : "am";
    case "M":
      return p2(c.minute);
    case "S":
      return p2(c.second);
    case "Z":
      return "UTC";
    case "z":
      return "Z"; // Go's "Z0700" writes Z for UTC
    case "w":
      return "+000000";
    case "i":
      return "+00";
    case "j":
      return "+00:00";
    case "k":
      return "+00:00:00";
    default:
      return "";
  }
}
