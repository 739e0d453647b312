// Go time.ParseDuration / Duration.String (ottl.md §5.3 Duration).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { OttlRuntimeError } from "../../../../src/ottl/errors.ts";
import { formatGoDuration, parseGoDuration } from "../../../../src/ottl/functions/lib/go_duration.ts";

describe("parseGoDuration", () => {
  const ok: Array<[string, bigint]> = [
    ["0", 0n],
    ["5ns", 5n],
    ["10us", 10_000n],
    ["10µs", 10_000n],
    ["10μs", 10_000n],
    ["250ms", 250_000_000n],
    ["1.5s", 1_500_000_000n],
    [".5s", 500_000_000n],
    ["1.s", 1_000_000_000n],
    ["1h30m", 5_400_000_000_000n],
    ["-1m", -60_000_000_000n],
    ["+2h", 7_200_000_000_000n],
    ["1h1m1s1ms1us1ns", 3_661_001_001_001n],
    ["2562047h47m16.854775807s", 9_223_372_036_854_775_807n],
    ["-2562047h47m16.854775808s", -9_223_372_036_854_775_808n],
  ];
  for (const [text, ns] of ok) test(text, () => assert.equal(parseGoDuration(text), ns));

  for (const bad of ["", "1", "1x", "h", ".s", "1.5", "-", "3 s", "2562047h47m16.854775808s", "9223372036854775808ns"]) {
    test(`rejects ${JSON.stringify(bad)}`, () => assert.throws(() => parseGoDuration(bad), OttlRuntimeError));
  }
});

describe("formatGoDuration", () => {
  const cases: Array<[bigint, string]> = [
    [0n, "0s"],
    [1n, "1ns"],
    [1_100n, "1.1µs"],
    [2_200_000n, "2.2ms"],
    [3_300_000_000n, "3.3s"],
    [5_400_000_000_000n, "1h30m0s"],
    [-60_000_000_000n, "-1m0s"],
    [3_661_000_000_001n, "1h1m1.000000001s"],
  ];
  for (const [ns, text] of cases) test(text, () => assert.equal(formatGoDuration(ns), text));
});
