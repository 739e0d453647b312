// Arguments of `otelcol.receiver.otlp` (alloy-components.md §1): schema, defaults and validation,
// with messages worded as Alloy's and the Collector's config code word them.

import type { CorsOptions } from "../../../server/cors.ts";
import type { KeepaliveArgs } from "../../../server/grpc_keepalive.ts";
import { type TlsServerArgs, validateTlsServer } from "../../../server/tls.ts";
import { type BlockSpec, type Schema, attr, t, inert } from "../../../runtime/schema.ts";
import { type AuthHandler, checkServerAuth } from "../auth/handler.ts";
import { debugMetricsBlock } from "../shared/debug_metrics.ts";
import { type OutputArgs, outputBlock } from "../shared/output.ts";

export interface GrpcArgs {
  endpoint: string;
  transport: string;
  /** Bytes. */
  max_recv_msg_size: number;
  max_concurrent_streams?: number;
  read_buffer_size: number;
  write_buffer_size?: number;
  include_metadata: boolean;
  /** An otelcol.auth.* handler: requests without valid credentials are refused before decoding. */
  auth?: AuthHandler;
  keepalive?: KeepaliveArgs;
  tls?: TlsServerArgs;
}

export interface HttpArgs {
  endpoint: string;
  traces_url_path: string;
  metrics_url_path: string;
  logs_url_path: string;
  /** Bytes. */
  max_request_body_size: number;
  compression_algorithms: string[];
  include_metadata: boolean;
  /** An otelcol.auth.* handler: requests without valid credentials are refused before decoding. */
  auth?: AuthHandler;
  /** Milliseconds; undefined = none. */
  read_timeout?: number;
  read_header_timeout: number;
  write_timeout: number;
  idle_timeout: number;
  keep_alives_enabled: boolean;
  cors?: CorsOptions;
  tls?: TlsServerArgs;
}

export interface OtlpReceiverArgs {
  grpc?: GrpcArgs;
  http?: HttpArgs;
  output: OutputArgs;
  debug_metrics: { disable_high_cardinality_metrics: boolean };
}

const MiB = 1024 * 1024;

/** Server `tls` block (§0.4); `tpm` is accepted for compatibility and not used. */
const tlsBlock: BlockSpec = {
  schema: {
    attrs: {
      ca_file: attr(t.string),
      ca_pem: attr(t.string),
      cert_file: attr(t.string),
      cert_pem: attr(t.string),
      key_file: attr(t.string),
      key_pem: attr(t.secret),
      client_ca_file: attr(t.string),
      cipher_suites: attr(t.list(t.string), []),
      curve_preferences: attr(t.list(t.string), []),
      include_insecure_cipher_suites: attr(t.bool, false),
      include_system_ca_certs_pool: attr(t.bool, false),
      min_version: attr(t.string, ""),
      max_version: attr(t.string, ""),
      reload_interval: attr(t.duration, 0),
    },
    blocks: { tpm: { noEffect: "keys from a TPM are not supported", schema: { attrs: { enabled: attr(t.bool, false), path: attr(t.string), owner_auth: attr(t.string), auth: attr(t.string) } } } },
    validate: validateTlsServer,
  },
};

const keepaliveBlock: BlockSpec = {
  schema: {
    blocks: {
      server_parameters: {
        schema: {
          attrs: {
            max_connection_idle: attr(t.duration),
            max_connection_age: attr(t.duration),
            max_connection_age_grace: attr(t.duration),
            time: attr(t.duration, 2 * 3600_000),
            timeout: attr(t.duration, 20_000),
          },
        },
      },
      enforcement_policy: { schema: { attrs: { min_time: attr(t.duration, 5 * 60_000), permit_without_stream: attr(t.bool, false) } } },
    },
  },
};

const grpcBlock: BlockSpec = {
  schema: {
    attrs: {
      endpoint: attr(t.string, "0.0.0.0:4317"),
      transport: attr(t.string, "tcp"),
      max_recv_msg_size: attr(t.bytesize, 4 * MiB),
      max_concurrent_streams: attr(t.int),
      read_buffer_size: inert(t.bytesize, 512 * 1024, "node:http2 exposes no socket buffer sizes"),
      write_buffer_size: inert(t.bytesize, undefined, "node:http2 exposes no socket buffer sizes"),
      include_metadata: attr(t.bool, false),
      auth: attr(t.capsule("otelcol.Handler")),
    },
    blocks: { keepalive: keepaliveBlock, tls: tlsBlock },
    validate: validateGrpc,
  },
};

const corsBlock: BlockSpec = {
  schema: {
    attrs: {
      allowed_origins: attr(t.list(t.string), []),
      allowed_headers: attr(t.list(t.string), ["X-Requested-With"]),
      exposed_headers: attr(t.list(t.string), []),
      max_age: attr(t.int),
    },
  },
};

const httpBlock: BlockSpec = {
  schema: {
    attrs: {
      endpoint: attr(t.string, "0.0.0.0:4318"),
      traces_url_path: attr(t.string, "/v1/traces"),
      metrics_url_path: attr(t.string, "/v1/metrics"),
      logs_url_path: attr(t.string, "/v1/logs"),
      max_request_body_size: attr(t.bytesize, 20 * MiB),
      compression_algorithms: attr(t.list(t.string), ["", "gzip", "zstd", "zlib", "snappy", "deflate", "lz4"]),
      include_metadata: attr(t.bool, false),
      auth: attr(t.capsule("otelcol.Handler")),
      read_timeout: attr(t.duration),
      read_header_timeout: attr(t.duration, 60_000),
      write_timeout: attr(t.duration, 30_000),
      idle_timeout: attr(t.duration, 60_000),
      keep_alives_enabled: attr(t.bool, true),
    },
    blocks: { cors: corsBlock, tls: tlsBlock },
    validate: validateHttp,
  },
};

/** The component's argument schema. */
export const otlpReceiverSchema: Schema = {
  blocks: {
    grpc: grpcBlock,
    http: httpBlock,
    output: outputBlock,
    debug_metrics: debugMetricsBlock,
  },
};

const TRANSPORTS = new Set(["tcp", "tcp4", "tcp6"]);

function validateGrpc(g: GrpcArgs): string[] {
  const problems = validateCommon(g.endpoint, g.auth);
  if (!TRANSPORTS.has(g.transport)) problems.push(`unsupported transport "${g.transport}": want "tcp", "tcp4" or "tcp6"`);
  if (g.max_recv_msg_size <= 0) problems.push("max_recv_msg_size must be greater than 0");
  if (g.max_concurrent_streams !== undefined && g.max_concurrent_streams < 0) problems.push("max_concurrent_streams must be greater or equal to 0");
  return problems;
}

function validateHttp(h: HttpArgs): string[] {
  const problems = validateCommon(h.endpoint, h.auth);
  const names = ["traces_url_path", "metrics_url_path", "logs_url_path"] as const;
  for (const name of names) {
    const p = validateUrlPath(h[name], name);
    if (p) problems.push(p);
  }
  const seen = new Map<string, string>();
  for (const name of names) {
    const path = sanitizeUrlPath(h[name]);
    const other = seen.get(path);
    if (other && h[name] !== "") problems.push(`${other} and ${name} are both "${path}": each signal needs its own path`);
    seen.set(path, name);
  }
  if (h.max_request_body_size < 0) problems.push("max_request_body_size must be greater or equal to 0");
  return problems;
}

function validateCommon(endpoint: string, auth: unknown): string[] {
  const problems: string[] = [];
  if (!/^(\[[^\]]+\]|[^:[\]]*):\d+$/.test(endpoint) || Number(endpoint.slice(endpoint.lastIndexOf(":") + 1)) > 65535) {
    problems.push(`invalid endpoint "${endpoint}": want host:port`);
  }
  // A handler that cannot check servers (otelcol.auth.headers) would leave the door open.
  const bad = checkServerAuth(auth);
  if (bad) problems.push(bad);
  return problems;
}

/** Alloy's check: non-empty and parses as a URL (Go's url.Parse). */
export function validateUrlPath(path: string, name: string): string | undefined {
  if (path === "") return `${name} cannot be empty`;
  const bad = /%(?![0-9a-fA-F]{2})/.exec(path);
  if (bad) return `invalid ${name}: parse "${path}": invalid URL escape "${path.slice(bad.index, bad.index + 3)}"`;
  if (/[\x00-\x1f\x7f]/.test(path)) return `invalid ${name}: parse "${path}": net/url: invalid control character in URL`;
  return undefined;
}

/** The Collector's sanitizeURLPath: the URL's path, made absolute ("v1/traces" → "/v1/traces"). */
export function sanitizeUrlPath(path: string): string {
  let p = path.replace(/[?#].*$/s, "");
  const scheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*/.exec(p);
  if (scheme) p = p.slice(scheme[0].length);
  return p.startsWith("/") ? p : "/" + p;
}
