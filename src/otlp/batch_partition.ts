// Partitioning a batch into n batches, for routing (otelcol.exporter.loadbalancing): whole
// resource entries by a resource key, single spans / log records by their trace id, whole
// metrics by their name, or single metric data points by their stream. Trace-id and metric-name
// partitioning read the key straight from the raw scope bytes, so lite entries stay lite: items
// are copied byte for byte, the resource and scope header are repeated in every part. Stream
// partitioning needs each data point's attributes and works on full messages.

import type { InstrumentationScope } from "../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import { type Metric, MetricSchema, type ResourceMetrics, ResourceMetricsSchema, type ScopeMetrics, ScopeMetricsSchema } from "../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import type { Resource } from "../../gen/opentelemetry/proto/resource/v1/resource_pb.ts";
import { type Entry, LiteEntry, cloneEntry, fullOf } from "./batch_entry.ts";
import { type Codec, type EntryMsg, type ScopeMsg, listOf, setList } from "./batch_signals.ts";
import { metricPoints } from "./batch_split.ts";
import { copy } from "./codec.ts";
import { ByteBuilder, WT_LEN, WireReader } from "./wire.ts";

/** A metric data point of any type (the fields stream routing reads). */
export type DataPoint = { attributes: { key: string; value?: unknown }[] };

/**
 * How to pick a part: by resource (whole entries move), by each item's trace id (traces, logs),
 * by each metric's name (metrics; whole metrics move), or by each data point's stream (metrics).
 */
export type Route =
  | { by: "resource"; pick(resource: Resource | undefined): number }
  | { by: "traceId"; pick(traceId: Uint8Array): number }
  | { by: "metricName"; pick(name: Uint8Array): number }
  | { by: "stream"; pick(resource: Resource | undefined, scope: InstrumentationScope | undefined, metric: Metric, point: DataPoint): number };

/** Wire number of the key an item is routed by: trace_id in Span (1) and LogRecord (9), name in Metric (1). */
const KEY_FIELD: Record<string, number> = { traces: 1, logs: 9, metrics: 1 };

const EMPTY: Uint8Array = new Uint8Array(0);

/** A length-delimited field of one encoded item, e.g. a Span's trace_id (last occurrence wins, as in a decoder); empty when absent. */
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
 * Splits encoded scope bytes into per-part scope bytes by each item's key (trace id; a metric's
 * name). Non-item fields (scope, schema_url, unknown fields) are repeated in every part, in their
 * original order. Returns only parts that received items, with their item counts (data points
 * for metrics; a part holding only empty metrics counts 0). The input must have passed scan().
 */
export function partitionScopeBytes(codec: Codec, blob: Uint8Array, pick: (key: Uint8Array) => number): Map<number, { bytes: Uint8Array; count: number }> {
  const idField = KEY_FIELD[codec.signal]!;
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
    const n = codec.itemsKey ? 1 : metricPoints(new WireReader(body), body.length);
    counts.set(part, (counts.get(part) ?? 0) + n);
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
    if (route.by === "stream") {
      if (codec.signal !== "metrics") throw new Error(`cannot partition ${codec.signal} by metric stream`);
      for (const [p, piece] of partitionStreams(fullOf(codec, e) as ResourceMetrics, route, check)) parts[p]!.push(piece);
      continue;
    }
    if ((route.by === "traceId") !== (codec.signal !== "metrics")) throw new Error(`cannot partition ${codec.signal} by ${route.by}`);
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

const utf8 = new TextEncoder();

/** Cuts one full entry by trace id (spans, log records) or name (metrics), on messages. */
function partitionFull(codec: Codec, e: EntryMsg, pick: (id: Uint8Array) => number): Map<number, Entry> {
  const key = codec.itemsKey ?? "metrics";
  const keyOf = codec.itemsKey ? (item: { traceId: Uint8Array }) => item.traceId : (item: { name: string }) => utf8.encode(item.name);
  const scopes = listOf<ScopeMsg>(e, codec.scopesKey);
  setList(e, codec.scopesKey, []); // detached so copy() copies only the resource part
  const out = new Map<number, EntryMsg>();
  const entryFor = (p: number): EntryMsg => {
    let m = out.get(p);
    if (!m) out.set(p, (m = copy(codec.fullEntry, e) as EntryMsg));
    return m;
  };
  for (const scope of scopes) {
    const items = listOf<{ traceId: Uint8Array } & { name: string }>(scope, key);
    if (items.length === 0) {
      listOf<ScopeMsg>(entryFor(out.size === 0 ? 0 : Math.min(...out.keys())), codec.scopesKey).push(scope);
      continue;
    }
    setList(scope, key, []);
    const byPart = new Map<number, unknown[]>();
    for (const item of items) {
      const p = pick(keyOf(item));
      let list = byPart.get(p);
      if (!list) byPart.set(p, (list = []));
      list.push(item);
    }
    for (const [p, list] of byPart) {
      const part = copy(codec.scope, scope) as ScopeMsg;
      setList(part, key, list);
      listOf<ScopeMsg>(entryFor(p), codec.scopesKey).push(part);
    }
    setList(scope, key, items);
  }
  setList(e, codec.scopesKey, scopes);
  if (out.size === 0) out.set(0, e);
  return out;
}

/**
 * Cuts one full ResourceMetrics by the stream of each data point: a metric whose points go to
 * several parts is copied into each with its share of the points. Scopes and metrics without
 * data points go with the lowest part used (part 0 if none).
 */
function partitionStreams(e: ResourceMetrics, route: Extract<Route, { by: "stream" }>, check: (p: number) => number): Map<number, ResourceMetrics> {
  const scopes = e.scopeMetrics;
  e.scopeMetrics = []; // detached so copy() copies only the resource part
  const out = new Map<number, ResourceMetrics>();
  const entryFor = (p: number): ResourceMetrics => {
    let m = out.get(p);
    if (!m) out.set(p, (m = copy(ResourceMetricsSchema, e)));
    return m;
  };
  // Per part, the scope copy of the scope being walked.
  for (const scope of scopes) {
    const metrics = scope.metrics;
    scope.metrics = [];
    const scopeFor = new Map<number, ScopeMetrics>();
    const scopeIn = (p: number): ScopeMetrics => {
      let s = scopeFor.get(p);
      if (!s) {
        scopeFor.set(p, (s = copy(ScopeMetricsSchema, scope)));
        entryFor(p).scopeMetrics.push(s);
      }
      return s;
    };
    const empties: Metric[] = [];
    for (const m of metrics) {
      const points = m.data.case === undefined ? [] : (m.data.value.dataPoints as DataPoint[]);
      if (points.length === 0) {
        empties.push(m);
        continue;
      }
      const byPart = new Map<number, DataPoint[]>();
      for (const dp of points) {
        const p = check(route.pick(e.resource, scope.scope, m, dp));
        let list = byPart.get(p);
        if (!list) byPart.set(p, (list = []));
        list.push(dp);
      }
      if (byPart.size === 1) {
        scopeIn(byPart.keys().next().value!).metrics.push(m);
        continue;
      }
      const all = m.data.value!.dataPoints;
      m.data.value!.dataPoints = [];
      for (const [p, list] of byPart) {
        const part = copy(MetricSchema, m);
        (part.data.value as { dataPoints: DataPoint[] }).dataPoints = list;
        scopeIn(p).metrics.push(part);
      }
      m.data.value!.dataPoints = all;
    }
    if (empties.length > 0 || scopeFor.size === 0) {
      const p = scopeFor.size > 0 ? Math.min(...scopeFor.keys()) : out.size > 0 ? Math.min(...out.keys()) : 0;
      scopeIn(p).metrics.push(...empties);
    }
    scope.metrics = metrics;
  }
  e.scopeMetrics = scopes;
  if (out.size === 0) out.set(0, e);
  return out;
}
