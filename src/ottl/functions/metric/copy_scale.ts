// copy_metric and scale_metric (ottl.md §5.2).

import { type Exemplar, MetricSchema, type NumberDataPoint } from "../../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { copy } from "../../../otlp/codec.ts";
import { type OttlFunction, defineEditor, fail, opt } from "../../function_api.ts";
import { metricOf, metricTypeName, metricsOf } from "./common.ts";

/**
 * copy_metric(Optional[name], Optional[description], Optional[unit]): appends a deep copy of the
 * metric to the scope's list (later statements of the group see it, §4.4), optionally renamed.
 */
export const copyMetric = defineEditor({
  name: "copy_metric",
  params: { name: opt("StringGetter"), description: opt("StringGetter"), unit: opt("StringGetter") },
  contexts: ["metric"],
  create: ({ name, description, unit }) => (tctx) => {
    const dup = copy(MetricSchema, metricOf(tctx));
    // Arguments are read before the copy is stored, so a failing one leaves the list unchanged.
    if (name) dup.name = name.get(tctx);
    if (description) dup.description = description.get(tctx);
    if (unit) dup.unit = unit.get(tctx);
    metricsOf(tctx).push(dup);
  },
});

/** Go `int64(float64(v) * factor)`: truncation toward zero; out of range or NaN saturates like amd64 (min int64). */
function scaleInt(v: bigint, factor: number): bigint {
  const f = Number(v) * factor;
  if (!Number.isFinite(f) || f >= 2 ** 63 || f < -(2 ** 63)) return -(1n << 63n);
  return BigInt(Math.trunc(f));
}

function scaleNumber<T extends NumberDataPoint | Exemplar>(p: T, factor: number): void {
  if (p.value.case === "asInt") p.value = { case: "asInt", value: scaleInt(p.value.value, factor) };
  else if (p.value.case === "asDouble") p.value = { case: "asDouble", value: p.value.value * factor };
}

/**
 * scale_metric(factor, Optional[unit]): multiplies gauge/sum values, histogram sum/min/max/bounds
 * and summary sum/quantile values (exemplars too); exponential histograms are an error upstream.
 */
export const scaleMetric = defineEditor({
  name: "scale_metric",
  params: { factor: "float", unit: opt("StringGetter") },
  contexts: ["metric"],
  create: ({ factor, unit }) => (tctx) => {
    const m = metricOf(tctx);
    if (unit) m.unit = unit.get(tctx);
    const d = m.data;
    switch (d.case) {
      case "gauge":
      case "sum":
        for (const dp of d.value.dataPoints) {
          scaleNumber(dp, factor);
          for (const ex of dp.exemplars) scaleNumber(ex, factor);
        }
        return;
      case "histogram":
        for (const dp of d.value.dataPoints) {
          if (dp.sum !== undefined) dp.sum *= factor;
          if (dp.min !== undefined) dp.min *= factor;
          if (dp.max !== undefined) dp.max *= factor;
          dp.explicitBounds = dp.explicitBounds.map((b) => b * factor);
          for (const ex of dp.exemplars) scaleNumber(ex, factor);
        }
        return;
      case "summary":
        for (const dp of d.value.dataPoints) {
          dp.sum *= factor;
          for (const q of dp.quantileValues) q.value *= factor;
        }
        return;
      default:
        fail(`unsupported metric type: '${metricTypeName(m)}'`);
    }
  },
});

/** Every function of this file. */
export const COPY_SCALE_FUNCTIONS: readonly OttlFunction[] = [copyMetric, scaleMetric];
