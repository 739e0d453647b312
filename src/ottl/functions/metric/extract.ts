// extract_sum_metric / extract_count_metric (ottl.md §5.2): a new Sum metric `<name>_sum` /
// `<name>_count` from the sums or counts of a histogram, exponential histogram or summary. The
// new metric is appended to the scope's list only when it has points; other metric types fail.

import { type OttlFunction, defineEditor, fail, opt } from "../../function_api.ts";
import { CUMULATIVE, derivedSum, metricOf, metricTypeName, metricsOf, numberPoint, sumPoints } from "./common.ts";
import type { Metric, NumberDataPoint } from "../../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";

/** The temporality of the new Sum: the source's, or cumulative for summaries (upstream's choice). */
function temporalityOf(m: Metric): number {
  switch (m.data.case) {
    case "histogram":
    case "exponentialHistogram":
      return m.data.value.aggregationTemporality;
    case "summary":
      return CUMULATIVE;
    default:
      return 0;
  }
}

/** The source points of a histogram-like metric, or undefined for other types. */
function sourcePoints(m: Metric) {
  switch (m.data.case) {
    case "histogram":
    case "exponentialHistogram":
    case "summary":
      return m.data.value.dataPoints;
    default:
      return undefined;
  }
}

function extractor(name: string, defaultSuffix: string, point: (dp: NonNullable<ReturnType<typeof sourcePoints>>[number]) => NumberDataPoint | undefined): OttlFunction {
  return defineEditor({
    name,
    params: { is_monotonic: "bool", suffix: opt("string") },
    contexts: ["metric"],
    create({ is_monotonic, suffix }) {
      const nameSuffix = suffix ?? defaultSuffix;
      return (tctx) => {
        const m = metricOf(tctx);
        const points = sourcePoints(m);
        const temporality = temporalityOf(m);
        if (points === undefined || temporality === 0) {
          fail(`${name} requires an input metric of type Histogram, ExponentialHistogram or Summary, got ${metricTypeName(m)}`);
        }
        const out = derivedSum(m, nameSuffix, temporality, is_monotonic);
        const target = sumPoints(out);
        for (const dp of points) {
          const p = point(dp);
          if (p) target.push(p);
        }
        if (target.length > 0) metricsOf(tctx).push(out);
      };
    },
  });
}

/** extract_sum_metric(is_monotonic, Optional[suffix]): points without a sum are skipped. */
export const extractSumMetric = extractor("extract_sum_metric", "_sum", (dp) =>
  dp.sum === undefined ? undefined : numberPoint(dp, { case: "asDouble", value: dp.sum }),
);

/** extract_count_metric(is_monotonic, Optional[suffix]): every point's count as an int. */
export const extractCountMetric = extractor("extract_count_metric", "_count", (dp) =>
  numberPoint(dp, { case: "asInt", value: BigInt.asIntN(64, dp.count) }),
);

/** Every function of this file. */
export const EXTRACT_FUNCTIONS: readonly OttlFunction[] = [extractSumMetric, extractCountMetric];
