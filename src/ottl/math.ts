// Math expressions (ottl.md §2.2): int op int → int (Go truncating division, 64-bit wrap-around),
// float op float → float, time/duration arithmetic; mixing int and float is an error, as are
// nil, strings, bools, maps and lists. Division by zero is an error for ints and floats alike.

import { fail } from "./errors.ts";
import { ODuration, OTime, type Value, typeName } from "./values.ts";

/** A math operator. */
export type MathOp = "+" | "-" | "*" | "/";

/** Evaluates `a op b`. */
export function arith(op: MathOp, a: Value, b: Value): Value {
  if (typeof a === "bigint") {
    if (typeof b !== "bigint") mismatch(op, a, b);
    return intOp(op, a, b);
  }
  if (typeof a === "number") {
    if (typeof b !== "number") mismatch(op, a, b);
    return floatOp(op, a, b);
  }
  if (a instanceof OTime) return timeOp(op, a, b);
  if (a instanceof ODuration) return durationOp(op, a, b);
  return fail(`${typeName(a)} cannot be used in math: expected an int, a float, a time or a duration on the left of ${op}`);
}

function mismatch(op: MathOp, a: Value, b: Value): never {
  const hint =
    (typeof a === "bigint" && typeof b === "number") || (typeof a === "number" && typeof b === "bigint")
      ? "; int and float do not mix, convert with Double() or Int()"
      : "";
  fail(`cannot compute ${typeName(a)} ${op} ${typeName(b)}${hint}`);
}

function intOp(op: MathOp, a: bigint, b: bigint): bigint {
  switch (op) {
    case "+":
      return BigInt.asIntN(64, a + b);
    case "-":
      return BigInt.asIntN(64, a - b);
    case "*":
      return BigInt.asIntN(64, a * b);
    case "/":
      if (b === 0n) fail("attempted to divide by zero");
      // BigInt division truncates toward zero, as Go does; MinInt64 / -1 wraps like Go.
      return BigInt.asIntN(64, a / b);
  }
}

function floatOp(op: MathOp, a: number, b: number): number {
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      if (b === 0) fail("attempted to divide by zero");
      return a / b;
  }
}

function timeOp(op: MathOp, a: OTime, b: Value): Value {
  if (op === "-" && b instanceof OTime) return new ODuration(BigInt.asIntN(64, a.ns - b.ns));
  if (b instanceof ODuration && (op === "+" || op === "-")) return new OTime(op === "+" ? a.ns + b.ns : a.ns - b.ns);
  return fail(`cannot compute Time ${op} ${typeName(b)}`);
}

function durationOp(op: MathOp, a: ODuration, b: Value): Value {
  if (b instanceof OTime && (op === "+" || op === "-")) return new OTime(op === "+" ? b.ns + a.ns : b.ns - a.ns);
  if (b instanceof ODuration && (op === "+" || op === "-")) return new ODuration(BigInt.asIntN(64, op === "+" ? a.ns + b.ns : a.ns - b.ns));
  return fail(`cannot compute Duration ${op} ${typeName(b)}`);
}
