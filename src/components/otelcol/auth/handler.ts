// The `otelcol.Handler` capsule the otelcol.auth.* components export (style: the Collector's
// extensionauth.Server / extensionauth.HTTPClient). One stable object per component: it reads
// the component's current arguments, so an update changes credentials without restarting the
// receivers and exporters that use it. Secrets stay inside; the object shows only its id.

import { createHash, timingSafeEqual } from "node:crypto";
import type { ClientMetadata } from "../../../otlp/batch.ts";
import { Capsule } from "../../../runtime/value.ts";

/** The capsule type name, as Alloy prints it. */
export const HANDLER_TYPE = "otelcol.Handler";

/** Request headers as a server sees them: fetch Headers (HTTP, and gRPC metadata through Connect) or a metadata map. */
export type RequestHeaders = Headers | ReadonlyMap<string, readonly string[]>;

/** The outcome of server authentication; `message` goes into the 401 / UNAUTHENTICATED answer. */
export type AuthResult = { ok: true } | { ok: false; message: string };

/** Server side: checks the credentials of an incoming request. */
export interface ServerAuth {
  authenticate(headers: RequestHeaders): Promise<AuthResult>;
}

/** Client side: adds credentials to an outgoing request; `metadata` is the batch's client metadata. */
export interface ClientAuth {
  apply(headers: Headers, metadata: ClientMetadata | undefined): void;
}

/** What an otelcol.auth.* component exports as `handler`. */
export class AuthHandler {
  constructor(
    /** The component's id, e.g. `otelcol.auth.basic.creds`. */
    readonly id: string,
    /** The current server side, or undefined when the component cannot authenticate servers. */
    private readonly serverSide: () => ServerAuth | undefined,
    /** The current client side, or undefined when the component has no client credentials. */
    private readonly clientSide: () => ClientAuth | undefined,
  ) {}

  /** Why this handler cannot protect a server, or undefined when it can. */
  serverProblem(): string | undefined {
    return this.serverSide() ? undefined : `${this.id} does not support server authentication`;
  }

  /** Why this handler cannot authenticate a client, or undefined when it can. */
  clientProblem(): string | undefined {
    return this.clientSide() ? undefined : `${this.id} does not support client authentication`;
  }

  /** Checks a request; fails closed when the component has no server side (any more). */
  async authenticate(headers: RequestHeaders): Promise<AuthResult> {
    const server = this.serverSide();
    if (!server) return { ok: false, message: `${this.id} does not support server authentication` };
    try {
      return await server.authenticate(headers);
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  }

  /** Adds this handler's credentials to `headers` (no-op without a client side). */
  apply(headers: Headers, metadata?: ClientMetadata): void {
    this.clientSide()?.apply(headers, metadata);
  }

  /** Shown instead of the object (logs, receiver restart keys): the id only, never credentials. */
  toJSON(): { handler: string } {
    return { handler: this.id };
  }

  /** As toJSON. */
  toString(): string {
    return `handler(${this.id})`;
  }
}

/** The `handler` export. */
export function handlerCapsule(h: AuthHandler): Capsule<AuthHandler> {
  return new Capsule(HANDLER_TYPE, h);
}

/** The first value of header `name` (case-insensitive), or undefined. */
export function headerOf(headers: RequestHeaders, name: string): string | undefined {
  const key = name.toLowerCase();
  if (headers instanceof Headers) return headers.get(key) ?? undefined;
  for (const [k, v] of headers) if (k.toLowerCase() === key) return v[0];
  return undefined;
}

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

/** String equality in time independent of where the strings differ and of their lengths (both are hashed first). */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** Checks a handler used as a server's `auth`; the message for the `auth` attribute. */
export function checkServerAuth(auth: unknown): string | undefined {
  if (auth === undefined) return undefined;
  if (!(auth instanceof AuthHandler)) return "auth: not an authentication handler (use otelcol.auth.<name>.<label>.handler)";
  const p = auth.serverProblem();
  return p ? `auth: ${p}` : undefined;
}

/** Checks a handler used as a client's `auth`; the message for the `auth` attribute. */
export function checkClientAuth(auth: unknown): string | undefined {
  if (auth === undefined) return undefined;
  if (!(auth instanceof AuthHandler)) return "auth: not an authentication handler (use otelcol.auth.<name>.<label>.handler)";
  const p = auth.clientProblem();
  return p ? `auth: ${p}` : undefined;
}
