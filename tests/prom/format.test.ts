// `le` / `quantile` formatting: Go's FormatFloat(f, 'f', -1, 64) (prometheus.md §3.1, §3.3).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { formatFloat } from "../../src/prom/format.ts";

describe("formatFloat writes floats like Go's FormatFloat(f, 'f', -1, 64)", () => {
  const cases: [number, string][] = [
    [0.005, "0.005"],
    [1, "1"],
    [2.5, "2.5"],
    [1000, "1000"],
    [0.000001, "0.000001"],
    [0, "0"],
    [0.99, "0.99"],
    [-1.5, "-1.5"],
    [123456789.125, "123456789.125"],
  ];
  for (const [n, text] of cases) test(`${n} → ${text}`, () => assert.equal(formatFloat(n), text));

  test("below 1e-6 JavaScript would write an exponent; Go does not (1e-7 → 0.0000001)", () => {
    assert.equal(String(1e-7), "1e-7");
    assert.equal(formatFloat(1e-7), "0.0000001");
    assert.equal(formatFloat(1.5e-10), "0.00000000015");
    assert.equal(formatFloat(-2.5e-8), "-0.000000025");
  });

  test("from 1e21 on JavaScript would write an exponent; Go does not (1e21 → 1 and 21 zeros)", () => {
    assert.equal(formatFloat(1e21), "1000000000000000000000");
    assert.equal(formatFloat(1.25e22), "12500000000000000000000");
    assert.equal(formatFloat(-1e21), "-1000000000000000000000");
  });

  test("the largest and smallest doubles keep every significant digit", () => {
    assert.equal(formatFloat(Number.MAX_VALUE), `17976931348623157${"0".repeat(292)}`);
    assert.equal(formatFloat(5e-324), `0.${"0".repeat(323)}5`);
  });

  test("infinities and NaN use Prometheus' spellings", () => {
    assert.equal(formatFloat(Infinity), "+Inf");
    assert.equal(formatFloat(-Infinity), "-Inf");
    assert.equal(formatFloat(NaN), "NaN");
  });

  test("negative zero keeps its sign, as in Go", () => assert.equal(formatFloat(-0), "-0"));
});
