// Edge rates for the Graph page (spec: alloy-runtime.md §4, "Graph stream items"): the change of
// each edge's cumulative count over a window, in items per second.

import type { EdgeCount, FlowKind } from "./flow.ts";

/** One item of the graph stream, as Alloy's UI reads it. */
export interface GraphRate {
  componentID: string;
  targetComponentIDs: string[];
  type: string;
  rate: number;
}

const TYPES: Record<FlowKind, string> = {
  traces: "otel_trace",
  metrics: "otel_metric",
  logs: "otel_log",
  prometheus: "prometheus_metric",
};

/** The stream type name of a flow kind. */
export function streamType(kind: FlowKind): string {
  return TYPES[kind];
}

/** Cumulative counts keyed by edge and kind, for diffing. */
export function snapshot(counts: EdgeCount[]): Map<string, EdgeCount> {
  return new Map(counts.map((c) => [`${c.from}\u0000${c.to}\u0000${c.kind}`, c]));
}

/**
 * Rates between two snapshots taken `seconds` apart. Edges that carried nothing in the window are
 * left out unless they carried something ever (so a stalled edge shows 0, an unused signal nothing).
 */
export function computeRates(prev: Map<string, EdgeCount>, next: Map<string, EdgeCount>, seconds: number): GraphRate[] {
  const out: GraphRate[] = [];
  for (const [key, c] of next) {
    if (c.items === 0) continue;
    const before = prev.get(key)?.items ?? 0;
    // A counter that went backwards was recreated: count from zero.
    const delta = c.items >= before ? c.items - before : c.items;
    out.push({ componentID: c.from, targetComponentIDs: [c.to], type: TYPES[c.kind], rate: seconds > 0 ? delta / seconds : 0 });
  }
  return out;
}
