// Plumbing shared by the cloud detectors (spec: alloy-components.md §2.1, §2.5): requests to a
// metadata service bounded by the detection `timeout` (ctx.signal), the "not on this platform"
// outcome, the Kubernetes in-cluster API, and Go-style regex lists.
//
// Error kinds matter to the callers: `Unreachable` means nothing answered (connection refused,
// reset, DNS failure, or the timeout fired), which a detector's first probe reads as "not on this
// platform"; `StatusError` means a server answered with a non-2xx status; anything else (bad
// JSON, missing fields) is a plain Error that the processor core retries and logs. Errors that
// wrap an Unreachable keep it as `cause`, so the core still sees an unavailable source.
//
// Metadata services speak plain HTTP and go through ctx.fetch; the Kubernetes API needs the
// cluster's private CA, so it goes through httpGet (node:https), which every runtime supports.

import { httpGet, MissingMetadataError, SourceUnavailableError, type DetectContext, type Detection, type HttpGetOptions } from "../detector.ts";

/** Nothing answered: transport failure or the detection timeout. */
export class Unreachable extends SourceUnavailableError {}

/** A server answered with a non-2xx status. */
export class StatusError extends Error {
  constructor(
    readonly status: number,
    url: string,
  ) {
    super(`${url} answered HTTP ${status}`);
  }
}

/** One HTTP exchange, body read in full. */
export interface Reply {
  status: number;
  headers: Headers;
  body: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
}

/** Sends one request bounded by ctx.signal and reads the whole body; no answer → Unreachable. */
export async function send(ctx: DetectContext, url: string, options: RequestOptions = {}): Promise<Reply> {
  const init: RequestInit = { method: options.method ?? "GET", headers: options.headers ?? {}, signal: ctx.signal };
  try {
    const res = await untilAborted(ctx.fetch(url, init), ctx.signal);
    const body = await untilAborted(res.text(), ctx.signal);
    return { status: res.status, headers: res.headers, body };
  } catch (err) {
    throw unreachable(ctx, url, err);
  }
}

/** The Unreachable for a failed exchange with `url`. */
function unreachable(ctx: DetectContext, url: string, err: unknown): Unreachable {
  if (ctx.signal.aborted) return new Unreachable(`no answer from ${url} before the timeout`, { cause: err });
  const e = err as Error;
  const cause = (e?.cause as Error | undefined)?.message;
  return new Unreachable(`cannot reach ${url}: ${e?.message ?? String(err)}${cause ? ` (${cause})` : ""}`, { cause: err });
}

/** GETs `url` and returns the body of a 2xx answer; any other status is a StatusError. */
export async function getText(ctx: DetectContext, url: string, headers: Record<string, string> = {}): Promise<string> {
  const reply = await send(ctx, url, { headers });
  if (reply.status < 200 || reply.status > 299) throw new StatusError(reply.status, url);
  return reply.body;
}

/** Parses a JSON object, naming its source in the error. */
export function parseObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`malformed JSON in ${what}: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error(`malformed JSON in ${what}: not an object`);
  return value as Record<string, unknown>;
}

/** A string field of a decoded document; numbers are spelled out, anything else is absent. */
export function field(doc: Record<string, unknown> | undefined, key: string): string | undefined {
  const v = doc?.[key];
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  return undefined;
}

/** The outcome "not on this platform": empty, or MissingMetadataError when asked to fail. */
export function absent(ctx: DetectContext, detector: string, why: string, failAnyway = false): Detection {
  if (ctx.failOnMissingMetadata || failAnyway) throw new MissingMetadataError(`${detector}: ${why}`);
  ctx.logger.debug(`${detector} detector: not on this platform`, { reason: why });
  return { attributes: {} };
}

/** Waits `ms`, or less if `signal` aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

/** Rejects as soon as `signal` aborts, so an injected fetch that ignores it cannot hang detection. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  p.catch(() => {}); // a late rejection of the abandoned promise is expected, not unhandled
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => (signal.removeEventListener("abort", onAbort), resolve(v)),
      (e) => (signal.removeEventListener("abort", onAbort), reject(e)),
    );
  });
}

// ---- regex lists (`tags`) ----------------------------------------------------------------------

/** Compiles Go (RE2) patterns as unanchored JS regexes; a leading `(?i)`/`(?s)`/`(?m)` becomes a flag. */
export function compileRegex(pattern: string): RegExp {
  const m = /^\(\?([ims]+)\)/.exec(pattern);
  return m ? new RegExp(pattern.slice(m[0].length), [...new Set(m[1])].join("")) : new RegExp(pattern);
}

/** Config problems for a list of patterns, e.g. `tags: invalid regex "[": …`. */
export function regexProblems(name: string, patterns: readonly string[] | undefined): string[] {
  const problems: string[] = [];
  for (const p of patterns ?? []) {
    try {
      compileRegex(p);
    } catch (err) {
      problems.push(`${name}: invalid regex ${JSON.stringify(p)}: ${(err as Error).message}`);
    }
  }
  return problems;
}

/** True when any of `regexes` matches somewhere in `key` (Go's MatchString). */
export function matchesAny(regexes: readonly RegExp[], key: string): boolean {
  return regexes.some((r) => r.test(key));
}

// ---- Kubernetes in-cluster API (eks, openshift) ------------------------------------------------

const SERVICE_ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";

/** Where and how to reach the Kubernetes API from inside a pod. */
export interface KubeApi {
  address: string;
  token?: string;
  tls?: HttpGetOptions["tls"];
}

/** The in-cluster API from KUBERNETES_SERVICE_HOST/PORT and the service account; undefined off Kubernetes. */
export async function inClusterApi(ctx: DetectContext): Promise<KubeApi | undefined> {
  const host = ctx.env("KUBERNETES_SERVICE_HOST")?.trim();
  const port = ctx.env("KUBERNETES_SERVICE_PORT")?.trim();
  if (!host || !port) return undefined;
  const token = await readOptional(ctx, `${SERVICE_ACCOUNT}/token`);
  const ca = await readOptional(ctx, `${SERVICE_ACCOUNT}/ca.crt`);
  return { address: `https://${host.includes(":") ? `[${host}]` : host}:${port}`, token: token?.trim(), tls: ca ? { ca } : undefined };
}

/** GETs a JSON object from the Kubernetes API with the bearer token. */
export async function kubeGet(ctx: DetectContext, api: KubeApi, path: string): Promise<Record<string, unknown>> {
  const url = api.address.replace(/\/+$/, "") + path;
  const headers: Record<string, string> = api.token ? { Authorization: `Bearer ${api.token}` } : {};
  let reply;
  try {
    reply = await httpGet(url, { signal: ctx.signal, headers, ...(api.tls ? { tls: api.tls } : {}) });
  } catch (err) {
    // TLS and protocol errors mean something answered, wrongly: not "unavailable".
    if (ctx.signal.aborted || err instanceof SourceUnavailableError) throw unreachable(ctx, url, err);
    throw new Error(`cannot query ${url}: ${(err as Error).message}`, { cause: err });
  }
  if (reply.status < 200 || reply.status > 299) throw new StatusError(reply.status, url);
  return parseObject(reply.body, url);
}

/** A file's text, or undefined when it cannot be read. */
export async function readOptional(ctx: DetectContext, path: string): Promise<string | undefined> {
  try {
    return await ctx.readFile(path);
  } catch {
    return undefined;
  }
}
