// The transform context: one item and its ancestors, as statements of one group see it while
// they run on that item (ottl.md §3.1, §4.4). The processor fills the fields of the group's
// context level and above; lower levels stay undefined.

import type { InstrumentationScope } from "../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import type { LogRecord } from "../../gen/opentelemetry/proto/logs/v1/logs_pb.ts";
import type {
  ExponentialHistogramDataPoint,
  HistogramDataPoint,
  Metric,
  NumberDataPoint,
  SummaryDataPoint,
} from "../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import type { Resource } from "../../gen/opentelemetry/proto/resource/v1/resource_pb.ts";
import type { Span, Span_Event } from "../../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import { PMap } from "./values.ts";

/** The contexts statements can run in (ottl.md §3). */
export type ContextName = "resource" | "scope" | "span" | "spanevent" | "metric" | "datapoint" | "log";

/** Every context name, ancestors first within a signal. */
export const CONTEXT_NAMES: readonly ContextName[] = ["resource", "scope", "span", "spanevent", "metric", "datapoint", "log"];

/** A data point of any metric type. */
export type DataPoint = NumberDataPoint | HistogramDataPoint | ExponentialHistogramDataPoint | SummaryDataPoint;

/** ResourceSpans / ResourceMetrics / ResourceLogs: a resource and its schema_url. */
export interface ResourceHolder {
  resource?: Resource;
  schemaUrl: string;
}

/** ScopeSpans / ScopeMetrics / ScopeLogs: a scope and its schema_url. */
export interface ScopeHolder {
  scope?: InstrumentationScope;
  schemaUrl: string;
}

/** What a statement sees while it runs on one item. Functions read it; only the processor builds it. */
export interface TransformContext {
  /** The group's context (the level being iterated). */
  readonly context: ContextName;
  /** The item's resource (always present). */
  readonly resource: Resource;
  /** ResourceSpans/ResourceMetrics/ResourceLogs of the item, for `resource.schema_url`; absent on the resources-only path. */
  readonly resourceHolder?: ResourceHolder;
  /** The item's instrumentation scope (scope level and below). */
  readonly scope?: InstrumentationScope;
  /** ScopeSpans/ScopeMetrics/ScopeLogs: `scope.*` writes create a missing scope here. */
  readonly scopeHolder?: ScopeHolder;
  /** The span (span and spanevent levels). */
  readonly span?: Span;
  /** The span event and its index in span.events (spanevent level). */
  readonly event?: Span_Event;
  readonly eventIndex?: number;
  /** The metric (metric and datapoint levels). */
  readonly metric?: Metric;
  /** The scope's metric list the metric belongs to: metric functions append new metrics here (§4.4). */
  readonly metrics?: Metric[];
  /** The data point (datapoint level). */
  readonly point?: DataPoint;
  /** The log record (log level). */
  readonly log?: LogRecord;
  /** The item's scratch map (ottl.md §3.1 `cache`): fresh per item and group. */
  readonly cache: PMap;
}

/** A mutable transform context the processor reuses while it walks a batch. */
export class MutableTransformContext implements TransformContext {
  resource!: Resource;
  resourceHolder?: ResourceHolder;
  scope?: InstrumentationScope;
  scopeHolder?: ScopeHolder;
  span?: Span;
  event?: Span_Event;
  eventIndex?: number;
  metric?: Metric;
  metrics?: Metric[];
  point?: DataPoint;
  log?: LogRecord;
  private cacheMap: PMap | undefined;

  constructor(readonly context: ContextName) {}

  /** The item's cache, created on first use so that items that never touch it cost nothing. */
  get cache(): PMap {
    return (this.cacheMap ??= new PMap());
  }

  /** Starts a new item: forgets the previous item's cache. */
  nextItem(): void {
    this.cacheMap = undefined;
  }
}
