// Running compiled groups on a batch (ottl.md §4.4, §4.5): groups in order, each over the whole
// payload; per item the OR-ed conditions, then every statement in order; run-time errors follow
// the group's error_mode. Counters are kept per statement and flushed once per batch.

import type { Batch, Signal } from "../../../otlp/batch.ts";
import { Code, PipelineError } from "../../../otlp/errors.ts";
import { bytesToHex } from "../../../otlp/ids.ts";
import type { CompiledCondition, CompiledStatement } from "../../../ottl/compile.ts";
import { type ContextName, MutableTransformContext, type TransformContext } from "../../../ottl/tctx.ts";
import type { Logger } from "../../../runtime/logger.ts";
import type { Counter, MetricsRegistry } from "../../../runtime/metrics.ts";
import type { ErrorMode } from "./transform_config.ts";
import { walkLogs, walkMetrics, walkResources, walkTraces } from "./transform_walk.ts";

/** A group ready to run. */
export interface RunnableGroup {
  /** For messages and metric labels: `metric_statements[0]`, `statements.metric`. */
  name: string;
  context: ContextName;
  statements: CompiledStatement[];
  conditions: CompiledCondition[];
  errorMode: ErrorMode;
  /** Whether items must be decoded (anything but a resource group that never touches schema_url). */
  needsItems: boolean;
}

/** Errors logged per statement and batch before the rest are only counted. */
const LOG_LIMIT = 5;

/** Per-statement counters on /metrics. */
export interface StatementTelemetry {
  executions: Counter;
  errors: Counter;
}

/** Registers the counters a transform-like processor reports. */
export function statementTelemetry(metrics: MetricsRegistry, prefix: string): StatementTelemetry {
  return {
    executions: metrics.counter(`${prefix}_statement_executions_total`, "Items on which an OTTL statement's editor ran (its where clause held)."),
    errors: metrics.counter(`${prefix}_statement_errors_total`, "Run-time errors of an OTTL statement or group condition."),
  };
}

/** Runs the groups of one signal on batches. */
export class SignalProgram {
  constructor(
    readonly signal: Signal,
    readonly groups: RunnableGroup[],
    private readonly logger: Logger,
    private readonly telemetry: StatementTelemetry,
  ) {}

  /** Transforms the batch in place; throws a permanent PipelineError when a propagate group fails. */
  run(batch: Batch<Signal>): void {
    if (this.groups.length === 0) return;
    const full = this.groups.some((g) => g.needsItems) ? batch.full() : undefined;
    for (const g of this.groups) {
      const runner = new GroupRun(g, this.logger);
      try {
        const t = new MutableTransformContext(g.context);
        const visit = () => runner.item(t);
        if (!full) walkResources(batch.resources(), t, visit);
        else if (this.signal === "traces") walkTraces(full as never, g.context, t, visit);
        else if (this.signal === "metrics") walkMetrics(full as never, g.context, t, visit);
        else walkLogs(full as never, g.context, t, visit);
      } finally {
        runner.flush(this.telemetry);
      }
    }
  }
}

/** One group's pass over one batch: counts, logs and error-mode handling. */
class GroupRun {
  private readonly executions: number[];
  private readonly errors: number[];
  private readonly conditionErrors: number[];

  constructor(
    readonly g: RunnableGroup,
    private readonly logger: Logger,
  ) {
    this.executions = g.statements.map(() => 0);
    this.errors = g.statements.map(() => 0);
    this.conditionErrors = g.conditions.map(() => 0);
  }

  item(t: MutableTransformContext): void {
    t.nextItem();
    if (this.g.conditions.length > 0 && !this.anyCondition(t)) return;
    const stmts = this.g.statements;
    for (let i = 0; i < stmts.length; i++) {
      try {
        if (stmts[i]!.run(t)) this.executions[i]!++;
      } catch (err) {
        this.errors[i]!++;
        this.onError(`failed to execute statement: ${stmts[i]!.text}`, err, t, this.errors[i]!);
      }
    }
  }

  /** Conditions are OR-ed (§4.1); an erroring condition counts as false unless propagating. */
  private anyCondition(t: TransformContext): boolean {
    const conds = this.g.conditions;
    for (let i = 0; i < conds.length; i++) {
      try {
        if (conds[i]!.eval(t)) return true;
      } catch (err) {
        this.conditionErrors[i]!++;
        this.onError(`failed to evaluate condition: ${conds[i]!.text}`, err, t, this.conditionErrors[i]!);
      }
    }
    return false;
  }

  private onError(what: string, err: unknown, t: TransformContext, nth: number): void {
    const reason = err instanceof Error ? err.message : String(err);
    const message = `${what}, ${reason} (${this.g.name}, on ${describeItem(t)})`;
    if (this.g.errorMode === "propagate") throw PipelineError.permanent(message, Code.InvalidArgument, err);
    if (this.g.errorMode === "ignore" && nth <= LOG_LIMIT) {
      this.logger.warn(nth === LOG_LIMIT ? `${message}; further errors of this statement in this batch are only counted` : message);
    }
  }

  flush(tel: StatementTelemetry): void {
    this.g.statements.forEach((s, i) => {
      const labels = { group: this.g.name, statement: s.text };
      if (this.executions[i]! > 0) tel.executions.inc(labels, this.executions[i]);
      if (this.errors[i]! > 0) tel.errors.inc(labels, this.errors[i]);
    });
    this.g.conditions.forEach((c, i) => {
      if (this.conditionErrors[i]! > 0) tel.errors.inc({ group: this.g.name, statement: c.text }, this.conditionErrors[i]);
    });
  }
}

/** A short description of the item a statement failed on, for logs and errors. */
export function describeItem(t: TransformContext): string {
  switch (t.context) {
    case "span":
      return `span "${t.span?.name}" (trace_id ${hex(t.span?.traceId)}, span_id ${hex(t.span?.spanId)})`;
    case "spanevent":
      return `event "${t.event?.name}" #${t.eventIndex} of span "${t.span?.name}" (span_id ${hex(t.span?.spanId)})`;
    case "metric":
      return `metric "${t.metric?.name}"`;
    case "datapoint":
      return `data point (time ${t.point?.timeUnixNano}) of metric "${t.metric?.name}"`;
    case "log":
      return `log record (time ${t.log?.timeUnixNano}${t.log?.traceId.length ? `, trace_id ${hex(t.log.traceId)}` : ""})`;
    case "scope":
      return `scope "${t.scope?.name ?? ""}"`;
    default: {
      const name = t.resource.attributes.find((kv) => kv.key === "service.name")?.value?.value;
      return `resource${name?.case === "stringValue" ? ` of service "${name.value}"` : ""}`;
    }
  }
}

function hex(b: Uint8Array | undefined): string {
  return b && b.length > 0 ? bytesToHex(b) : "-";
}
