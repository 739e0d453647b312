// Expression evaluation (spec: alloy-syntax.md §4). Values are looked up in a scope object
// holding the standard library and the exports of every component, nested by id.

import type { BinaryExpr, Expr, Span } from "../syntax/ast.ts";
import { EvalError } from "./errors.ts";
import { Func, Secret, type ObjectValue, type Value, isObject, typeOf, valuesEqual } from "./value.ts";

/** Evaluates `expr` against `scope`; throws EvalError with the offending position. */
export function evaluate(expr: Expr, scope: ObjectValue): Value {
  switch (expr.kind) {
    case "literal":
      return expr.value;
    case "paren":
      return evaluate(expr.inner, scope);
    case "array":
      return expr.elements.map((e) => evaluate(e, scope));
    case "object": {
      const out: ObjectValue = {};
      for (const f of expr.fields) out[f.name] = evaluate(f.value, scope);
      return out;
    }
    case "identifier":
      if (!Object.hasOwn(scope, expr.name)) throw new EvalError(`identifier "${expr.name}" does not exist`, expr);
      return scope[expr.name]!;
    case "access":
      return accessField(evaluate(expr.value, scope), expr.name.name, expr.name);
    case "index":
      return indexValue(evaluate(expr.value, scope), evaluate(expr.index, scope), expr.index);
    case "call":
      return callFunction(expr.value, expr.args.map((a) => evaluate(a, scope)), scope, expr);
    case "unary":
      return evaluateUnary(expr.op, evaluate(expr.value, scope), expr);
    case "binary":
      return evaluateBinary(expr, scope);
  }
}

function accessField(target: Value, name: string, span: Span): Value {
  if (!isObject(target)) {
    throw new EvalError(`cannot access field "${name}" on a value of type ${typeOf(target)}`, span);
  }
  if (!Object.hasOwn(target, name)) throw new EvalError(`field "${name}" does not exist`, span);
  return target[name]!;
}

function indexValue(target: Value, index: Value, span: Span): Value {
  if (Array.isArray(target)) {
    if (typeof index !== "number" || !Number.isInteger(index)) {
      throw new EvalError(`expected number, got ${typeOf(index)}`, span);
    }
    if (index < 0 || index >= target.length) {
      throw new EvalError(`index ${index} is out of range [0, ${target.length})`, span);
    }
    return target[index]!;
  }
  if (isObject(target)) {
    if (typeof index !== "string") throw new EvalError(`expected string, got ${typeOf(index)}`, span);
    return Object.hasOwn(target, index) ? target[index]! : null;
  }
  throw new EvalError(`expected object or array, got ${typeOf(target)}`, span);
}

function callFunction(callee: Expr, args: Value[], scope: ObjectValue, span: Span): Value {
  const fn = evaluate(callee, scope);
  if (!(fn instanceof Func)) throw new EvalError(`expected function, got ${typeOf(fn)}`, callee);
  try {
    return fn.call(args);
  } catch (err) {
    throw EvalError.from(err, span);
  }
}

function evaluateUnary(op: "!" | "-", v: Value, span: Span): Value {
  if (op === "!") {
    if (typeof v !== "boolean") throw new EvalError(`expected bool, got ${typeOf(v)}`, span);
    return !v;
  }
  if (typeof v !== "number") throw new EvalError(`expected number, got ${typeOf(v)}`, span);
  return -v;
}

function evaluateBinary(expr: BinaryExpr, scope: ObjectValue): Value {
  const left = evaluate(expr.left, scope);
  // && and || short-circuit, like Go.
  if (expr.op === "&&" || expr.op === "||") {
    if (typeof left !== "boolean") throw new EvalError(`expected bool, got ${typeOf(left)}`, expr.left);
    if (expr.op === "&&" ? !left : left) return left;
    const right = evaluate(expr.right, scope);
    if (typeof right !== "boolean") throw new EvalError(`expected bool, got ${typeOf(right)}`, expr.right);
    return right;
  }
  const right = evaluate(expr.right, scope);
  switch (expr.op) {
    case "==":
      return valuesEqual(left, right);
    case "!=":
      return !valuesEqual(left, right);
    case "<":
    case "<=":
    case ">":
    case ">=":
      return compare(expr, left, right);
    case "+":
      if (isText(left) && isText(right)) return concat(left, right);
      return arithmetic(expr, left, right);
    default:
      return arithmetic(expr, left, right);
  }
}

function isText(v: Value): v is string | Secret {
  return typeof v === "string" || v instanceof Secret;
}

function concat(a: string | Secret, b: string | Secret): Value {
  const joined = textOf(a) + textOf(b);
  return a instanceof Secret || b instanceof Secret ? new Secret(joined) : joined;
}

function textOf(v: string | Secret): string {
  return v instanceof Secret ? v.value : v;
}

function compare(expr: BinaryExpr, a: Value, b: Value): boolean {
  const ta = typeOf(a), tb = typeOf(b);
  if (ta !== tb) throw new EvalError(`expected ${ta}, got ${tb}`, expr.right);
  if (ta !== "number" && ta !== "string") throw new EvalError(`${ta} values are not comparable`, expr);
  const x = a as number | string, y = b as number | string;
  switch (expr.op) {
    case "<":
      return x < y;
    case "<=":
      return x <= y;
    case ">":
      return x > y;
    default:
      return x >= y;
  }
}

function arithmetic(expr: BinaryExpr, a: Value, b: Value): number {
  if (typeof a !== "number") throw new EvalError(`expected number, got ${typeOf(a)}`, expr.left);
  if (typeof b !== "number") throw new EvalError(`expected number, got ${typeOf(b)}`, expr.right);
  // Integers keep Go's integer semantics (truncating division); anything else is float math.
  const ints = Number.isInteger(a) && Number.isInteger(b);
  switch (expr.op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      if (b === 0 && ints) throw new EvalError("integer divide by zero", expr);
      return ints ? Math.trunc(a / b) : a / b;
    case "%":
      if (b === 0 && ints) throw new EvalError("integer divide by zero", expr);
      return a % b;
    case "^":
      return a ** b;
    default:
      throw new EvalError(`unsupported operator ${expr.op}`, expr);
  }
}

/**
 * The component reference a chain of field accesses names: `a.b.c` → ["a", "b", "c"]. Returns
 * undefined for anything that is not a plain identifier chain.
 */
export function referenceChain(expr: Expr): string[] | undefined {
  if (expr.kind === "identifier") return [expr.name];
  if (expr.kind === "access") {
    const head = referenceChain(expr.value);
    return head && [...head, expr.name.name];
  }
  return undefined;
}

/** Calls `visit` on every maximal identifier chain in `expr` (the candidates for references). */
export function walkChains(expr: Expr, visit: (chain: string[], at: Expr) => void): void {
  const chain = referenceChain(expr);
  if (chain) {
    visit(chain, expr);
    return;
  }
  switch (expr.kind) {
    case "paren":
      return walkChains(expr.inner, visit);
    case "array":
      return expr.elements.forEach((e) => walkChains(e, visit));
    case "object":
      return expr.fields.forEach((f) => walkChains(f.value, visit));
    case "access":
      return walkChains(expr.value, visit);
    case "index":
      walkChains(expr.value, visit);
      return walkChains(expr.index, visit);
    case "call":
      walkChains(expr.value, visit);
      return expr.args.forEach((a) => walkChains(a, visit));
    case "unary":
      return walkChains(expr.value, visit);
    case "binary":
      walkChains(expr.left, visit);
      return walkChains(expr.right, visit);
    default:
      return;
  }
}
