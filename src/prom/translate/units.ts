// OTLP (UCUM) units → Prometheus unit words (spec: prometheus.md §1.1 step 2,
// alloy-components.md §6.3 step 2). The tables are the Collector's unitMap / perUnitMap.

/** Main units. `1` maps to nothing: dimensionless values get no unit suffix. */
const MAIN_UNITS: Readonly<Record<string, string>> = {
  // Time
  d: "days",
  h: "hours",
  min: "minutes",
  s: "seconds",
  ms: "milliseconds",
  us: "microseconds",
  ns: "nanoseconds",
  // Bytes
  By: "bytes",
  KiBy: "kibibytes",
  MiBy: "mebibytes",
  GiBy: "gibibytes",
  TiBy: "tibibytes",
  KBy: "kilobytes",
  MBy: "megabytes",
  GBy: "gigabytes",
  TBy: "terabytes",
  // SI
  m: "meters",
  V: "volts",
  A: "amperes",
  J: "joules",
  W: "watts",
  g: "grams",
  // Misc
  Cel: "celsius",
  Hz: "hertz",
  "%": "percent",
  "1": "",
};

/** "Per" units, singular: `m` is *meters* as a main unit but *minute* after a `/`. */
const PER_UNITS: Readonly<Record<string, string>> = {
  s: "second",
  m: "minute",
  h: "hour",
  d: "day",
  w: "week",
  mo: "month",
  y: "year",
};

/** The unit words of an OTLP unit: `By/s` → { main: "bytes", per: "second" }; "" where none. */
export interface UnitWords {
  main: string;
  per: string;
}

/**
 * Splits at the first `/`, trims each side, drops a side that is empty or holds a UCUM
 * annotation (`{…}`), maps it through its table (unknown units pass through) and cleans it to
 * `[a-zA-Z0-9_]` (spec §1.1 step 2).
 */
export function unitWords(unit: string): UnitWords {
  const slash = unit.indexOf("/");
  const main = (slash < 0 ? unit : unit.slice(0, slash)).trim();
  const per = slash < 0 ? "" : unit.slice(slash + 1).trim();
  return { main: wordOf(main, MAIN_UNITS), per: wordOf(per, PER_UNITS) };
}

/** The UNIT of a metric family's metadata: `By/s` → `bytes_per_second`, `1` → "" (spec §1.3). */
export function metadataUnit(unit: string): string {
  const { main, per } = unitWords(unit);
  const perPart = per === "" ? "" : `per_${per}`;
  return main !== "" && perPart !== "" ? `${main}_${perPart}` : main + perPart;
}

function wordOf(part: string, table: Readonly<Record<string, string>>): string {
  if (part === "" || part.includes("{") || part.includes("}")) return "";
  return cleanUnit(Object.hasOwn(table, part) ? table[part]! : part);
}

/** Invalid characters become `_`, runs collapse, no `_` at either end (Collector's CleanUpString). */
export function cleanUnit(word: string): string {
  return splitTokens(word).join("_");
}

/**
 * Splits on every character that is not an ASCII letter or digit; `_`, `:` and any non-ASCII
 * character separate tokens and empty tokens vanish (ASCII only: spec §1 — Unicode letters
 * let invalid names through in old Collector versions).
 */
export function splitTokens(s: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < s.length; i++) {
    if (isAlnum(s.charCodeAt(i))) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      out.push(s.slice(start, i));
      start = -1;
    }
  }
  if (start >= 0) out.push(s.slice(start));
  return out;
}

/** ASCII letter or digit. */
export function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
