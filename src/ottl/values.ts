// The OTTL value model (ottl.md §2.1). int64 is `bigint`, float64 is `number`, so `1` and `1.0`
// stay distinct at run time. Maps and lists are live views over the protobuf KeyValue[] /
// AnyValue[] arrays of the item, so an editor that receives `span.attributes` changes the span
// in place; writes copy the value being stored (§2.4 "Values are copied on write").

import { base64Encode } from "@bufbuild/protobuf/wire";
import type { AnyValue, ArrayValue, KeyValue, KeyValueList } from "../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import { bytesToHex } from "../otlp/ids.ts";

/** Any value an OTTL expression can produce. `null` is OTTL's nil. */
export type Value =
  | null
  | boolean
  | bigint
  | number
  | string
  | Uint8Array
  | PMap
  | PList
  | TraceID
  | SpanID
  | OTime
  | ODuration
  | Opaque;

/** A 16-byte trace id (`span.trace_id`, `TraceID(...)`); compares as bytes, never nil. */
export class TraceID {
  constructor(readonly bytes: Uint8Array) {}
  /** Lowercase hex, 32 characters for a full id. */
  hex(): string {
    return bytesToHex(this.bytes);
  }
}

/** An 8-byte span id (`span.span_id`, `SpanID(...)`). */
export class SpanID {
  constructor(readonly bytes: Uint8Array) {}
  /** Lowercase hex, 16 characters for a full id. */
  hex(): string {
    return bytesToHex(this.bytes);
  }
}

/** A UTC instant with nanosecond precision (`span.start_time`, `Now()`, `Time()`). */
export class OTime {
  constructor(readonly ns: bigint) {}
}

/** A duration in nanoseconds (`Duration("1h")`, time − time). */
export class ODuration {
  constructor(readonly ns: bigint) {}
}

/** A whole object (`resource`, `span.status`, `span.events`, …): passed around, not inspected. */
export class Opaque {
  constructor(
    /** What it is, for messages: "resource", "events", "status", … */
    readonly kind: string,
    readonly ref: unknown,
  ) {}
}

// Message constructors. Plain objects of the shape protobuf-es' create() returns (proto3 messages
// are plain objects): create() costs ~1.8 µs per attribute, which dominates a transform that
// sets a few attributes per data point.

/** A new empty AnyValue message. */
export function newAnyValue(): AnyValue {
  return { $typeName: "opentelemetry.proto.common.v1.AnyValue", value: { case: undefined } } as AnyValue;
}

/** A new KeyValue message holding `value` (not copied). */
export function newKeyValue(key: string, value: AnyValue): KeyValue {
  return { $typeName: "opentelemetry.proto.common.v1.KeyValue", key, value, keyStrindex: 0 } as KeyValue;
}

/** A new KeyValueList message over `values` (not copied). */
export function newKeyValueList(values: KeyValue[] = []): KeyValueList {
  return { $typeName: "opentelemetry.proto.common.v1.KeyValueList", values } as KeyValueList;
}

/** A new ArrayValue message over `values` (not copied). */
export function newArrayValue(values: AnyValue[] = []): ArrayValue {
  return { $typeName: "opentelemetry.proto.common.v1.ArrayValue", values } as ArrayValue;
}

/** A live view over a KeyValue[] (attributes, kvlist values, map literals). First key wins, as in pdata. */
export class PMap {
  constructor(readonly kvs: KeyValue[] = []) {}

  /** A new, detached map from entries (values are copied). */
  static of(entries: Iterable<readonly [string, Value]>): PMap {
    const m = new PMap();
    for (const [k, v] of entries) m.set(k, v);
    return m;
  }

  /** Number of entries. */
  get size(): number {
    return this.kvs.length;
  }

  /** The stored AnyValue of a key (live), or undefined. */
  slot(key: string): AnyValue | undefined {
    const kvs = this.kvs;
    for (let i = 0; i < kvs.length; i++) {
      const kv = kvs[i]!;
      if (kv.key === key) return kv.value ?? (kv.value = newAnyValue());
    }
    return undefined;
  }

  /** The value of a key; nil when missing or empty. */
  get(key: string): Value {
    return fromAny(this.slot(key));
  }

  /** Whether the key exists (even with an empty value). */
  has(key: string): boolean {
    return this.kvs.some((kv) => kv.key === key);
  }

  /** Stores a copy of `v` under `key` (insert or update); nil stores an empty value. */
  set(key: string, v: Value): void {
    const slot = this.slot(key);
    if (slot) writeAny(slot, v);
    else this.kvs.push(newKeyValue(key, toAny(v)));
  }

  /** The stored AnyValue of a key, created empty when missing (for nested writes). */
  ensureSlot(key: string): AnyValue {
    const slot = this.slot(key);
    if (slot) return slot;
    const value = newAnyValue();
    this.kvs.push(newKeyValue(key, value));
    return value;
  }

  /** Removes every entry with this key; returns whether one existed. */
  delete(key: string): boolean {
    return this.removeIf((k) => k === key) > 0;
  }

  /** Removes entries for which `drop` is true, in place; returns how many were removed. */
  removeIf(drop: (key: string, value: Value) => boolean): number {
    const kvs = this.kvs;
    let w = 0;
    for (let r = 0; r < kvs.length; r++) {
      const kv = kvs[r]!;
      if (!drop(kv.key, fromAny(kv.value))) kvs[w++] = kv;
    }
    const removed = kvs.length - w;
    kvs.length = w;
    return removed;
  }

  /** Keys in stored order. */
  keys(): string[] {
    return this.kvs.map((kv) => kv.key);
  }

  /** [key, value] pairs in stored order (values are live views for maps/lists). */
  entries(): Array<[string, Value]> {
    return this.kvs.map((kv) => [kv.key, fromAny(kv.value)]);
  }

  /** Replaces the whole content with a copy of `other` (safe when other shares entries). */
  replaceWith(other: PMap): void {
    const copy = other.kvs.map((kv) => newKeyValue(kv.key, copyAny(kv.value)));
    this.kvs.length = 0;
    for (const kv of copy) this.kvs.push(kv);
  }
}

/** A live view over an AnyValue[] (array values, list literals, Split results). */
export class PList {
  constructor(readonly items: AnyValue[] = []) {}

  /** A new, detached list (values are copied). */
  static of(values: Iterable<Value>): PList {
    const l = new PList();
    for (const v of values) l.push(v);
    return l;
  }

  /** Number of elements. */
  get length(): number {
    return this.items.length;
  }

  /** The element at `i` (caller checks bounds). */
  get(i: number): Value {
    return fromAny(this.items[i]);
  }

  /** Overwrites element `i` with a copy of `v`. */
  set(i: number, v: Value): void {
    writeAny(this.items[i]!, v);
  }

  /** Appends a copy of `v`. */
  push(v: Value): void {
    this.items.push(toAny(v));
  }

  /** All elements (maps/lists as live views). */
  values(): Value[] {
    return this.items.map(fromAny);
  }
}

/** Reads an AnyValue as an OTTL value; maps and lists are live views, unset is nil. */
export function fromAny(av: AnyValue | undefined): Value {
  if (av === undefined) return null;
  const v = av.value;
  switch (v.case) {
    case "stringValue":
      return v.value;
    case "intValue":
      return v.value;
    case "doubleValue":
      return v.value;
    case "boolValue":
      return v.value;
    case "bytesValue":
      return v.value;
    case "kvlistValue":
      return new PMap(v.value.values);
    case "arrayValue":
      return new PList(v.value.values);
    default:
      return null;
  }
}

/** A new AnyValue holding a copy of `v`. */
export function toAny(v: Value): AnyValue {
  const av = newAnyValue();
  writeAny(av, v);
  return av;
}

/**
 * Stores a copy of `v` into `av` in place. Ids become bytes; time and duration become int
 * nanoseconds (pdata has no such attribute types); opaque handles cannot be stored.
 */
export function writeAny(av: AnyValue, v: Value): void {
  if (v === null) av.value = { case: undefined };
  else if (typeof v === "string") av.value = { case: "stringValue", value: v };
  else if (typeof v === "bigint") av.value = { case: "intValue", value: BigInt.asIntN(64, v) };
  else if (typeof v === "number") av.value = { case: "doubleValue", value: v };
  else if (typeof v === "boolean") av.value = { case: "boolValue", value: v };
  else if (v instanceof Uint8Array) av.value = { case: "bytesValue", value: v.slice() };
  else if (v instanceof PMap) {
    const values = v.kvs.map((kv) => newKeyValue(kv.key, copyAny(kv.value)));
    av.value = { case: "kvlistValue", value: newKeyValueList(values) };
  } else if (v instanceof PList) {
    av.value = { case: "arrayValue", value: newArrayValue(v.items.map(copyAny)) };
  } else if (v instanceof TraceID || v instanceof SpanID) av.value = { case: "bytesValue", value: v.bytes.slice() };
  else if (v instanceof OTime || v instanceof ODuration) av.value = { case: "intValue", value: v.ns };
  else throw new TypeError(`cannot store ${typeName(v)} as an attribute value`);
}

/** A deep copy of an AnyValue (undefined → empty value). */
export function copyAny(av: AnyValue | undefined): AnyValue {
  return toAny(fromAny(av));
}

/** Go/pdata-style type name used in messages ("Str", "Int", "Double", "Map", …). */
export function typeName(v: Value): string {
  if (v === null) return "Empty";
  switch (typeof v) {
    case "string":
      return "Str";
    case "bigint":
      return "Int";
    case "number":
      return "Double";
    case "boolean":
      return "Bool";
  }
  if (v instanceof Uint8Array) return "Bytes";
  if (v instanceof PMap) return "Map";
  if (v instanceof PList) return "Slice";
  if (v instanceof TraceID) return "TraceID";
  if (v instanceof SpanID) return "SpanID";
  if (v instanceof OTime) return "Time";
  if (v instanceof ODuration) return "Duration";
  return v.kind;
}

/** Converts a plain JS value (parsed JSON, literals in tests) to a detached OTTL value; JS numbers are floats. */
export function fromPlain(x: unknown): Value {
  if (x === null || x === undefined) return null;
  switch (typeof x) {
    case "string":
    case "boolean":
    case "bigint":
    case "number":
      return x;
  }
  if (x instanceof Uint8Array || x instanceof PMap || x instanceof PList) return x;
  if (x instanceof TraceID || x instanceof SpanID || x instanceof OTime || x instanceof ODuration) return x;
  if (Array.isArray(x)) return PList.of(x.map(fromPlain));
  if (typeof x === "object") return PMap.of(Object.entries(x as Record<string, unknown>).map(([k, v]) => [k, fromPlain(v)] as const));
  throw new TypeError(`unsupported value ${String(x)}`);
}

/** Converts an OTTL value to plain JS (maps → objects, lists → arrays); for tests and JSON. */
export function toPlain(v: Value): unknown {
  if (v instanceof PMap) return Object.fromEntries(v.kvs.map((kv) => [kv.key, toPlain(fromAny(kv.value))]));
  if (v instanceof PList) return v.items.map((av) => toPlain(fromAny(av)));
  return v;
}

/** Go's strconv/JSON float formatting: shortest round-trip, exponent form below 1e-6 and from 1e21. */
export function formatFloat(f: number): string {
  if (Number.isNaN(f)) return "NaN";
  if (!Number.isFinite(f)) return f > 0 ? "+Inf" : "-Inf";
  const abs = Math.abs(f);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
    // JS writes 1e-7 / 1e+21; Go pads the exponent to two digits: 1e-07 / 1e+21.
    return f.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
  }
  return String(f);
}

/** JSON text of a value the way Go's encoding/json writes pcommon AsRaw(): map keys sorted. */
export function toJSON(v: Value): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "string":
      return JSON.stringify(v);
    case "bigint":
      return v.toString();
    case "number":
      return Number.isFinite(v) ? formatFloat(v) : JSON.stringify(formatFloat(v));
    case "boolean":
      return v ? "true" : "false";
  }
  if (v instanceof Uint8Array) return JSON.stringify(base64Encode(v, "std"));
  if (v instanceof PMap) {
    const seen = new Map<string, Value>();
    for (const kv of v.kvs) if (!seen.has(kv.key)) seen.set(kv.key, fromAny(kv.value));
    const keys = [...seen.keys()].sort(compareUtf8);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${toJSON(seen.get(k)!)}`).join(",")}}`;
  }
  if (v instanceof PList) return `[${v.items.map((av) => toJSON(fromAny(av))).join(",")}]`;
  if (v instanceof TraceID || v instanceof SpanID) return JSON.stringify(v.hex());
  if (v instanceof OTime || v instanceof ODuration) return v.ns.toString();
  return JSON.stringify(v.kind);
}

/**
 * The StringLikeGetter conversion (ottl.md §1.7): strings as is, numbers and bools formatted,
 * bytes as lowercase hex, ids as hex, maps and lists as JSON; nil → nil.
 */
export function toStringLike(v: Value): string | null {
  if (v === null) return null;
  switch (typeof v) {
    case "string":
      return v;
    case "bigint":
      return v.toString();
    case "number":
      return formatFloat(v);
    case "boolean":
      return v ? "true" : "false";
  }
  if (v instanceof Uint8Array) return bytesToHex(v);
  if (v instanceof TraceID || v instanceof SpanID) return v.hex();
  return toJSON(v);
}

/** Byte-wise (UTF-8) order of two strings, as Go compares strings (ottl.md §2.3). */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 order differs from code point (= UTF-8) order only when a surrogate meets a
    // code unit in U+E000..U+FFFF; surrogates (astral chars) then sort last.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** UTF-8 byte length of a string. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
