// Type conversion and type tests (ottl.md §5.3 "Type conversion and type tests"): Int, Double,
// String, Bool, ParseInt, IsString, IsInt, IsDouble, IsBool, IsMap, IsList, IsEmpty. The
// conversions return nil (never an error) for values they cannot convert; the tests never fail.

import {
  ODuration,
  OTime,
  type OttlFunction,
  PList,
  PMap,
  SpanID,
  TraceID,
  type Value,
  defineConverter,
  fail,
  typeName,
} from "../../function_api.ts";
import { isScalar, parseGoIntBase, scalarToBool, scalarToDouble, scalarToInt } from "../../gonum.ts";

/** Int's conversion: float truncated, bool 1/0, decimal string parsed; anything else nil. */
export const toIntOrNil = (v: Value): bigint | null => (isScalar(v) ? scalarToInt(v) : null);

/** Double's conversion: int widened, bool 1/0, string parsed (Go syntax); anything else nil. */
export const toDoubleOrNil = (v: Value): number | null => (isScalar(v) ? scalarToDouble(v) : null);

/** Bool's conversion: numbers non-zero, strconv.ParseBool strings; anything else nil. */
export const toBoolOrNil = (v: Value): boolean | null => (isScalar(v) ? scalarToBool(v) : null);

/** Int(value): int or nil (ottl.md §5.3; E16: `Int("2.0")` is nil). */
export const intConverter = defineConverter({
  name: "Int",
  params: { value: "Getter" },
  create: ({ value }) => (tctx) => toIntOrNil(value.get(tctx)),
});

/** Double(value): float or nil. */
export const doubleConverter = defineConverter({
  name: "Double",
  params: { value: "Getter" },
  create: ({ value }) => (tctx) => toDoubleOrNil(value.get(tctx)),
});

/** Bool(value): bool or nil. */
export const boolConverter = defineConverter({
  name: "Bool",
  params: { value: "Getter" },
  create: ({ value }) => (tctx) => toBoolOrNil(value.get(tctx)),
});

/** String(value): the StringLikeGetter rendering (bytes as hex, maps/lists as JSON); nil stays nil. */
export const stringConverter = defineConverter({
  name: "String",
  params: { value: "StringLikeGetter" },
  create: ({ value }) => (tctx) => value.get(tctx),
});

/** ParseInt(target, base): strconv.ParseInt; base 0 or 2–36; failure is an error. */
export const parseIntConverter = defineConverter({
  name: "ParseInt",
  params: { target: "StringGetter", base: "IntGetter" },
  create({ target, base }, cx) {
    const lit = base.literal?.value;
    if (typeof lit === "bigint" && !validBase(lit)) cx.fail("base", `invalid base ${lit}: must be 0 or between 2 and 36`);
    return (tctx) => {
      const s = target.get(tctx);
      const b = base.get(tctx);
      if (!validBase(b)) fail(`invalid base ${b}: must be 0 or between 2 and 36`);
      const v = parseGoIntBase(s, Number(b));
      if (v === null) fail(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax or value out of range`);
      return v;
    };
  },
});

function validBase(b: bigint): boolean {
  return b === 0n || (b >= 2n && b <= 36n);
}

/** A type test converter: never fails, nil is false. */
function typeTest(name: string, test: (v: Value) => boolean): OttlFunction {
  return defineConverter({
    name,
    params: { value: "Getter" },
    create: ({ value }) => (tctx) => test(value.get(tctx)),
  });
}

/** Go's zero time.Time (0001-01-01T00:00:00Z) in Unix nanoseconds. */
const GO_ZERO_TIME_NS = -62_135_596_800n * 1_000_000_000n;

/** IsEmpty's notion of emptiness: nil, "", 0, false, empty bytes/map/list, all-zero ids, zero durations. */
export function isEmptyValue(v: Value): boolean {
  if (v === null) return true;
  switch (typeof v) {
    case "string":
      return v === "";
    case "bigint":
      return v === 0n;
    case "number":
      return v === 0;
    case "boolean":
      return !v;
  }
  if (v instanceof Uint8Array) return v.length === 0;
  if (v instanceof PMap) return v.size === 0;
  if (v instanceof PList) return v.length === 0;
  if (v instanceof TraceID || v instanceof SpanID) return v.bytes.every((b) => b === 0);
  if (v instanceof ODuration) return v.ns === 0n;
  if (v instanceof OTime) return v.ns === GO_ZERO_TIME_NS;
  return false;
}

/** The type tests of ottl.md §5.3. */
export const TYPE_TESTS: readonly OttlFunction[] = [
  typeTest("IsString", (v) => typeof v === "string"),
  typeTest("IsInt", (v) => typeof v === "bigint"),
  typeTest("IsDouble", (v) => typeof v === "number"),
  typeTest("IsBool", (v) => typeof v === "boolean"),
  typeTest("IsMap", (v) => v instanceof PMap),
  typeTest("IsList", (v) => v instanceof PList),
  typeTest("IsEmpty", isEmptyValue),
];

/** Log(value): natural logarithm of a float-like value; nil, unparsable or ≤ 0 → error. */
export const logConverter = defineConverter({
  name: "Log",
  params: { value: "Getter" },
  create: ({ value }) => (tctx) => {
    const v = value.get(tctx);
    const f = toDoubleOrNil(v);
    if (f === null) return fail(`Log: expected a number, got ${typeName(v)}`);
    if (!(f > 0)) return fail(`Log: the value must be greater than 0, got ${f}`);
    return Math.log(f);
  },
});

/** Every converter of this file. */
export const TYPE_CONVERTERS: readonly OttlFunction[] = [
  intConverter,
  doubleConverter,
  boolConverter,
  stringConverter,
  parseIntConverter,
  logConverter,
  ...TYPE_TESTS,
];
