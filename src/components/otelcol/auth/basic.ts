// `otelcol.auth.basic`: HTTP Basic authentication (RFC 7617), both sides (style: the Collector's
// basicauth extension as Alloy wraps it). Server: `htpasswd` entries (inline and/or a file) plus
// the deprecated top-level `username`/`password`; client: `client_auth`, else the top-level pair.

import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { type Component, type Health, defineComponent } from "../../../runtime/component.ts";
import { type Schema, attr, required, t } from "../../../runtime/schema.ts";
import type { Secret } from "../../../runtime/value.ts";
import { debugMetricsBlock } from "../shared/debug_metrics.ts";
import { type AuthResult, AuthHandler, type ClientAuth, type RequestHeaders, type ServerAuth, constantTimeEqual, handlerCapsule, headerOf } from "./handler.ts";

export interface BasicAuthArgs {
  /** Deprecated in Alloy: client credentials (when no client_auth) and one more server entry. */
  username?: string;
  password?: Secret;
  client_auth?: { username: string; password: Secret };
  htpasswd?: { file?: string; inline?: Secret };
  debug_metrics: { disable_high_cardinality_metrics: boolean };
}

const schema: Schema = {
  attrs: { username: attr(t.string), password: attr(t.secret) },
  blocks: {
    client_auth: { schema: { attrs: { username: required(t.string), password: required(t.secret) } } },
    htpasswd: { schema: { attrs: { file: attr(t.string), inline: attr(t.secret) } } },
    debug_metrics: debugMetricsBlock,
  },
  validate: validate,
};

function validate(a: BasicAuthArgs): string[] {
  const problems: string[] = [];
  if (a.username === undefined && a.password === undefined && !a.client_auth && !a.htpasswd) {
    problems.push("either client_auth or htpasswd must be set (or the deprecated username and password)");
  }
  if (a.htpasswd && a.htpasswd.file === undefined && a.htpasswd.inline === undefined) problems.push("htpasswd: set file or inline");
  if (a.htpasswd?.inline) problems.push(...parseHtpasswd(a.htpasswd.inline.value).problems.map((p) => `htpasswd.inline: ${p}`));
  return problems;
}

/** One htpasswd entry: user and the stored password (hash or plain text). */
type Entries = Map<string, string>;

/** Parses htpasswd text; problems name line numbers only, never content. */
export function parseHtpasswd(text: string): { entries: Entries; problems: string[] } {
  const entries: Entries = new Map();
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const colon = line.indexOf(":");
    if (colon <= 0) return void problems.push(`line ${i + 1}: want user:password`);
    const stored = line.slice(colon + 1);
    const bad = unsupportedHash(stored);
    if (bad) return void problems.push(`line ${i + 1}: ${bad} hashes are not supported (use bcrypt, {SHA}, {SSHA} or plain text)`);
    entries.set(line.slice(0, colon), stored);
  });
  return { entries, problems };
}

function unsupportedHash(stored: string): string | undefined {
  if (stored.startsWith("$apr1$") || stored.startsWith("$1$")) return "MD5";
  if (stored.startsWith("$5$") || stored.startsWith("$6$")) return "SHA-crypt";
  return undefined;
}

const sha1 = (b: Uint8Array) => createHash("sha1").update(b).digest();
const bunPassword = (globalThis as { Bun?: { password?: { verify(pw: string, hash: string): Promise<boolean> } } }).Bun?.password;

/** Checks `password` against a stored htpasswd value (go-htpasswd's formats, MD5 and SHA-crypt aside). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (/^\$2[aby]\$/.test(stored)) {
    if (!bunPassword) throw new Error("bcrypt htpasswd entries need the Bun runtime");
    try {
      return await bunPassword.verify(password, stored.replace(/^\$2y\$/, "$2b$"));
    } catch {
      return false;
    }
  }
  if (stored.startsWith("{SHA}")) return constantTimeEqual(sha1(Buffer.from(password, "utf8")).toString("base64"), stored.slice(5));
  if (stored.startsWith("{SSHA}")) {
    const raw = Buffer.from(stored.slice(6), "base64");
    if (raw.length <= 20) return false;
    const salt = raw.subarray(20);
    const hash = sha1(Buffer.concat([Buffer.from(password, "utf8"), salt]));
    return constantTimeEqual(hash.toString("base64"), raw.subarray(0, 20).toString("base64"));
  }
  return constantTimeEqual(password, stored);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The server side over a set of entries (the Collector's messages). */
export function basicServer(entries: () => Entries): ServerAuth {
  return {
    async authenticate(headers: RequestHeaders): Promise<AuthResult> {
      const header = headerOf(headers, "authorization");
      if (!header) return { ok: false, message: "no basic auth provided" };
      if (!/^basic /i.test(header)) return { ok: false, message: "invalid authorization scheme prefix" };
      const encoded = header.slice(6).trim();
      if (!BASE64.test(encoded)) return { ok: false, message: "invalid authorization format" };
      const decoded = Buffer.from(encoded, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon < 0) return { ok: false, message: "invalid authorization format" };
      const stored = entries().get(decoded.slice(0, colon));
      // An unknown user costs a comparison too, so timing does not tell users apart.
      const ok = stored === undefined ? (constantTimeEqual(decoded, ""), false) : await verifyPassword(decoded.slice(colon + 1), stored);
      return ok ? { ok: true } : { ok: false, message: "invalid credentials" };
    },
  };
}

/** The client side: `Authorization: Basic base64(user:password)`. */
export function basicClient(username: string, password: string): ClientAuth {
  const value = `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
  return { apply: (headers) => headers.set("authorization", value) };
}

class BasicAuth implements Component<BasicAuthArgs> {
  private args: BasicAuthArgs;
  private fileEntries: Entries = new Map();
  private fileError?: string;
  private running = false;
  readonly handler: AuthHandler;

  constructor(
    id: string,
    args: BasicAuthArgs,
    private readonly onFileError: (message: string) => void,
  ) {
    this.args = args;
    const server = basicServer(() => this.entries());
    this.handler = new AuthHandler(
      id,
      () => (this.args.htpasswd || this.args.username !== undefined ? server : undefined),
      () => this.client(),
    );
  }

  async run(signal: AbortSignal): Promise<void> {
    this.running = true;
    await this.loadFile();
    if (signal.aborted) return;
    await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  }

  async update(args: BasicAuthArgs): Promise<void> {
    this.args = args;
    if (this.running) await this.loadFile();
  }

  health(): Health | undefined {
    return this.fileError ? { state: "unhealthy", message: this.fileError, updatedTime: new Date() } : undefined;
  }

  /** Server entries: htpasswd (file, then inline, which wins), then the deprecated pair. */
  private entries(): Entries {
    const out: Entries = new Map(this.fileEntries);
    const inline = this.args.htpasswd?.inline;
    if (inline) for (const [u, p] of parseHtpasswd(inline.value).entries) out.set(u, p);
    if (this.args.username !== undefined && !out.has(this.args.username)) out.set(this.args.username, this.args.password?.value ?? "");
    return out;
  }

  private client(): ClientAuth | undefined {
    const c = this.args.client_auth;
    if (c) return basicClient(c.username, c.password.value);
    if (this.args.username !== undefined) return basicClient(this.args.username, this.args.password?.value ?? "");
    return undefined;
  }

  /** Reads the htpasswd file; on failure no entry from it matches (fail closed) and health says why. */
  private async loadFile(): Promise<void> {
    const file = this.args.htpasswd?.file;
    this.fileError = undefined;
    if (file === undefined) {
      this.fileEntries = new Map();
      return;
    }
    try {
      const parsed = parseHtpasswd(await readFile(file, "utf8"));
      this.fileEntries = parsed.entries;
      if (parsed.problems.length > 0) this.fileError = `htpasswd file ${file}: ${parsed.problems.join("; ")}`;
    } catch (err) {
      this.fileEntries = new Map();
      this.fileError = `reading htpasswd file: ${(err as Error).message}`;
    }
    if (this.fileError) this.onFileError(this.fileError);
  }
}

/** The component definition. */
export const basicAuth = defineComponent<BasicAuthArgs>({
  name: "otelcol.auth.basic",
  stability: "generally-available",
  summary: "Exports a handler for HTTP Basic authentication: checks credentials on receivers (htpasswd), sends them from exporters.",
  args: schema,
  exports: ["handler"],
  build(opts, args) {
    const c = new BasicAuth(opts.id, args, (message) => opts.logger.error("failed to load htpasswd file", { err: message }));
    opts.onStateChange({ handler: handlerCapsule(c.handler) });
    return c;
  },
});
