// Comparisons with OTTL's exact cross-type rules (ottl.md §2.3): no coercion between strings and
// numbers, int vs float numeric, nil equal only to nil, maps/lists by deep equality. An invalid
// pairing is never an error: `!=` yields true and every other operator false.

import { compareUtf8, fromAny, ODuration, OTime, PList, PMap, SpanID, TraceID, type Value } from "./values.ts";

/** A comparison operator. */
export type CmpOp = "==" | "!=" | "<" | "<=" | ">" | ">=";

/** Evaluates `a op b` by the §2.3 table. */
export function compare(a: Value, b: Value, op: CmpOp): boolean {
  const order = orderOf(a, b, op);
  if (order === undefined) return op === "!=";
  switch (op) {
    case "==":
      return order === 0;
    case "!=":
      return order !== 0;
    case "<":
      return order < 0;
    case "<=":
      return order <= 0;
    case ">":
      return order > 0;
    case ">=":
      return order >= 0;
  }
}

/** Deep OTTL equality (`==`), as used by `ContainsValue` and friends. */
export function valuesEqual(a: Value, b: Value): boolean {
  return compare(a, b, "==");
}

/**
 * -1/0/1 for comparable pairs; NaN for unordered floats (all ordered ops then false, `!=` true);
 * undefined for invalid pairings. Maps/lists support only equality: for them, an ordering op
 * returns undefined.
 */
function orderOf(a: Value, b: Value, op: CmpOp): number | undefined {
  if (a === null || b === null) return nilOrder(a, b);
  switch (typeof a) {
    case "bigint":
      if (typeof b === "bigint") return a < b ? -1 : a > b ? 1 : 0;
      if (typeof b === "number") return numOrder(Number(a), b);
      return undefined;
    case "number":
      if (typeof b === "number") return numOrder(a, b);
      if (typeof b === "bigint") return numOrder(a, Number(b));
      return undefined;
    case "string":
      return typeof b === "string" ? Math.sign(compareUtf8(a, b)) : undefined;
    case "boolean":
      return typeof b === "boolean" ? Number(a) - Number(b) : undefined;
  }
  if (a instanceof Uint8Array) return b instanceof Uint8Array ? bytesOrder(a, b) : undefined;
  if (a instanceof TraceID) return b instanceof TraceID ? bytesOrder(a.bytes, b.bytes) : undefined;
  if (a instanceof SpanID) return b instanceof SpanID ? bytesOrder(a.bytes, b.bytes) : undefined;
  if (a instanceof OTime) return b instanceof OTime ? bigOrder(a.ns, b.ns) : undefined;
  if (a instanceof ODuration) return b instanceof ODuration ? bigOrder(a.ns, b.ns) : undefined;
  if (op !== "==" && op !== "!=") return undefined;
  if (a instanceof PMap) return b instanceof PMap ? (mapsEqual(a, b) ? 0 : 1) : undefined;
  if (a instanceof PList) return b instanceof PList ? (listsEqual(a, b) ? 0 : 1) : undefined;
  return a === b ? 0 : undefined;
}

/** nil equals nil (and an empty byte array, Go's nil slice); nil vs anything else is invalid. */
function nilOrder(a: Value, b: Value): number | undefined {
  const other = a === null ? b : a;
  if (other === null) return 0;
  if (other instanceof Uint8Array && other.length === 0) return 0;
  return undefined;
}

function numOrder(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : a === b ? 0 : NaN;
}

function bigOrder(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function bytesOrder(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return Math.sign(a.length - b.length);
}

/** pcommon.Map.Equal: same keys, values equal with the same type (1 ≠ 1.0 inside maps); order ignored. */
function mapsEqual(a: PMap, b: PMap): boolean {
  if (a.size !== b.size) return false;
  for (const kv of a.kvs) {
    const other = b.slot(kv.key);
    if (other === undefined || !storedEqual(fromAny(kv.value), fromAny(other))) return false;
  }
  return true;
}

function listsEqual(a: PList, b: PList): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!storedEqual(a.get(i), b.get(i))) return false;
  return true;
}

/** Equality of stored attribute values: types must match exactly. */
function storedEqual(a: Value, b: Value): boolean {
  if (typeof a !== typeof b) return false;
  if ((a === null) !== (b === null)) return false;
  return compare(a, b, "==");
}
