// The `consul` detector (spec: alloy-components.md §2.5): asks the local Consul agent about
// itself (GET /v1/agent/self) → host.name (NodeName), host.id (NodeID), cloud.region
// (Datacenter), plus the node meta keys named in `meta`. The agent's address and token default
// to the Consul CLI's environment (CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN), else 127.0.0.1:8500.

import type { DetectContext, Detection, Detector } from "../detector.ts";
import { httpGet, onlyEnabled, parseJson } from "../detector.ts";
import { attr, t } from "../../../../../runtime/schema.ts";
import type { Secret } from "../../../../../runtime/value.ts";

export interface ConsulArgs {
  address: string;
  datacenter: string;
  token?: Secret;
  namespace: string;
  meta: string[];
}

/** The agent's base URL (and unix socket), from `address`, else CONSUL_HTTP_ADDR, else 127.0.0.1:8500. */
export function consulEndpoint(address: string, env: (name: string) => string | undefined): { base: string; socketPath?: string } {
  const addr = address || env("CONSUL_HTTP_ADDR") || "127.0.0.1:8500";
  if (addr.startsWith("unix://")) return { base: "http://consul", socketPath: addr.slice("unix://".length) };
  if (/^https?:\/\//.test(addr)) return { base: addr.replace(/\/+$/, "") };
  const ssl = /^(1|true)$/i.test(env("CONSUL_HTTP_SSL") ?? "");
  return { base: `${ssl ? "https" : "http"}://${addr}` };
}

async function agentSelf(ctx: DetectContext, a: ConsulArgs): Promise<Record<string, unknown>> {
  const { base, socketPath } = consulEndpoint(a.address, ctx.env);
  const query = new URLSearchParams();
  if (a.datacenter) query.set("dc", a.datacenter);
  const ns = a.namespace || ctx.env("CONSUL_NAMESPACE");
  if (ns) query.set("ns", ns);
  const token = a.token?.value || ctx.env("CONSUL_HTTP_TOKEN");
  const qs = query.toString();
  const url = `${base}/v1/agent/self${qs ? `?${qs}` : ""}`;
  const res = await httpGet(url, { signal: ctx.signal, ...(socketPath ? { socketPath } : {}), ...(token ? { headers: { "X-Consul-Token": token } } : {}) });
  if (res.status !== 200) throw new Error(`failed to get local agent information: consul answered ${res.status}: ${res.body.slice(0, 200)}`);
  const self = parseJson(res.body, "the consul agent");
  if (!isObject(self)) throw new Error("malformed response from the consul agent: not a JSON object");
  return self;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** A string field of the agent's Config, or the upstream error naming it. */
function configString(config: Record<string, unknown>, key: string, what: string): string {
  const v = config[key];
  if (typeof v !== "string") throw new Error(`failed getting consul ${what}: was '${key}' returned by consul?`);
  return v;
}

/** `consul`: the local agent's node name, id and datacenter. */
export const consulDetector: Detector<ConsulArgs> = {
  name: "consul",
  block: {
    attrs: {
      address: attr(t.string, ""),
      datacenter: attr(t.string, ""),
      token: attr(t.secret),
      namespace: attr(t.string, ""),
      meta: attr(t.list(t.string), []),
    },
  },
  attributes: { "cloud.region": true, "host.id": true, "host.name": true },
  async detect(ctx, args, enabled): Promise<Detection> {
    const self = await agentSelf(ctx, args);
    const config = self.Config;
    if (!isObject(config)) throw new Error("failed getting consul agent configuration: was 'Config' returned by consul?");
    const found = {
      "host.name": configString(config, "NodeName", "hostname"),
      "cloud.region": configString(config, "Datacenter", "datacenter"),
      "host.id": configString(config, "NodeID", "node ID"),
    };
    const attributes: Record<string, string> = onlyEnabled(found, enabled) as Record<string, string>;
    // Node meta named in the allow-list becomes attributes of the same name (not switchable).
    const meta = isObject(self.Meta) ? self.Meta : {};
    for (const key of args.meta) if (typeof meta[key] === "string") attributes[key] = meta[key];
    return { attributes, schemaUrl: "https://opentelemetry.io/schemas/1.6.1" };
  },
};
