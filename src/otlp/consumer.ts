// The consumer contract between otelcol components (style: the Collector's consumer package).
// A consumer is one object with a method per signal; ownership of the batch passes with the
// call, so the caller never touches a batch after handing it on. A component that fans out to
// several consumers clones the batch for every consumer but the last — except for consumers that
// declare `readOnly`, which share the batch (the Collector's MutatesData capability, made
// stricter for a single thread: see below).

import type { LogsBatch, MetricsBatch, TracesBatch } from "./batch.ts";
import { Capsule } from "../runtime/value.ts";

export interface Consumer {
  consumeTraces(batch: TracesBatch): Promise<void>;
  consumeMetrics(batch: MetricsBatch): Promise<void>;
  consumeLogs(batch: LogsBatch): Promise<void>;
  /**
   * True when the consumer only reads the batch, and only in the synchronous part of its call:
   * it changes nothing and keeps no reference once the call has returned its promise. A fan-out
   * then hands it the very batch (no copy), before any consumer that may change or keep it.
   */
  readonly readOnly?: boolean;
}

/** The capsule type name Alloy uses for consumers. */
export const CONSUMER_TYPE = "otelcol.Consumer";

/** Wraps a consumer for export as `input`. */
export function consumerCapsule(c: Consumer): Capsule<Consumer> {
  return new Capsule(CONSUMER_TYPE, c);
}
