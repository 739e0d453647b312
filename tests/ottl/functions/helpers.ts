// Test helpers: run real OTTL statements through the core compiler against a log record or a
// metric list, the way the transform processor does (ottl.md §4.4).

import { create } from "@bufbuild/protobuf";
import { LogRecordSchema } from "../../../gen/opentelemetry/proto/logs/v1/logs_pb.ts";
import type { Metric } from "../../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { ResourceSchema } from "../../../gen/opentelemetry/proto/resource/v1/resource_pb.ts";
import { compileStatement } from "../../../src/ottl/compile.ts";
import { MutableTransformContext } from "../../../src/ottl/tctx.ts";
import { PMap, type Value, fromPlain, toAny, toPlain } from "../../../src/ottl/values.ts";

/** What a test log record holds. */
export interface LogInput {
  readonly attributes?: Record<string, unknown>;
  readonly body?: unknown;
}

/** A log-level transform context over a fresh record. */
export function logContext(input: LogInput = {}): MutableTransformContext {
  const t = new MutableTransformContext("log");
  t.resource = create(ResourceSchema);
  t.log = create(LogRecordSchema);
  const attrs = new PMap(t.log.attributes);
  for (const [k, v] of Object.entries(input.attributes ?? {})) attrs.set(k, fromPlain(v));
  if (input.body !== undefined) t.log.body = toAny(fromPlain(input.body));
  return t;
}

/** Runs statements (log context) on one record; returns the context for inspection. */
export function runLog(statements: readonly string[], input: LogInput = {}): MutableTransformContext {
  const t = logContext(input);
  const compiled = statements.map((s) => compileStatement(s, { context: "log" }));
  for (const s of compiled) s.run(t);
  return t;
}

/** Evaluates a converter expression: `set(log.cache["out"], expr)`; nil results read back as null. */
export function evaluate(expr: string, input: LogInput = {}): Value {
  return runLog([`set(log.cache["out"], ${expr})`], input).cache.get("out");
}

/** evaluate() converted to plain JS (maps → objects, lists → arrays). */
export function plain(expr: string, input: LogInput = {}): unknown {
  return toPlain(evaluate(expr, input));
}

/** Compiles an expression without running it (throws OttlCompileError for bad literals). */
export function compileExpr(expr: string): void {
  compileStatement(`set(log.cache["out"], ${expr})`, { context: "log" });
}

/** The log's attributes as a plain object. */
export function attributesOf(t: MutableTransformContext): Record<string, unknown> {
  return toPlain(new PMap(t.log!.attributes)) as Record<string, unknown>;
}

/**
 * Runs metric-context statements over a scope's metric list like the processor: all statements on
 * metric 1, then metric 2, …, re-reading the list length so appended metrics are visited too.
 */
export function runMetrics(statements: readonly string[], metrics: Metric[], cap = 1000): Metric[] {
  const compiled = statements.map((s) => compileStatement(s, { context: "metric" }));
  const t = new MutableTransformContext("metric");
  t.resource = create(ResourceSchema);
  t.metrics = metrics;
  for (let i = 0; i < metrics.length && i < cap; i++) {
    t.metric = metrics[i];
    t.nextItem();
    for (const s of compiled) s.run(t);
  }
  return metrics;
}
