// The top-level `http` block (spec: alloy-syntax.md §8, alloy-runtime.md §3): basic auth and TLS
// for the UI/API server on --server.http.listen-addr. Argument names, defaults and validation
// follow Alloy's http config block; the server side lives in src/server/admin_listener.ts.

import { type Schema, attr, required, t } from "./schema.ts";
import type { Secret } from "./value.ts";

export interface HttpBlockArgs {
  auth?: HttpAuthArgs;
  tls?: HttpTlsArgs;
}

export interface HttpAuthArgs {
  basic?: { username: string; password: Secret };
  /** Absent: every path is authenticated (Alloy's zero-valued filter). */
  filter?: { paths: string[]; authenticate_matching_paths: boolean };
}

export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

export interface HttpTlsArgs {
  cert_pem: string;
  cert_file: string;
  key_pem?: Secret;
  key_file: string;
  client_ca_pem: string;
  client_ca_file: string;
  client_auth_type: ClientAuthType;
  cipher_suites: string[];
  curve_preferences: string[];
  /** "" = the default (TLS 1.2 minimum, TLS 1.3 maximum). */
  min_version: string;
  max_version: string;
}

export const CLIENT_AUTH_TYPES = ["NoClientCert", "RequestClientCert", "RequireAnyClientCert", "VerifyClientCertIfGiven", "RequireAndVerifyClientCert"] as const;

/** Alloy's TLS version names, oldest first. */
export const TLS_VERSIONS = ["TLS10", "TLS11", "TLS12", "TLS13"] as const;

/** The cipher suite names Alloy's http block accepts (Go's crypto/tls names). */
export const HTTP_CIPHER_SUITES = [
  "TLS_RSA_WITH_AES_128_CBC_SHA",
  "TLS_RSA_WITH_AES_256_CBC_SHA",
  "TLS_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_AES_128_GCM_SHA256",
  "TLS_AES_256_GCM_SHA384",
  "TLS_CHACHA20_POLY1305_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
  "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
  "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
  "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
] as const;

/** Curve names as Alloy spells them. */
export const HTTP_CURVES = ["CurveP256", "CurveP384", "CurveP521", "X25519"] as const;

const filter: Schema = {
  attrs: {
    paths: attr(t.list(t.string), []),
    authenticate_matching_paths: attr(t.bool, true),
  },
};

const auth: Schema = {
  blocks: {
    basic: { schema: { attrs: { username: required(t.string), password: required(t.secret) } } },
    filter: { schema: filter },
  },
  warn: (a: HttpAuthArgs) => {
    if (!a.filter) return [];
    if (!a.basic) return ["auth.filter has no effect without auth.basic: no request is authenticated"];
    if (a.filter.authenticate_matching_paths && a.filter.paths.length === 0) {
      return ["auth.filter with authenticate_matching_paths = true and no paths authenticates no request"];
    }
    return [];
  },
};

const tls: Schema = {
  attrs: {
    cert_pem: attr(t.string, ""),
    cert_file: attr(t.string, ""),
    key_pem: attr(t.secret),
    key_file: attr(t.string, ""),
    client_ca_pem: attr(t.string, ""),
    client_ca_file: attr(t.string, ""),
    client_auth_type: attr(t.enum(...CLIENT_AUTH_TYPES), "NoClientCert"),
    cipher_suites: attr(t.list(t.string), []),
    curve_preferences: attr(t.list(t.string), []),
    min_version: attr(t.string, ""),
    max_version: attr(t.string, ""),
  },
  validate: validateTls,
};

/** Problems with the `tls` block, worded as Alloy words them. */
export function validateTls(a: HttpTlsArgs): string[] {
  const problems: string[] = [];
  const keyPem = a.key_pem?.value ?? "";
  if (a.client_ca_pem && a.client_ca_file) problems.push("cannot specify both client_ca_pem and client_ca_file");
  if (a.cert_pem && a.cert_file) problems.push("cannot specify both cert_pem and cert_file");
  if (keyPem && a.key_file) problems.push("cannot specify both key_pem and key_file");
  if (!a.cert_pem && !a.cert_file) problems.push("must specify either cert_pem or cert_file");
  if (!keyPem && !a.key_file) problems.push("must specify either key_pem or key_file");
  if ((a.client_ca_pem || a.client_ca_file) && a.client_auth_type === "NoClientCert") {
    problems.push("cannot specify client_ca_pem or client_ca_file when client_auth_type is NoClientCert");
  }
  for (const [name, v] of [["min_version", a.min_version], ["max_version", a.max_version]] as const) {
    if (v !== "" && !(TLS_VERSIONS as readonly string[]).includes(v)) problems.push(`${name}: unknown TLS version "${v}" (want one of ${TLS_VERSIONS.join(", ")})`);
  }
  const min = TLS_VERSIONS.indexOf((a.min_version || "TLS12") as never);
  const max = TLS_VERSIONS.indexOf((a.max_version || "TLS13") as never);
  if (min >= 0 && max >= 0 && min > max) problems.push(`min_version ${a.min_version || "TLS12"} is newer than max_version ${a.max_version || "TLS13"}`);
  for (const c of a.cipher_suites) if (!(HTTP_CIPHER_SUITES as readonly string[]).includes(c)) problems.push(`cipher_suites: unknown cipher "${c}"`);
  for (const c of a.curve_preferences) if (!(HTTP_CURVES as readonly string[]).includes(c)) problems.push(`curve_preferences: unknown curve "${c}"`);
  return problems;
}

export const httpBlock: Schema = {
  blocks: {
    auth: { schema: auth },
    tls: { schema: tls },
  },
};
