// Decodes a block body into a component's arguments, checking it against the schema: unknown
// names, missing required arguments, types, defaults, nested and repeated blocks. Every problem
// is collected (not just the first), each with its position.

import type { BlockStmt, Expr, Span, Stmt } from "../syntax/ast.ts";
import { parseByteSize } from "./bytesize.ts";
import { parseDuration } from "./duration.ts";
import { EvalError } from "./errors.ts";
import { evaluate } from "./eval.ts";
import { type BlockSpec, type Located, type Schema, type Type, typeName } from "./schema.ts";
import { Capsule, Func, Secret, type ObjectValue, type Value, isObject, typeOf } from "./value.ts";

export type Args = Record<string, unknown>;

/** Decodes `body` against `schema`. Problems are appended to `problems`; the result is partial when there are any. */
export function decodeBody(body: Stmt[], schema: Schema, scope: ObjectValue, where: Span, problems: EvalError[]): Args {
  const out: Args = {};
  const seen = new Map<string, Span>();
  const blocks = new Map<string, BlockStmt[]>();
  for (const stmt of body) {
    if (stmt.kind === "attribute") {
      decodeAttribute(stmt.name.name, stmt, schema, scope, out, seen, problems);
    } else {
      collectBlock(stmt, schema, blocks, problems);
    }
  }
  fillAttributeDefaults(schema, out, seen, where, problems);
  decodeBlocks(schema, blocks, scope, out, where, problems);
  if (!hasError(problems) && schema.validate) runValidate(schema, out, where, problems);
  if (!hasError(problems) && schema.check) for (const p of schema.check(out)) problems.push(new EvalError(p.message, p.span, p.severity ?? "error"));
  if (!hasError(problems) && schema.warn) for (const w of schema.warn(out)) problems.push(new EvalError(w, where, "warning"));
  return out;
}

function hasError(problems: EvalError[]): boolean {
  return problems.some((p) => p.severity === "error");
}

function decodeAttribute(
  name: string,
  stmt: Stmt & { kind: "attribute" },
  schema: Schema,
  scope: ObjectValue,
  out: Args,
  seen: Map<string, Span>,
  problems: EvalError[],
): void {
  const spec = schema.attrs?.[name];
  if (!spec) {
    const isBlock = schema.blocks?.[name] !== undefined;
    problems.push(new EvalError(isBlock ? `"${name}" must be a block, not an attribute` : `unrecognized attribute name "${name}"`, stmt.name));
    return;
  }
  if (seen.has(name) || out[name] !== undefined) {
    problems.push(new EvalError(`attribute "${name}" may only be provided once`, stmt.name));
    return;
  }
  try {
    const value = evaluate(stmt.value, scope);
    if (value === null) return; // null means "leave at default" (and a required one stays missing)
    seen.set(name, stmt);
    if (spec.noEffect) problems.push(new EvalError(`"${name}" has no effect in solder: ${spec.noEffect}`, stmt.name, "warning"));
    out[name] = convert(value, spec.type, stmt.value);
  } catch (err) {
    seen.set(name, stmt);
    problems.push(EvalError.from(err, stmt.value));
  }
}

function collectBlock(stmt: BlockStmt, schema: Schema, blocks: Map<string, BlockStmt[]>, problems: EvalError[]): void {
  const name = stmt.name.join(".");
  const spec = schema.blocks?.[name];
  if (!spec) {
    const isAttr = schema.attrs?.[name] !== undefined;
    problems.push(new EvalError(isAttr ? `"${name}" must be an attribute, not a block` : `unrecognized block name "${name}"`, stmt.namePos));
    return;
  }
  if (stmt.label !== undefined) {
    problems.push(new EvalError(`block "${name}" does not support specifying labels`, stmt.labelPos ?? stmt.namePos));
    return;
  }
  const list = blocks.get(name) ?? [];
  if (list.length > 0 && !spec.repeated) {
    const first = list[0]!;
    problems.push(new EvalError(`block "${name}" may only be specified once (first at line ${first.start.line})`, stmt.namePos));
    return;
  }
  list.push(stmt);
  blocks.set(name, list);
  if (spec.noEffect) problems.push(new EvalError(`block "${name}" has no effect in solder: ${spec.noEffect}`, stmt.namePos, "warning"));
}

function fillAttributeDefaults(schema: Schema, out: Args, seen: Map<string, Span>, where: Span, problems: EvalError[]): void {
  for (const [name, spec] of Object.entries(schema.attrs ?? {})) {
    if (out[name] !== undefined) continue;
    // An attribute that was written but failed to evaluate has its own error already.
    if (spec.required && !seen.has(name)) problems.push(new EvalError(`missing required attribute "${name}"`, where));
    else if (spec.default !== undefined) out[name] = cloneDefault(spec.default);
  }
}

function decodeBlocks(schema: Schema, blocks: Map<string, BlockStmt[]>, scope: ObjectValue, out: Args, where: Span, problems: EvalError[]): void {
  for (const [name, spec] of Object.entries(schema.blocks ?? {})) {
    const list = blocks.get(name) ?? [];
    if (list.length === 0) {
      if (spec.required) problems.push(new EvalError(`missing required block "${name}"`, where));
      else if (spec.repeated) out[name] = [];
      else if (spec.defaultPresent) out[name] = decodeBody([], spec.schema, scope, where, problems);
      continue;
    }
    const decoded = list.map((b) => decodeBlock(b, spec, scope, problems));
    out[name] = spec.repeated ? decoded : decoded[0];
  }
}

function decodeBlock(b: BlockStmt, spec: BlockSpec, scope: ObjectValue, problems: EvalError[]): Args {
  return decodeBody(b.body, spec.schema, scope, b.namePos, problems);
}

function runValidate(schema: Schema, out: Args, where: Span, problems: EvalError[]): void {
  const result = schema.validate!(out);
  const list = result === undefined ? [] : Array.isArray(result) ? result : [result];
  for (const message of list) problems.push(new EvalError(message, where));
}

function cloneDefault(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(cloneDefault);
  if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cloneDefault(x)]));
  }
  return v;
}

/** Converts an evaluated value to the schema type; throws EvalError at `span`. */
export function convert(value: Value, type: Type, span: Span): unknown {
  const mismatch = () => new EvalError(`expected ${typeName(type)}, got ${typeOf(value)}`, span);
  switch (type.kind) {
    case "any":
      return value;
    case "string":
      if (typeof value === "string") return value;
      if (typeof value === "number") return String(value);
      throw mismatch();
    case "enum": {
      const s = convert(value, { kind: "string" }, span) as string;
      if (!type.values.includes(s)) {
        throw new EvalError(`invalid value "${s}": must be one of ${type.values.map((v) => `"${v}"`).join(", ")}`, span);
      }
      return s;
    }
    case "number":
    case "int":
      return convertNumber(value, type.kind === "int", span, mismatch);
    case "bool":
      if (typeof value === "boolean") return value;
      throw mismatch();
    case "duration":
      return parseWith(parseDuration, value, span, mismatch);
    case "bytesize":
      if (typeof value === "number") return value;
      return parseWith(parseByteSize, value, span, mismatch);
    case "secret":
      if (value instanceof Secret) return value;
      if (typeof value === "string") return new Secret(value);
      if (typeof value === "number") return new Secret(String(value));
      throw mismatch();
    case "list": {
      if (!Array.isArray(value)) throw mismatch();
      // Located elements keep their own position when the list was written as a literal.
      const elems = type.of.kind === "located" ? elementsOf(span, value.length) : undefined;
      return value.map((v, i) => convert(v, type.of, elems?.[i] ?? span));
    }
    case "map": {
      if (!isObject(value)) throw mismatch();
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = convert(v, type.of, span);
      return out;
    }
    case "capsule":
      if (value instanceof Capsule && value.typeName === type.name) return value.value;
      if (value instanceof Capsule) throw new EvalError(`expected capsule("${type.name}"), got capsule("${value.typeName}")`, span);
      throw mismatch();
    case "function":
      if (value instanceof Func) return value;
      throw mismatch();
    case "located":
      return locate(convert(value, type.of, span), span);
  }
}

/** The element expressions of an array literal of `n` elements, when `span` is one. */
function elementsOf(span: Span, n: number): Expr[] | undefined {
  const e = span as Partial<Expr>;
  return e.kind === "array" && e.elements?.length === n ? e.elements : undefined;
}

function locate(value: unknown, span: Span): Located<unknown> {
  const e = span as Partial<Expr>;
  const out: Located<unknown> = { value, span: { start: span.start, end: span.end } };
  if (e.kind === "literal" && e.type === "string") out.raw = e.raw;
  return out;
}

function convertNumber(value: Value, int: boolean, span: Span, mismatch: () => EvalError): number {
  let n: number;
  if (typeof value === "number") n = value;
  else if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) n = Number(value);
  else throw mismatch();
  if (int && !Number.isInteger(n)) throw new EvalError(`expected an integer, got ${n}`, span);
  return n;
}

function parseWith(parse: (s: string) => number, value: Value, span: Span, mismatch: () => EvalError): number {
  if (typeof value !== "string") throw mismatch();
  try {
    return parse(value);
  } catch (err) {
    throw EvalError.from(err, span);
  }
}
