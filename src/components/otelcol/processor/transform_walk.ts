// Walking a decoded batch down to one context level (ottl.md §4.4): resource → scope → item →
// sub-item, in payload order, filling a transform context for each item. List lengths are read
// on every step, so items a group appends (copy_metric, extract_*) are visited too.

import { create } from "@bufbuild/protobuf";
import type { ResourceLogs } from "../../../../gen/opentelemetry/proto/logs/v1/logs_pb.ts";
import type { ResourceMetrics } from "../../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { type Resource, ResourceSchema } from "../../../../gen/opentelemetry/proto/resource/v1/resource_pb.ts";
import type { ResourceSpans } from "../../../../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import type { ContextName, DataPoint, MutableTransformContext, ResourceHolder } from "../../../ottl/tctx.ts";

/** Calls `visit` for every item of the context level; `t` holds the item and its ancestors. */
export type Visit = () => void;

function enterResource(t: MutableTransformContext, holder: ResourceHolder): void {
  t.resource = holder.resource ??= create(ResourceSchema);
  t.resourceHolder = holder;
}

/** Every resource of a lite batch (no schema_url access), without decoding items. */
export function walkResources(resources: Resource[], t: MutableTransformContext, visit: Visit): void {
  t.resourceHolder = undefined;
  for (const r of resources) {
    t.resource = r;
    visit();
  }
}

/** Traces: resource, scope, span, spanevent. */
export function walkTraces(rss: ResourceSpans[], context: ContextName, t: MutableTransformContext, visit: Visit): void {
  for (let i = 0; i < rss.length; i++) {
    const rs = rss[i]!;
    enterResource(t, rs);
    if (context === "resource") {
      visit();
      continue;
    }
    for (let j = 0; j < rs.scopeSpans.length; j++) {
      const ss = rs.scopeSpans[j]!;
      t.scopeHolder = ss;
      t.scope = ss.scope;
      if (context === "scope") {
        visit();
        continue;
      }
      for (let k = 0; k < ss.spans.length; k++) {
        const span = ss.spans[k]!;
        t.span = span;
        if (context === "span") {
          visit();
          continue;
        }
        for (let e = 0; e < span.events.length; e++) {
          t.event = span.events[e];
          t.eventIndex = e;
          visit();
        }
      }
    }
  }
}

/** Metrics: resource, scope, metric, datapoint (every point type). */
export function walkMetrics(rms: ResourceMetrics[], context: ContextName, t: MutableTransformContext, visit: Visit): void {
  for (let i = 0; i < rms.length; i++) {
    const rm = rms[i]!;
    enterResource(t, rm);
    if (context === "resource") {
      visit();
      continue;
    }
    for (let j = 0; j < rm.scopeMetrics.length; j++) {
      const sm = rm.scopeMetrics[j]!;
      t.scopeHolder = sm;
      t.scope = sm.scope;
      if (context === "scope") {
        visit();
        continue;
      }
      t.metrics = sm.metrics;
      for (let k = 0; k < sm.metrics.length; k++) {
        const metric = sm.metrics[k]!;
        t.metric = metric;
        if (context === "metric") {
          visit();
          continue;
        }
        const points: DataPoint[] = metric.data.value?.dataPoints ?? [];
        for (let p = 0; p < points.length; p++) {
          t.point = points[p];
          visit();
        }
      }
    }
  }
}

/** Logs: resource, scope, log. */
export function walkLogs(rls: ResourceLogs[], context: ContextName, t: MutableTransformContext, visit: Visit): void {
  for (let i = 0; i < rls.length; i++) {
    const rl = rls[i]!;
    enterResource(t, rl);
    if (context === "resource") {
      visit();
      continue;
    }
    for (let j = 0; j < rl.scopeLogs.length; j++) {
      const sl = rl.scopeLogs[j]!;
      t.scopeHolder = sl;
      t.scope = sl.scope;
      if (context === "scope") {
        visit();
        continue;
      }
      for (let k = 0; k < sl.logRecords.length; k++) {
        t.log = sl.logRecords[k];
        visit();
      }
    }
  }
}
