// The only place that asks which JavaScript runtime solder runs on (style: Hono's adapters).
// Everything else uses web standards and node: builtins, which Bun and Deno both provide; the
// few native fast paths a runtime offers are handed out from here, undefined elsewhere.

declare const Bun:
  | {
      version: string;
      serve?(options: NativeServeOptions): NativeServer;
      gzipSync?(data: Uint8Array, options: { level: number; library: "libdeflate" }): Uint8Array;
    }
  | undefined;
declare const Deno: { version: { deno: string } } | undefined;

/** `bun 1.4.5`, `deno 2.9.6` or `node v20…`. */
export function runtimeName(): string {
  if (typeof Bun !== "undefined") return `bun ${Bun.version}`;
  if (typeof Deno !== "undefined") return `deno ${Deno.version.deno}`;
  return `node ${process.version}`;
}

/** What a native HTTP/1.1 server (Bun.serve) takes: plain HTTP, web-standard handlers. */
export interface NativeServeOptions {
  hostname: string;
  port: number;
  /** Seconds a connection may stay silent (0 = never), at most 255. */
  idleTimeout: number;
  /** Bytes; the runtime refuses larger bodies itself, so callers pass their own ceiling. */
  maxRequestBodySize: number;
  development: false;
  fetch(request: Request, server: NativeServer): Response | Promise<Response>;
  error(err: Error): Response;
}

/** A started native server. */
export interface NativeServer {
  readonly port: number;
  readonly hostname: string;
  /** Stops listening; with `true` also closes open connections. */
  stop(closeActiveConnections?: boolean): void | Promise<void>;
  /** Sets the idle timeout (seconds) of the connection that carries `request`. */
  timeout?(request: Request, seconds: number): void;
}

/**
 * The runtime's native HTTP server (Bun.serve), or undefined on runtimes without one (Deno, Node)
 * or when SOLDER_NODE_HTTP=1 asks for node:http everywhere (for comparisons and as an escape hatch).
 */
export function nativeServe(): ((options: NativeServeOptions) => NativeServer) | undefined {
  if (process.env.SOLDER_NODE_HTTP === "1") return undefined;
  if (typeof Bun === "undefined" || typeof Bun.serve !== "function") return undefined;
  const serve = Bun.serve.bind(Bun);
  return (options) => serve(options);
}

/**
 * gzip (RFC 1952) with libdeflate, on Bun: the same bytes on the wire as zlib's, at about half
 * zlib's CPU for a level, and synchronous — node:zlib's asynchronous gzip on Bun spends as much
 * again in stream bookkeeping. Undefined on other runtimes.
 */
export function nativeGzip(): ((data: Uint8Array, level: number) => Uint8Array) | undefined {
  if (typeof Bun === "undefined" || typeof Bun.gzipSync !== "function") return undefined;
  const gzipSync = Bun.gzipSync.bind(Bun);
  return (data, level) => gzipSync(data, { level, library: "libdeflate" });
}
