// Test helpers for the OTTL interpreter: build items from plain objects, run statements and
// conditions on them, read attributes back as plain objects. Ints are bigints (`10n`), floats
// are JS numbers (`10.5`), as in the interpreter.

import { create } from "@bufbuild/protobuf";
import type { KeyValue } from "../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import { type LogRecord, LogRecordSchema } from "../../gen/opentelemetry/proto/logs/v1/logs_pb.ts";
import { type Metric, MetricSchema, type NumberDataPoint, NumberDataPointSchema } from "../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { type Resource, ResourceSchema } from "../../gen/opentelemetry/proto/resource/v1/resource_pb.ts";
import { type Span, SpanSchema } from "../../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import { compileCondition, compileStatement } from "../../src/ottl/compile.ts";
import { OttlCompileError } from "../../src/ottl/errors.ts";
import { type ContextName, MutableTransformContext } from "../../src/ottl/tctx.ts";
import { PMap, type Value, fromAny, fromPlain, toPlain } from "../../src/ottl/values.ts";

/** KeyValue[] from a plain object (bigint = int, number = double). */
export function kvs(obj: Record<string, unknown>): KeyValue[] {
  return PMap.of(Object.entries(obj).map(([k, v]) => [k, fromPlain(v)] as const)).kvs;
}

/** A plain object from KeyValue[]. */
export function plain(list: KeyValue[]): Record<string, unknown> {
  return toPlain(new PMap(list)) as Record<string, unknown>;
}

/** A resource with attributes. */
export function resource(attrs: Record<string, unknown> = {}): Resource {
  return create(ResourceSchema, { attributes: kvs(attrs) });
}

/** A span with attributes and optional fields. */
export function span(attrs: Record<string, unknown> = {}, init: Partial<Omit<Span, "attributes" | "$typeName">> = {}): Span {
  const s = create(SpanSchema, init as never);
  s.attributes = kvs(attrs);
  return s;
}

/** A log record with attributes and an optional body (plain value). */
export function log(attrs: Record<string, unknown> = {}, body?: unknown, init: Partial<Omit<LogRecord, "attributes" | "body" | "$typeName">> = {}): LogRecord {
  const l = create(LogRecordSchema, init as never);
  l.attributes = kvs(attrs);
  if (body !== undefined) l.body = PMap.of([["b", fromPlain(body)]]).kvs[0]!.value;
  return l;
}

/** A gauge metric with one number point. */
export function gauge(name: string, value: bigint | number, attrs: Record<string, unknown> = {}): { metric: Metric; point: NumberDataPoint } {
  const point = create(NumberDataPointSchema, { value: typeof value === "bigint" ? { case: "asInt", value } : { case: "asDouble", value } });
  point.attributes = kvs(attrs);
  const metric = create(MetricSchema, { name, data: { case: "gauge", value: { dataPoints: [point] } } });
  return { metric, point };
}

/** A transform context for one item. */
export function tctx(context: ContextName, parts: Partial<MutableTransformContext> = {}): MutableTransformContext {
  const t = new MutableTransformContext(context);
  t.resource = parts.resource ?? resource();
  Object.assign(t, { ...parts, resource: t.resource });
  return t;
}

/** Compiles and runs one statement on the item; returns whether the editor ran. */
export function run(context: ContextName, statement: string, t: MutableTransformContext): boolean {
  return compileStatement(statement, { context }).run(t);
}

/** Compiles and evaluates a condition. */
export function cond(context: ContextName, condition: string, t: MutableTransformContext): boolean {
  return compileCondition(condition, { context }).eval(t);
}

/** The compile error of a statement (fails the test when it compiles). */
export function compileError(context: ContextName, statement: string, asCondition = false): OttlCompileError {
  try {
    if (asCondition) compileCondition(statement, { context });
    else compileStatement(statement, { context });
  } catch (err) {
    if (err instanceof OttlCompileError) return err;
    throw err;
  }
  throw new Error(`expected a compile error for: ${statement}`);
}

/** The run-time error message of a statement on an item (fails when it succeeds). */
export function runError(context: ContextName, statement: string, t: MutableTransformContext): string {
  try {
    run(context, statement, t);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`expected a run-time error for: ${statement}`);
}

/** Evaluates a value expression in a context by setting it into the span/log cache and reading it back. */
export function evalValue(expr: string, context: ContextName = "span", t = tctx(context, { span: span(), log: log() })): Value {
  t.nextItem();
  compileStatement(`set(${context}.cache["v"], ${expr})`, { context }).run(t);
  return fromAny(t.cache.slot("v"));
}
