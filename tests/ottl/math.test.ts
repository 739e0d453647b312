// Math expressions (ottl.md §2.2): int and float kept apart, Go division, wrap-around, time math.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { arith } from "../../src/ottl/math.ts";
import { ODuration, OTime } from "../../src/ottl/values.ts";
import { evalValue, span, tctx } from "./helpers.ts";

const err = (expr: string): string => {
  try {
    evalValue(expr);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`expected an error for ${expr}`);
};

describe("math", () => {
  const cases: Array<[string, unknown]> = [
    ["1 + 2", 3n],
    ["7 - 10", -3n],
    ["6 * 7", 42n],
    ["-7 / 2", -3n],
    ["7 / -2", -3n],
    ["1 + 2 * 3", 7n],
    ["(1 + 2) * 3", 9n],
    ["10 - 4 - 3", 3n],
    ["1.5 + 2.25", 3.75],
    ["1.0 / 4.0", 0.25],
    ["SPAN_KIND_SERVER + 1", 3n],
    ["9223372036854775807 + 1", -9223372036854775808n],
    ["-9223372036854775808 / -1", -9223372036854775808n],
  ];
  for (const [expr, want] of cases) test(`${expr} = ${String(want)}`, () => assert.equal(evalValue(expr), want));
  test("int and float do not mix", () => assert.match(err("1 * 1.5"), /Int \* Double.*Double\(\) or Int\(\)/));
  test("float and int do not mix either", () => assert.match(err("1.5 - 1"), /Double - Int/));
  test("integer division by zero", () => assert.match(err("1 / 0"), /divide by zero/));
  test("float division by zero", () => assert.match(err("1.0 / 0.0"), /divide by zero/));
  test("nil operands are errors", () => assert.match(err('attributes["missing"] + 1'), /Empty cannot be used in math/));
  test("string operands from paths are errors", () => {
    const t = tctx("span", { span: span({ s: "1" }) });
    assert.throws(() => evalValue('span.attributes["s"] + 1', "span", t), /Str cannot be used in math/);
  });
  test("time - time is a duration", () => assert.deepEqual(arith("-", new OTime(10n), new OTime(3n)), new ODuration(7n)));
  test("time + duration is a time", () => assert.deepEqual(arith("+", new OTime(10n), new ODuration(5n)), new OTime(15n)));
  test("duration + duration", () => assert.deepEqual(arith("+", new ODuration(1n), new ODuration(2n)), new ODuration(3n)));
  test("duration + time is a time", () => assert.deepEqual(arith("+", new ODuration(1n), new OTime(2n)), new OTime(3n)));
  test("time * anything is an error", () => assert.throws(() => arith("*", new OTime(1n), new OTime(1n)), /cannot compute Time \* Time/));
  test("time + int is an error", () => assert.throws(() => arith("+", new OTime(1n), 1n), /cannot compute Time \+ Int/));
});
