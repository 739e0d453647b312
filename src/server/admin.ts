// Routes of the admin server on --server.http.listen-addr (spec: alloy-runtime.md §3): readiness,
// health, reload, self-metrics, the components API, and per-component handlers.

import type { Controller } from "../runtime/controller.ts";
import type { MetricsRegistry } from "../runtime/metrics.ts";
import { componentDetail, componentSummary } from "./components_api.ts";
import type { Handler } from "./http.ts";
import { Flow } from "../ui/flow.ts";
import { type UiDeps, normalizePrefix, uiPage, underPrefix, webApi } from "./ui.ts";

export interface AdminDeps {
  controller: Controller;
  metrics: MetricsRegistry;
  isReady(): boolean;
  /** Re-reads the configuration; `message` is the error text when it fails. */
  reload(): Promise<{ ok: boolean; message: string }>;
  /** --server.http.ui-path-prefix; the UI and its web API live below it (default "/"). */
  uiPrefix?: string;
  /** Items per edge and live-debugging taps; pass the Flow given to the controller as its instrument. */
  flow?: Flow;
}

const TEXT = { "content-type": "text/plain; charset=utf-8" };
const JSON_TYPE = { "content-type": "application/json" };

/** Builds the admin request handler. */
export function adminHandler(deps: AdminDeps): Handler {
  const ui: UiDeps = { controller: deps.controller, flow: deps.flow ?? new Flow(), prefix: normalizePrefix(deps.uiPrefix ?? "/"), reload: deps.reload };
  return async (req) => {
    const url = new URL(req.url);
    // The web API answers at the root and below the UI prefix (where the UI's relative URLs go).
    const below = underPrefix(url.pathname, ui.prefix);
    const path = below?.startsWith("/api/v0/web/") ? below : url.pathname;
    switch (path) {
      case "/-/ready":
        return deps.isReady() ? text(200, "Alloy is ready.\n") : text(503, "Alloy is not ready.\n");
      case "/-/healthy":
        return healthy(deps.controller);
      case "/-/reload":
        return reload(req, deps);
      case "/metrics":
        return new Response(deps.metrics.expose(), { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" } });
      case "/api/v0/web/components":
        return json(200, deps.controller.list().filter((e) => e.node.kind === "component").map((e) => componentSummary(deps.controller, e)));
    }
    if (path.startsWith("/api/v0/web/components/")) return componentById(deps.controller, decodeURIComponent(path.slice(23)));
    if (path.startsWith("/api/v0/component/")) return componentHandler(deps.controller, req, path.slice(18));
    if (path.startsWith("/api/v0/web/")) {
      const r = await webApi(ui, req, path);
      if (r) return r;
    }
    return uiPage(ui, req, url.pathname) ?? text(404, "404 page not found\n");
  };
}

function healthy(c: Controller): Response {
  const bad = new Set<string>();
  for (const e of c.list()) {
    if (e.node.kind === "component" && c.healthOf(e).state !== "healthy") bad.add(e.node.name);
  }
  if (bad.size === 0) return text(200, "All Alloy components are healthy.\n");
  return text(500, `unhealthy components: ${[...bad].sort().join(", ")}\n`);
}

async function reload(req: Request, deps: AdminDeps): Promise<Response> {
  if (req.method !== "GET" && req.method !== "POST") return text(405, "method not allowed\n");
  const r = await deps.reload();
  return r.ok ? text(200, "config reloaded\n") : text(400, r.message + "\n");
}

function componentById(c: Controller, id: string): Response {
  const e = c.get(id);
  if (!e || e.node.kind !== "component") return text(404, `component "${id}" not found\n`);
  return json(200, componentDetail(c, e));
}

async function componentHandler(c: Controller, req: Request, rest: string): Promise<Response> {
  // The id is the longest prefix of the path that names a component.
  const parts = rest.split("/");
  for (let k = parts.length; k > 0; k--) {
    const id = parts.slice(0, k).join("/");
    const e = c.get(id);
    if (e?.component?.handle) return await e.component.handle(req, "/" + parts.slice(k).join("/"));
    if (e) break;
  }
  return text(404, "404 page not found\n");
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: TEXT });
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: JSON_TYPE });
}
