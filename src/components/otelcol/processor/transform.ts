// `otelcol.processor.transform` (spec: alloy-components.md §4, ottl.md §4): changes telemetry
// with OTTL statements. Statements are compiled when the configuration is loaded; a batch is
// decoded down to items only when a group's context needs them (resource groups stay lite).

import type { Batch, Signal } from "../../../otlp/batch.ts";
import { type Consumer, consumerCapsule } from "../../../otlp/consumer.ts";
import type { SignalName } from "../../../ottl/contexts/index.ts";
import { defineComponent } from "../../../runtime/component.ts";
import type { Logger } from "../../../runtime/logger.ts";
import { type BlockSpec, type Located, type PositionedProblem, type Schema, attr, required, t } from "../../../runtime/schema.ts";
import { type DebugMetricsArgs, debugMetricsBlock } from "../shared/debug_metrics.ts";
import { type OutputArgs, deliver, outputBlock, unsupported } from "../shared/output.ts";
import { ERROR_MODES, type ErrorMode, compileTransformGroup } from "./transform_config.ts";
import { type RunnableGroup, SignalProgram, type StatementTelemetry, statementTelemetry } from "./transform_exec.ts";

/** One `trace_statements` / `metric_statements` / `log_statements` block. */
export interface StatementsBlock {
  context: Located<string>;
  statements: Located<string>[];
  conditions: Located<string>[];
  error_mode?: ErrorMode;
}

/** Decoded arguments (Alloy's transform.Arguments). */
export interface TransformArgs {
  error_mode: ErrorMode;
  statements?: { trace: Located<string>[]; metric: Located<string>[]; log: Located<string>[] };
  trace_statements: StatementsBlock[];
  metric_statements: StatementsBlock[];
  log_statements: StatementsBlock[];
  output: OutputArgs;
  debug_metrics: DebugMetricsArgs;
}

const texts = t.list(t.located(t.string));

const groupBlock: BlockSpec = {
  repeated: true,
  schema: {
    attrs: {
      context: required(t.located(t.string)),
      statements: required(texts),
      conditions: attr(texts, []),
      error_mode: attr(t.enum(...ERROR_MODES)),
    },
  },
};

const SIGNALS: ReadonlyArray<{ signal: Signal; ottl: SignalName; block: "trace_statements" | "metric_statements" | "log_statements"; flat: "trace" | "metric" | "log" }> = [
  { signal: "traces", ottl: "traces", block: "trace_statements", flat: "trace" },
  { signal: "metrics", ottl: "metrics", block: "metric_statements", flat: "metric" },
  { signal: "logs", ottl: "logs", block: "log_statements", flat: "log" },
];

/** Every group of every signal, compiled; `problems` gets positioned load-time errors. */
export function compileTransform(args: TransformArgs, problems: PositionedProblem[]): Record<Signal, RunnableGroup[]> {
  const out: Record<Signal, RunnableGroup[]> = { traces: [], metrics: [], logs: [] };
  for (const s of SIGNALS) {
    // Alloy appends the flat `statements` lists after the context blocks (transform.go convertImpl).
    const sources = args[s.block].map((b, i) => ({ name: `${s.block}[${i}]`, block: b as Partial<StatementsBlock> }));
    const flat = args.statements?.[s.flat] ?? [];
    if (flat.length > 0) sources.push({ name: `statements.${s.flat}`, block: { statements: flat, conditions: [] } });
    for (const { name, block } of sources) {
      const g = compileTransformGroup(s.ottl, { context: block.context, statements: block.statements ?? [], conditions: block.conditions ?? [] }, problems);
      if (!g) continue;
      const all = [...(block.statements ?? []), ...(block.conditions ?? [])];
      out[s.signal].push({
        name,
        context: g.context,
        statements: g.items,
        conditions: g.conditions,
        errorMode: block.error_mode ?? args.error_mode,
        // resource.schema_url lives on the ResourceSpans entry, which the lite path does not expose.
        needsItems: g.context !== "resource" || all.some((l) => l.value.includes("schema_url")),
      });
    }
  }
  return out;
}

const transformSchema: Schema = {
  attrs: { error_mode: attr(t.enum(...ERROR_MODES), "propagate") },
  blocks: {
    statements: {
      schema: { attrs: { trace: attr(texts, []), metric: attr(texts, []), log: attr(texts, []) } },
    },
    trace_statements: groupBlock,
    metric_statements: groupBlock,
    log_statements: groupBlock,
    output: outputBlock,
    debug_metrics: debugMetricsBlock,
  },
  check(args: TransformArgs) {
    const problems: PositionedProblem[] = [];
    compileTransform(args, problems);
    return problems;
  },
};

interface State {
  programs: Record<Signal, SignalProgram>;
  output: OutputArgs;
}

function buildState(args: TransformArgs, logger: Logger, telemetry: StatementTelemetry): State {
  const problems: PositionedProblem[] = [];
  const groups = compileTransform(args, problems);
  const errors = problems.filter((p) => p.severity !== "warning");
  if (errors.length > 0) throw new Error(errors.map((p) => p.message).join("; "));
  const program = (s: Signal) => new SignalProgram(s, groups[s], logger, telemetry);
  return { programs: { traces: program("traces"), metrics: program("metrics"), logs: program("logs") }, output: args.output };
}

/** The component definition. */
export const transformProcessor = defineComponent<TransformArgs>({
  name: "otelcol.processor.transform",
  summary: "Changes telemetry with OTTL statements, compiled when the configuration is loaded.",
  stability: "generally-available",
  args: transformSchema,
  exports: ["input"],
  build(opts, args) {
    const telemetry = statementTelemetry(opts.metrics, "otelcol_processor_transform");
    let state = buildState(args, opts.logger, telemetry);
    const consume = async (batch: Batch<Signal>): Promise<void> => {
      const s = state;
      const out = s.output[batch.signal];
      if (out.length === 0) throw unsupported(batch.signal);
      s.programs[batch.signal].run(batch);
      await deliver(out, batch);
    };
    const input: Consumer = { consumeTraces: consume, consumeMetrics: consume, consumeLogs: consume };
    opts.onStateChange({ input: consumerCapsule(input) });
    return {
      run: (signal) => untilAborted(signal),
      update(next) {
        state = buildState(next, opts.logger, telemetry);
      },
    };
  },
});

/** Resolves when the signal aborts: the component has nothing to run in the background. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}
