// The parsing half of strptime layouts (Time converter, ottl.md §5.3). Mirrors upstream's
// flexible ctimefmt.Parse on top of Go's time.Parse: numbers take 1 or 2 digits (%Y exactly 4,
// %y exactly 2), spaces before a number are skipped, a space in the layout matches a run of
// spaces, fractional seconds are optional and may follow %S even when the layout has none,
// %z takes `Z`, `±hhmm`, `±hh:mm` or `±hh`, names match case-insensitively.

import { MONTHS, WEEKDAYS, daysIn, instantInZone, instantOf, isKnownZone, civilOf } from "./go_time.ts";
import { DATE_DIRECTIVES, type Elem } from "./strptime.ts";

/** Options of one parse: the zone for values without one, and the clock for missing dates. */
export interface ParseOptions {
  /** IANA zone used when the value carries no offset; undefined = UTC. */
  readonly zone?: string;
  /** Current time in ns (for layouts without a year or a date). */
  readonly now: bigint;
}

/** Zone abbreviations Go can load from the tz database (others fail like upstream's LoadLocation). */
const LOADABLE_ABBREVIATIONS = new Set(["EST", "MST", "HST", "CET", "EET", "WET", "MET", "PRC", "ROC", "ROK", "UCT"]);

class Cursor {
  constructor(
    readonly value: string,
    public pos = 0,
  ) {}
  get rest(): string {
    return this.value.slice(this.pos);
  }
  skipSpaces(): void {
    while (this.value[this.pos] === " ") this.pos++;
  }
}

interface Fields {
  year?: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nano: number;
  pm?: boolean;
  offset?: number;
  abbrev?: string;
}

/** Parses `value` with compiled layout elements; returns ns since the epoch or throws an Error. */
export function parseStrptime(value: string, elems: readonly Elem[], format: string, opts: ParseOptions): bigint {
  const cur = new Cursor(value);
  const f: Fields = { month: 1, day: 1, hour: 0, minute: 0, second: 0, nano: 0 };
  const fail = (what: string): never => {
    throw new Error(`parsing time ${JSON.stringify(value)} as ${JSON.stringify(format)}: cannot parse ${JSON.stringify(cur.rest)} as ${JSON.stringify(what)}`);
  };
  for (let i = 0; i < elems.length; i++) {
    const e = elems[i] as Elem;
    if (e.kind === "lit") matchLiteral(cur, e.text) || fail(e.text);
    else if (e.kind === "frac") readFraction(cur, f);
    else {
      readDirective(cur, e.d, f) || fail(`%${e.d === "D" ? "Y" : e.d}`);
      // Go accepts a fraction right after the seconds even when the layout has none.
      if (e.d === "S" && elems[i + 1]?.kind !== "frac") readFraction(cur, f);
    }
  }
  if (cur.pos < value.length) {
    throw new Error(`parsing time ${JSON.stringify(value)}: extra text: ${JSON.stringify(cur.rest)}`);
  }
  return resolve(f, elems, opts, value);
}

/** Go's skip(): a space in the layout needs a space (or the end) in the value; runs collapse. */
function matchLiteral(cur: Cursor, text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === " ") {
      if (cur.pos < cur.value.length && cur.value[cur.pos] !== " ") return false;
      while (text[i + 1] === " ") i++;
      cur.skipSpaces();
      continue;
    }
    if (cur.value[cur.pos] !== text[i]) return false;
    cur.pos++;
  }
  return true;
}

function readDigits(cur: Cursor, min: number, max: number): number | undefined {
  cur.skipSpaces();
  const m = new RegExp(`^[0-9]{${min},${max}}`).exec(cur.rest);
  if (!m) return undefined;
  cur.pos += m[0].length;
  return Number(m[0]);
}

function readName(cur: Cursor, names: readonly string[]): number | undefined {
  const rest = cur.rest.toLowerCase();
  for (let i = 0; i < names.length; i++) {
    const n = (names[i] as string).toLowerCase();
    if (rest.startsWith(n)) {
      cur.pos += n.length;
      return i;
    }
  }
  return undefined;
}

function inRange(v: number | undefined, lo: number, hi: number): v is number {
  return v !== undefined && v >= lo && v <= hi;
}

function readDirective(cur: Cursor, d: string, f: Fields): boolean {
  switch (d) {
    case "Y": {
      const y = readDigits(cur, 4, 4);
      return y !== undefined && ((f.year = y), true);
    }
    case "D": {
      // %D/%x: upstream tries a 4-digit year, then a 2-digit one.
      cur.skipSpaces();
      const y = /^[0-9]{4}/.test(cur.rest) ? readDigits(cur, 4, 4) : twoDigitYear(readDigits(cur, 2, 2));
      return y !== undefined && ((f.year = y), true);
    }
    case "y": {
      const y = twoDigitYear(readDigits(cur, 2, 2));
      return y !== undefined && ((f.year = y), true);
    }
    case "m":
    case "o":
    case "q": {
      const m = readDigits(cur, 1, 2);
      return inRange(m, 1, 12) && ((f.month = m), true);
    }
    case "b":
    case "h":
    case "B": {
      const names = d === "B" ? MONTHS : MONTHS.map((n) => n.slice(0, 3));
      const m = readName(cur, names);
      return m !== undefined && ((f.month = m + 1), true);
    }
    case "d":
    case "e":
    case "g": {
      const day = readDigits(cur, 1, 2);
      return inRange(day, 1, 31) && ((f.day = day), true);
    }
    case "a":
    case "A":
      // Weekdays are read and ignored, as Go does.
      return readName(cur, d === "A" ? WEEKDAYS : WEEKDAYS.map((n) => n.slice(0, 3))) !== undefined;
    case "H": {
      const h = readDigits(cur, 1, 2);
      return inRange(h, 0, 23) && ((f.hour = h), true);
    }
    case "I":
    case "l": {
      const h = readDigits(cur, 1, 2);
      return inRange(h, 0, 12) && ((f.hour = h), true);
    }
    case "p":
    case "P": {
      const ap = cur.rest.slice(0, 2).toLowerCase();
      if (ap !== "am" && ap !== "pm") return false;
      cur.pos += 2;
      f.pm = ap === "pm";
      return true;
    }
    case "M": {
      const m = readDigits(cur, 1, 2);
      return inRange(m, 0, 59) && ((f.minute = m), true);
    }
    case "S": {
      const s = readDigits(cur, 1, 2);
      return inRange(s, 0, 59) && ((f.second = s), true);
    }
    case "Z":
      return readZoneName(cur, f);
    default:
      return readOffset(cur, d, f);
  }
}

function twoDigitYear(y: number | undefined): number | undefined {
  return y === undefined ? undefined : y >= 69 ? 1900 + y : 2000 + y;
}

/** Optional `[.,]digits` (any number of digits, extra precision ignored). */
function readFraction(cur: Cursor, f: Fields): void {
  const m = /^[.,]([0-9]+)/.exec(cur.rest);
  if (!m) return;
  cur.pos += m[0].length;
  f.nano = Number((m[1] as string).slice(0, 9).padEnd(9, "0"));
}

/** %Z: `UTC`, `GMT[±h]`, or 3–5 uppercase letters (Go's parseTimeZone). */
function readZoneName(cur: Cursor, f: Fields): boolean {
  const rest = cur.rest;
  const gmt = /^GMT([+-][0-9]{1,2})?/.exec(rest);
  if (rest.startsWith("UTC") || gmt) {
    const text = rest.startsWith("UTC") ? "UTC" : (gmt as RegExpExecArray)[0];
    cur.pos += text.length;
    f.offset = gmt?.[1] ? Number(gmt[1]) * 3600 : 0;
    return true;
  }
  const m = /^[A-Z]{3,5}/.exec(rest);
  if (!m) return false;
  const name = m[0];
  // Go accepts 4 and 5 letters only when they end in T (plus WITA); ChST/MeST are its two mixed-case names.
  if (name.length > 3 && !name.endsWith("T") && name !== "WITA") return false;
  cur.pos += name.length;
  f.abbrev = name;
  return true;
}

/** %z %w %i %j %k: numeric UTC offsets. */
function readOffset(cur: Cursor, d: string, f: Fields): boolean {
  if (d === "z") {
    cur.skipSpaces();
    if (cur.value[cur.pos] === "Z") {
      cur.pos++;
      f.offset = 0;
      return true;
    }
  }
  const patterns: Readonly<Record<string, RegExp>> = {
    z: /^([+-])([0-9]{2})(?::?([0-9]{2}))?/,
    w: /^([+-])([0-9]{2})([0-9]{2})([0-9]{2})/,
    i: /^([+-])([0-9]{2})/,
    j: /^([+-])([0-9]{2}):([0-9]{2})/,
    k: /^([+-])([0-9]{2}):([0-9]{2}):([0-9]{2})/,
  };
  const re = patterns[d];
  if (re === undefined) return false;
  const m = re.exec(cur.rest);
  if (!m) return false;
  cur.pos += m[0].length;
  const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  f.offset = m[1] === "-" ? -secs : secs;
  return true;
}

/** Applies AM/PM, fills a missing date like upstream (today / this year), checks the day, applies the zone. */
function resolve(f: Fields, elems: readonly Elem[], opts: ParseOptions, value: string): bigint {
  if (f.pm === true && f.hour < 12) f.hour += 12;
  else if (f.pm === false && f.hour === 12) f.hour = 0;
  const hasDate = elems.some((e) => e.kind === "dir" && DATE_DIRECTIVES.has(e.d));
  const now = civilOf(opts.now);
  let year = f.year ?? 0;
  if (!hasDate) {
    year = now.year;
    f.month = now.month;
    f.day = now.day;
  }
  if (f.day > daysIn(f.month, year === 0 ? 2000 : year)) {
    throw new Error(`parsing time ${JSON.stringify(value)}: day out of range`);
  }
  const fields = { year, month: f.month, day: f.day, hour: f.hour, minute: f.minute, second: f.second, nano: f.nano };
  const place = (y: number): bigint => {
    const c = { ...fields, year: y };
    // Go's time.Date normalizes Feb 29 of a non-leap year to Mar 1.
    if (c.day > daysIn(c.month, y)) {
      c.day -= daysIn(c.month, y);
      c.month += 1;
    }
    return instantFor(c, f, opts);
  };
  if (f.year !== undefined || !hasDate) return place(year);
  // Upstream SetTimestampYear: the current year, or the previous one when that is more than 7 days ahead.
  const t = place(now.year);
  return t > opts.now + 7n * 86_400_000_000_000n ? place(now.year - 1) : t;
}

function instantFor(c: Parameters<typeof instantOf>[0], f: Fields, opts: ParseOptions): bigint {
  if (f.offset !== undefined) return instantOf(c, f.offset);
  if (f.abbrev !== undefined) {
    if (LOADABLE_ABBREVIATIONS.has(f.abbrev) && isKnownZone(f.abbrev)) return instantInZone(c, f.abbrev);
    throw new Error(`failed to load location ${f.abbrev}: unknown time zone ${f.abbrev}`);
  }
  return opts.zone === undefined ? instantOf(c, 0) : instantInZone(c, opts.zone);
}
