// `otelcol.receiver.otlp` (alloy-components.md §1): OTLP over gRPC and HTTP into the `output`
// consumers. Building opens nothing; run() starts the listeners and closes them when aborted;
// update() restarts only a listener whose block changed, while `output` changes apply to the
// next request (each request reads the current lists through the sink).

import type { Batch, PartialSuccess, Signal } from "../../../otlp/batch.ts";
import { PipelineError } from "../../../otlp/errors.ts";
import { defineComponent } from "../../../runtime/component.ts";
import type { Health } from "../../../runtime/component.ts";
import { health } from "../../../runtime/health.ts";
import { type OtlpSink, SIGNALS, type Transport } from "../../../server/otlp_common.ts";
import { deliver, unsupported } from "../shared/output.ts";
import { type OtlpReceiverArgs, otlpReceiverSchema } from "./otlp_args.ts";
import { ReceiverServers } from "./otlp_servers.ts";
import { ReceiverTelemetry } from "./otlp_telemetry.ts";

export type { OtlpReceiverArgs } from "./otlp_args.ts";

/** The component definition. */
export const otlpReceiver = defineComponent<OtlpReceiverArgs>({
  name: "otelcol.receiver.otlp",
  summary: "Receives OTLP over gRPC and over HTTP (protobuf and JSON) and passes it to the output consumers.",
  stability: "generally-available",
  args: otlpReceiverSchema,
  exports: [],
  build(opts, args) {
    let current = args;
    const telemetry = new ReceiverTelemetry(opts.metrics, `otlp/${opts.id}`);
    const sink = receiverSink(() => current, telemetry);
    const servers = new ReceiverServers(sink, opts.logger);
    let running = false;
    const touch = (a: OtlpReceiverArgs) => {
      for (const s of SIGNALS) {
        if (a.output[s].length === 0) continue;
        if (a.grpc) telemetry.touch(s, "grpc");
        if (a.http) telemetry.touch(s, "http");
      }
    };
    // Updates are applied one at a time, in order, even when they arrive while a listener starts.
    let applying: Promise<void> = Promise.resolve();
    const apply = (a: OtlpReceiverArgs) => (applying = applying.then(() => servers.apply(a.grpc, a.http)));
    return {
      async run(signal) {
        running = true;
        touch(current);
        await apply(current);
        await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
        running = false;
        await applying;
        await servers.close();
      },
      async update(next) {
        current = next;
        if (!running) return;
        touch(next);
        await apply(next);
      },
      health(): Health | undefined {
        const failures = [...servers.failures.values()];
        return failures.length > 0 ? health("unhealthy", failures.join("; ")) : undefined;
      },
      debugInfo: () => Object.fromEntries(Object.entries(servers.addresses()).filter(([, v]) => v !== undefined)) as Record<string, string>,
    };
  },
});

/** Delivers to the current output lists and counts the outcome (alloy-components.md §1.3). */
function receiverSink(args: () => OtlpReceiverArgs, telemetry: ReceiverTelemetry): OtlpSink {
  return {
    accepts: (signal) => args().output[signal].length > 0,
    async export(batch: Batch<Signal>, transport: Transport): Promise<PartialSuccess | undefined> {
      const items = batch.itemCount();
      const consumers = args().output[batch.signal];
      try {
        // The output list may have been emptied by an update since the request was routed.
        if (consumers.length === 0) throw unsupported(batch.signal);
        await deliver(consumers, batch);
      } catch (err) {
        telemetry.record(batch.signal, transport, items, "refused");
        throw PipelineError.from(err);
      }
      telemetry.record(batch.signal, transport, items, "success");
      return undefined;
    },
  };
}
