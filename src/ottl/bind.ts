// Argument binding (ottl.md §1.7): positional then named arguments matched to a function's
// parameters, arity and literal types checked at load time, each argument turned into what its
// parameter type promises (function_api.ts ParamTypes).

import type { Arg, Call, ValueExpr } from "./ast.ts";
import { OttlCompileError } from "./errors.ts";
import type { CompileContext, FunctionArg, GetSetter, Getter, OttlFunction, ParamSpec, ParamType } from "./function_api.ts";
import { specOf } from "./function_api.ts";
import { type Eval, coerceFor } from "./getters.ts";
import type { TransformContext } from "./tctx.ts";
import type { Value } from "./values.ts";

/** What binding needs from the compiler. */
export interface ArgCompiler {
  readonly context: CompileContext["context"];
  value(e: ValueExpr): Eval;
  /** A writable path, or an error message when `e` is not one. */
  setter(e: ValueExpr): GetSetter;
  enumValue(e: ValueExpr): bigint | undefined;
  functionRef(e: ValueExpr, at: Arg): FunctionArg;
}

/** Normalised parameter name: case-insensitive, underscores ignored (`pair_delimiter` = `pairDelimiter`). */
const norm = (s: string) => s.toLowerCase().replace(/_/g, "");

/** Binds a call's arguments to the function's parameters and builds its per-item body. */
export function bindAndCreate(fn: OttlFunction, call: Call, ac: ArgCompiler): (tctx: TransformContext) => unknown {
  const params = Object.entries(fn.params).map(([name, p]) => ({ name, spec: specOf(p) }));
  const assigned = matchArgs(fn, params, call);
  const where = (param: string) => assigned.get(param)?.start ?? call.start;
  const cx: CompileContext = {
    context: ac.context,
    fail(param, message) {
      throw new OttlCompileError(`${fn.name}: ${message}`, where(param));
    },
  };
  const args: Record<string, unknown> = {};
  for (const { name, spec } of params) {
    const arg = assigned.get(name);
    args[name] = arg === undefined ? undefined : convertArg(fn, name, spec, arg, ac);
  }
  try {
    return fn.create(args, cx);
  } catch (err) {
    if (err instanceof OttlCompileError && err.offset === undefined) throw new OttlCompileError(`${fn.name}: ${err.message}`, call.start);
    throw err;
  }
}

function matchArgs(fn: OttlFunction, params: Array<{ name: string; spec: ParamSpec }>, call: Call): Map<string, Arg> {
  const assigned = new Map<string, Arg>();
  const required = params.filter((p) => !p.spec.optional).length;
  const expected = required === params.length ? `${required}` : `${required} to ${params.length}`;
  const positional = call.args.filter((a) => a.name === undefined);
  if (positional.length > params.length) {
    throw new OttlCompileError(`${fn.name} expects ${expected} argument${params.length === 1 ? "" : "s"}, got ${call.args.length}`, positional[params.length]!.start);
  }
  positional.forEach((a, i) => assigned.set(params[i]!.name, a));
  for (const a of call.args) {
    if (a.name === undefined) continue;
    const p = params.find((x) => norm(x.name) === norm(a.name!));
    if (!p) {
      const names = params.map((x) => x.name).join(", ");
      throw new OttlCompileError(`${fn.name} has no parameter named ${a.name}${names ? ` (parameters: ${names})` : ""}`, a.start);
    }
    if (assigned.has(p.name)) throw new OttlCompileError(`${fn.name}: argument ${p.name} given twice`, a.start);
    assigned.set(p.name, a);
  }
  const missing = params.filter((p) => !p.spec.optional && !assigned.has(p.name));
  if (missing.length > 0) {
    throw new OttlCompileError(`${fn.name} expects ${expected} argument${params.length === 1 ? "" : "s"}, got ${call.args.length} (missing ${missing.map((p) => p.name).join(", ")})`, call.end - 1);
  }
  return assigned;
}

function convertArg(fn: OttlFunction, name: string, spec: ParamSpec, arg: Arg, ac: ArgCompiler): unknown {
  const e = arg.value;
  const bad = (what: string): never => {
    throw new OttlCompileError(`${fn.name}: argument ${name} must be ${what}`, arg.start);
  };
  const type = spec.type;
  switch (type) {
    case "string": {
      if (e.kind !== "string") bad("a string literal");
      const s = (e as { value: string }).value;
      if (spec.oneOf && !spec.oneOf.includes(s)) bad(`one of ${spec.oneOf.map((x) => JSON.stringify(x)).join(", ")}, got ${JSON.stringify(s)}`);
      return s;
    }
    case "int":
      return e.kind === "int" ? e.value : bad("an int literal");
    case "float":
      return e.kind === "float" ? e.value : e.kind === "int" ? Number(e.value) : bad("a float literal");
    case "bool":
      return e.kind === "bool" ? e.value : bad("true or false");
    case "string[]":
      return listItems(e, bad).map((x) => (x.kind === "string" ? x.value : bad("a list of string literals")));
    case "int[]":
      return listItems(e, bad).map((x) => (x.kind === "int" ? x.value : bad("a list of int literals")));
    case "float[]":
      return listItems(e, bad).map((x) => (x.kind === "float" ? x.value : x.kind === "int" ? Number(x.value) : bad("a list of float literals")));
    case "Getter[]":
    case "StringGetter[]":
    case "StringLikeGetter[]": {
      const elem = type.slice(0, -2) as ParamType;
      return listItems(e, bad).map((x) => makeGetter(elem, ac.value(x), x));
    }
    case "Enum": {
      const v = ac.enumValue(e);
      return v ?? bad(e.kind === "symbol" ? `a known enum symbol, ${e.name} is not one in the ${ac.context} context` : "an enum symbol");
    }
    case "Function":
      return ac.functionRef(e, arg);
    case "GetSetter":
      return ac.setter(e);
    default:
      return makeGetter(type, ac.value(e), e);
  }
}

function listItems(e: ValueExpr, bad: (what: string) => never): ValueExpr[] {
  return e.kind === "list" ? e.items : bad("a list literal [...]");
}

/** A Getter of the given type over a compiled expression; literal arguments expose their value. */
export function makeGetter(type: ParamType, ev: Eval, e?: ValueExpr): Getter<unknown> {
  const get = coerceFor(type, ev) ?? ev;
  const literal = e ? literalOf(e) : undefined;
  return literal === undefined ? { get } : { get, literal: { value: literal } };
}

/** The value of a literal expression (string, int, float, bool, bytes, nil), else undefined. */
export function literalOf(e: ValueExpr): Value | undefined {
  switch (e.kind) {
    case "string":
    case "int":
    case "float":
    case "bool":
    case "bytes":
      return e.value;
    case "nil":
      return null;
    default:
      return undefined;
  }
}
