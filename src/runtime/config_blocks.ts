// Top-level configuration blocks that are not components (spec: alloy-syntax.md §8).

import { httpBlock } from "./http_block.ts";
import { type Schema, attr, t } from "./schema.ts";

const logging: Schema = {
  attrs: {
    level: attr(t.enum("debug", "info", "warn", "error"), "info"),
    format: attr(t.enum("logfmt", "json"), "logfmt"),
    destination: attr(t.enum("stderr"), "stderr"),
    write_to: attr(t.list(t.capsule("loki.LogsReceiver")), []),
  },
};

const tracing: Schema = {
  attrs: {
    sampling_fraction: attr(t.number, 0.1),
    write_to: attr(t.list(t.capsule("otelcol.Consumer")), []),
    send_traceparent: attr(t.bool, false),
  },
  blocks: {
    sampler: {
      schema: {
        blocks: {
          jaeger_remote: {
            schema: {
              attrs: {
                url: attr(t.string, "http://127.0.0.1:5778/sampling"),
                refresh_interval: attr(t.duration, 60_000),
                max_operations: attr(t.int, 256),
              },
            },
          },
        },
      },
    },
  },
};

const livedebugging: Schema = {
  attrs: { enabled: attr(t.bool, false) },
};

export interface LoggingArgs {
  level: "debug" | "info" | "warn" | "error";
  format: "logfmt" | "json";
  destination: "stderr";
  write_to: unknown[];
}

/** Schemas of the top-level config blocks solder understands, by block name. */
export const CONFIG_BLOCKS: Record<string, Schema> = { logging, tracing, livedebugging, http: httpBlock };
