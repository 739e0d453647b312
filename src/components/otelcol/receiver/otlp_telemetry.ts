// Self-metrics of `otelcol.receiver.otlp` (alloy-components.md §1.3), named and labelled as the
// Collector's receiverhelper does: `receiver="otlp/<component id>"` and `transport`. Outcomes
// follow receiverhelper's newReceiverMetrics semantics: an error from the pipeline is
// "refused", a failure inside the receiver itself is "failed".

import type { Signal } from "../../../otlp/batch.ts";
import type { Counter, MetricsRegistry } from "../../../runtime/metrics.ts";
import type { Transport } from "../../../server/otlp_common.ts";

export type Outcome = "success" | "refused" | "failure";

const ITEM: Record<Signal, string> = { traces: "spans", metrics: "metric_points", logs: "log_records" };
const UNIT: Record<Signal, string> = { traces: "spans", metrics: "metric points", logs: "log records" };

/** Counters for one receiver. */
export class ReceiverTelemetry {
  private readonly accepted: Record<Signal, Counter>;
  private readonly refused: Record<Signal, Counter>;
  private readonly failed: Record<Signal, Counter>;
  private readonly requests: Counter;

  constructor(
    metrics: MetricsRegistry,
    /** The `receiver` label, e.g. `otlp/otelcol.receiver.otlp.default`. */
    private readonly receiver: string,
  ) {
    const per = (kind: string, help: string) =>
      Object.fromEntries(
        (Object.keys(ITEM) as Signal[]).map((s) => [s, metrics.counter(`otelcol_receiver_${kind}_${ITEM[s]}_total`, help.replace("%", UNIT[s]))]),
      ) as Record<Signal, Counter>;
    this.accepted = per("accepted", "Number of % successfully pushed into the pipeline.");
    this.refused = per("refused", "Number of % that could not be pushed into the pipeline.");
    this.failed = per("failed", "Number of % that failed to be processed by the receiver due to internal errors.");
    this.requests = metrics.counter("otelcol_receiver_requests_total", "The number of requests performed.");
  }

  /** Creates the zero series of a served signal, so dashboards see them before any traffic. */
  touch(signal: Signal, transport: Transport): void {
    const labels = this.labels(transport);
    for (const c of [this.accepted, this.refused, this.failed]) c[signal].inc(labels, 0);
  }

  /** Records one request that reached the pipeline with `items` items. */
  record(signal: Signal, transport: Transport, items: number, outcome: Outcome): void {
    const labels = this.labels(transport);
    const counter = outcome === "success" ? this.accepted : outcome === "refused" ? this.refused : this.failed;
    counter[signal].inc(labels, items);
    this.requests.inc({ ...labels, outcome }, 1);
  }

  private labels(transport: Transport): Record<string, string> {
    return { receiver: this.receiver, transport };
  }
}
