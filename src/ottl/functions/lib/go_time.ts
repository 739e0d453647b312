// Calendar arithmetic and time zones for the time converters (ottl.md §5.3 "Time"). Instants are
// bigint nanoseconds since the Unix epoch (OTime.ns); calendar fields use the proleptic Gregorian
// calendar like Go. IANA zones come from Intl, which Bun and Deno ship with full ICU data.

const NS_PER_SEC = 1_000_000_000n;
const SEC_PER_DAY = 86_400n;

/** Calendar fields of an instant in some zone. Month 1–12, weekday 0 = Sunday, yday 1–366. */
export interface CivilTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nano: number;
  weekday: number;
  yday: number;
}

/** English month names, January first. */
export const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
/** English weekday names, Sunday first. */
export const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/** Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The civil date of a day count since 1970-01-01. */
function civilFromDays(z0: number): { year: number; month: number; day: number } {
  const z = z0 + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** True for Gregorian leap years. */
export function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** Number of days in a month of a year. */
export function daysIn(month: number, year: number): number {
  return month === 2 ? (isLeap(year) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number;
}

/** Calendar fields of `ns` shifted by `offsetSec` (the zone's UTC offset). */
export function civilOf(ns: bigint, offsetSec = 0): CivilTime {
  const shifted = ns + BigInt(offsetSec) * NS_PER_SEC;
  const secs = floorDiv(shifted, NS_PER_SEC);
  const nano = Number(shifted - secs * NS_PER_SEC);
  const days = Number(floorDiv(secs, SEC_PER_DAY));
  const sod = Number(secs - BigInt(days) * SEC_PER_DAY);
  const { year, month, day } = civilFromDays(days);
  return {
    year,
    month,
    day,
    hour: Math.floor(sod / 3600),
    minute: Math.floor(sod / 60) % 60,
    second: sod % 60,
    nano,
    weekday: (((days + 4) % 7) + 7) % 7, // 1970-01-01 was a Thursday
    yday: days - daysFromCivil(year, 1, 1) + 1,
  };
}

/** Nanoseconds since the epoch of wall-clock fields at a fixed UTC offset. */
export function instantOf(c: Pick<CivilTime, "year" | "month" | "day" | "hour" | "minute" | "second" | "nano">, offsetSec = 0): bigint {
  const days = BigInt(daysFromCivil(c.year, c.month, c.day));
  const secs = days * SEC_PER_DAY + BigInt(c.hour * 3600 + c.minute * 60 + c.second - offsetSec);
  return secs * NS_PER_SEC + BigInt(c.nano);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** An Intl formatter for an IANA zone, or undefined when the zone is unknown. */
function formatterFor(zone: string): Intl.DateTimeFormat | undefined {
  let f = formatters.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
        era: "short",
      });
    } catch {
      return undefined;
    }
    formatters.set(zone, f);
  }
  return f;
}

/** Whether `zone` is a time zone name we can load ("UTC", "America/New_York", …). */
export function isKnownZone(zone: string): boolean {
  return zone === "UTC" || zone === "Local" || formatterFor(zone) !== undefined;
}

/** The UTC offset in seconds of an IANA zone at an instant (0 for UTC/Local, which we treat as UTC). */
export function zoneOffsetAt(zone: string, ns: bigint): number {
  if (zone === "UTC" || zone === "Local") return 0;
  const f = formatterFor(zone);
  if (f === undefined) throw new RangeError(`unknown time zone ${zone}`);
  // Intl works in milliseconds and on a limited range; clamp, offsets do not change that far out.
  const ms = Math.max(-8.64e15, Math.min(8.64e15, Number(floorDiv(ns, 1_000_000n))));
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(ms))) parts[p.type] = p.value;
  let year = Number(parts.year);
  if (parts.era === "BC" || parts.era === "B") year = 1 - year;
  const wallSec = daysFromCivil(year, Number(parts.month), Number(parts.day)) * 86400 + Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second);
  return wallSec - Math.floor(ms / 1000);
}

/** The instant of wall-clock fields in an IANA zone (for gaps and overlaps, the offset before the change). */
export function instantInZone(c: Pick<CivilTime, "year" | "month" | "day" | "hour" | "minute" | "second" | "nano">, zone: string): bigint {
  const asUtc = instantOf(c, 0);
  const first = zoneOffsetAt(zone, asUtc);
  const guess = asUtc - BigInt(first) * NS_PER_SEC;
  const second = zoneOffsetAt(zone, guess);
  return second === first ? guess : asUtc - BigInt(second) * NS_PER_SEC;
}

/** Go's time.Time.String() for a UTC instant: `2006-01-02 15:04:05.999999999 +0000 UTC`. */
export function formatUtcTime(ns: bigint): string {
  const c = civilOf(ns);
  const p2 = (n: number): string => String(n).padStart(2, "0");
  const frac = c.nano === 0 ? "" : `.${String(c.nano).padStart(9, "0").replace(/0+$/, "")}`;
  return `${String(c.year).padStart(4, "0")}-${p2(c.month)}-${p2(c.day)} ${p2(c.hour)}:${p2(c.minute)}:${p2(c.second)}${frac} +0000 UTC`;
}
