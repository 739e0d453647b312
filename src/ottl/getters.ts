// The typed getters of ottl.md §1.7: how an argument's value is coerced (or rejected) before a
// function sees it. Messages follow upstream's ("expected string but got Int").

import { fail } from "./errors.ts";
import { isScalar, scalarToBool, scalarToDouble, scalarToInt } from "./gonum.ts";
import type { ParamType } from "./function_api.ts";
import type { TransformContext } from "./tctx.ts";
import { ODuration, OTime, Opaque, PList, PMap, SpanID, TraceID, type Value, toStringLike, typeName } from "./values.ts";

/** A compiled expression: reads a value for one item. */
export type Eval = (tctx: TransformContext) => Value;

const expected = (what: string, v: Value): never => fail(`expected ${what} but got ${v === null ? "nil" : typeName(v)}`);

/** Wraps a raw evaluator with the coercion of a getter parameter type; undefined for non-getter types. */
export function coerceFor(type: ParamType, ev: Eval): ((tctx: TransformContext) => unknown) | undefined {
  switch (type) {
    case "Getter":
      return ev;
    case "StringGetter":
      return (t) => {
        const v = ev(t);
        return typeof v === "string" ? v : expected("string", v);
      };
    case "StringLikeGetter":
      return (t) => stringLike(ev(t));
    case "IntGetter":
      return (t) => {
        const v = ev(t);
        return typeof v === "bigint" ? v : expected("int64", v);
      };
    case "IntLikeGetter":
      return (t) => intLike(ev(t));
    case "FloatGetter":
      return (t) => {
        const v = ev(t);
        return typeof v === "number" ? v : expected("float64", v);
      };
    case "FloatLikeGetter":
      return (t) => floatLike(ev(t));
    case "BoolGetter":
      return (t) => {
        const v = ev(t);
        return typeof v === "boolean" ? v : expected("bool", v);
      };
    case "BoolLikeGetter":
      return (t) => boolLike(ev(t));
    case "PMapGetter":
      return (t) => {
        const v = ev(t);
        return v instanceof PMap ? v : expected("pcommon.Map", v);
      };
    case "PSliceGetter":
      return (t) => {
        const v = ev(t);
        return v instanceof PList ? v : expected("pcommon.Slice", v);
      };
    case "ByteSliceLikeGetter":
      return (t) => byteSliceLike(ev(t));
    case "TimeGetter":
      return (t) => {
        const v = ev(t);
        return v instanceof OTime ? v : expected("time.Time", v);
      };
    case "DurationGetter":
      return (t) => {
        const v = ev(t);
        return v instanceof ODuration ? v : expected("time.Duration", v);
      };
    default:
      return undefined;
  }
}

const unsupported = (v: Value): never => fail(`unsupported type: ${typeName(v)}`);

function stringLike(v: Value): string | null {
  if (v instanceof Opaque) return unsupported(v);
  return toStringLike(v);
}

/** IntLikeGetter: ints; floats truncated toward zero; bools 1/0; decimal strings; nil → nil; else error. */
export function intLike(v: Value): bigint | null {
  if (isScalar(v)) return scalarToInt(v);
  return v === null ? null : unsupported(v);
}

/** FloatLikeGetter: floats; ints widened; bools 1/0; strings parsed (Go ParseFloat); nil → nil; else error. */
export function floatLike(v: Value): number | null {
  if (isScalar(v)) return scalarToDouble(v);
  return v === null ? null : unsupported(v);
}

/** BoolLikeGetter: bools; non-zero numbers true; Go ParseBool strings (others fail); nil → nil; else error. */
export function boolLike(v: Value): boolean | null {
  if (!isScalar(v)) return v === null ? null : unsupported(v);
  const b = scalarToBool(v);
  return b !== null ? b : fail(`strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
}

/** ByteSliceLikeGetter: bytes; ids; strings as UTF-8; ints and floats big-endian; bools one byte. */
export function byteSliceLike(v: Value): Uint8Array | null {
  if (v === null) return null;
  if (v instanceof Uint8Array) return v;
  if (v instanceof TraceID || v instanceof SpanID) return v.bytes;
  switch (typeof v) {
    case "string":
      return new TextEncoder().encode(v);
    case "bigint": {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigInt64(0, v);
      return b;
    }
    case "number": {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, v);
      return b;
    }
    case "boolean":
      return Uint8Array.of(v ? 1 : 0);
  }
  return unsupported(v);
}
