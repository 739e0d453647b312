import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { formatDuration, parseDuration, parseDurationNanos } from "../../src/runtime/duration.ts";
import { ValueError } from "../../src/runtime/value.ts";

function rejects(input: string, message: string): void {
  assert.throws(() => parseDuration(input), (err: unknown) => err instanceof ValueError && err.message === message);
}

describe("parseDuration", () => {
  test("single units, returned in milliseconds", () => {
    assert.equal(parseDuration("1ns"), 0.000001);
    assert.equal(parseDuration("1us"), 0.001);
    assert.equal(parseDuration("1\u00b5s"), 0.001); // µ MICRO SIGN
    assert.equal(parseDuration("1\u03bcs"), 0.001); // μ GREEK SMALL LETTER MU
    assert.equal(parseDuration("300ms"), 300);
    assert.equal(parseDuration("5s"), 5000);
    assert.equal(parseDuration("2m"), 120_000);
    assert.equal(parseDuration("1h"), 3_600_000);
  });

  test("combinations and decimals", () => {
    assert.equal(parseDuration("1h30m"), 5_400_000);
    assert.equal(parseDuration("1.5h"), 5_400_000);
    assert.equal(parseDuration("1.5us"), 0.0015);
    assert.equal(parseDuration("1m30.5s"), 90_500);
    assert.equal(parseDuration("2h45m10s100ms"), 9_910_100);
  });

  test("Go's lenient corners", () => {
    assert.equal(parseDuration(".5s"), 500);
    assert.equal(parseDuration("1.s"), 1000);
    assert.equal(parseDuration("-1m"), -60_000);
    assert.equal(parseDuration("+5s"), 5000);
    assert.equal(parseDuration("0"), 0);
    assert.equal(parseDuration("-0"), 0);
    assert.equal(parseDuration("+0"), 0);
    assert.equal(parseDuration("0s"), 0);
    assert.equal(parseDuration("1s1s"), 2000); // repeated units add up
  });

  test("exact nanosecond arithmetic, including the int64 limits", () => {
    assert.equal(parseDurationNanos("1.0000000001h"), 3_600_000_000_360n);
    assert.equal(parseDurationNanos("9223372036854775807ns"), 9_223_372_036_854_775_807n);
    assert.equal(parseDurationNanos("-9223372036854775808ns"), -9_223_372_036_854_775_808n);
    assert.equal(parseDurationNanos("2562047h47m16.854775807s"), 9_223_372_036_854_775_807n);
    assert.equal(parseDurationNanos("0.1ns"), 0n); // fractions below a nanosecond truncate
  });

  test("Go's error texts", () => {
    rejects("", 'time: invalid duration ""');
    rejects("1", 'time: missing unit in duration "1"');
    rejects("10", 'time: missing unit in duration "10"');
    rejects("1d", 'time: unknown unit "d" in duration "1d"');
    rejects("1h1d", 'time: unknown unit "d" in duration "1h1d"');
    rejects("+-1s", 'time: invalid duration "+-1s"');
    rejects("abc", 'time: invalid duration "abc"');
    rejects(".s", 'time: invalid duration ".s"');
    rejects("-", 'time: invalid duration "-"');
    rejects("1h 30m", 'time: unknown unit "h " in duration "1h 30m"');
    rejects("1S", 'time: unknown unit "S" in duration "1S"');
    rejects("9223372036854775808ns", 'time: invalid duration "9223372036854775808ns"');
    rejects("2562048h", 'time: invalid duration "2562048h"');
  });

  test("non-ASCII input is quoted as UTF-8 byte escapes, as Go's time package does", () => {
    rejects("1\u00e4", 'time: unknown unit "\\xc3\\xa4" in duration "1\\xc3\\xa4"');
  });
});

describe("formatDuration", () => {
  test("matches Go's Duration.String()", () => {
    assert.equal(formatDuration(0), "0s");
    assert.equal(formatDuration(90_000), "1m30s");
    assert.equal(formatDuration(200), "200ms");
    assert.equal(formatDuration(3_600_000), "1h0m0s");
    assert.equal(formatDuration(1.5), "1.5ms");
    assert.equal(formatDuration(0.0015), "1.5\u00b5s");
    assert.equal(formatDuration(0.000001), "1ns");
    assert.equal(formatDuration(-1500), "-1.5s");
    assert.equal(formatDuration(259_200_001), "72h0m0.001s");
    assert.equal(formatDuration(1000), "1s");
  });

  test("round-trips through parseDuration", () => {
    for (const s of ["1h2m3.004s", "15s", "1.5\u00b5s", "-2m0.5s", "999ms"]) {
      assert.equal(formatDuration(parseDuration(s)), s);
    }
  });
});
