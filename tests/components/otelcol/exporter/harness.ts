// Drives one exporter component from Alloy text, the way the runtime does: decode the block body
// against the schema (defaults, validation, warnings), build, run, stop.

import { create, toBinary } from "@bufbuild/protobuf";
import { ExportLogsServiceRequestSchema } from "../../../../gen/opentelemetry/proto/collector/logs/v1/logs_service_pb.ts";
import { ExportTraceServiceRequestSchema } from "../../../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { Batch } from "../../../../src/otlp/batch.ts";
import type { Consumer } from "../../../../src/otlp/consumer.ts";
import type { Component, ComponentDefinition } from "../../../../src/runtime/component.ts";
import { decodeBody } from "../../../../src/runtime/decode.ts";
import type { EvalError } from "../../../../src/runtime/errors.ts";
import { createLogger, memorySink } from "../../../../src/runtime/logger.ts";
import { MetricsRegistry } from "../../../../src/runtime/metrics.ts";
import type { Capsule } from "../../../../src/runtime/value.ts";
import { parseFile } from "../../../../src/syntax/index.ts";

/** Decodes a block body written in Alloy syntax; returns the arguments and the messages. */
export function decode<A>(def: ComponentDefinition<A>, text: string): { args: A; errors: string[]; warnings: string[] } {
  const { file, diagnostics } = parseFile("test.alloy", text);
  if (diagnostics.length > 0) throw new Error(`parse: ${diagnostics.map((d) => d.message).join("; ")}`);
  const problems: EvalError[] = [];
  const args = decodeBody(file.body, def.args, {}, file, problems) as A;
  return {
    args,
    errors: problems.filter((p) => p.severity === "error").map((p) => p.message),
    warnings: problems.filter((p) => p.severity === "warning").map((p) => p.message),
  };
}

export interface Running<A> {
  input: Consumer;
  component: Component<A>;
  metrics: MetricsRegistry;
  /** Log lines (logfmt). */
  logs: string[];
  /** Aborts run() and waits for it to finish. */
  stop(): Promise<void>;
}

/** Builds and runs `def` with arguments decoded from `text`; throws on configuration errors. */
export async function start<A>(def: ComponentDefinition<A>, text: string, id = `${def.name}.test`): Promise<Running<A>> {
  const { args, errors } = decode(def, text);
  if (errors.length > 0) throw new Error(`config: ${errors.join("; ")}`);
  const sink = memorySink("debug");
  const metrics = new MetricsRegistry();
  let input: Consumer | undefined;
  const component = await def.build(
    {
      id,
      dataPath: "/nonexistent",
      logger: createLogger(sink, { component_id: id }),
      metrics: metrics.with({ component_id: id }),
      onStateChange: (exports) => (input = (exports.input as Capsule<Consumer>).value),
    },
    args,
  );
  const abort = new AbortController();
  const running = component.run(abort.signal);
  return {
    input: input!,
    component,
    metrics,
    logs: sink.lines,
    stop: async () => {
      abort.abort();
      await running;
    },
  };
}

/** A traces batch of `n` spans named `span-<i>` in service `svc`. */
export function traces(n: number, service = "svc"): Batch<"traces"> {
  return Batch.decode("traces", tracesBytes(n, service));
}

/** The encoded request behind `traces(n)`. */
export function tracesBytes(n: number, service = "svc"): Uint8Array {
  const spans = Array.from({ length: n }, (_, i) => ({
    traceId: Uint8Array.from({ length: 16 }, (_, j) => j + 1),
    spanId: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, i + 1),
    name: `span-${i}`,
    kind: 2,
    startTimeUnixNano: 1_700_000_000_000_000_000n + BigInt(i),
    endTimeUnixNano: 1_700_000_000_000_100_000n + BigInt(i),
    attributes: [{ key: "i", value: { value: { case: "intValue" as const, value: BigInt(i) } } }],
  }));
  const resource = { attributes: [{ key: "service.name", value: { value: { case: "stringValue" as const, value: service } } }] };
  return toBinary(ExportTraceServiceRequestSchema, create(ExportTraceServiceRequestSchema, { resourceSpans: [{ resource, scopeSpans: [{ scope: { name: "lib" }, spans }] }] }));
}

/** A logs batch of `n` records. */
export function logs(n: number): Batch<"logs"> {
  const logRecords = Array.from({ length: n }, (_, i) => ({ timeUnixNano: BigInt(i + 1), body: { value: { case: "stringValue" as const, value: `line ${i}` } } }));
  return Batch.decode("logs", toBinary(ExportLogsServiceRequestSchema, create(ExportLogsServiceRequestSchema, { resourceLogs: [{ scopeLogs: [{ logRecords }] }] })));
}

/** The value of one series in the exposition text, or undefined. */
export function metricValue(metrics: MetricsRegistry, name: string): number | undefined {
  const line = metrics
    .expose()
    .split("\n")
    .find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

/** Fast retries for tests: 10ms initial, 50ms cap, give up after 300ms. */
export const FAST_RETRY = `retry_on_failure {
    initial_interval = "10ms"
    max_interval = "50ms"
    max_elapsed_time = "300ms"
    randomization_factor = 0
  }`;
