// Path machinery shared by every context (ottl.md §2.4): the shape of a path table entry, the key
// walkers for reading and writing `x["a"][0]…`, and typed field helpers. Reads of missing keys
// give nil; writes create missing map keys (and empty intermediates); wrong kinds are errors.

import type { AnyValue } from "../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import { fail } from "./errors.ts";
import { bytesToHex, hexToBytes } from "../otlp/ids.ts";
import type { TransformContext } from "./tctx.ts";
import { OTime, PList, PMap, SpanID, TraceID, type Value, fromAny, newAnyValue, newArrayValue, newKeyValue, newKeyValueList, toAny, typeName, writeAny } from "./values.ts";

/** Evaluates one key of a path for an item: a string (maps) or an int (lists). */
export type KeyFn = (tctx: TransformContext) => string | bigint;

/** Access to a path that accepts keys. */
export interface KeyedAccess {
  get(tctx: TransformContext, keys: readonly KeyFn[]): Value;
  set(tctx: TransformContext, keys: readonly KeyFn[], v: Value): void;
}

/** One entry of a context's path table. */
export interface PathDef {
  get(tctx: TransformContext): Value;
  /** Absent for read-only paths. */
  set?(tctx: TransformContext, v: Value): void;
  /** Why the path cannot be written (shown at load time). */
  readOnly?: string;
  /** Sub-fields: `trace_id.string`, `status.code`, `positive.offset`. */
  fields?: Readonly<Record<string, PathDef>>;
  /** Present when the path accepts keys (`attributes["k"]`). */
  keyed?: KeyedAccess;
}

/** Reads `start[k0][k1]…` (upstream getIndexableValue): a missing map key ends the walk with nil. */
export function readKeys(tctx: TransformContext, start: Value, keys: readonly KeyFn[]): Value {
  let cur = start;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!(tctx);
    if (cur instanceof PMap) {
      if (typeof k !== "string") fail("map must be indexed by a string");
      const slot = cur.slot(k);
      if (slot === undefined) return null;
      if (slot.value.case === undefined && i < keys.length - 1) fail("type Empty does not support string indexing");
      cur = fromAny(slot);
    } else if (cur instanceof PList) {
      if (typeof k !== "bigint") fail("slice must be indexed by an int");
      if (k < 0n || k >= BigInt(cur.length)) fail(`index ${k} out of bounds`);
      cur = cur.get(Number(k));
    } else {
      fail(`type ${typeName(cur)} does not support ${typeof k === "string" ? "string" : "int"} indexing`);
    }
  }
  return cur;
}

/**
 * Writes `v` at `root[k0][k1]…` (upstream setIndexableValue): missing map keys are created, an
 * empty value becomes a map (string key) or a list padded to the index (int key); lists never grow
 * past their end; scalars cannot be indexed.
 */
export function writeKeys(tctx: TransformContext, root: AnyValue, keys: readonly KeyFn[], v: Value): void {
  let cur = root;
  for (const keyFn of keys) {
    const k = keyFn(tctx);
    const val = cur.value;
    if (val.case === "kvlistValue") {
      if (typeof k !== "string") fail("map must be indexed by a string");
      cur = new PMap(val.value.values).ensureSlot(k);
    } else if (val.case === "arrayValue") {
      if (typeof k !== "bigint") fail("slice must be indexed by an int");
      const items = val.value.values;
      if (k < 0n || k >= BigInt(items.length)) fail(`index ${k} out of bounds`);
      cur = items[Number(k)]!;
    } else if (val.case === undefined) {
      if (typeof k === "string") {
        const list = newKeyValueList();
        cur.value = { case: "kvlistValue", value: list };
        cur = new PMap(list.values).ensureSlot(k);
      } else {
        if (k < 0n) fail(`index ${k} out of bounds`);
        const arr = newArrayValue();
        for (let n = 0n; n <= k; n++) arr.values.push(newAnyValue());
        cur.value = { case: "arrayValue", value: arr };
        cur = arr.values[arr.values.length - 1]!;
      }
    } else {
      fail(`type ${typeName(fromAny(cur))} does not support ${typeof k === "string" ? "string" : "int"} indexing`);
    }
  }
  writeAny(cur, v);
}

/** Keyed access for a map path (attributes, cache, metadata). */
export function mapKeyed(root: (tctx: TransformContext) => PMap): KeyedAccess {
  return {
    get: (tctx, keys) => readKeys(tctx, root(tctx), keys),
    set(tctx, keys, v) {
      const k = keys[0]!(tctx);
      if (typeof k !== "string") fail("map must be indexed by a string");
      const m = root(tctx);
      const existing = m.slot(k);
      if (keys.length === 1) {
        // The common case (`set(attributes["k"], v)`): no walk, one allocation.
        if (existing) writeAny(existing, v);
        else m.kvs.push(newKeyValue(k, toAny(v)));
        return;
      }
      if (existing) return writeKeys(tctx, existing, keys.slice(1), v);
      // Build the new value aside first, so a failing key leaves no empty entry behind.
      const fresh = newAnyValue();
      writeKeys(tctx, fresh, keys.slice(1), v);
      m.ensureSlot(k).value = fresh.value;
    },
  };
}

/** A map path: reads the live map, writes replace its content with a copy (§2.4). */
export function mapPath(root: (tctx: TransformContext) => PMap, what: string): PathDef {
  return {
    get: root,
    set(tctx, v) {
      if (!(v instanceof PMap)) fail(`${what} must be set to a map, got ${typeName(v)}`);
      root(tctx).replaceWith(v);
    },
    keyed: mapKeyed(root),
  };
}

/** A string field. */
export function stringField(get: (tctx: TransformContext) => string, set: (tctx: TransformContext, v: string) => void, what: string): PathDef {
  return {
    get,
    set(tctx, v) {
      if (typeof v !== "string") fail(`${what} must be a string, got ${typeName(v)}`);
      set(tctx, v);
    },
  };
}

/** A bool field. */
export function boolField(get: (tctx: TransformContext) => boolean | null, set: (tctx: TransformContext, v: boolean) => void, what: string): PathDef {
  return {
    get,
    set(tctx, v) {
      if (typeof v !== "boolean") fail(`${what} must be a bool, got ${typeName(v)}`);
      set(tctx, v);
    },
  };
}

/** An int64 field stored as bigint (timestamps, counts). */
export function int64Field(get: (tctx: TransformContext) => bigint | null, set: (tctx: TransformContext, v: bigint) => void, what: string, unsigned = true): PathDef {
  return {
    get,
    set(tctx, v) {
      const n = requireInt(v, what);
      set(tctx, unsigned ? BigInt.asUintN(64, n) : BigInt.asIntN(64, n));
    },
  };
}

/** A 32-bit int field stored as a JS number (enums, flags, dropped counts). */
export function int32Field(get: (tctx: TransformContext) => number | null, set: (tctx: TransformContext, v: number) => void, what: string, unsigned: boolean): PathDef {
  return {
    get: (tctx) => {
      const n = get(tctx);
      return n === null ? null : BigInt(n);
    },
    set(tctx, v) {
      const n = requireInt(v, what);
      const [min, max] = unsigned ? [0n, 0xffffffffn] : [-(1n << 31n), (1n << 31n) - 1n];
      if (n < min || n > max) fail(`${what} must be between ${min} and ${max}, got ${n}`);
      set(tctx, Number(n));
    },
  };
}

/** A float field. */
export function floatField(get: (tctx: TransformContext) => number | null, set: (tctx: TransformContext, v: number) => void, what: string): PathDef {
  return {
    get,
    set(tctx, v) {
      if (typeof v !== "number") fail(`${what} must be a float (double), got ${typeName(v)}`);
      set(tctx, v);
    },
  };
}

/** A time field over a unix-nano bigint (`span.start_time`). */
export function timeField(get: (tctx: TransformContext) => bigint | null, set: (tctx: TransformContext, ns: bigint) => void, what: string): PathDef {
  return {
    get: (tctx) => {
      const ns = get(tctx);
      return ns === null ? null : new OTime(ns);
    },
    set(tctx, v) {
      if (!(v instanceof OTime)) fail(`${what} must be a time, got ${typeName(v)}`);
      set(tctx, BigInt.asUintN(64, v.ns));
    },
  };
}

/** A trace or span id field with its `.string` hex sub-field. */
export function idField(kind: "trace" | "span", get: (tctx: TransformContext) => Uint8Array, set: (tctx: TransformContext, b: Uint8Array) => void, what: string): PathDef {
  const size = kind === "trace" ? 16 : 8;
  const Id = kind === "trace" ? TraceID : SpanID;
  const zero = new Uint8Array(size);
  const bytesOf = (tctx: TransformContext) => {
    const b = get(tctx);
    return b.length === size ? b : zero; // unset ids read as all zeros, never nil (§2.3)
  };
  return {
    get: (tctx) => new Id(bytesOf(tctx)),
    set(tctx, v) {
      if (!(v instanceof Id)) fail(`${what} must be a ${kind === "trace" ? "TraceID" : "SpanID"}, got ${typeName(v)}`);
      set(tctx, v.bytes.slice());
    },
    fields: {
      string: {
        get: (tctx) => {
          const b = get(tctx);
          return b.length === size && b.some((x) => x !== 0) ? bytesToHex(b) : "";
        },
        set(tctx, v) {
          if (typeof v !== "string") fail(`${what}.string must be a string, got ${typeName(v)}`);
          if (v === "") return set(tctx, new Uint8Array(0));
          const b = v.length === 2 * size ? hexToBytes(v) : undefined;
          if (!b) fail(`${what}.string must be ${2 * size} hex characters, got ${JSON.stringify(v)}`);
          set(tctx, b);
        },
      },
    },
  };
}

/** A whole-object path that can be read (as an opaque handle) but not written. */
export function opaquePath(get: (tctx: TransformContext) => Value, reason: string): PathDef {
  return { get, readOnly: reason };
}

function requireInt(v: Value, what: string): bigint {
  if (typeof v !== "bigint") fail(`${what} must be an int, got ${typeName(v)}`);
  return v;
}

/** A list of ints copied out of a repeated field (bucket counts). */
export function intList(values: readonly bigint[]): PList {
  return PList.of(values);
}

/** Reads a list value of ints for a repeated field; every element must be an int. */
export function toIntArray(v: Value, what: string): bigint[] {
  if (!(v instanceof PList)) fail(`${what} must be a list of ints, got ${typeName(v)}`);
  return v.values().map((x) => {
    if (typeof x !== "bigint") fail(`${what} must be a list of ints, found ${typeName(x)}`);
    return BigInt.asUintN(64, x);
  });
}

/** Reads a list value of floats for a repeated field; every element must be a float. */
export function toFloatArray(v: Value, what: string): number[] {
  if (!(v instanceof PList)) fail(`${what} must be a list of floats, got ${typeName(v)}`);
  return v.values().map((x) => {
    if (typeof x !== "number") fail(`${what} must be a list of floats, found ${typeName(x)}`);
    return x;
  });
}
