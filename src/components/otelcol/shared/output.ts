// The `output` block shared by receivers, processors and connectors (spec:
// alloy-components.md §0.1), and the fan-out consumer that delivers to it.

import type { Batch, Signal } from "../../../otlp/batch.ts";
import { CONSUMER_TYPE, type Consumer } from "../../../otlp/consumer.ts";
import { PipelineError } from "../../../otlp/errors.ts";
import { type BlockSpec, type Schema, attr, t } from "../../../runtime/schema.ts";

export interface OutputArgs {
  metrics: Consumer[];
  logs: Consumer[];
  traces: Consumer[];
}

const consumers = t.list(t.capsule(CONSUMER_TYPE));

/** `output { metrics = […], logs = […], traces = […] }`, required. */
export const outputBlock: BlockSpec = {
  required: true,
  schema: { attrs: { metrics: attr(consumers, []), logs: attr(consumers, []), traces: attr(consumers, []) } },
};

/** An `output` block that accepts only some signals (host_info: metrics only). */
export function outputBlockFor(...signals: Signal[]): BlockSpec {
  const attrs: Schema["attrs"] = {};
  for (const s of signals) attrs[s] = attr(consumers, []);
  return { required: true, schema: { attrs } };
}

/** Error for a signal the component has no pipeline for. */
export function unsupported(signal: Signal): PipelineError {
  return PipelineError.retryable(`telemetry type is not supported: no ${signal} in the output block`);
}

/**
 * Delivers to every consumer. Ownership passes with the call, so every consumer but the last gets
 * its own copy — except read-only consumers (Consumer.readOnly), which are called first, one after
 * another, with the batch itself: they are done reading when their call returns, before any
 * other consumer can change or keep it. Errors are collected and joined; an empty list means the
 * signal is dropped by design, which is not an error.
 */
export async function deliver<S extends Signal>(list: Consumer[], batch: Batch<S>): Promise<void> {
  const errors: unknown[] = [];
  const call = async (c: Consumer, b: Batch<S>) => {
    try {
      await consume(c, b);
    } catch (err) {
      errors.push(err);
    }
  };
  let owners = list;
  if (list.some((c) => c.readOnly === true)) {
    owners = list.filter((c) => c.readOnly !== true);
    for (const c of list) if (c.readOnly === true) await call(c, batch);
  }
  for (let i = 0; i < owners.length; i++) await call(owners[i]!, i === owners.length - 1 ? batch : batch.clone());
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw PipelineError.from(new AggregateError(errors, "several consumers failed"));
}

/** Calls the consumer method for the batch's signal. */
export function consume<S extends Signal>(c: Consumer, batch: Batch<S>): Promise<void> {
  switch (batch.signal) {
    case "traces":
      return c.consumeTraces(batch as Batch<"traces">);
    case "metrics":
      return c.consumeMetrics(batch as Batch<"metrics">);
    default:
      return c.consumeLogs(batch as Batch<"logs">);
  }
}

/** A consumer that fans each signal out to the matching output list. */
export function outputConsumer(get: () => OutputArgs): Consumer {
  return {
    consumeTraces: (b) => deliver(get().traces, b),
    consumeMetrics: (b) => deliver(get().metrics, b),
    consumeLogs: (b) => deliver(get().logs, b),
  };
}
