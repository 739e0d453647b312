// Test helpers for the OTLP → Prometheus translation: a capturing Appender that records every
// call as readable text, and short builders for OTLP metrics.
import { create } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { KeyValueSchema } from "../../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import {
  AggregationTemporality,
  type ResourceMetrics,
  ResourceMetricsSchema,
} from "../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import type { Appendable, Appender, Exemplar, Labels, Metadata, NativeHistogram } from "../../../src/prom/appender.ts";
import { type ConvertOptions, type ConvertReport, Converter } from "../../../src/prom/translate/converter.ts";

/** 2023-11-14T22:13:20Z in ns; the ms value is T_MS. */
export const T = 1_700_000_000_000_000_000n;
export const T_MS = 1_700_000_000_000;
/** The converter's wall clock in tests (info series are stamped with it). */
export const NOW_MS = 1_800_000_000_000;
/** ns for T_MS + ms. */
export const at = (ms: number): bigint => T + BigInt(ms) * 1_000_000n;

/** `name{a="1",b="2"}`: the series' labels in order, `__name__` in front (as Prometheus prints). */
export function seriesText(labels: Labels): string {
  const name = labels.find(([n]) => n === "__name__")?.[1] ?? "";
  const rest = labels.filter(([n]) => n !== "__name__").map(([n, v]) => `${n}=${JSON.stringify(v)}`);
  return `${name}{${rest.join(",")}}`;
}

export interface Sample {
  series: string;
  labels: Labels;
  ts: number;
  /** A number, or "stale" for appendStale. */
  value: number | "stale";
}

/** Records everything appended; `committed` holds the transactions that committed. */
export class CaptureAppender implements Appender {
  samples: Sample[] = [];
  histograms: { series: string; ts: number; h: NativeHistogram }[] = [];
  exemplars: { series: string; e: Exemplar }[] = [];
  metadata: { family: string; md: Metadata }[] = [];
  state: "open" | "committed" | "rolled back" = "open";
  constructor(private readonly fail?: Error) {}

  append(labels: Labels, ts: number, value: number): void {
    this.samples.push({ series: seriesText(labels), labels, ts, value });
  }
  appendStale(labels: Labels, ts: number): void {
    this.samples.push({ series: seriesText(labels), labels, ts, value: "stale" });
  }
  appendExemplar(labels: Labels, e: Exemplar): void {
    this.exemplars.push({ series: seriesText(labels), e });
  }
  appendHistogram(labels: Labels, ts: number, h: NativeHistogram): void {
    this.histograms.push({ series: seriesText(labels), ts, h });
  }
  updateMetadata(family: string, md: Metadata): void {
    this.metadata.push({ family, md });
  }
  async commit(): Promise<void> {
    if (this.fail) throw this.fail;
    this.state = "committed";
  }
  rollback(): void {
    this.state = "rolled back";
  }

  /** `series value` lines, in append order. */
  lines(): string[] {
    return this.samples.map((s) => `${s.series} ${s.value}`);
  }
  /** The one sample of a series; throws when there is not exactly one. */
  one(series: string): Sample {
    const found = this.samples.filter((s) => s.series === series);
    if (found.length !== 1) throw new Error(`expected one sample of ${series}, got ${found.length}: ${this.lines().join("\n")}`);
    return found[0]!;
  }
  /** Series names (no labels) in append order, without duplicates. */
  names(): string[] {
    return [...new Set(this.samples.map((s) => s.series.slice(0, s.series.indexOf("{"))))];
  }
}

/** An Appendable that hands out CaptureAppenders and keeps them. */
export class CaptureAppendable implements Appendable {
  transactions: CaptureAppender[] = [];
  failWith: Error | undefined;
  appender(): CaptureAppender {
    const a = new CaptureAppender(this.failWith);
    this.transactions.push(a);
    return a;
  }
  get last(): CaptureAppender {
    return this.transactions[this.transactions.length - 1]!;
  }
}

type AttrValue = string | number | bigint | boolean;
type KV = MessageInitShape<typeof KeyValueSchema>;

/** Attribute list from a record: numbers are doubles, bigints ints. Order is kept. */
export function attrs(record: Record<string, AttrValue> | [string, AttrValue][]): KV[] {
  const entries = Array.isArray(record) ? record : Object.entries(record);
  return entries.map(([key, v]) => ({ key, value: { value: anyValue(v) } }));
}

function anyValue(v: AttrValue): KV["value"] extends infer _ ? any : never {
  switch (typeof v) {
    case "string":
      return { case: "stringValue", value: v };
    case "number":
      return { case: "doubleValue", value: v };
    case "bigint":
      return { case: "intValue", value: v };
    default:
      return { case: "boolValue", value: v };
  }
}

export type ResourceMetricsInit = MessageInitShape<typeof ResourceMetricsSchema>;
export type MetricInit = NonNullable<NonNullable<ResourceMetricsInit["scopeMetrics"]>[number]["metrics"]>[number];
type PointInit = Record<string, unknown>;

/** One resource with one scope holding `metrics`. */
export function resource(metrics: MetricInit[], resourceAttrs: Record<string, AttrValue> = { "service.name": "svc" }, scope: { name?: string; version?: string } = {}): ResourceMetrics {
  return create(ResourceMetricsSchema, { resource: { attributes: attrs(resourceAttrs) }, scopeMetrics: [{ scope, metrics }] });
}

/** A number point with a double value at T (or as given). */
export function point(value: number | bigint, extra: PointInit = {}): PointInit {
  return { timeUnixNano: T, value: typeof value === "bigint" ? { case: "asInt", value } : { case: "asDouble", value }, ...extra };
}

export function gauge(name: string, points: PointInit[], unit = "", description = ""): MetricInit {
  return { name, unit, description, data: { case: "gauge", value: { dataPoints: points } } } as MetricInit;
}

export function sum(name: string, points: PointInit[], opts: { monotonic?: boolean; delta?: boolean; unit?: string; description?: string } = {}): MetricInit {
  const aggregationTemporality = opts.delta ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE;
  return {
    name,
    unit: opts.unit ?? "",
    description: opts.description ?? "",
    data: { case: "sum", value: { dataPoints: points, isMonotonic: opts.monotonic ?? true, aggregationTemporality } },
  } as MetricInit;
}

export function histogram(name: string, points: PointInit[], opts: { delta?: boolean; unit?: string } = {}): MetricInit {
  const aggregationTemporality = opts.delta ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE;
  return { name, unit: opts.unit ?? "", data: { case: "histogram", value: { dataPoints: points, aggregationTemporality } } } as MetricInit;
}

export function expHistogram(name: string, points: PointInit[], opts: { delta?: boolean; unit?: string } = {}): MetricInit {
  const aggregationTemporality = opts.delta ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE;
  return { name, unit: opts.unit ?? "", data: { case: "exponentialHistogram", value: { dataPoints: points, aggregationTemporality } } } as MetricInit;
}

export function summary(name: string, points: PointInit[], unit = ""): MetricInit {
  return { name, unit, data: { case: "summary", value: { dataPoints: points } } } as MetricInit;
}

/** Runs one conversion into a fresh capture with Alloy's defaults overridden by `opts`. */
export function convert(resources: ResourceMetrics[], opts: Partial<ConvertOptions> = {}, converter = new Converter(opts, () => NOW_MS)): CaptureAppender & { report: ConvertReport } {
  const app = new CaptureAppender();
  const report = converter.convert(resources, app);
  return Object.assign(app, { report });
}

/** Options that leave only the metric's own series: no target_info, no scope labels. */
export const BARE: Partial<ConvertOptions> = { includeTargetInfo: false, includeScopeLabels: false };
