// Arguments of prometheus.remote_write (alloy-components.md §16): the schema with defaults and
// validation, and their translation into queue settings.

import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Labels } from "../appender.ts";
import { type BlockSpec, type Schema, attr, inert, required, t } from "../../runtime/schema.ts";
import type { Secret } from "../../runtime/value.ts";
import { type Credentials, RESERVED_HEADERS, type TlsOptions } from "./client.ts";
import type { EndpointSettings } from "./queue.ts";

export interface TlsConfigArgs {
  ca_pem?: string;
  ca_file?: string;
  cert_pem?: string;
  cert_file?: string;
  key_pem?: Secret;
  key_file?: string;
  server_name?: string;
  insecure_skip_verify: boolean;
  min_version?: string;
}

export interface EndpointArgs {
  url: string;
  name?: string;
  remote_timeout: number;
  headers: Record<string, Secret>;
  http_headers: Record<string, Secret[]>;
  bearer_token?: Secret;
  bearer_token_file?: string;
  send_exemplars: boolean;
  send_native_histograms: boolean;
  protobuf_message: string;
  follow_redirects: boolean;
  proxy_url?: string;
  basic_auth?: { username: string; password?: Secret; password_file?: string };
  authorization?: { type: string; credentials?: Secret; credentials_file?: string };
  tls_config?: TlsConfigArgs;
  queue_config: {
    capacity: number;
    max_shards: number;
    min_shards: number;
    max_samples_per_send: number;
    batch_send_deadline: number;
    min_backoff: number;
    max_backoff: number;
    retry_on_http_429: boolean;
    sample_age_limit: number;
  };
  metadata_config: { send: boolean; send_interval: number; max_samples_per_send: number };
  write_relabel_config: unknown[];
}

export interface WalArgs {
  truncate_frequency: number;
  min_keepalive_time: number;
  max_keepalive_time: number;
}

export interface RemoteWriteArgs {
  external_labels: Record<string, string>;
  endpoint: EndpointArgs[];
  wal: WalArgs;
}

export const PROTOBUF_V1 = "prometheus.WriteRequest";
export const PROTOBUF_V2 = "io.prometheus.write.v2.Request";

const queueConfig: BlockSpec = {
  defaultPresent: true,
  schema: {
    attrs: {
      capacity: attr(t.int, 10000),
      max_shards: attr(t.int, 50),
      min_shards: attr(t.int, 1),
      max_samples_per_send: attr(t.int, 2000),
      batch_send_deadline: attr(t.duration, 5000),
      min_backoff: attr(t.duration, 30),
      max_backoff: attr(t.duration, 5000),
      retry_on_http_429: attr(t.bool, true),
      sample_age_limit: attr(t.duration, 0),
    },
    validate(q: EndpointArgs["queue_config"]) {
      const p: string[] = [];
      if (q.capacity <= 0) p.push("capacity must be greater than 0");
      if (q.min_shards < 1) p.push("min_shards must be at least 1");
      if (q.max_shards < q.min_shards) p.push("max_shards must be greater than or equal to min_shards");
      if (q.max_samples_per_send <= 0) p.push("max_samples_per_send must be greater than 0");
      if (q.batch_send_deadline <= 0) p.push("batch_send_deadline must be greater than 0");
      if (q.min_backoff <= 0 || q.max_backoff < q.min_backoff) p.push("min_backoff must be greater than 0 and not greater than max_backoff");
      if (q.sample_age_limit < 0) p.push("sample_age_limit must not be negative");
      return p;
    },
  },
};

const tlsConfig: BlockSpec = {
  schema: {
    attrs: {
      ca_pem: attr(t.string),
      ca_file: attr(t.string),
      cert_pem: attr(t.string),
      cert_file: attr(t.string),
      key_pem: attr(t.secret),
      key_file: attr(t.string),
      server_name: attr(t.string),
      insecure_skip_verify: attr(t.bool, false),
      min_version: attr(t.enum("TLS10", "TLS11", "TLS12", "TLS13")),
    },
    validate(a: TlsConfigArgs) {
      const p: string[] = [];
      for (const k of ["ca", "cert", "key"] as const) if (a[`${k}_pem`] !== undefined && a[`${k}_file`] !== undefined) p.push(`at most one of ${k}_pem and ${k}_file must be configured`);
      if ((a.cert_pem ?? a.cert_file) !== undefined && (a.key_pem ?? a.key_file) === undefined) p.push("exactly one of key_pem or key_file must be configured when a client certificate is configured");
      return p;
    },
  },
};

const endpointSchema: Schema = {
  attrs: {
    url: required(t.string),
    name: attr(t.string),
    remote_timeout: attr(t.duration, 30_000),
    headers: attr(t.map(t.secret), {}),
    http_headers: attr(t.map(t.list(t.secret)), {}),
    bearer_token: attr(t.secret),
    bearer_token_file: attr(t.string),
    send_exemplars: attr(t.bool, true),
    send_native_histograms: attr(t.bool, false),
    protobuf_message: attr(t.enum(PROTOBUF_V1, PROTOBUF_V2), PROTOBUF_V1),
    enable_http2: inert(t.bool, false, "requests use the runtime's fetch, which picks the HTTP version itself"),
    follow_redirects: attr(t.bool, true),
    round_robin_dns: inert(t.bool, false, "the runtime's fetch resolves and connects itself"),
    proxy_url: attr(t.string),
    no_proxy: inert(t.string, undefined, "only proxy_url is supported (on Bun)"),
    proxy_from_environment: inert(t.bool, false, "only proxy_url is supported (on Bun)"),
    proxy_connect_header: inert(t.map(t.list(t.secret)), undefined, "only proxy_url is supported (on Bun)"),
  },
  blocks: {
    basic_auth: { schema: { attrs: { username: attr(t.string, ""), password: attr(t.secret), password_file: attr(t.string) }, validate: (b) => (b.password !== undefined && b.password_file !== undefined ? "at most one of basic_auth password & password_file must be configured" : undefined) } },
    authorization: { schema: { attrs: { type: attr(t.string, "Bearer"), credentials: attr(t.secret), credentials_file: attr(t.string) }, validate: (b) => (b.credentials !== undefined && b.credentials_file !== undefined ? "at most one of authorization credentials & credentials_file must be configured" : undefined) } },
    tls_config: tlsConfig,
    queue_config: queueConfig,
    metadata_config: { defaultPresent: true, schema: { attrs: { send: attr(t.bool, true), send_interval: attr(t.duration, 60_000), max_samples_per_send: attr(t.int, 2000) } } },
    write_relabel_config: { repeated: true, schema: { attrs: Object.fromEntries(["source_labels", "separator", "regex", "modulus", "target_label", "replacement", "action"].map((k) => [k, attr(t.any)])) } },
  },
  validate: validateEndpoint,
};

function validateEndpoint(e: EndpointArgs): string[] {
  const p: string[] = [];
  if (!/^https?:\/\/[^/]/.test(e.url) || !URL.canParse(e.url)) p.push(`url "${e.url}" is not a valid http:// or https:// URL`);
  const auth = [e.basic_auth, e.authorization, e.bearer_token, e.bearer_token_file].filter((x) => x !== undefined).length;
  if (auth > 1) p.push("at most one of sigv4, azuread, google_iam, basic_auth, oauth2, bearer_token & bearer_token_file must be configured");
  for (const h of [...Object.keys(e.headers), ...Object.keys(e.http_headers)]) {
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(h)) p.push(`invalid header name "${h}"`);
    if (RESERVED_HEADERS.includes(h.toLowerCase())) p.push(`${h} is a reserved header. It must not be changed`);
  }
  if (e.write_relabel_config.length > 0) p.push("write_relabel_config is not supported by solder yet; relabel with prometheus.relabel before remote_write");
  return p;
}

function validate(a: RemoteWriteArgs): string[] {
  const p: string[] = [];
  const names = new Set<string>();
  for (const e of a.endpoint) {
    const name = endpointName(e);
    if (names.has(name)) p.push(e.name ? `found duplicate remote write endpoint name "${name}"` : `duplicate remote write configs are not allowed, found duplicate for URL: ${e.url}`);
    names.add(name);
  }
  for (const k of Object.keys(a.external_labels)) if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k)) p.push(`external_labels: "${k}" is not a valid label name`);
  return p;
}

/** The schema of prometheus.remote_write. */
export const remoteWriteSchema: Schema = {
  attrs: { external_labels: attr(t.map(t.string), {}) },
  blocks: {
    endpoint: { repeated: true, schema: endpointSchema },
    wal: {
      defaultPresent: true,
      schema: {
        attrs: { truncate_frequency: attr(t.duration, 2 * 3600_000), min_keepalive_time: attr(t.duration, 5 * 60_000), max_keepalive_time: attr(t.duration, 8 * 3600_000) },
        validate(w: WalArgs) {
          const p: string[] = [];
          if (w.truncate_frequency <= 0) p.push("truncate_frequency must not be 0");
          if (w.max_keepalive_time <= w.min_keepalive_time) p.push("min_keepalive_time must be smaller than max_keepalive_time");
          return p;
        },
      },
    },
  },
  validate,
};

/** The endpoint's name: `name`, else a short hash of its URL (solder; Alloy hashes all settings). */
export function endpointName(e: Pick<EndpointArgs, "name" | "url">): string {
  return e.name || createHash("sha256").update(e.url).digest("hex").slice(0, 6);
}

/** External labels as a sorted label list. */
export function externalLabels(a: RemoteWriteArgs): Labels {
  return Object.entries(a.external_labels)
    .filter(([, v]) => v !== "")
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
}

function credentials(e: EndpointArgs): Credentials {
  if (e.basic_auth) return { kind: "basic", username: e.basic_auth.username, password: e.basic_auth.password?.value, passwordFile: e.basic_auth.password_file };
  if (e.authorization) return { kind: "authorization", type: e.authorization.type, credentials: e.authorization.credentials?.value, credentialsFile: e.authorization.credentials_file };
  if (e.bearer_token) return { kind: "authorization", type: "Bearer", credentials: e.bearer_token.value };
  if (e.bearer_token_file) return { kind: "authorization", type: "Bearer", credentialsFile: e.bearer_token_file };
  return { kind: "none" };
}

const TLS_VERSIONS: Record<string, string> = { TLS10: "TLSv1", TLS11: "TLSv1.1", TLS12: "TLSv1.2", TLS13: "TLSv1.3" };

/** Reads a tls_config block's files (at send time, never at build). */
async function loadTlsConfig(a: TlsConfigArgs): Promise<TlsOptions> {
  const read = (f: string | undefined) => (f === undefined ? undefined : readFile(f, "utf8"));
  const ca = a.ca_pem ?? (await read(a.ca_file));
  const m: TlsOptions = { rejectUnauthorized: !a.insecure_skip_verify };
  if (ca !== undefined) m.ca = [ca];
  const cert = a.cert_pem ?? (await read(a.cert_file));
  if (cert !== undefined) m.cert = cert;
  const key = a.key_pem?.value ?? (await read(a.key_file));
  if (key !== undefined) m.key = key;
  if (a.server_name) m.servername = a.server_name;
  if (a.min_version) m.minVersion = TLS_VERSIONS[a.min_version];
  return m;
}

/** Queue and client settings of one endpoint block. */
export function endpointSettings(e: EndpointArgs): EndpointSettings {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.headers)) headers[k] = v.value;
  for (const [k, list] of Object.entries(e.http_headers)) headers[k] = list.map((v) => v.value).join(", ");
  const q = e.queue_config;
  const tls = e.tls_config;
  return {
    name: endpointName(e),
    url: e.url,
    protocol: e.protobuf_message === PROTOBUF_V2 ? "v2" : "v1",
    sendExemplars: e.send_exemplars,
    sendNativeHistograms: e.send_native_histograms,
    queue: { capacity: q.capacity, minShards: q.min_shards, maxShards: q.max_shards, maxSamplesPerSend: q.max_samples_per_send, batchSendDeadlineMs: q.batch_send_deadline },
    metadata: { send: e.metadata_config.send, sendIntervalMs: e.metadata_config.send_interval, maxSamplesPerSend: e.metadata_config.max_samples_per_send },
    sender: {
      minBackoffMs: q.min_backoff,
      maxBackoffMs: q.max_backoff,
      sampleAgeLimitMs: q.sample_age_limit,
      client: {
        url: e.url,
        timeoutMs: e.remote_timeout,
        headers,
        credentials: credentials(e),
        retryOn429: q.retry_on_http_429,
        followRedirects: e.follow_redirects,
        tls: tls ? () => loadTlsConfig(tls) : undefined,
        proxyUrl: e.proxy_url,
      },
    },
  };
}
