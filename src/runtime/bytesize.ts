// Byte sizes as Alloy components accept them ("4MiB", "512KiB", "20MB"). The grammar follows
// the Go units library Alloy uses (a sign, then one or more `<number><unit>` terms such as
// "1GiB512MiB"); both the IEC spelling (KiB) and the old one (KB) mean powers of 1024
// (spec §4). One spelling family per string, as upstream: "1KiB1KB" is rejected. A bare
// integer is also accepted and means bytes.

import { ValueError } from "./value.ts";

const PREFIXES = ["K", "M", "G", "T", "P", "E"] as const;

/** Unit tables for the two accepted spellings; "B" is common to both. */
const IEC_UNITS = makeUnits("iB");
const OLD_UNITS = makeUnits("B");

function makeUnits(suffix: string): ReadonlyMap<string, number> {
  const units = new Map<string, number>([["B", 1]]);
  PREFIXES.forEach((p, i) => units.set(p + suffix, 1024 ** (i + 1)));
  return units;
}

/** Parses a byte size ("4MiB", "512KiB", "20MB", "100B", "1024") into a number of bytes. */
export function parseByteSize(s: string): number {
  if (/^[+-]?\d+$/.test(s)) return Number(s);
  // Try the IEC table first; when a unit is unknown there, the old table may still know it.
  const iec = parseTerms(s, IEC_UNITS);
  if (typeof iec === "number") return iec;
  const old = parseTerms(s, OLD_UNITS);
  if (typeof old === "number") return old;
  const mixed = iec.unit !== undefined && OLD_UNITS.has(iec.unit);
  const problem = mixed ? "KiB-style and KB-style units cannot be mixed" : iec.problem;
  throw new ValueError(`invalid byte size ${JSON.stringify(s)}: ${problem}`);
}

type Failure = { problem: string; unit?: string };

const UNIT_HINT = "(use B, KiB, MiB, GiB, TiB, PiB, EiB, or KB, MB, GB, TB, PB, EB)";

function parseTerms(orig: string, units: ReadonlyMap<string, number>): number | Failure {
  let s = orig;
  let neg = false;
  if (s[0] === "-" || s[0] === "+") {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "") return { problem: `expected a number followed by a unit ${UNIT_HINT}` };
  let total = 0;
  while (s !== "") {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    const [whole = "", frac] = [m[1], m[2]];
    if (whole === "" && (frac === undefined || frac === "")) {
      return { problem: `expected a number at ${JSON.stringify(s)}` };
    }
    s = s.slice(m[0].length);
    const unitMatch = /^[^.0-9]*/.exec(s)!;
    const unitName = unitMatch[0];
    s = s.slice(unitName.length);
    const unit = units.get(unitName);
    if (unit === undefined) {
      return {
        problem: unitName === "" ? `missing unit ${UNIT_HINT}` : `unknown unit ${JSON.stringify(unitName)} ${UNIT_HINT}`,
        unit: unitName,
      };
    }
    total += Number(`${whole || "0"}.${frac || "0"}`) * unit;
  }
  if (total >= 2 ** 63) return { problem: "value too large" };
  // Upstream truncates fractional byte counts toward zero.
  return Math.trunc(neg ? -total : total);
}
