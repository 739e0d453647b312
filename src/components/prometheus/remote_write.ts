// prometheus.remote_write: every committed sample goes into a write-ahead log under
// <storage.path>/prometheus.remote_write.<label>/wal, and each endpoint's queue sends the WAL
// with remote write 1.0 (or, optionally, 2.0), resuming after restarts and outages
// (spec: alloy-components.md §16; prometheus.md §4.5–§6). The machinery is in src/prom/remote_write.

import { receiverCapsule } from "../../prom/appender.ts";
import { type RemoteWriteArgs, remoteWriteSchema } from "../../prom/remote_write/args.ts";
import { RemoteWriteStore } from "../../prom/remote_write/store.ts";
import { defineComponent } from "../../runtime/component.ts";

/** `prometheus.remote_write`. */
export const remoteWrite = defineComponent<RemoteWriteArgs>({
  name: "prometheus.remote_write",
  summary: "Writes Prometheus samples to a write-ahead log and sends them with remote write to one or more endpoints.",
  stability: "generally-available",
  args: remoteWriteSchema,
  exports: ["receiver"],
  build(opts, args) {
    const store = new RemoteWriteStore(opts, args);
    opts.onStateChange({ receiver: receiverCapsule(store.appendable) });
    return {
      run: (signal) => store.run(signal),
      update: (next) => store.update(next),
      health: () => store.health(),
    };
  },
});
