// strptime layouts: validation, formatting and the lenient parser (ottl.md §5.3 Time, FormatTime).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { compileStrptime, formatStrptime, validateStrptime } from "../../../../src/ottl/functions/lib/strptime.ts";
import { parseStrptime } from "../../../../src/ottl/functions/lib/strptime_parse.ts";
import { instantOf } from "../../../../src/ottl/functions/lib/go_time.ts";

const NOW = instantOf({ year: 2024, month: 6, day: 15, hour: 12, minute: 0, second: 0, nano: 0 });
const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, nano = 0): bigint => instantOf({ year: y, month: mo, day: d, hour: h, minute: mi, second: s, nano });

function parse(value: string, format: string, zone?: string): bigint {
  return parseStrptime(value, compileStrptime(format), format, { zone, now: NOW });
}

function format(ns: bigint, layout: string): string {
  return formatStrptime(ns, compileStrptime(layout));
}

describe("validateStrptime", () => {
  test("accepts every documented directive", () => {
    assert.equal(validateStrptime("%Y %y %m %o %q %b %h %B %d %e %g %a %A %H %l %I %p %P %M %S.%L,%f.%s %Z %z %w %i %j %k %D %x %F %T %X %r %R %n %t %% %c"), undefined);
  });
  test("rejects digits, unknown directives, bare fractions and empty layouts", () => {
    assert.match(validateStrptime("%Y-01") ?? "", /decimals/);
    assert.match(validateStrptime("%Y %Q") ?? "", /unsupported directive %Q/);
    assert.match(validateStrptime("%S%L") ?? "", /must be preceded with '.' or ','/);
    assert.match(validateStrptime("") ?? "", /empty/);
  });
});

describe("parseStrptime", () => {
  test("README examples", () => {
    assert.equal(parse("02/04/2023", "%m/%d/%Y"), utc(2023, 2, 4));
    assert.equal(parse("Feb 15, 2023", "%b %d, %Y"), utc(2023, 2, 15));
    assert.equal(parse("1986-10-01T00:17:33 MST", "%Y-%m-%dT%H:%M:%S %Z"), utc(1986, 10, 1, 7, 17, 33));
    assert.equal(parse("2012-11-01T22:08:41+0000 EST", "%Y-%m-%dT%H:%M:%S%z %Z"), utc(2012, 11, 1, 22, 8, 41));
    assert.equal(parse("2023-05-26 12:34:56", "%Y-%m-%d %H:%M:%S", "America/New_York"), utc(2023, 5, 26, 16, 34, 56));
  });
  test("numbers take one or two digits and may be space-padded", () => {
    assert.equal(parse("2023-5-6 7:8:9", "%Y-%m-%d %H:%M:%S"), utc(2023, 5, 6, 7, 8, 9));
    assert.equal(parse("Jan  5 2023", "%b %e %Y"), utc(2023, 1, 5));
  });
  test("fractions: optional, any number of digits, '.' or ',', and after %S even when not in the layout", () => {
    assert.equal(parse("10:00:00.5 2023-01-01", "%H:%M:%S.%L %Y-%m-%d"), utc(2023, 1, 1, 10, 0, 0, 500_000_000));
    assert.equal(parse("10:00:00 2023-01-01", "%H:%M:%S.%f %Y-%m-%d"), utc(2023, 1, 1, 10));
    assert.equal(parse("2023-01-01 10:00:00,123456789", "%Y-%m-%d %H:%M:%S.%s"), utc(2023, 1, 1, 10, 0, 0, 123_456_789));
    assert.equal(parse("2023-01-01 10:00:00.25", "%Y-%m-%d %H:%M:%S"), utc(2023, 1, 1, 10, 0, 0, 250_000_000));
  });
  test("offsets", () => {
    assert.equal(parse("2023-01-01T10:00:00Z", "%Y-%m-%dT%H:%M:%S%z"), utc(2023, 1, 1, 10));
    assert.equal(parse("2023-01-01T10:00:00+02:00", "%Y-%m-%dT%H:%M:%S%z"), utc(2023, 1, 1, 8));
    assert.equal(parse("2023-01-01T10:00:00-0530", "%Y-%m-%dT%H:%M:%S%z"), utc(2023, 1, 1, 15, 30));
    assert.equal(parse("2023-01-01T10:00:00+02", "%Y-%m-%dT%H:%M:%S%i"), utc(2023, 1, 1, 8));
    assert.equal(parse("2023-01-01T10:00:00-01:00:30", "%Y-%m-%dT%H:%M:%S%k"), utc(2023, 1, 1, 11, 0, 30));
    assert.equal(parse("2023-01-01 10:00:00 UTC", "%Y-%m-%d %H:%M:%S %Z", "America/New_York"), utc(2023, 1, 1, 10));
  });
  test("an offset in the value wins over the location", () => {
    assert.equal(parse("2023-01-01T10:00:00+01:00", "%Y-%m-%dT%H:%M:%S%j", "Asia/Tokyo"), utc(2023, 1, 1, 9));
  });
  test("names match case-insensitively, weekdays are ignored, 12-hour clock", () => {
    assert.equal(parse("monday JANUARY 2 2023 03:04:05 PM", "%A %B %d %Y %I:%M:%S %p"), utc(2023, 1, 2, 15, 4, 5));
    assert.equal(parse("12:30 am 2023-01-01", "%I:%M %P %Y-%m-%d"), utc(2023, 1, 1, 0, 30));
    assert.equal(parse("Mon Jan  2 15:04:05 2006", "%c"), utc(2006, 1, 2, 15, 4, 5));
  });
  test("%D takes two- and four-digit years", () => {
    assert.equal(parse("01/02/2006", "%D"), utc(2006, 1, 2));
    assert.equal(parse("01/02/06", "%D"), utc(2006, 1, 2));
    assert.equal(parse("01/02/99", "%D"), utc(1999, 1, 2));
  });
  test("missing year: this year, or last year when more than a week ahead", () => {
    assert.equal(parse("Jun 10 08:00:00", "%b %d %H:%M:%S"), utc(2024, 6, 10, 8));
    assert.equal(parse("Jun 20 08:00:00", "%b %d %H:%M:%S"), utc(2024, 6, 20, 8));
    assert.equal(parse("Dec 24 08:00:00", "%b %d %H:%M:%S"), utc(2023, 12, 24, 8));
  });
  test("time-only layouts use today's date", () => {
    assert.equal(parse("08:30:00", "%H:%M:%S"), utc(2024, 6, 15, 8, 30));
  });
  test("a space in the layout matches a run of spaces", () => {
    assert.equal(parse("2023-01-01    10:00", "%Y-%m-%d %H:%M"), utc(2023, 1, 1, 10));
  });
  test("errors", () => {
    assert.throws(() => parse("2023-02-30", "%Y-%m-%d"), /day out of range/);
    assert.throws(() => parse("2023-13-01", "%Y-%m-%d"), /cannot parse/);
    assert.throws(() => parse("2023-01-01 25:00", "%Y-%m-%d %H:%M"), /cannot parse/);
    assert.throws(() => parse("2023-01-01x", "%Y-%m-%d"), /extra text/);
    assert.throws(() => parse("23-01-01", "%Y-%m-%d"), /cannot parse/);
    assert.throws(() => parse("2023-01-01 10:00 PST", "%Y-%m-%d %H:%M %Z"), /failed to load location PST/);
  });
  test("leap days and the Unix epoch", () => {
    assert.equal(parse("2024-02-29", "%Y-%m-%d"), utc(2024, 2, 29));
    assert.equal(parse("1970-01-01 00:00:00", "%F %T"), 0n);
    assert.equal(parse("1969-12-31 23:59:59", "%F %T"), -1_000_000_000n);
  });
});

describe("formatStrptime", () => {
  const t = utc(2023, 2, 4, 15, 4, 5, 123_456_789);
  test("directives", () => {
    assert.equal(format(t, "%Y-%m-%dT%H:%M:%S.%L%z"), "2023-02-04T15:04:05.123Z");
    assert.equal(format(t, "%A %h %e %Y"), "Saturday Feb  4 2023");
    assert.equal(format(t, "%y %q %g %l %I %p %P %B %a"), "23 2 4 3 03 PM pm February Sat");
    assert.equal(format(t, "%D|%x|%F|%T|%X|%R|%r"), "02/04/2023|02/04/2023|2023-02-04|15:04:05|15:04:05|15:04|03:04:05 pm");
    assert.equal(format(t, "%c"), "Sat Feb 04 15:04:05 2023");
    assert.equal(format(t, "%Z %j %i %k %w %%%n%t"), "UTC +00:00 +00 +00:00:00 +000000 %\n\t");
    assert.equal(format(t, "%o|%e"), " 2| 4");
  });
  test("fractions are truncated, trailing zeros and an all-zero fraction dropped (Go's .999)", () => {
    assert.equal(format(t, "%S.%f"), "05.123456");
    assert.equal(format(t, "%S.%s"), "05.123456789");
    assert.equal(format(utc(2023, 1, 1, 0, 0, 5, 100_000_000), "%S.%L"), "05.1");
    assert.equal(format(utc(2023, 1, 1, 0, 0, 5), "%S,%L|"), "05|");
  });
  test("years before 1000 and before the epoch", () => {
    assert.equal(format(utc(999, 12, 31), "%Y-%m-%d"), "0999-12-31");
    assert.equal(format(-1n, "%Y-%m-%d %H:%M:%S.%s"), "1969-12-31 23:59:59.999999999");
  });
});
