// `otelcol.auth.bearer`: a static token, both sides (style: the Collector's bearertokenauth
// extension as Alloy wraps it). The header value is `<scheme> <token>`, or the token alone when
// `scheme` is empty; servers compare the whole value in constant time.

import { type Component, defineComponent } from "../../../runtime/component.ts";
import { type Schema, attr, required, t } from "../../../runtime/schema.ts";
import type { Secret } from "../../../runtime/value.ts";
import { debugMetricsBlock } from "../shared/debug_metrics.ts";
import { AuthHandler, type ClientAuth, type ServerAuth, constantTimeEqual, handlerCapsule, headerOf } from "./handler.ts";

export interface BearerAuthArgs {
  token: Secret;
  scheme: string;
  header: string;
  debug_metrics: { disable_high_cardinality_metrics: boolean };
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const schema: Schema = {
  attrs: { token: required(t.secret), scheme: attr(t.string, "Bearer"), header: attr(t.string, "Authorization") },
  blocks: { debug_metrics: debugMetricsBlock },
  validate: (a: BearerAuthArgs) => (TOKEN.test(a.header) ? [] : [`invalid header name "${a.header}"`]),
};

/** The header value both sides use. */
function expected(a: BearerAuthArgs): string {
  return a.scheme === "" ? a.token.value : `${a.scheme} ${a.token.value}`;
}

/** The server side; the messages do not echo what the client sent. */
export function bearerServer(args: () => BearerAuthArgs): ServerAuth {
  return {
    async authenticate(headers) {
      const a = args();
      const got = headerOf(headers, a.header);
      if (!got) return { ok: false, message: `missing or empty ${a.header.toLowerCase()} header` };
      return constantTimeEqual(got, expected(a)) ? { ok: true } : { ok: false, message: "scheme or token does not match" };
    },
  };
}

/** The client side: sets `header` on every request. */
export function bearerClient(args: () => BearerAuthArgs): ClientAuth {
  return { apply: (headers) => headers.set(args().header, expected(args())) };
}

class BearerAuth implements Component<BearerAuthArgs> {
  readonly handler: AuthHandler;

  constructor(
    id: string,
    private args: BearerAuthArgs,
  ) {
    const server = bearerServer(() => this.args);
    const client = bearerClient(() => this.args);
    this.handler = new AuthHandler(id, () => server, () => client);
  }

  async run(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  }

  update(args: BearerAuthArgs): void {
    this.args = args;
  }
}

/** The component definition. */
export const bearerAuth = defineComponent<BearerAuthArgs>({
  name: "otelcol.auth.bearer",
  stability: "generally-available",
  summary: "Exports a handler for bearer-token authentication: checks the token on receivers, sends it from exporters.",
  args: schema,
  exports: ["handler"],
  build(opts, args) {
    const c = new BearerAuth(opts.id, args);
    opts.onStateChange({ handler: handlerCapsule(c.handler) });
    return c;
  },
});
