// Time converters through statements (ottl.md §5.3 "Time"). Times come back as int ns when stored,
// so results are read through UnixNano/FormatTime.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { OttlCompileError, OttlRuntimeError } from "../../../src/ottl/errors.ts";
import { compileExpr, evaluate, runLog } from "./helpers.ts";

const SEC = 1_000_000_000n;

describe("Time", () => {
  test("README examples (UTC unless the value or location says otherwise)", () => {
    assert.equal(evaluate(`UnixSeconds(Time("02/04/2023", "%m/%d/%Y"))`), 1675468800n);
    assert.equal(evaluate(`UnixSeconds(Time("Feb 15, 2023", "%b %d, %Y"))`), 1676419200n);
    assert.equal(evaluate(`UnixSeconds(Time("2023-05-26 12:34:56 HST", "%Y-%m-%d %H:%M:%S %Z"))`), 1685140496n);
    assert.equal(evaluate(`UnixSeconds(Time("2012-11-01T22:08:41+0000 EST", "%Y-%m-%dT%H:%M:%S%z %Z"))`), 1351807721n);
    assert.equal(evaluate(`UnixSeconds(Time("2023-05-26 12:34:56", "%Y-%m-%d %H:%M:%S", "America/New_York"))`), 1685118896n);
  });
  test("named arguments and an attribute as the location", () => {
    assert.equal(evaluate(`UnixSeconds(Time(log.attributes["t"], "%F %T", location = log.attributes["tz"]))`, { attributes: { t: "2024-01-01 00:00:00", tz: "Europe/Paris" } }), 1704063600n);
    assert.equal(evaluate(`UnixSeconds(Time("2024-07-01 00:00:00", "%F %T", "Europe/Paris"))`), 1719784800n);
    assert.equal(evaluate(`UnixSeconds(Time("2024-01-01 00:00:00", "%F %T", ""))`), 1704067200n);
  });
  test("nanosecond precision and fractional directives", () => {
    assert.equal(evaluate(`UnixNano(Time("2023-01-01T00:00:00.123456789Z", "%Y-%m-%dT%H:%M:%S.%sZ"))`), 1672531200n * SEC + 123456789n);
    assert.equal(evaluate(`UnixMilli(Time("2023-01-01 00:00:00,5", "%Y-%m-%d %H:%M:%S,%L"))`), 1672531200500n);
  });
  test("run-time errors: empty or unparsable input, unknown zone, non-string", () => {
    for (const e of [`Time("", "%Y")`, `Time("2023-13-01", "%Y-%m-%d")`, `Time("x", "%Y")`, `Time(1, "%Y")`, `Time("2023", "%Y", log.attributes["tz"])`]) {
      assert.throws(() => evaluate(e, { attributes: { tz: "Mars/Base" } }), OttlRuntimeError, e);
    }
  });
  test("configuration errors: layout with digits, unknown directive, unknown literal zone, locale", () => {
    for (const e of [`Time("x", "")`, `Time("x", "%Y-01")`, `Time("x", "%Q")`, `Time("x", "%S%L")`, `Time("x", "%Y", "Mars/Base")`, `Time("x", "%Y", "", "it")`]) {
      assert.throws(() => compileExpr(e), OttlCompileError, e);
    }
    compileExpr(`Time("x", "%Y", "", "en-US")`);
  });
});

describe("FormatTime", () => {
  test("formats in UTC", () => {
    assert.equal(evaluate(`FormatTime(Time("02/04/2023", "%m/%d/%Y"), "%A %h %e %Y")`), "Saturday Feb  4 2023");
    assert.equal(evaluate(`FormatTime(Unix(1700000000, 5000000), "%Y-%m-%dT%H:%M:%S.%L%z")`), "2023-11-14T22:13:20.005Z");
    assert.equal(evaluate(`FormatTime(Unix(0), "%b %d %Y %H:%M:%S")`), "Jan 01 1970 00:00:00");
  });
  test("literal digits are copied, not interpreted", () => {
    assert.equal(evaluate(`FormatTime(Unix(0), "year 2006: %Y")`), "year 2006: 1970");
  });
  test("a TruncateTime round trip", () => {
    assert.equal(evaluate(`FormatTime(TruncateTime(Time("2023-05-26 12:34:56", "%F %T"), Duration("10h20m")), "%Y-%m-%d %H:%M:%S")`), "2023-05-26 10:00:00"); // multiples count from 0001-01-01, as in Go
  });
  test("errors", () => {
    assert.throws(() => evaluate(`FormatTime("2023", "%Y")`), OttlRuntimeError);
    assert.throws(() => compileExpr(`FormatTime(Now(), "")`), OttlCompileError);
    assert.throws(() => compileExpr(`FormatTime(Now(), "%Q")`), OttlCompileError);
  });
});

describe("Now, Unix and Unix*", () => {
  test("Now is the current time", () => {
    const ms = evaluate(`UnixMilli(Now())`) as bigint;
    assert.ok(Math.abs(Number(ms) - Date.now()) < 5000);
  });
  test("Unix with and without nanoseconds", () => {
    assert.equal(evaluate(`UnixNano(Unix(1672527600))`), 1672527600n * SEC);
    assert.equal(evaluate(`UnixNano(Unix(1, 5))`), SEC + 5n);
    assert.equal(evaluate(`UnixMicro(Unix(1, 1500))`), 1_000_001n);
    assert.throws(() => evaluate(`Unix(1.5)`), OttlRuntimeError);
    assert.throws(() => evaluate(`Unix("1")`), OttlRuntimeError);
  });
  test("negative times floor like Go", () => {
    assert.equal(evaluate(`UnixSeconds(Unix(-1, 500000000))`), -1n);
    assert.equal(evaluate(`UnixMilli(Unix(0, -1))`), -1n);
  });
  test("non-times fail", () => {
    assert.throws(() => evaluate(`UnixNano(1)`), OttlRuntimeError);
    assert.throws(() => evaluate(`UnixSeconds(nil)`), OttlRuntimeError);
  });
  test("timestamps beyond 2^53 stay exact", () => {
    assert.equal(evaluate(`UnixNano(Unix(1700000000, 123456789))`), 1700000000123456789n);
  });
});

describe("Duration and its parts", () => {
  test("Go syntax", () => {
    assert.equal(evaluate(`Nanoseconds(Duration("1h30m"))`), 5_400n * SEC);
    assert.equal(evaluate(`Milliseconds(Duration("333ms"))`), 333n);
    assert.equal(evaluate(`Microseconds(Duration("10µs"))`), 10n);
    assert.equal(evaluate(`Hours(Duration("90m"))`), 1.5);
    assert.equal(evaluate(`Minutes(Duration("90s"))`), 1.5);
    assert.equal(evaluate(`Seconds(Duration("1500ms"))`), 1.5);
    assert.equal(evaluate(`Milliseconds(Duration("-1.5ms"))`), -1n);
  });
  test("invalid durations and non-durations fail", () => {
    for (const e of [`Duration("1")`, `Duration("1d")`, `Duration(1)`, `Hours(1)`, `Nanoseconds(Now())`]) assert.throws(() => evaluate(e), OttlRuntimeError, e);
  });
  test("time arithmetic with durations (§2.2)", () => {
    assert.equal(evaluate(`UnixSeconds(Unix(100) + Duration("1m"))`), 160n);
    assert.equal(evaluate(`Seconds(Unix(100) - Unix(40))`), 60);
  });
});

describe("TruncateTime", () => {
  test("rounds down to a multiple of the duration", () => {
    assert.equal(evaluate(`UnixSeconds(TruncateTime(Unix(1700000123), Duration("1m")))`), 1700000100n);
    assert.equal(evaluate(`UnixNano(TruncateTime(Unix(5, 999), Duration("1s")))`), 5n * SEC);
    assert.equal(evaluate(`UnixSeconds(TruncateTime(Unix(-1), Duration("1m")))`), -60n);
    assert.equal(evaluate(`UnixNano(TruncateTime(Unix(7, 3), Duration("0s")))`), 7n * SEC + 3n);
  });
  test("relative to Go's zero time, so weeks start on Mondays", () => {
    // 2023-11-16 (Thursday) → 2023-11-13 (Monday)
    assert.equal(evaluate(`FormatTime(TruncateTime(Time("2023-11-16", "%Y-%m-%d"), Duration("168h")), "%A %F")`), "Monday 2023-11-13");
  });
});

describe("calendar parts (UTC)", () => {
  test("components of a known instant", () => {
    const t = `Time("2024-02-29 23:59:58.000000042", "%Y-%m-%d %H:%M:%S.%s")`;
    assert.deepEqual(
      ["Year", "Month", "Day", "Hour", "Minute", "Second", "Nanosecond", "Weekday"].map((f) => evaluate(`${f}(${t})`)),
      [2024n, 2n, 29n, 23n, 59n, 58n, 42n, 4n],
    );
  });
  test("usable in where clauses", () => {
    const t = runLog([`set(log.attributes["weekend"], true) where Weekday(Unix(0)) == 4`]);
    assert.deepEqual(t.log?.attributes.map((kv) => kv.key), ["weekend"]);
  });
});
