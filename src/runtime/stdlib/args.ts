// Argument checking shared by the standard library. Messages name the function, then say what
// was wrong in the `expected X, got Y` style the rest of the evaluator uses.

import { Func, Secret, ValueError, isObject, typeOf } from "../value.ts";
import type { ObjectValue, Value } from "../value.ts";
import { formatFloat } from "./gofloat.ts";

/** A stdlib function body; `name` is the name it was called by (e.g. `string.join` or `join`). */
export type Impl = (name: string, args: Value[]) => Value;

/** Wraps an implementation as a Func value under the given name. */
export function define(name: string, impl: Impl, pure = true): Func {
  return new Func(name, (args) => impl(name, args), pure);
}

/** Throws unless exactly `n` arguments were given. */
export function expectCount(name: string, args: Value[], n: number): void {
  if (args.length !== n) {
    throw new ValueError(`${name}: expected ${n} ${plural(n)}, got ${args.length}`);
  }
}

/** Throws unless between `min` and `max` arguments were given. */
export function expectCountBetween(name: string, args: Value[], min: number, max: number): void {
  if (args.length < min || args.length > max) {
    throw new ValueError(`${name}: expected ${min} to ${max} arguments, got ${args.length}`);
  }
}

/** Throws unless at least `min` arguments were given. */
export function expectAtLeast(name: string, args: Value[], min: number): void {
  if (args.length < min) {
    throw new ValueError(`${name}: expected at least ${min} ${plural(min)}, got ${args.length}`);
  }
}

/**
 * Argument `i` as a string. Numbers are converted, as Alloy converts a number assigned to a
 * string (spec §4); a secret is not a string and must go through `convert.nonsensitive`.
 */
export function stringArg(name: string, args: Value[], i: number): string {
  return toStringValue(name, args[i] ?? null, `argument ${i + 1}`);
}

/** Converts one value to a string for `where` (an argument or element description). */
export function toStringValue(name: string, v: Value, where: string): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return numberToString(v);
  throw typeError(name, where, "string", v);
}

/** Argument `i` as a bool. */
export function boolArg(name: string, args: Value[], i: number): boolean {
  const v = args[i] ?? null;
  if (typeof v === "boolean") return v;
  throw typeError(name, `argument ${i + 1}`, "bool", v);
}

/** Argument `i` as an array. */
export function arrayArg(name: string, args: Value[], i: number): Value[] {
  const v = args[i] ?? null;
  if (Array.isArray(v)) return v;
  throw typeError(name, `argument ${i + 1}`, "array", v);
}

/** Argument `i` as an array of objects. */
export function objectArrayArg(name: string, args: Value[], i: number): ObjectValue[] {
  const list = arrayArg(name, args, i);
  list.forEach((el, j) => {
    if (!isObject(el)) throw typeError(name, `argument ${i + 1} element ${j}`, "object", el);
  });
  return list as ObjectValue[];
}

/** Argument `i` as a secret; plain strings are accepted because they convert to secrets. */
export function secretArg(name: string, args: Value[], i: number): string {
  const v = args[i] ?? null;
  if (v instanceof Secret) return v.value;
  if (typeof v === "string") return v;
  throw typeError(name, `argument ${i + 1}`, "secret", v);
}

/** A `name: argument N: expected T, got U` error. */
export function typeError(name: string, where: string, expected: string, got: Value): ValueError {
  return new ValueError(`${name}: ${where}: expected ${expected}, got ${typeOf(got)}`);
}

/** Alloy's number-to-string conversion: integers as such, floats in shortest form without an exponent. */
export function numberToString(n: number): string {
  if (Number.isSafeInteger(n)) return String(n);
  return formatFloat(n, "f", -1);
}

function plural(n: number): string {
  return n === 1 ? "argument" : "arguments";
}
