// OTLP exemplars → Prometheus exemplars (spec: alloy-components.md §6.4, prometheus.md §4.4).
// Only monotonic sums and histograms carry them; callers drop the others' exemplars.

import type { Exemplar as OtlpExemplar } from "../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { bytesToHex } from "../../otlp/ids.ts";
import type { Exemplar, Label } from "../appender.ts";
import { timestampMs } from "./time.ts";

/**
 * Labels `trace_id` and `span_id` (lower-case hex, each only when not all zero), the value
 * (`as_int` converted, not read as 0), the time in ms (left out when 0). Like Alloy's
 * converter, `filtered_attributes` are not carried.
 */
export function toExemplar(e: OtlpExemplar): Exemplar {
  // Sorted by name: span_id < trace_id.
  const labels: Label[] = [];
  if (!isZero(e.spanId)) labels.push(["span_id", bytesToHex(e.spanId)]);
  if (!isZero(e.traceId)) labels.push(["trace_id", bytesToHex(e.traceId)]);
  const ms = timestampMs(e.timeUnixNano);
  const out: Exemplar = { labels, value: exemplarValue(e) };
  if (ms !== 0) out.timestampMs = ms;
  return out;
}

/** `as_double`, or `as_int` as float64; 0 when neither is set. */
export function exemplarValue(e: OtlpExemplar): number {
  if (e.value.case === "asDouble") return e.value.value;
  if (e.value.case === "asInt") return Number(e.value.value);
  return 0;
}

/** pdata's TraceID/SpanID IsEmpty: no bytes, or all zero. */
function isZero(id: Uint8Array): boolean {
  for (let i = 0; i < id.length; i++) if (id[i] !== 0) return false;
  return true;
}

/**
 * Index of the `_bucket` series an exemplar belongs to: the first bound ≥ its value (`le`
 * semantics, spec §3.1); `bounds.length` stands for `+Inf`. `bounds` must be ascending.
 */
export function exemplarBucket(bounds: readonly number[], value: number): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bounds[mid]! >= value) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
