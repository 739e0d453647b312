// Shared pieces of the metric-only functions (ottl.md §5.2): reaching the metric and its scope's
// metric list from the transform context, building derived Sum metrics, copying attributes.

import { create } from "@bufbuild/protobuf";
import { type KeyValue, KeyValueSchema } from "../../../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import {
  type Metric,
  MetricSchema,
  type NumberDataPoint,
  NumberDataPointSchema,
  SumSchema,
} from "../../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { copy } from "../../../otlp/codec.ts";
import { type CompileContext, type TransformContext, fail } from "../../function_api.ts";

/** OTLP AggregationTemporality numbers. */
export const DELTA = 1;
export const CUMULATIVE = 2;

/** The metric of a metric-context item. */
export function metricOf(tctx: TransformContext): Metric {
  return tctx.metric ?? fail("metric functions need a metric in the transform context");
}

/** The scope's metric list new metrics are appended to (the group visits them too, §4.4). */
export function metricsOf(tctx: TransformContext): Metric[] {
  return tctx.metrics ?? fail("metric functions need the scope's metric list in the transform context");
}

/** pdata's name of a metric's type, for messages ("Gauge", "Sum", …, "Empty"). */
export function metricTypeName(m: Metric): string {
  switch (m.data.case) {
    case "gauge":
      return "Gauge";
    case "sum":
      return "Sum";
    case "histogram":
      return "Histogram";
    case "exponentialHistogram":
      return "ExponentialHistogram";
    case "summary":
      return "Summary";
    default:
      return "Empty";
  }
}

/** Parses a literal temporality ("cumulative" or "delta"); anything else is a configuration error. */
export function temporalityArg(s: string, cx: CompileContext, param: string): number {
  if (s === "cumulative") return CUMULATIVE;
  if (s === "delta") return DELTA;
  return cx.fail(param, `unknown aggregation temporality: ${s}`);
}

/** Deep copies of attributes (pdata CopyTo). */
export function copyAttributes(kvs: readonly KeyValue[]): KeyValue[] {
  return kvs.map((kv) => copy(KeyValueSchema, kv));
}

/** A new, empty Sum metric named `<from.name><suffix>` with from's description and unit. */
export function derivedSum(from: Metric, suffix: string, temporality: number, monotonic: boolean): Metric {
  return create(MetricSchema, {
    name: from.name + suffix,
    description: from.description,
    unit: from.unit,
    data: { case: "sum", value: create(SumSchema, { aggregationTemporality: temporality, isMonotonic: monotonic }) },
  });
}

/** The data points of a Sum metric built by derivedSum. */
export function sumPoints(m: Metric): NumberDataPoint[] {
  return m.data.case === "sum" ? m.data.value.dataPoints : fail("internal: not a sum");
}

/** A number point carrying `src`'s attributes and timestamps and the given value. */
export function numberPoint(
  src: { attributes: KeyValue[]; startTimeUnixNano: bigint; timeUnixNano: bigint },
  value: { case: "asDouble"; value: number } | { case: "asInt"; value: bigint },
): NumberDataPoint {
  return create(NumberDataPointSchema, {
    attributes: copyAttributes(src.attributes),
    startTimeUnixNano: src.startTimeUnixNano,
    timeUnixNano: src.timeUnixNano,
    value,
  });
}
