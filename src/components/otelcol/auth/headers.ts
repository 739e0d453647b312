// `otelcol.auth.headers`: sets, replaces or removes request headers on exporters (style: the
// Collector's headerssetter extension as Alloy wraps it). Client side only, as in Alloy: a
// receiver that names this handler is rejected when the configuration loads.

import { type Component, defineComponent } from "../../../runtime/component.ts";
import { type Schema, attr, required, t } from "../../../runtime/schema.ts";
import type { ClientMetadata } from "../../../otlp/batch.ts";
import type { Secret } from "../../../runtime/value.ts";
import { debugMetricsBlock } from "../shared/debug_metrics.ts";
import { AuthHandler, type ClientAuth, handlerCapsule } from "./handler.ts";

export interface HeaderArgs {
  key: string;
  value?: Secret;
  from_context?: string;
  from_attribute?: string;
  action: "insert" | "update" | "upsert" | "delete";
}

export interface HeadersAuthArgs {
  header: HeaderArgs[];
  debug_metrics: { disable_high_cardinality_metrics: boolean };
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const schema: Schema = {
  blocks: {
    header: {
      repeated: true,
      required: true,
      schema: {
        attrs: {
          key: required(t.string),
          value: attr(t.secret),
          from_context: attr(t.string),
          from_attribute: attr(t.string),
          action: attr(t.enum("insert", "update", "upsert", "delete"), "upsert"),
        },
        validate: validateHeader,
      },
    },
    debug_metrics: debugMetricsBlock,
  },
};

function validateHeader(h: HeaderArgs): string[] {
  if (h.key === "") return ["missing header name"];
  if (!TOKEN.test(h.key)) return [`invalid header name "${h.key}"`];
  if (h.from_attribute !== undefined) return ["from_attribute is not supported by solder (receivers do not pass authentication attributes on)"];
  const sources = [h.value, h.from_context].filter((s) => s !== undefined).length;
  if (h.action !== "delete" && sources === 0) return [`header "${h.key}": set value or from_context`];
  if (sources > 1) return [`header "${h.key}": set either value or from_context, not both`];
  return [];
}

/** The value a header block sends, or undefined when its context key is absent. */
function valueOf(h: HeaderArgs, metadata: ClientMetadata | undefined): string | undefined {
  if (h.value !== undefined) return h.value.value;
  if (h.from_context === undefined) return undefined;
  const values = metadata?.get(h.from_context.toLowerCase());
  return values && values.length > 0 && values[0] !== "" ? values[0] : undefined;
}

/** The client side: the header blocks in order, each with its action. */
export function headersClient(blocks: () => readonly HeaderArgs[]): ClientAuth {
  return {
    apply(headers, metadata) {
      for (const h of blocks()) {
        if (h.action === "delete") {
          headers.delete(h.key);
          continue;
        }
        const value = valueOf(h, metadata);
        if (value === undefined) continue;
        const present = headers.has(h.key);
        if ((h.action === "insert" && present) || (h.action === "update" && !present)) continue;
        headers.set(h.key, value);
      }
    },
  };
}

class HeadersAuth implements Component<HeadersAuthArgs> {
  readonly handler: AuthHandler;

  constructor(
    id: string,
    private args: HeadersAuthArgs,
  ) {
    const client = headersClient(() => this.args.header);
    this.handler = new AuthHandler(id, () => undefined, () => client);
  }

  async run(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  }

  update(args: HeadersAuthArgs): void {
    this.args = args;
  }
}

/** The component definition. */
export const headersAuth = defineComponent<HeadersAuthArgs>({
  name: "otelcol.auth.headers",
  stability: "generally-available",
  summary: "Exports a handler that sets request headers on exporters (static values or from client metadata).",
  args: schema,
  exports: ["handler"],
  build(opts, args) {
    const c = new HeadersAuth(opts.id, args);
    opts.onStateChange({ handler: handlerCapsule(c.handler) });
    return c;
  },
});
