// The `kubernetes` resolver of otelcol.exporter.loadbalancing: the ready endpoints of a Service,
// from its discovery.k8s.io/v1 EndpointSlices (label kubernetes.io/service-name=<name>) through
// the in-cluster API with the pod's service account. Lists, then watches from the list's
// resourceVersion; every change publishes the new endpoint list. A failed list or watch is
// logged and retried with backoff by listing again, keeping the last answer meanwhile.
//
// The API client (address, token, CA, and the test-only overrides SOLDER_KUBERNETES_API_SCHEME
// and SOLDER_KUBERNETES_SERVICE_ACCOUNT_DIR) is the one the kubernetes_node detector uses. As the
// Collector's resolver (controller-runtime's config lookup): $KUBECONFIG when set, else the
// in-cluster service account when KUBERNETES_SERVICE_HOST is set, else ~/.kube/config.

import { readFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import type { Logger } from "../../../../runtime/logger.ts";
import type { DetectContext } from "../../processor/resourcedetection/detector.ts";
import { type KubernetesClient, kubernetesClient, serviceAccountDir } from "../../processor/resourcedetection/detectors/kubernetes_node.ts";

/** Decoded `resolver > kubernetes` block. */
export interface KubernetesResolverArgs {
  /** `name` or `name.namespace`. */
  service: string;
  ports: number[];
  /** Milliseconds a list request (or the start of a watch) may take; 0 = the default 1 s, as upstream. */
  timeout: number;
  return_hostnames: boolean;
}

/** Checks a `kubernetes` block. */
export function validateKubernetesResolver(k: KubernetesResolverArgs): string[] {
  const problems: string[] = [];
  if (k.service.trim() === "" || k.service.startsWith(".")) problems.push(`resolver.kubernetes: invalid service "${k.service}": want "name" or "name.namespace"`);
  if (k.ports.length === 0) problems.push("resolver.kubernetes: ports must not be empty");
  for (const p of k.ports) if (!Number.isInteger(p) || p < 1 || p > 65535) problems.push(`resolver.kubernetes: invalid port ${p}`);
  if (k.timeout < 0) problems.push("resolver.kubernetes: timeout must not be negative");
  return problems;
}

/** Backoff between failed list/watch rounds. */
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 30_000;
/** Server-side lifetime of one watch request (client-go picks 5–10 minutes). */
const WATCH_SECONDS = 300;

/** The endpoints of one slice that count: addresses (or hostnames) of ready endpoints. */
type Slice = string[];

interface Options {
  logger: Logger;
  onChange(endpoints: string[]): void;
  /** Environment lookup; process.env unless a test injects one. */
  env?: (name: string) => string | undefined;
}

/** A watch event the API server streamed, one JSON object per line. */
interface WatchEvent {
  type?: string;
  object?: Record<string, unknown>;
}

/** Starts resolving; stop() ends the list/watch loop and any request in flight. */
export function startKubernetesResolver(args: KubernetesResolverArgs, opts: Options): { stop(): void } {
  if (args.timeout <= 0) args = { ...args, timeout: 1_000 };
  const env = opts.env ?? ((n: string) => process.env[n]);
  const abort = new AbortController();
  void resolveLoop(args, { ...opts, env }, abort.signal);
  return { stop: () => abort.abort() };
}

async function resolveLoop(args: KubernetesResolverArgs, opts: Required<Options>, signal: AbortSignal): Promise<void> {
  const dot = args.service.indexOf(".");
  const name = dot < 0 ? args.service : args.service.slice(0, dot);
  let namespace = dot < 0 ? "" : args.service.slice(dot + 1);
  if (namespace === "") {
    // Upstream: the pod's own namespace, else "default".
    try {
      namespace = (await readFile(`${serviceAccountDir(opts.env)}/namespace`, "utf8")).trim() || "default";
    } catch {
      namespace = "default";
    }
    opts.logger.info("no namespace in resolver.kubernetes service: using the pod's namespace", { service: name, namespace });
  }
  const path = `/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/endpointslices`;
  const selector = `labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${name}`)}`;
  const slices = new Map<string, Slice>();
  let last = "";
  const publish = () => {
    const endpoints = [...new Set([...slices.values()].flat())].sort();
    const key = endpoints.join(",");
    if (key === last) return;
    last = key;
    opts.onChange(endpoints);
  };
  const ctx = detectContext(opts, signal);
  let backoff = BACKOFF_MIN_MS;
  while (!signal.aborted) {
    try {
      // The client is built anew for every list: projected service account tokens rotate.
      const client = await kubernetesClient(ctx, { auth_type: authType(opts.env), context: "" });
      const list = await getJson(client, `${path}?${selector}&timeoutSeconds=${Math.max(1, Math.ceil(args.timeout / 1000))}`, args.timeout, signal);
      const items = Array.isArray(list.items) ? (list.items as Record<string, unknown>[]) : [];
      slices.clear();
      for (const item of items) slices.set(sliceName(item), endpointsOf(item, args, namespace, name, opts.logger));
      publish();
      backoff = BACKOFF_MIN_MS;
      let version = metaString(list, "resourceVersion");
      // Watch from the list's version; a watch the server ends normally is simply renewed.
      for (;;) {
        const began = Date.now();
        version = await watch(client, `${path}?${selector}&watch=true&allowWatchBookmarks=true&timeoutSeconds=${WATCH_SECONDS}${version ? `&resourceVersion=${encodeURIComponent(version)}` : ""}`, args.timeout, signal, (ev) => {
          const obj = ev.object ?? {};
          switch (ev.type) {
            case "ADDED":
            case "MODIFIED":
              slices.set(sliceName(obj), endpointsOf(obj, args, namespace, name, opts.logger));
              break;
            case "DELETED":
              slices.delete(sliceName(obj));
              break;
            case "BOOKMARK":
              break;
            case "ERROR":
              throw new Error(`watch error from the kubernetes API: ${String(obj.message ?? JSON.stringify(obj))}`);
            default:
              throw new Error(`unexpected watch event type ${JSON.stringify(ev.type)}`);
          }
          if (ev.type !== "BOOKMARK") publish();
          return metaString(obj, "resourceVersion");
        }, version);
        if (signal.aborted) return;
        // A server that ends watches at once must not make this a busy loop.
        if (Date.now() - began < 1_000) await pause(1_000, signal);
      }
    } catch (err) {
      if (signal.aborted) return;
      opts.logger.warn("listing or watching the kubernetes service's endpoints failed; keeping the previous backends", {
        service: `${name}.${namespace}`,
        error: (err as Error).message,
        retry_in: `${backoff}ms`,
      });
      await pause(backoff, signal);
      backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
    }
  }
}

/** host:port for every ready endpoint of an EndpointSlice and every configured port. */
function endpointsOf(slice: Record<string, unknown>, args: KubernetesResolverArgs, namespace: string, service: string, logger: Logger): Slice {
  const out: string[] = [];
  const endpoints = Array.isArray(slice.endpoints) ? (slice.endpoints as Record<string, unknown>[]) : [];
  for (const ep of endpoints) {
    const conditions = (ep.conditions ?? {}) as Record<string, unknown>;
    // An absent `ready` means unknown, which the API says to read as ready.
    if (conditions.ready === false) continue;
    let hosts: string[];
    if (args.return_hostnames) {
      if (typeof ep.hostname !== "string" || ep.hostname === "") {
        logger.warn("resolver.kubernetes: endpoint has no hostname (return_hostnames needs a headless service of a StatefulSet); skipped", { slice: sliceName(slice) });
        continue;
      }
      hosts = [`${ep.hostname}.${service}.${namespace}`];
    } else {
      hosts = Array.isArray(ep.addresses) ? (ep.addresses as unknown[]).filter((a): a is string => typeof a === "string" && a !== "") : [];
    }
    for (const h of hosts) for (const port of args.ports) out.push(isIP(h) === 6 ? `[${h}]:${port}` : `${h}:${port}`);
  }
  return out;
}

function sliceName(obj: Record<string, unknown>): string {
  return metaString(obj, "name") ?? "";
}

function metaString(obj: Record<string, unknown>, field: string): string | undefined {
  const meta = obj.metadata as Record<string, unknown> | undefined;
  const v = meta && typeof meta === "object" ? meta[field] : undefined;
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** Where the credentials come from: $KUBECONFIG, else in-cluster, else ~/.kube/config. */
function authType(env: (name: string) => string | undefined): string {
  if (env("KUBECONFIG")) return "kubeConfig";
  return env("KUBERNETES_SERVICE_HOST") ? "serviceAccount" : "kubeConfig";
}

function detectContext(opts: Required<Options>, signal: AbortSignal): DetectContext {
  return { signal, logger: opts.logger, env: opts.env, fetch, readFile: (p) => readFile(p, "utf8"), failOnMissingMetadata: true };
}

/** Starts a GET; resolves with the response once its headers arrived within `timeoutMs`. */
function open(client: KubernetesClient, path: string, timeoutMs: number, signal: AbortSignal): Promise<import("node:http").IncomingMessage> {
  const u = new URL(client.base + path);
  const secure = u.protocol === "https:";
  return new Promise((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)(
      {
        method: "GET",
        hostname: u.hostname.replace(/^\[|\]$/g, ""),
        port: u.port || undefined,
        path: u.pathname + u.search,
        headers: { accept: "application/json", ...client.headers },
        signal,
        ...(secure ? client.tls : {}),
      },
      (res) => {
        clearTimeout(timer);
        resolve(res);
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer from the kubernetes API within ${timeoutMs}ms (GET ${u.pathname})`)), timeoutMs);
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end();
  });
}

/** GETs a JSON object; the whole exchange must finish within `timeoutMs`. */
async function getJson(client: KubernetesClient, path: string, timeoutMs: number, signal: AbortSignal): Promise<Record<string, unknown>> {
  const res = await open(client, path, timeoutMs, signal);
  const body = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => res.destroy(new Error(`the kubernetes API did not finish answering within ${timeoutMs}ms`)), timeoutMs);
    const decoder = new TextDecoder();
    let text = "";
    res.on("data", (c: Uint8Array) => (text += decoder.decode(c, { stream: true })));
    res.on("end", () => (clearTimeout(timer), resolve(text + decoder.decode())));
    res.on("error", (err) => (clearTimeout(timer), reject(err)));
  });
  if (res.statusCode !== 200) throw new Error(`kubernetes API answered ${res.statusCode} to GET ${path.split("?")[0]}: ${body.slice(0, 200)}`);
  let obj: unknown;
  try {
    obj = JSON.parse(body);
  } catch (err) {
    throw new Error(`malformed response from the kubernetes API: ${(err as Error).message}`);
  }
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) throw new Error("malformed response from the kubernetes API: not a JSON object");
  return obj as Record<string, unknown>;
}

/**
 * Streams a watch: one JSON event per line, each handed to `onEvent` (which returns the object's
 * resourceVersion). Resolves with the last version seen when the server ends the watch.
 */
async function watch(client: KubernetesClient, path: string, timeoutMs: number, signal: AbortSignal, onEvent: (ev: WatchEvent) => string | undefined, version: string | undefined): Promise<string | undefined> {
  const res = await open(client, path, timeoutMs, signal);
  if (res.statusCode !== 200) {
    res.resume();
    throw new Error(`kubernetes API answered ${res.statusCode} to a watch of ${path.split("?")[0]}`);
  }
  return new Promise<string | undefined>((resolve, reject) => {
    const decoder = new TextDecoder();
    let buf = "";
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      res.destroy();
      reject(err);
    };
    res.on("data", (c: Uint8Array) => {
      if (failed) return;
      buf += decoder.decode(c, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line === "") continue;
        let ev: WatchEvent;
        try {
          ev = JSON.parse(line) as WatchEvent;
        } catch (err) {
          return fail(new Error(`malformed watch event from the kubernetes API: ${(err as Error).message}`));
        }
        try {
          version = onEvent(ev) ?? version;
        } catch (err) {
          return fail(err as Error);
        }
      }
    });
    res.on("end", () => !failed && resolve(version));
    res.on("error", (err) => fail(err));
    res.on("close", () => !failed && !res.complete && fail(new Error("the kubernetes API closed the watch mid-stream")));
  });
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
