// Summary point → the values of its series `name{quantile}`, `_sum`, `_count`
// (spec: prometheus.md §3.3, alloy-components.md §6.4).

import type { SummaryDataPoint } from "../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { formatFloat } from "../format.ts";

export interface SummaryQuantile {
  /** The `quantile` label value, formatted like `le` (`0.5`, `0.99`, `1`). */
  quantile: string;
  value: number;
}

export interface SummarySeries {
  quantiles: SummaryQuantile[];
  /** Always emitted for summaries (OTLP's `sum` is not optional here). */
  sum: number;
  count: number;
}

/** Quantiles in the order given; a repeated quantile keeps its last value, so labels stay unique. */
export function summarySeries(point: SummaryDataPoint): SummarySeries {
  const byQuantile = new Map<string, number>();
  for (const q of point.quantileValues) byQuantile.set(formatFloat(q.quantile), q.value);
  const quantiles = [...byQuantile].map(([quantile, value]) => ({ quantile, value }));
  return { quantiles, sum: point.sum, count: Number(point.count) };
}
