// The web UI's routes (spec: alloy-runtime.md §3, §4): the single-page app under the UI prefix
// (`<prefix>` → 302 to `<prefix>/`, unknown paths → index.html), and the parts of the web API
// the UI needs beyond the component JSON: graph rates, live debugging, edge counters, the loaded
// configuration (secrets masked) and reload.

import type { Controller } from "../runtime/controller.ts";
import { DELIMITER, debugStream, parseSampleProb } from "../ui/debug.ts";
import type { Flow } from "../ui/flow.ts";
import { computeRates, snapshot, streamType } from "../ui/rates.ts";
import { redactSources } from "../ui/redact.ts";
import { assetResponse, indexResponse } from "../ui/serve.ts";

export interface UiDeps {
  controller: Controller;
  /** Items per edge and live-debugging taps, fed by the controller's instrument hook. */
  flow: Flow;
  /** The UI prefix without a trailing slash ("" for the root). */
  prefix: string;
  reload(): Promise<{ ok: boolean; message: string }>;
}

/** Normalises `--server.http.ui-path-prefix`: a leading slash, no trailing one ("/" → ""). */
export function normalizePrefix(raw: string): string {
  const p = ("/" + raw).replace(/\/+/g, "/").replace(/\/$/, "");
  return p;
}

/** The path below the prefix ("/…"), or undefined when `path` is outside it. */
export function underPrefix(path: string, prefix: string): string | undefined {
  if (prefix === "") return path;
  return path.startsWith(prefix + "/") ? path.slice(prefix.length) : undefined;
}

/** Handles the UI's extra web API (`path` already without the prefix); undefined when not one of them. */
export async function webApi(deps: UiDeps, req: Request, path: string): Promise<Response | undefined> {
  const url = new URL(req.url);
  const c = deps.controller;
  if (path === "/api/v0/web/graph" || path.startsWith("/api/v0/web/graph/")) return graph(deps.flow, url.searchParams.get("window"));
  if (path.startsWith("/api/v0/web/debug/")) return debug(c, deps.flow, decodeURIComponent(path.slice(18)), url.searchParams.get("sampleProb"));
  if (path === "/api/v0/web/edges") return json(deps.flow.counts().filter((e) => e.items > 0).map((e) => ({ from: e.from, to: e.to, type: streamType(e.kind), items: e.items })));
  if (path === "/api/v0/web/config") return json(redactSources(c.sourceTexts(), c.list()));
  if (path === "/api/v0/web/reload") {
    if (req.method !== "POST") return text(405, "method not allowed\n");
    return json(await deps.reload());
  }
  return undefined;
}

/** Serves the app itself for a path under the prefix; undefined when `path` is not the UI's. */
export function uiPage(deps: UiDeps, req: Request, path: string): Response | undefined {
  if (req.method !== "GET" && req.method !== "HEAD") return undefined;
  if (deps.prefix !== "" && path === deps.prefix) return new Response(null, { status: 302, headers: { location: deps.prefix + "/" } });
  const rest = underPrefix(path, deps.prefix);
  if (rest === undefined || rest.startsWith("/api/")) return undefined;
  if (rest.startsWith("/assets/")) return assetResponse(rest.slice(8));
  return indexResponse(deps.prefix + "/");
}

function graph(flow: Flow, raw: string | null): Response {
  const window = raw === null || raw === "" ? 5 : Number(raw);
  if (!Number.isInteger(window) || window < 1 || window > 60) return text(400, "Invalid window: must be an integer between 1 and 60\n");
  const enc = new TextEncoder();
  let timer: ReturnType<typeof setInterval> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(ctl) {
      let prev = snapshot(flow.counts());
      let at = performance.now();
      ctl.enqueue(enc.encode("[]" + DELIMITER));
      timer = setInterval(() => {
        const next = snapshot(flow.counts());
        const now = performance.now();
        ctl.enqueue(enc.encode(JSON.stringify(computeRates(prev, next, (now - at) / 1000)) + DELIMITER));
        prev = next;
        at = now;
      }, window * 1000);
    },
    cancel() {
      clearInterval(timer);
    },
  });
  return new Response(body, { headers: STREAM_HEADERS });
}

function debug(c: Controller, flow: Flow, id: string, raw: string | null): Response {
  const prob = parseSampleProb(raw);
  if (prob === undefined) return text(400, "Invalid sample probability\n");
  const e = c.get(id);
  if (!e || e.node.kind !== "component") return text(404, `component "${id}" not found\n`);
  if (!c.liveDebugging) {
    const msg = "the live debugging service is disabled: add `livedebugging { enabled = true }` to the configuration" + DELIMITER;
    return new Response(msg, { headers: STREAM_HEADERS });
  }
  return new Response(debugStream(flow, id, prob), { headers: STREAM_HEADERS });
}

const STREAM_HEADERS = { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff" };

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
}
