/**
 * OTTL function API — how an editor or a converter is defined (ottl.md §1.7, §5).
 *
 * A function is one value built with `defineConverter` or `defineEditor` and listed in the
 * registry `src/ottl/functions/index.ts` (converters in CONVERTERS, metric-only functions in
 * METRIC_FUNCTIONS, generic editors in EDITORS). Nothing else is needed: the compiler matches
 * arguments (positional, then named), checks arity and literal types, converts each argument to
 * the kind the parameter declares, and hands the function its compiled arguments ONCE, at load
 * time. The function returns the closure that runs per item.
 *
 * ── Worked example: a converter ─────────────────────────────────────────────────────────────
 *
 *   // src/ottl/functions/converters/concat.ts
 *   import { defineConverter, opt, toStringLike } from "../../function_api.ts";
 *
 *   /** Concat(values[], delimiter): joins values; nil elements print as "<nil>" (ottl.md §5.3). *\/
 *   export const concat = defineConverter({
 *     name: "Concat",
 *     params: { vals: "Getter[]", delimiter: "string" },   // order = positional order
 *     create({ vals, delimiter }) {                          // runs once, at config load
 *       return (tctx) => {                                   // runs per item
 *         const parts: string[] = [];
 *         for (const g of vals) {
 *           const v = g.get(tctx);
 *           if (v === null) parts.push("<nil>");
 *           else if (!(v instanceof PMap || v instanceof PList)) parts.push(toStringLike(v)!);
 *         }
 *         return parts.join(delimiter);
 *       };
 *     },
 *   });
 *
 *   A converter with a regex literal validates it at load time: a thrown OttlCompileError (or
 *   `cx.fail("pattern", "...")`, which points at that argument) is a configuration error.
 *
 *   export const isMatch = defineConverter({
 *     name: "IsMatch",
 *     params: { target: "StringLikeGetter", pattern: "string" },
 *     create({ target, pattern }, cx) {
 *       const re = compileRegex(pattern, (msg) => cx.fail("pattern", msg));   // regex.ts, RE2
 *       return (tctx) => { const s = target.get(tctx); return s !== null && re.test(s); };
 *     },
 *   });
 *
 * ── Worked example: an editor ───────────────────────────────────────────────────────────────
 *
 *   /** delete_key(target, key): removes one key from a map (ottl.md §5.1). *\/
 *   export const deleteKey = defineEditor({
 *     name: "delete_key",
 *     params: { target: "PMapGetter", key: "StringGetter" },
 *     create({ target, key }) {
 *       return (tctx) => { target.get(tctx).delete(key.get(tctx)); };   // PMap is a live view
 *     },
 *   });
 *
 *   Optional parameters: `opt("Getter")`, or `{ type: "string", optional: true, oneOf: [...] }`.
 *   Absent optional arguments arrive as `undefined`. Named arguments are matched against the
 *   parameter names case-insensitively with `_` removed (`pair_delimiter` = `pairDelimiter`).
 *   Restrict a function to contexts with `contexts: ["metric"]` (metric-only functions).
 *
 * ── Values (values.ts) ──────────────────────────────────────────────────────────────────────
 *
 *   nil → null · bool → boolean · int64 → bigint · float64 → number · string → string ·
 *   bytes → Uint8Array · map → PMap (live view over KeyValue[]) · list → PList (live view over
 *   AnyValue[]) · ids → TraceID/SpanID · time → OTime{ns} · duration → ODuration{ns} ·
 *   whole objects (resource, span.events, …) → Opaque. Never collapse int and float.
 *   Converters return a Value; return a NEW PMap/PList (PMap.of, PList.of, fromPlain) or a value
 *   the caller may store: stores copy (§2.4), so returning a live view is safe too.
 *
 * ── The transform context (tctx.ts) ─────────────────────────────────────────────────────────
 *
 *   Functions mostly pass `tctx` to their getters. Metric functions read `tctx.metric` (the
 *   metric being visited) and append new metrics to `tctx.metrics` (the scope's list; the
 *   processor re-reads its length, so appended metrics are visited by the rest of the group).
 *   `tctx.resource`, `tctx.scope`, `tctx.span`, `tctx.event`, `tctx.point`, `tctx.log` are set
 *   for the group's level and above. Never keep `tctx` beyond the call: it is reused per item.
 *
 * ── Errors ──────────────────────────────────────────────────────────────────────────────────
 *
 *   Load time: `cx.fail(param, message)` or `throw new OttlCompileError(message)`.
 *   Run time: `fail(message)` (throws OttlRuntimeError); the processor adds the statement text
 *   and the item and applies error_mode. Typed getters already fail on nil/wrong types with the
 *   upstream wording, so most functions never check types themselves.
 */

import { OttlCompileError } from "./errors.ts";
import type { ContextName, TransformContext } from "./tctx.ts";
import type { ODuration, OTime, PList, PMap, Value } from "./values.ts";

export { OttlCompileError, OttlRuntimeError, fail } from "./errors.ts";
export type { ContextName, DataPoint, TransformContext } from "./tctx.ts";
export {
  ODuration,
  OTime,
  Opaque,
  PList,
  PMap,
  SpanID,
  TraceID,
  type Value,
  compareUtf8,
  formatFloat,
  fromAny,
  fromPlain,
  toAny,
  toJSON,
  toPlain,
  toStringLike,
  typeName,
  utf8Length,
} from "./values.ts";
export { valuesEqual } from "./compare.ts";
export { type Regex, compileRegex } from "./regex.ts";

/** Reads an argument for one item. Typed getters throw OttlRuntimeError on a wrong type. */
export interface Getter<T = Value> {
  get(tctx: TransformContext): T;
  /** Present when the argument is a literal (known at load time), so functions can validate it early. */
  readonly literal?: { readonly value: Value };
}

/** A path argument: readable and writable (`set(target, …)`). */
export interface GetSetter extends Getter<Value> {
  /** Writes through the path (ottl.md §2.4): creates missing map keys, copies the value. */
  set(tctx: TransformContext, value: Value): void;
  /** The path as written in the statement, for messages. */
  readonly text: string;
}

/** A bare converter name passed as an argument (`replace_pattern(…, SHA256)`). */
export interface FunctionArg {
  readonly name: string;
  /** Calls the converter with `input` as its single argument. */
  call(tctx: TransformContext, input: Value): Value;
}

/** What each parameter type hands the function (after load-time checks). */
export interface ParamTypes {
  /** Any value, nil included. */
  Getter: Getter<Value>;
  /** A string; nil or another type → run-time error. */
  StringGetter: Getter<string>;
  /** A string, or a scalar formatted as one (ints, floats, bools; bytes/ids as hex; maps/lists as JSON); nil → null. */
  StringLikeGetter: Getter<string | null>;
  /** An int (bigint); nil or another type → error. */
  IntGetter: Getter<bigint>;
  /** int; float truncated; bool 1/0; decimal string parsed; nil or unparsable → null. */
  IntLikeGetter: Getter<bigint | null>;
  /** A float (number); nil or another type → error. */
  FloatGetter: Getter<number>;
  /** float; int widened; bool 1/0; string parsed; nil or unparsable → null. */
  FloatLikeGetter: Getter<number | null>;
  /** A bool; nil or another type → error. */
  BoolGetter: Getter<boolean>;
  /** bool; numbers non-zero = true; strings 1/t/T/true/TRUE/True, 0/f/F/false/FALSE/False; nil → null; else error. */
  BoolLikeGetter: Getter<boolean | null>;
  /** A map (live view); nil or another type → error. */
  PMapGetter: Getter<PMap>;
  /** A list (live view); nil or another type → error. */
  PSliceGetter: Getter<PList>;
  /** bytes as is; ids as bytes; strings as UTF-8; nil → null; else error. */
  ByteSliceLikeGetter: Getter<Uint8Array | null>;
  /** A time; nil or another type → error. */
  TimeGetter: Getter<OTime>;
  /** A duration; nil or another type → error. */
  DurationGetter: Getter<ODuration>;
  /** A path (parse error otherwise). */
  GetSetter: GetSetter;
  /** Literal string (validated at load; e.g. regexes, case names). */
  string: string;
  /** Literal int. */
  int: bigint;
  /** Literal float (an int literal is accepted and widened, as upstream does for float64 params). */
  float: number;
  /** Literal bool. */
  bool: boolean;
  /** List literal of string literals. */
  "string[]": string[];
  /** List literal of int literals. */
  "int[]": bigint[];
  /** List literal of float literals (int literals widened). */
  "float[]": number[];
  /** List literal whose elements are any expressions. */
  "Getter[]": Getter<Value>[];
  /** List literal of StringGetters. */
  "StringGetter[]": Getter<string>[];
  /** List literal of StringLikeGetters. */
  "StringLikeGetter[]": Getter<string | null>[];
  /** An enum symbol of the context (resolved to its int). */
  Enum: bigint;
  /** A bare converter name taking one argument. */
  Function: FunctionArg;
}

/** A parameter type name. */
export type ParamType = keyof ParamTypes;

/** A parameter: its type, whether it may be omitted, and for literal strings the allowed values. */
export interface ParamSpec<T extends ParamType = ParamType> {
  readonly type: T;
  readonly optional?: boolean;
  /** For `string` parameters: the literal must be one of these (checked at load). */
  readonly oneOf?: readonly string[];
}

/** Parameters by name, in positional order. Names are snake_case (they are the named-argument names). */
export type Params = Readonly<Record<string, ParamType | ParamSpec>>;

type ArgOf<S> = S extends ParamType
  ? ParamTypes[S]
  : S extends { readonly type: infer T extends ParamType; readonly optional: true }
    ? ParamTypes[T] | undefined
    : S extends { readonly type: infer T extends ParamType }
      ? ParamTypes[T]
      : never;

/** The compiled arguments a function's `create` receives. */
export type Args<P extends Params> = { -readonly [K in keyof P]: ArgOf<P[K]> };

/** Load-time services for `create`. */
export interface CompileContext {
  /** The context the statement runs in. */
  readonly context: ContextName;
  /** Throws a configuration error positioned at the named argument (or the call, when absent). */
  fail(param: string, message: string): never;
}

/** Per-item body of a converter. */
export type ConverterFn = (tctx: TransformContext) => Value;
/** Per-item body of an editor; changes the item, returns nothing. */
export type EditorFn = (tctx: TransformContext) => void;

/** A registered function, as the compiler sees it. */
export interface OttlFunction {
  readonly name: string;
  readonly kind: "editor" | "converter";
  readonly params: Params;
  /** Contexts the function may be used in; undefined = all (ottl.md §4.3 uses this for inference). */
  readonly contexts?: readonly ContextName[];
  /** Builds the per-item body from compiled arguments; throws OttlCompileError on bad literals. */
  readonly create: (args: Record<string, unknown>, cx: CompileContext) => ConverterFn | EditorFn;
}

/** Definition accepted by defineConverter / defineEditor. */
export interface FunctionDef<P extends Params, F> {
  readonly name: string;
  readonly params: P;
  readonly contexts?: readonly ContextName[];
  create(args: Args<P>, cx: CompileContext): F;
}

/** Defines a converter (name starts with an uppercase letter; returns a value). */
export function defineConverter<const P extends Params>(def: FunctionDef<P, ConverterFn>): OttlFunction {
  if (!/^[A-Z][A-Za-z0-9_]*$/.test(def.name)) throw new Error(`converter names must start with an uppercase letter: ${def.name}`);
  return checked({ ...def, kind: "converter", create: def.create as OttlFunction["create"] });
}

/** Defines an editor (name starts with a lowercase letter; changes the item). */
export function defineEditor<const P extends Params>(def: FunctionDef<P, EditorFn>): OttlFunction {
  if (!/^[a-z][a-z0-9_]*$/.test(def.name)) throw new Error(`editor names must start with a lowercase letter: ${def.name}`);
  return checked({ ...def, kind: "editor", create: def.create as OttlFunction["create"] });
}

/** An optional parameter of the given type. */
export function opt<T extends ParamType>(type: T): { readonly type: T; readonly optional: true } {
  return { type, optional: true };
}

/** The spec of a parameter, whether written as a bare type name or an object. */
export function specOf(p: ParamType | ParamSpec): ParamSpec {
  return typeof p === "string" ? { type: p } : p;
}

/** Rejects definitions whose required parameters follow optional ones (ottl.md §1.7). */
function checked(fn: OttlFunction): OttlFunction {
  let seenOptional = false;
  for (const [name, p] of Object.entries(fn.params)) {
    const optional = specOf(p).optional === true;
    if (seenOptional && !optional) throw new Error(`${fn.name}: required parameter ${name} follows an optional one`);
    seenOptional ||= optional;
  }
  return fn;
}

/** Throws a load-time error (for helpers outside `create`). */
export function compileError(message: string): never {
  throw new OttlCompileError(message);
}
