// Partitioning a batch into n batches, for routing (otelcol.exporter.loadbalancing): whole
// resource entries by a resource key, or single spans / log records by their trace id. Trace-id
// partitioning reads each item's trace_id straight from the raw scope bytes, so lite entries stay
// lite: items are copied byte for byte, the resource and scope header are repeated in every part.

import { clone } from "@bufbuild/protobuf";
import type { Resource } from "../../gen/opentelemetry/proto/resource/v1/resource_pb.ts";
import { type Entry, LiteEntry, cloneEntry } from "./batch_entry.ts";
import { type Codec, type EntryMsg, type ScopeMsg, listOf, setList } from "./batch_signals.ts";
import { ByteBuilder, WT_LEN, WireReader } from "./wire.ts";

/** How to pick a part: by resource (whole entries move), or by each item's trace id (traces, logs). */
export type Route = { by: "resource"; pick(resource: Resource | undefined): number } | { by: "traceId"; pick(traceId: Uint8Array): number };

/** Wire number of trace_id in Span (1) and in LogRecord (9). */
const TRACE_ID_FIELD: Record<string, number> = { traces: 1, logs: 9 };

const EMPTY: Uint8Array = new Uint8Array(0);

/** The trace_id of one encoded Span / LogRecord (last occurrence wins, as in a decoder); empty when absent. */
export function traceIdOf(item: Uint8Array, field: number): Uint8Array {
  const r = new WireReader(item);
  let id = EMPTY;
  while (r.pos < item.length) {
    const tag = r.tag(item.length);
    if (tag >>> 3 === field && (tag & 7) === WT_LEN) {
      const len = r.length(item.length);
      id = item.subarray(r.pos, r.pos + len);
      r.pos += len;
    } else r.skip(tag & 7, item.length);
  }
  return id;
}

/**
 * Splits encoded scope bytes into per-part scope bytes by each item's trace id. Non-item fields
 * (scope, schema_url, unknown fields) are repeated in every part, in their original order. Returns
 * only parts that received items, with their item counts. The input must have passed scan().
 */
export function partitionScopeBytes(codec: Codec, blob: Uint8Array, pick: (traceId: Uint8Array) => number): Map<number, { bytes: Uint8Array; count: number }> {
  const idField = TRACE_ID_FIELD[codec.signal];
  if (idField === undefined) throw new Error(`cannot partition ${codec.signal} by trace id`);
  const r = new WireReader(blob);
  const end = blob.length;
  // Every field in order, with the part of an item, or -1 for a field every part repeats.
  const fields: { bytes: Uint8Array; part: number }[] = [];
  const counts = new Map<number, number>();
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.tag(end);
    if (tag >>> 3 !== codec.scopeItemsField || (tag & 7) !== WT_LEN) {
      r.skip(tag & 7, end);
      fields.push({ bytes: blob.subarray(start, r.pos), part: -1 });
      continue;
    }
    const len = r.length(end);
    const body = blob.subarray(r.pos, r.pos + len);
    r.pos += len;
    const part = pick(traceIdOf(body, idField));
    fields.push({ bytes: blob.subarray(start, r.pos), part });
    counts.set(part, (counts.get(part) ?? 0) + 1);
  }
  const out = new Map<number, { bytes: Uint8Array; count: number }>();
  for (const [part, count] of counts) {
    const b = new ByteBuilder();
    for (const f of fields) if (f.part === -1 || f.part === part) b.push(f.bytes);
    out.set(part, { bytes: b.finish(), count });
  }
  return out;
}

/** Partitions entries into `n` lists; the entries given are consumed (moved or cut up). */
export function partitionEntries(codec: Codec, entries: readonly Entry[], n: number, route: Route): Entry[][] {
  const parts: Entry[][] = Array.from({ length: n }, () => []);
  const check = (p: number): number => {
    if (!Number.isInteger(p) || p < 0 || p >= n) throw new RangeError(`partition: pick returned ${p}, want 0..${n - 1}`);
    return p;
  };
  for (const e of entries) {
    const msg = e instanceof LiteEntry ? e.msg : e;
    if (route.by === "resource") {
      parts[check(route.pick(msg.resource))]!.push(e);
      continue;
    }
    const pick = (id: Uint8Array) => check(route.pick(id));
    const split = e instanceof LiteEntry ? partitionLite(codec, e, pick) : partitionFull(codec, e, pick);
    for (const [p, piece] of split) parts[p]!.push(piece);
  }
  return parts;
}

/** Cuts one lite entry by trace id; scope entries without items go with the lowest part used (part 0 if none). */
function partitionLite(codec: Codec, e: LiteEntry, pick: (id: Uint8Array) => number): Map<number, Entry> {
  const scopes = listOf<Uint8Array>(e.msg, codec.scopesKey);
  // Per part: scope bytes and counts, in the entry's scope order.
  const perPart = new Map<number, { scopes: Uint8Array[]; counts: number[] }>();
  const empties: Uint8Array[] = [];
  for (let i = 0; i < scopes.length; i++) {
    if (e.counts[i] === 0) {
      empties.push(scopes[i]!);
      continue;
    }
    for (const [p, piece] of partitionScopeBytes(codec, scopes[i]!, pick)) {
      let acc = perPart.get(p);
      if (!acc) perPart.set(p, (acc = { scopes: [], counts: [] }));
      acc.scopes.push(piece.bytes);
      acc.counts.push(piece.count);
    }
  }
  if (perPart.size === 0 && empties.length === 0) return new Map([[0, e]]);
  if (perPart.size === 1 && empties.length === 0) return new Map([[perPart.keys().next().value!, e]]);
  if (empties.length > 0) {
    const p = perPart.size === 0 ? 0 : Math.min(...perPart.keys());
    const acc = perPart.get(p) ?? { scopes: [], counts: [] };
    for (const s of empties) acc.scopes.push(s), acc.counts.push(0);
    perPart.set(p, acc);
  }
  const out = new Map<number, Entry>();
  for (const [p, acc] of perPart) {
    const piece = cloneEntry(codec, e) as LiteEntry;
    setList(piece.msg, codec.scopesKey, acc.scopes);
    piece.counts = acc.counts;
    piece.items = -1;
    out.set(p, piece);
  }
  return out;
}

/** Cuts one full entry by trace id, on messages. */
function partitionFull(codec: Codec, e: EntryMsg, pick: (id: Uint8Array) => number): Map<number, Entry> {
  const key = codec.itemsKey!;
  const scopes = listOf<ScopeMsg>(e, codec.scopesKey);
  setList(e, codec.scopesKey, []); // detached so clone() copies only the resource part
  const out = new Map<number, EntryMsg>();
  const entryFor = (p: number): EntryMsg => {
    let m = out.get(p);
    if (!m) out.set(p, (m = clone(codec.fullEntry, e) as EntryMsg));
    return m;
  };
  for (const scope of scopes) {
    const items = listOf<{ traceId: Uint8Array }>(scope, key);
    if (items.length === 0) {
      listOf<ScopeMsg>(entryFor(out.size === 0 ? 0 : Math.min(...out.keys())), codec.scopesKey).push(scope);
      continue;
    }
    setList(scope, key, []);
    const byPart = new Map<number, unknown[]>();
    for (const item of items) {
      const p = pick(item.traceId);
      let list = byPart.get(p);
      if (!list) byPart.set(p, (list = []));
      list.push(item);
    }
    for (const [p, list] of byPart) {
      const copy = clone(codec.scope, scope) as ScopeMsg;
      setList(copy, key, list);
      listOf<ScopeMsg>(entryFor(p), codec.scopesKey).push(copy);
    }
    setList(scope, key, items);
  }
  setList(e, codec.scopesKey, scopes);
  if (out.size === 0) out.set(0, e);
  return out;
}
