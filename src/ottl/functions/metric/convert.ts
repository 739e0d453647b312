// Metric type conversions (ottl.md §5.2): convert_sum_to_gauge, convert_gauge_to_sum,
// convert_summary_count_val_to_sum, convert_summary_sum_val_to_sum. Each is a no-op on metrics of
// another type, as upstream.

import { create } from "@bufbuild/protobuf";
import { GaugeSchema, SumSchema } from "../../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { type OttlFunction, defineEditor, opt } from "../../function_api.ts";
import { derivedSum, metricOf, metricsOf, numberPoint, sumPoints, temporalityArg } from "./common.ts";

/** convert_sum_to_gauge(): Sum → Gauge with the same points; temporality and monotonicity are dropped. */
export const convertSumToGauge = defineEditor({
  name: "convert_sum_to_gauge",
  params: {},
  contexts: ["metric"],
  create: () => (tctx) => {
    const m = metricOf(tctx);
    if (m.data.case !== "sum") return;
    m.data = { case: "gauge", value: create(GaugeSchema, { dataPoints: m.data.value.dataPoints }) };
  },
});

/** convert_gauge_to_sum(aggregation_temporality, is_monotonic): Gauge → Sum with the same points. */
export const convertGaugeToSum = defineEditor({
  name: "convert_gauge_to_sum",
  params: { aggregation_temporality: "string", is_monotonic: "bool" },
  contexts: ["metric"],
  create({ aggregation_temporality, is_monotonic }, cx) {
    const temporality = temporalityArg(aggregation_temporality, cx, "aggregation_temporality");
    return (tctx) => {
      const m = metricOf(tctx);
      if (m.data.case !== "gauge") return;
      const sum = create(SumSchema, { dataPoints: m.data.value.dataPoints, aggregationTemporality: temporality, isMonotonic: is_monotonic });
      m.data = { case: "sum", value: sum };
    };
  },
});

/** A summary → new Sum function; `pick` makes the point value from a summary point. */
function summaryToSum(name: string, defaultSuffix: string, pick: "count" | "sum"): OttlFunction {
  return defineEditor({
    name,
    params: { aggregation_temporality: "string", is_monotonic: "bool", suffix: opt("string") },
    contexts: ["metric"],
    create({ aggregation_temporality, is_monotonic, suffix }, cx) {
      const temporality = temporalityArg(aggregation_temporality, cx, "aggregation_temporality");
      const nameSuffix = suffix ?? defaultSuffix;
      return (tctx) => {
        const m = metricOf(tctx);
        if (m.data.case !== "summary") return;
        const out = derivedSum(m, nameSuffix, temporality, is_monotonic);
        const points = sumPoints(out);
        for (const dp of m.data.value.dataPoints) {
          points.push(
            numberPoint(dp, pick === "count" ? { case: "asInt", value: BigInt.asIntN(64, dp.count) } : { case: "asDouble", value: dp.sum }),
          );
        }
        // Upstream appends the new metric even when the summary has no points.
        metricsOf(tctx).push(out);
      };
    },
  });
}

/** convert_summary_count_val_to_sum(aggregation_temporality, is_monotonic, Optional[suffix]): counts as a new Sum (`_count`). */
export const convertSummaryCountValToSum = summaryToSum("convert_summary_count_val_to_sum", "_count", "count");

/** convert_summary_sum_val_to_sum(aggregation_temporality, is_monotonic, Optional[suffix]): sums as a new Sum (`_sum`). */
export const convertSummarySumValToSum = summaryToSum("convert_summary_sum_val_to_sum", "_sum", "sum");

/** Every function of this file. */
export const CONVERT_FUNCTIONS: readonly OttlFunction[] = [convertSumToGauge, convertGaugeToSum, convertSummaryCountValToSum, convertSummarySumValToSum];
