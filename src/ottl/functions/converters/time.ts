// Time converters (ottl.md §5.3 "Time"): Now, Time, FormatTime, Duration, Unix, UnixSeconds,
// UnixMilli, UnixMicro, UnixNano, TruncateTime, the calendar parts (Year … Weekday) and the
// duration parts (Hours … Nanoseconds). Times are UTC instants (OTime.ns); calendar parts and
// FormatTime are computed in UTC, and a missing zone in Time() means UTC (upstream: host-local).

import {
  type CompileContext,
  type Getter,
  ODuration,
  OTime,
  type OttlFunction,
  defineConverter,
  fail,
  opt,
} from "../../function_api.ts";
import { parseGoDuration } from "../lib/go_duration.ts";
import { type CivilTime, civilOf, isKnownZone } from "../lib/go_time.ts";
import { compileStrptime, formatStrptime, validateStrptime } from "../lib/strptime.ts";
import { parseStrptime } from "../lib/strptime_parse.ts";

const NS = 1_000_000_000n;

/** The current time in nanoseconds (millisecond resolution). */
export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** Now(): the current time. */
export const now = defineConverter({ name: "Now", params: {}, create: () => () => new OTime(nowNs()) });

/** Checks a literal zone argument at load time ("" means none, as upstream). */
function checkZoneLiteral(g: Getter<string> | undefined, cx: CompileContext, param: string): void {
  const lit = g?.literal?.value;
  if (typeof lit === "string" && lit !== "" && !isKnownZone(lit)) cx.fail(param, `failed to load location ${lit}: unknown time zone ${lit}`);
}

/** Only English names are supported; upstream accepts any CLDR locale here. */
function checkLocale(locale: string): string | undefined {
  return locale === "" || /^en([-_].*)?$/i.test(locale) ? undefined : `unsupported locale '${locale}': only English month and day names are supported`;
}

/** Time(target, format, Optional[location], Optional[locale]): parses a time with a strptime layout. */
export const time = defineConverter({
  name: "Time",
  params: { target: "StringGetter", format: "string", location: opt("StringGetter"), locale: opt("StringGetter") },
  create({ target, format, location, locale }, cx) {
    const invalid = validateStrptime(format);
    if (invalid !== undefined) cx.fail("format", invalid);
    checkZoneLiteral(location, cx, "location");
    const localeLit = locale?.literal?.value;
    if (typeof localeLit === "string" && checkLocale(localeLit) !== undefined) cx.fail("locale", checkLocale(localeLit) as string);
    const elems = compileStrptime(format);
    // A layout ending in a literal Z means UTC (upstream GetLocation); we default to UTC anyway.
    return (tctx) => {
      const zone = location?.get(tctx);
      if (zone !== undefined && zone !== "" && !isKnownZone(zone)) fail(`failed to load location ${zone}: unknown time zone ${zone}`);
      const loc = locale?.get(tctx);
      if (loc !== undefined && checkLocale(loc) !== undefined) fail(checkLocale(loc) as string);
      const value = target.get(tctx);
      if (value === "") fail("time cannot be nil");
      try {
        return new OTime(parseStrptime(value, elems, format, { zone: zone === "" ? undefined : zone, now: nowNs() }));
      } catch (err) {
        return fail((err as Error).message);
      }
    };
  },
});

/** FormatTime(time, format): the time (in UTC) rendered with a strptime layout. */
export const formatTime = defineConverter({
  name: "FormatTime",
  params: { time: "TimeGetter", format: "string" },
  create({ time, format }, cx) {
    if (format === "") cx.fail("format", "format cannot be nil");
    // Unlike Time(), digits in the layout are fine here: they are copied as text.
    const invalid = validateStrptime(format, true);
    if (invalid !== undefined) cx.fail("format", invalid);
    const elems = compileStrptime(format);
    return (tctx) => formatStrptime(time.get(tctx).ns, elems);
  },
});

/** Duration(duration): a Go duration string (`1h30m`, `250ms`); invalid → error. */
export const duration = defineConverter({
  name: "Duration",
  params: { duration: "StringGetter" },
  create: ({ duration }) => (tctx) => new ODuration(parseGoDuration(duration.get(tctx))),
});

/** Unix(seconds, Optional[nanoseconds]): the time at that many seconds (plus ns) after the epoch. */
export const unix = defineConverter({
  name: "Unix",
  params: { seconds: "IntGetter", nanoseconds: opt("IntGetter") },
  create: ({ seconds, nanoseconds }) => (tctx) => new OTime(seconds.get(tctx) * NS + (nanoseconds?.get(tctx) ?? 0n)),
});

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

function timeToInt(name: string, unit: bigint): OttlFunction {
  return defineConverter({
    name,
    params: { time: "TimeGetter" },
    create: ({ time }) => (tctx) => floorDiv(time.get(tctx).ns, unit),
  });
}

/** Go's zero time (0001-01-01T00:00:00Z) in Unix nanoseconds: Truncate rounds relative to it. */
const GO_ZERO_TIME_NS = -62_135_596_800n * NS;

/** TruncateTime(time, duration): rounded down to a multiple of the duration since Go's zero time. */
export const truncateTime = defineConverter({
  name: "TruncateTime",
  params: { time: "TimeGetter", duration: "DurationGetter" },
  create: ({ time, duration }) => (tctx) => {
    const t = time.get(tctx).ns;
    const d = duration.get(tctx).ns;
    if (d <= 0n) return new OTime(t);
    const since = t - GO_ZERO_TIME_NS;
    const rem = ((since % d) + d) % d;
    return new OTime(t - rem);
  },
});

function calendarPart(name: string, part: (c: CivilTime) => number): OttlFunction {
  return defineConverter({
    name,
    params: { time: "TimeGetter" },
    create: ({ time }) => (tctx) => BigInt(part(civilOf(time.get(tctx).ns))),
  });
}

function durationPart(name: string, read: (ns: bigint) => bigint | number): OttlFunction {
  return defineConverter({
    name,
    params: { duration: "DurationGetter" },
    create: ({ duration }) => (tctx) => read(duration.get(tctx).ns),
  });
}

/** Splits like Go's Duration.Hours(): whole units plus the fraction, to keep precision on huge values. */
function inUnits(ns: bigint, unit: bigint): number {
  return Number(ns / unit) + Number(ns % unit) / Number(unit);
}

/** Every converter of this file. */
export const TIME_CONVERTERS: readonly OttlFunction[] = [
  now,
  time,
  formatTime,
  duration,
  unix,
  timeToInt("UnixSeconds", NS),
  timeToInt("UnixMilli", 1_000_000n),
  timeToInt("UnixMicro", 1_000n),
  timeToInt("UnixNano", 1n),
  truncateTime,
  calendarPart("Year", (c) => c.year),
  calendarPart("Month", (c) => c.month),
  calendarPart("Day", (c) => c.day),
  calendarPart("Weekday", (c) => c.weekday),
  calendarPart("Hour", (c) => c.hour),
  calendarPart("Minute", (c) => c.minute),
  calendarPart("Second", (c) => c.second),
  calendarPart("Nanosecond", (c) => c.nano),
  durationPart("Hours", (ns) => inUnits(ns, 3_600n * NS)),
  durationPart("Minutes", (ns) => inUnits(ns, 60n * NS)),
  durationPart("Seconds", (ns) => inUnits(ns, NS)),
  durationPart("Milliseconds", (ns) => ns / 1_000_000n),
  durationPart("Microseconds", (ns) => ns / 1_000n),
  durationPart("Nanoseconds", (ns) => ns),
];
