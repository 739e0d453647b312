// `prometheus.exporter.self` (spec: alloy-components.md §13): one target pointing at this
// component's own handler on the in-memory address, which serves the whole process registry —
// so `prometheus.scrape` can collect solder's self-metrics without touching the network.

import { hostname } from "node:os";
import { env } from "node:process";
import { defineComponent } from "../../../runtime/component.ts";
import type { MetricsRegistry } from "../../../runtime/metrics.ts";

const DEFAULT_MEMORY_ADDRESS = "alloy.internal:12345";
const EXPOSITION_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** The target's `instance`: env HOSTNAME, else the OS hostname, else "unknown" (§13). */
export function instanceName(): string {
  if (env.HOSTNAME) return env.HOSTNAME;
  try {
    return hostname() || "unknown";
  } catch {
    return "unknown";
  }
}

/** The single exported target for component `id` served at `address`. */
export function selfTarget(id: string, address: string): Record<string, string> {
  return {
    __address__: address,
    __scheme__: "http",
    __metrics_path__: `/api/v0/component/${id}/metrics`,
    job: "integrations/self",
    instance: instanceName(),
    __meta_component_name: "prometheus.exporter.self",
    __meta_component_id: id,
  };
}

function serveMetrics(metrics: MetricsRegistry, request: Request, path: string): Response {
  if (path !== "/metrics") return new Response("404 page not found\n", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
  if (request.method !== "GET" && request.method !== "HEAD") return new Response("method not allowed\n", { status: 405 });
  // expose() renders the root registry, i.e. the whole process, whatever view we were given.
  return new Response(request.method === "HEAD" ? null : metrics.expose(), { status: 200, headers: { "content-type": EXPOSITION_TYPE } });
}

/** The component definition. */
export const selfExporter = defineComponent<Record<string, never>>({
  name: "prometheus.exporter.self",
  summary: "Exposes solder's own metrics as a scrape target on the in-memory address.",
  stability: "generally-available",
  args: {},
  exports: ["targets"],
  build(opts) {
    opts.onStateChange({ targets: [selfTarget(opts.id, opts.host?.memoryAddress ?? DEFAULT_MEMORY_ADDRESS)] });
    return {
      run: (signal) => new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true }))),
      update: () => {},
      handle: (request, path) => serveMetrics(opts.metrics, request, path),
    };
  },
});
