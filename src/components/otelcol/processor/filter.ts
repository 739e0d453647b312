// `otelcol.processor.filter` (Alloy's filter.Arguments over upstream filterprocessor): drops
// spans, span events, metrics, data points and log records for which any OTTL condition is
// true. Scopes and resources left empty are removed; a batch left empty is not forwarded.

import { create } from "@bufbuild/protobuf";
import { ResourceSchema } from "../../../../gen/opentelemetry/proto/resource/v1/resource_pb.ts";
import type { Batch, Signal } from "../../../otlp/batch.ts";
import { type Consumer, consumerCapsule } from "../../../otlp/consumer.ts";
import { Code, PipelineError } from "../../../otlp/errors.ts";
import type { CompiledCondition } from "../../../ottl/compile.ts";
import { defineConverter, type OttlFunction } from "../../../ottl/function_api.ts";
import { FUNCTIONS } from "../../../ottl/functions/index.ts";
import { MutableTransformContext, type ContextName, type DataPoint } from "../../../ottl/tctx.ts";
import { defineComponent } from "../../../runtime/component.ts";
import type { Logger } from "../../../runtime/logger.ts";
import type { Counter, MetricsRegistry } from "../../../runtime/metrics.ts";
import { type Located, type PositionedProblem, type Schema, attr, t } from "../../../runtime/schema.ts";
import { type DebugMetricsArgs, debugMetricsBlock } from "../shared/debug_metrics.ts";
import { type OutputArgs, deliver, outputBlock, unsupported } from "../shared/output.ts";
import { ERROR_MODES, type ErrorMode, compileConditions } from "./transform_config.ts";
import { describeItem } from "./transform_exec.ts";
import { untilAborted } from "./transform.ts";

type Texts = Located<string>[];

/** Decoded arguments (Alloy's filter.Arguments). */
export interface FilterArgs {
  error_mode: ErrorMode;
  traces: { span: Texts; spanevent: Texts };
  metrics: { metric: Texts; datapoint: Texts };
  logs: { log_record: Texts };
  output: OutputArgs;
  debug_metrics: DebugMetricsArgs;
}

const texts = t.list(t.located(t.string));

/** HasAttrKeyOnDatapoint(key): whether any data point of the metric has the attribute (filter only). */
const hasAttrKeyOnDatapoint = defineConverter({
  name: "HasAttrKeyOnDatapoint",
  params: { key: "string" },
  contexts: ["metric"],
  create: ({ key }) => (tctx) => pointsOf(tctx.metric).some((p) => p.attributes.some((kv) => kv.key === key)),
});

/** HasAttrOnDatapoint(key, value): whether any data point has the attribute with this string value. */
const hasAttrOnDatapoint = defineConverter({
  name: "HasAttrOnDatapoint",
  params: { key: "string", expectedVal: "string" },
  contexts: ["metric"],
  create: ({ key, expectedVal }) => (tctx) =>
    pointsOf(tctx.metric).some((p) => p.attributes.some((kv) => kv.key === key && kv.value?.value.case === "stringValue" && kv.value.value.value === expectedVal)),
});

function pointsOf(m: MutableTransformContext["metric"]): DataPoint[] {
  return m?.data.value?.dataPoints ?? [];
}

/** The registry for filter conditions: every function plus the filter-only ones. */
const FILTER_FUNCTIONS: ReadonlyMap<string, OttlFunction> = new Map([...FUNCTIONS, [hasAttrKeyOnDatapoint.name, hasAttrKeyOnDatapoint], [hasAttrOnDatapoint.name, hasAttrOnDatapoint]]);

interface Program {
  span?: CompiledCondition[];
  spanevent?: CompiledCondition[];
  metric?: CompiledCondition[];
  datapoint?: CompiledCondition[];
  log?: CompiledCondition[];
}

/** Compiles every condition list; `problems` gets positioned load-time errors. */
export function compileFilter(args: FilterArgs, problems: PositionedProblem[]): Program {
  const c = (signal: "traces" | "metrics" | "logs", ctx: ContextName, list: Texts) =>
    list.length === 0 ? undefined : compileConditions(signal, ctx, list, problems, FILTER_FUNCTIONS);
  return {
    span: c("traces", "span", args.traces.span),
    spanevent: c("traces", "spanevent", args.traces.spanevent),
    metric: c("metrics", "metric", args.metrics.metric),
    datapoint: c("metrics", "datapoint", args.metrics.datapoint),
    log: c("logs", "log", args.logs.log_record),
  };
}

const filterSchema: Schema = {
  attrs: { error_mode: attr(t.enum(...ERROR_MODES), "propagate") },
  blocks: {
    traces: { defaultPresent: true, schema: { attrs: { span: attr(texts, []), spanevent: attr(texts, []) } } },
    metrics: { defaultPresent: true, schema: { attrs: { metric: attr(texts, []), datapoint: attr(texts, []) } } },
    logs: { defaultPresent: true, schema: { attrs: { log_record: attr(texts, []) } } },
    output: outputBlock,
    debug_metrics: debugMetricsBlock,
  },
  check(args: FilterArgs) {
    const problems: PositionedProblem[] = [];
    compileFilter(args, problems);
    return problems;
  },
};

interface Telemetry {
  filtered: Record<Signal, Counter>;
  errors: Counter;
}

function filterTelemetry(metrics: MetricsRegistry): Telemetry {
  return {
    filtered: {
      traces: metrics.counter("otelcol_processor_filter_spans_filtered_total", "Spans dropped by the filter processor."),
      metrics: metrics.counter("otelcol_processor_filter_datapoints_filtered_total", "Data points dropped by the filter processor."),
      logs: metrics.counter("otelcol_processor_filter_logs_filtered_total", "Log records dropped by the filter processor."),
    },
    errors: metrics.counter("otelcol_processor_filter_condition_errors_total", "Run-time errors of a filter condition."),
  };
}

/** Evaluates OR-ed conditions for one item under an error mode. */
export class Matcher {
  private readonly errorCounts = new Map<string, number>();
  constructor(
    private readonly mode: ErrorMode,
    private readonly logger: Logger,
  ) {}

  any(conds: CompiledCondition[], t: MutableTransformContext): boolean {
    t.nextItem();
    for (const c of conds) {
      try {
        if (c.eval(t)) return true;
      } catch (err) {
        const n = (this.errorCounts.get(c.text) ?? 0) + 1;
        this.errorCounts.set(c.text, n);
        const message = `failed to evaluate condition: ${c.text}, ${err instanceof Error ? err.message : String(err)} (on ${describeItem(t)})`;
        if (this.mode === "propagate") throw PipelineError.permanent(message, Code.InvalidArgument, err);
        if (this.mode === "ignore" && n <= 5) this.logger.warn(message);
      }
    }
    return false;
  }

  flush(errors: Counter): void {
    for (const [condition, n] of this.errorCounts) errors.inc({ condition }, n);
  }
}

/** Removes, in place, the elements for which `drop` is true; returns how many were removed. */
function removeIf<T>(list: T[], drop: (x: T, i: number) => boolean): number {
  let w = 0;
  const n = list.length;
  for (let r = 0; r < n; r++) if (!drop(list[r]!, r)) list[w++] = list[r]!;
  list.length = w;
  return n - w;
}

/** Filters a batch in place; returns the number of items removed, or undefined when the signal has no conditions. */
export function filterBatch(p: Program, batch: Batch<Signal>, m: Matcher): number | undefined {
  if (batch.signal === "traces" && (p.span || p.spanevent)) {
    let dropped = 0;
    const span = new MutableTransformContext("span");
    const ev = new MutableTransformContext("spanevent");
    removeIf((batch as Batch<"traces">).full(), (rs) => {
      span.resource = ev.resource = rs.resource ??= create(ResourceSchema);
      span.resourceHolder = ev.resourceHolder = rs;
      removeIf(rs.scopeSpans, (ss) => {
        span.scopeHolder = ev.scopeHolder = ss;
        span.scope = ev.scope = ss.scope;
        dropped += removeIf(ss.spans, (s) => {
          span.span = ev.span = s;
          if (p.span && m.any(p.span, span)) return true;
          if (p.spanevent) removeIf(s.events, (e, i) => ((ev.event = e), (ev.eventIndex = i), m.any(p.spanevent!, ev)));
          return false;
        });
        return ss.spans.length === 0;
      });
      return rs.scopeSpans.length === 0;
    });
    return dropped;
  }
  if (batch.signal === "metrics" && (p.metric || p.datapoint)) {
    let dropped = 0;
    const mt = new MutableTransformContext("metric");
    const dp = new MutableTransformContext("datapoint");
    removeIf((batch as Batch<"metrics">).full(), (rm) => {
      mt.resource = dp.resource = rm.resource ??= create(ResourceSchema);
      mt.resourceHolder = dp.resourceHolder = rm;
      removeIf(rm.scopeMetrics, (sm) => {
        mt.scopeHolder = dp.scopeHolder = sm;
        mt.scope = dp.scope = sm.scope;
        mt.metrics = dp.metrics = sm.metrics;
        removeIf(sm.metrics, (metric) => {
          mt.metric = dp.metric = metric;
          const points: DataPoint[] | undefined = metric.data.value?.dataPoints;
          if (p.metric && m.any(p.metric, mt)) {
            dropped += points?.length ?? 0;
            return true;
          }
          if (!p.datapoint || !points) return false;
          dropped += removeIf(points, (pt) => ((dp.point = pt), m.any(p.datapoint!, dp)));
          return points.length === 0;
        });
        return sm.metrics.length === 0;
      });
      return rm.scopeMetrics.length === 0;
    });
    return dropped;
  }
  if (batch.signal === "logs" && p.log) {
    let dropped = 0;
    const lg = new MutableTransformContext("log");
    removeIf((batch as Batch<"logs">).full(), (rl) => {
      lg.resource = rl.resource ??= create(ResourceSchema);
      lg.resourceHolder = rl;
      removeIf(rl.scopeLogs, (sl) => {
        lg.scopeHolder = sl;
        lg.scope = sl.scope;
        dropped += removeIf(sl.logRecords, (r) => ((lg.log = r), m.any(p.log!, lg)));
        return sl.logRecords.length === 0;
      });
      return rl.scopeLogs.length === 0;
    });
    return dropped;
  }
  return undefined;
}

/** The component definition. */
export const filterProcessor = defineComponent<FilterArgs>({
  name: "otelcol.processor.filter",
  summary: "Drops spans, span events, metrics, data points and log records matching OTTL conditions.",
  stability: "generally-available",
  args: filterSchema,
  exports: ["input"],
  build(opts, args) {
    const telemetry = filterTelemetry(opts.metrics);
    const compile = (a: FilterArgs) => {
      const problems: PositionedProblem[] = [];
      const program = compileFilter(a, problems);
      if (problems.some((x) => x.severity !== "warning")) throw new Error(problems.map((x) => x.message).join("; "));
      return { program, args: a };
    };
    let state = compile(args);
    const consume = async (batch: Batch<Signal>): Promise<void> => {
      const { program, args: a } = state;
      const out = a.output[batch.signal];
      if (out.length === 0) throw unsupported(batch.signal);
      const matcher = new Matcher(a.error_mode, opts.logger);
      let dropped: number | undefined;
      try {
        dropped = filterBatch(program, batch, matcher);
        if (dropped) telemetry.filtered[batch.signal].inc({}, dropped);
      } finally {
        matcher.flush(telemetry.errors);
      }
      // Upstream returns ErrSkipProcessingData: an emptied batch goes nowhere and is no error.
      if (dropped !== undefined && batch.resourceCount() === 0) return;
      await deliver(out, batch);
    };
    const input: Consumer = { consumeTraces: consume, consumeMetrics: consume, consumeLogs: consume };
    opts.onStateChange({ input: consumerCapsule(input) });
    return {
      run: (signal) => untilAborted(signal),
      update(next) {
        state = compile(next);
      },
    };
  },
});
