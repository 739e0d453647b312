// Pieces shared by the exporters' `client` blocks: compression (spec: alloy-components.md §0.7),
// the client `tls` block (§0.4), headers, and loading TLS material when a component starts
// (never at build: building must not touch files).

import { readFile } from "node:fs/promises";
import { rootCertificates } from "node:tls";
import * as zlib from "node:zlib";
import { promisify } from "node:util";
import snappy from "snappyjs";
import { type BlockSpec, attr, required, t, inert } from "../../../../runtime/schema.ts";
import type { Secret } from "../../../../runtime/value.ts";
import { nativeGzip } from "../../../../platform/index.ts";
import { BufferPool } from "../../../../otlp/buffer_pool.ts";

// ---- compression -----------------------------------------------------------------------------

/** Every name `compression` accepts; "none" and "" mean uncompressed. */
export const COMPRESSIONS: readonly string[] = ["gzip", "zlib", "deflate", "snappy", "zstd", "none", ""];

/** The message Alloy gives for an unknown compression name, or undefined when it is known. */
export function checkCompression(name: string, allowed: readonly string[] = COMPRESSIONS): string | undefined {
  if (!COMPRESSIONS.includes(name)) return `unrecognized compression type "${name}"`;
  if (!allowed.includes(name)) return `unsupported compression type "${name}"`;
  return undefined;
}

/** True when `name` actually compresses. */
export function isCompressed(name: string): boolean {
  return name !== "" && name !== "none";
}

type ZlibFn = (buf: Uint8Array, opts: object) => Promise<Uint8Array>;
const gzip = promisify(zlib.gzip) as ZlibFn;
/** Bodies the gzip worker handed back, for the next encoding (src/otlp/buffer_pool.ts). */
const bodies = new BufferPool();
const fastGzip = nativeGzip(bodies.give);
/** zlib's default level (what Go's gzip.DefaultCompression means too). */
const GZIP_DEFAULT_LEVEL = 6;
const gunzip = promisify(zlib.gunzip) as ZlibFn;
const deflate = promisify(zlib.deflate) as ZlibFn;
const inflate = promisify(zlib.inflate) as ZlibFn;
// zstd is in node:zlib on Bun and Deno (and Node ≥ 22.15), not on older Node.
const z = zlib as unknown as Record<string, ((buf: Uint8Array, opts: object, cb: (e: Error | null, r: Uint8Array) => void) => void) | undefined>;
const zstdCompress = z.zstdCompress ? (promisify(z.zstdCompress) as ZlibFn) : undefined;
const zstdDecompress = z.zstdDecompress ? (promisify(z.zstdDecompress) as ZlibFn) : undefined;

/**
 * Where to encode a body that will be compressed with `name` and handed over (compress with
 * `owned`): a reused buffer when the gzip worker will give it back, else undefined (allocate).
 */
export function bodyAlloc(name: string, level?: number): ((size: number) => Uint8Array<ArrayBuffer>) | undefined {
  return name === "gzip" && nativeGzipLevel(level) !== undefined ? bodies.take : undefined;
}

/**
 * The level libdeflate compresses at for compression_params.level, or undefined when the runtime
 * has no native gzip or the level is not one zlib knows (−1 = default, 0–9): zlib then decides,
 * and rejects it as before.
 */
function nativeGzipLevel(level: number | undefined): number | undefined {
  const l = level === undefined || level === -1 ? GZIP_DEFAULT_LEVEL : level;
  return fastGzip && Number.isInteger(l) && l >= 0 && l <= 9 ? l : undefined;
}

/**
 * Compresses `body` with the named algorithm; `level` is compression_params.level. `owned`: the
 * caller hands over the whole buffer under `body` and will not read it again (gzip may then move
 * it to its worker, which hands it back for reuse).
 */
export async function compress(name: string, body: Uint8Array, level?: number, owned = false): Promise<Uint8Array> {
  switch (name) {
    case "gzip": {
      const l = nativeGzipLevel(level);
      if (l !== undefined) return await fastGzip!(body, l, owned);
      // A Buffer is a Uint8Array already; wrapping it would copy the whole body.
      return await gzip(body, level === undefined ? {} : { level });
    }
    // HTTP's "deflate" coding is the zlib format (RFC 9110 §8.4.1.2), as the Collector sends it.
    case "zlib":
    case "deflate":
      return new Uint8Array(await deflate(body, level === undefined ? {} : { level }));
    case "snappy":
      // Block format, which is what snappyjs implements.
      return snappy.compress(body);
    case "zstd": {
      if (!zstdCompress) throw new Error("zstd compression is not available on this JavaScript runtime");
      const params = level === undefined ? {} : { params: { [zlib.constants.ZSTD_c_compressionLevel ?? 100]: level } };
      return new Uint8Array(await zstdCompress(body, params));
    }
    default:
      return body;
  }
}

/** Decompresses `body` (for test sinks and gRPC response decoding). */
export async function decompress(name: string, body: Uint8Array): Promise<Uint8Array> {
  switch (name) {
    case "gzip":
      return new Uint8Array(await gunzip(body, {}));
    case "zlib":
    case "deflate":
      return new Uint8Array(await inflate(body, {}));
    case "snappy":
      return snappy.uncompress(body);
    case "zstd":
      if (!zstdDecompress) throw new Error("zstd compression is not available on this JavaScript runtime");
      return new Uint8Array(await zstdDecompress(body, {}));
    default:
      return body;
  }
}

/** `compression_params { level = … }`. */
export const compressionParamsBlock: BlockSpec = { schema: { attrs: { level: required(t.int) } } };

// ---- headers ---------------------------------------------------------------------------------

/**
 * `headers`: Alloy types it map(string); solder also takes secrets (e.g. from remote.* secrets)
 * so that credentials stay hidden in the UI. Plain strings are decoded to Secret too.
 */
export const headersAttr = attr(t.map(t.secret), {});

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Header names must be HTTP tokens; a bad one would fail every request. */
export function checkHeaders(h: Record<string, Secret> | undefined): string[] {
  return Object.keys(h ?? {})
    .filter((k) => !TOKEN.test(k))
    .map((k) => `invalid header name "${k}"`);
}

/** The header values in the clear, for sending. */
export function revealHeaders(h: Record<string, Secret> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k] = v.value;
  return out;
}

// ---- tls -------------------------------------------------------------------------------------

/** Decoded client `tls` block. */
export interface TlsClientArgs {
  ca_file?: string;
  ca_pem?: string;
  cert_file?: string;
  cert_pem?: string;
  key_file?: string;
  key_pem?: Secret;
  insecure: boolean;
  insecure_skip_verify: boolean;
  server_name?: string;
  min_version: string;
  max_version: string;
  cipher_suites: string[];
  curve_preferences: string[];
  include_system_ca_certs_pool: boolean;
  reload_interval: number;
}

const TLS_VERSIONS: Record<string, string> = { "1.0": "TLSv1", "1.1": "TLSv1.1", "1.2": "TLSv1.2", "1.3": "TLSv1.3" };
const CURVES: Record<string, string> = { X25519: "X25519", P256: "prime256v1", P384: "secp384r1", P521: "secp521r1" };

function tlsVersion(v: string): string | undefined {
  return TLS_VERSIONS[v.replace(/^TLS\s*/i, "")];
}

/** Checks a client `tls` block. */
export function validateTls(a: TlsClientArgs): string[] {
  const problems: string[] = [];
  for (const kind of ["ca", "cert", "key"] as const) {
    if (a[`${kind}_pem`] !== undefined && a[`${kind}_file`] !== undefined) problems.push(`at most one of ${kind}_pem and ${kind}_file must be configured`);
  }
  const hasCert = a.cert_pem !== undefined || a.cert_file !== undefined;
  const hasKey = a.key_pem !== undefined || a.key_file !== undefined;
  if (hasCert !== hasKey) problems.push("for auth via TLS, provide both certificate and key, or neither");
  for (const key of ["min_version", "max_version"] as const) {
    if (a[key] !== "" && !tlsVersion(a[key])) problems.push(`invalid TLS ${key} "${a[key]}": use one of "1.0", "1.1", "1.2", "1.3"`);
  }
  for (const c of a.curve_preferences) if (!CURVES[c]) problems.push(`invalid curve type "${c}": use X25519, P256, P384 or P521`);
  return problems;
}

/** Client `tls { … }`: present with defaults when absent (TLS settings apply even without the block). */
export const tlsClientBlock: BlockSpec = {
  defaultPresent: true,
  schema: {
    attrs: {
      ca_file: attr(t.string),
      ca_pem: attr(t.string),
      cert_file: attr(t.string),
      cert_pem: attr(t.string),
      key_file: attr(t.string),
      key_pem: attr(t.secret),
      insecure: attr(t.bool, false),
      insecure_skip_verify: attr(t.bool, false),
      server_name: attr(t.string),
      min_version: attr(t.string, ""),
      max_version: attr(t.string, ""),
      cipher_suites: inert(t.list(t.string), [], "Go cipher suite names are not mapped for clients; the runtime's safe defaults apply"),
      curve_preferences: attr(t.list(t.string), []),
      include_system_ca_certs_pool: attr(t.bool, false),
      reload_interval: inert(t.duration, 0, "client certificates are read when the connection is set up"),
    },
    blocks: {
      tpm: { noEffect: "keys from a TPM are not supported", schema: { attrs: { enabled: attr(t.bool, false), path: attr(t.string, ""), owner_auth: attr(t.string, ""), auth: attr(t.string, "") } } },
    },
    validate: validateTls,
  },
};

/** TLS options in node:tls terms, ready for http2.connect / Bun's fetch `tls`. */
export interface TlsMaterial {
  ca?: string[];
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
  servername?: string;
  minVersion?: string;
  maxVersion?: string;
  ecdhCurve?: string;
}

/** Reads the files a `tls` block names and returns node:tls options. */
export async function loadTls(a: TlsClientArgs, serverNameFallback?: string): Promise<TlsMaterial> {
  const ca = a.ca_pem ?? (a.ca_file !== undefined ? await readFile(a.ca_file, "utf8") : undefined);
  const cert = a.cert_pem ?? (a.cert_file !== undefined ? await readFile(a.cert_file, "utf8") : undefined);
  const key = a.key_pem?.value ?? (a.key_file !== undefined ? await readFile(a.key_file, "utf8") : undefined);
  const m: TlsMaterial = { rejectUnauthorized: !a.insecure_skip_verify };
  if (ca !== undefined) m.ca = a.include_system_ca_certs_pool ? [...rootCertificates, ca] : [ca];
  if (cert !== undefined) m.cert = cert;
  if (key !== undefined) m.key = key;
  const servername = a.server_name || serverNameFallback;
  if (servername) m.servername = servername;
  if (a.min_version) m.minVersion = tlsVersion(a.min_version);
  if (a.max_version) m.maxVersion = tlsVersion(a.max_version);
  if (a.curve_preferences.length > 0) m.ecdhCurve = a.curve_preferences.map((c) => CURVES[c]).join(":");
  return m;
}
