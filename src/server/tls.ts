// Server TLS settings (alloy-components.md §0.4, the Collector's configtls.ServerConfig) turned
// into node:tls options. Validation is pure so the component can run it when decoding
// arguments; loading reads the certificate files when a listener starts (and on reload).

import { readFile } from "node:fs/promises";
import { rootCertificates } from "node:tls";
import type { Secret } from "../runtime/value.ts";

/** The decoded `tls` block of a server. */
export interface TlsServerArgs {
  ca_file?: string;
  ca_pem?: string;
  cert_file?: string;
  cert_pem?: string;
  key_file?: string;
  key_pem?: Secret;
  client_ca_file?: string;
  cipher_suites: string[];
  curve_preferences: string[];
  include_insecure_cipher_suites: boolean;
  include_system_ca_certs_pool: boolean;
  min_version: string;
  max_version: string;
  /** Milliseconds; 0 = never reload. */
  reload_interval: number;
}

/** What node:https / node:http2 createSecureServer take from us. */
export interface TlsServerOptions {
  cert: string | Buffer;
  key: string | Buffer;
  ca?: Array<string | Buffer>;
  requestCert: boolean;
  rejectUnauthorized: boolean;
  minVersion: "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";
  maxVersion: "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";
  ciphers?: string;
  ecdhCurve?: string;
}

type NodeVersion = TlsServerOptions["minVersion"];

/** configtls spells versions "1.0"…"1.3"; the "TLS 1.2" spelling of the docs is accepted too. */
const VERSIONS: Record<string, NodeVersion> = { "1.0": "TLSv1", "1.1": "TLSv1.1", "1.2": "TLSv1.2", "1.3": "TLSv1.3" };
const RANK: Record<NodeVersion, number> = { TLSv1: 0, "TLSv1.1": 1, "TLSv1.2": 2, "TLSv1.3": 3 };

/** Go cipher suite names → OpenSSL names (TLS 1.2; TLS 1.3 suites are not configurable in Go either). */
const SECURE_SUITES: Record<string, string> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: "ECDHE-ECDSA-AES128-GCM-SHA256",
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: "ECDHE-ECDSA-AES256-GCM-SHA384",
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: "ECDHE-RSA-AES128-GCM-SHA256",
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: "ECDHE-RSA-AES256-GCM-SHA384",
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: "ECDHE-ECDSA-CHACHA20-POLY1305",
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: "ECDHE-RSA-CHACHA20-POLY1305",
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: "ECDHE-ECDSA-AES128-SHA",
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: "ECDHE-ECDSA-AES256-SHA",
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: "ECDHE-RSA-AES128-SHA",
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: "ECDHE-RSA-AES256-SHA",
  TLS_AES_128_GCM_SHA256: "",
  TLS_AES_256_GCM_SHA384: "",
  TLS_CHACHA20_POLY1305_SHA256: "",
};

/** Suites Go only allows with include_insecure_cipher_suites. */
const INSECURE_SUITES: Record<string, string> = {
  TLS_RSA_WITH_AES_128_CBC_SHA: "AES128-SHA",
  TLS_RSA_WITH_AES_256_CBC_SHA: "AES256-SHA",
  TLS_RSA_WITH_AES_128_GCM_SHA256: "AES128-GCM-SHA256",
  TLS_RSA_WITH_AES_256_GCM_SHA384: "AES256-GCM-SHA384",
  TLS_RSA_WITH_AES_128_CBC_SHA256: "AES128-SHA256",
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: "ECDHE-RSA-AES128-SHA256",
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: "ECDHE-ECDSA-AES128-SHA256",
};

/** The OpenSSL name of a Go cipher suite name; "" for TLS 1.3 suites (not configurable), undefined when unknown. */
export function opensslCipher(goName: string): string | undefined {
  return SECURE_SUITES[goName] ?? INSECURE_SUITES[goName];
}

const CURVES: Record<string, string> = { X25519: "X25519", P256: "prime256v1", P384: "secp384r1", P521: "secp521r1" };

/** Problems with a server `tls` block, worded as configtls does. */
export function validateTlsServer(t: TlsServerArgs): string[] {
  const problems: string[] = [];
  if (t.ca_file && t.ca_pem) problems.push("provide either a CA file or the PEM-encoded string, but not both");
  if (t.cert_file && t.cert_pem) problems.push("for auth via TLS, provide certificate contents or path, but not both");
  if (t.key_file && t.key_pem) problems.push("for auth via TLS, provide key contents or path, but not both");
  const hasCert = Boolean(t.cert_file || t.cert_pem);
  const hasKey = Boolean(t.key_file || t.key_pem);
  if (hasCert !== hasKey) problems.push("for auth via TLS, provide both certificate and key, or neither");
  else if (!hasCert) problems.push("a TLS server needs a certificate and key (cert_file or cert_pem, key_file or key_pem)");
  const min = versionOf(t.min_version, "TLSv1.2");
  const max = versionOf(t.max_version, "TLSv1.3");
  if (min === undefined) problems.push(`invalid TLS min_version: unsupported TLS version: "${t.min_version}"`);
  if (max === undefined) problems.push(`invalid TLS max_version: unsupported TLS version: "${t.max_version}"`);
  if (min && max && RANK[max] < RANK[min]) problems.push("invalid TLS configuration: min_version cannot be greater than max_version");
  for (const s of t.cipher_suites) {
    if (!(s in SECURE_SUITES) && !(t.include_insecure_cipher_suites && s in INSECURE_SUITES)) problems.push(`invalid TLS cipher suite: "${s}"`);
  }
  for (const c of t.curve_preferences) if (!(c in CURVES)) problems.push(`invalid curve type: "${c}"`);
  return problems;
}

/** Reads certificate files and builds node:tls server options. */
export async function loadTlsServer(t: TlsServerArgs): Promise<TlsServerOptions> {
  const cert = t.cert_pem ?? (await readFile(t.cert_file!));
  const key = t.key_pem?.value ?? (await readFile(t.key_file!));
  const opts: TlsServerOptions = {
    cert,
    key,
    // client_ca_file: client certificates are required and verified against it (§0.4).
    requestCert: Boolean(t.client_ca_file),
    rejectUnauthorized: Boolean(t.client_ca_file),
    minVersion: versionOf(t.min_version, "TLSv1.2")!,
    maxVersion: versionOf(t.max_version, "TLSv1.3")!,
  };
  if (t.client_ca_file) {
    opts.ca = [await readFile(t.client_ca_file), ...(t.include_system_ca_certs_pool ? rootCertificates : [])];
  }
  const ciphers = t.cipher_suites.map((s) => SECURE_SUITES[s] ?? INSECURE_SUITES[s] ?? "").filter((s) => s !== "");
  if (ciphers.length > 0) opts.ciphers = ciphers.join(":");
  if (t.curve_preferences.length > 0) opts.ecdhCurve = t.curve_preferences.map((c) => CURVES[c]).join(":");
  return opts;
}

function versionOf(v: string, dflt: NodeVersion): NodeVersion | undefined {
  if (v === "") return dflt;
  return VERSIONS[v.replace(/^TLS\s*/i, "")];
}
