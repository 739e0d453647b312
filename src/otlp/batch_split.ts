// Splitting one scope entry in two: at the wire level for raw scope bytes (items are copied
// byte for byte, the scope header is duplicated into both halves), and on messages for full
// scope entries. Metrics count data points, so the one metric that straddles the split point is
// decoded on its own and cut in two; everything else stays raw.

import { MetricSchema } from "../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import type { Metric, ScopeMetrics } from "../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { type Codec, DATA_POINTS_FIELD, METRIC_DATA_FIELDS, type ScopeMsg, listOf, pointsOf, setList } from "./batch_signals.ts";
import { copy, decode, encode } from "./codec.ts";
import { ByteBuilder, WT_LEN, WireReader } from "./wire.ts";

/**
 * Splits encoded scope bytes so that the head holds the first `k` items (0 < k < item count).
 * Non-item fields (scope, schema_url, unknown fields) go to both halves, in their original order.
 * The input must have passed scan() already.
 */
export function splitScopeBytes(codec: Codec, blob: Uint8Array, k: number): [head: Uint8Array, tail: Uint8Array] {
  const r = new WireReader(blob);
  const end = blob.length;
  const head = new ByteBuilder();
  const tail = new ByteBuilder();
  let taken = 0;
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.tag(end);
    const no = tag >>> 3;
    if (no !== codec.scopeItemsField || (tag & 7) !== WT_LEN) {
      r.skip(tag & 7, end);
      const field = blob.subarray(start, r.pos);
      head.push(field);
      tail.push(field);
      continue;
    }
    const len = r.length(end);
    const body = r.pos;
    r.pos += len;
    const field = blob.subarray(start, r.pos);
    if (taken >= k) {
      tail.push(field);
      continue;
    }
    // Empty metrics before the split point travel with the head.
    const n = codec.itemsKey ? 1 : metricPoints(new WireReader(blob, body), body + len);
    if (taken + n <= k) {
      head.push(field);
      taken += n;
      continue;
    }
    const rest = decode(MetricSchema, blob.subarray(body, body + len));
    const first = splitMetric(rest, k - taken);
    head.pushField(no, encode(MetricSchema, first));
    tail.pushField(no, encode(MetricSchema, rest));
    taken = k;
  }
  return [head.finish(), tail.finish()];
}

/**
 * Data points of an encoded Metric, counted the way a decoder sees them: data points of
 * repeated occurrences of the same oneof member add up, a different member starts over.
 */
export function metricPoints(r: WireReader, end: number): number {
  let count = 0;
  let lastCase = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    const no = tag >>> 3;
    if ((tag & 7) !== WT_LEN || !METRIC_DATA_FIELDS.has(no)) {
      r.skip(tag & 7, end);
      continue;
    }
    const stop = r.length(end) + r.pos;
    if (no !== lastCase) count = 0;
    lastCase = no;
    while (r.pos < stop) {
      const t = r.tag(stop);
      if (t >>> 3 === DATA_POINTS_FIELD && (t & 7) === WT_LEN) count++;
      r.skip(t & 7, stop);
    }
  }
  return count;
}

/** Cuts a metric in two: returns a copy holding the first `k` data points, `m` keeps the rest. */
export function splitMetric(m: Metric, k: number): Metric {
  if (m.data.case === undefined) throw new RangeError("cannot split a metric without data");
  const data = m.data.value as { dataPoints: unknown[] };
  const points = data.dataPoints;
  data.dataPoints = []; // detached so copy() copies only the metric's own fields
  const head = copy(MetricSchema, m);
  (head.data.value as { dataPoints: unknown[] }).dataPoints = points.slice(0, k);
  data.dataPoints = points.slice(k);
  return head;
}

/** Cuts a full scope entry in two: returns the head with the first `k` items, `scope` keeps the rest. */
export function splitFullScope(codec: Codec, scope: ScopeMsg, k: number): ScopeMsg {
  const key = codec.itemsKey ?? "metrics";
  const items = listOf<unknown>(scope, key);
  setList(scope, key, []);
  const head = copy(codec.scope, scope) as ScopeMsg;
  setList(scope, key, items);
  if (codec.itemsKey) {
    setList(head, key, items.splice(0, k));
    return head;
  }
  const metrics = items as Metric[];
  const moved: Metric[] = [];
  let taken = 0;
  let i = 0;
  for (; i < metrics.length && taken < k; i++) {
    const n = pointsOf(metrics[i]!);
    if (taken + n > k) {
      moved.push(splitMetric(metrics[i]!, k - taken));
      taken = k;
      break;
    }
    moved.push(metrics[i]!);
    taken += n;
  }
  (head as ScopeMetrics).metrics = moved;
  metrics.splice(0, i);
  return head;
}
