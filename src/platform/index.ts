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
  /** Must be false: with development off, Bun otherwise lets a second server bind the same port. */
  reusePort: false;
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
 * gzip (RFC 1952) with libdeflate, on Bun: the same format on the wire as zlib's, at about a third
 * of node:zlib's CPU for a level (node:zlib's asynchronous gzip on Bun also spends as much again
 * in stream bookkeeping). It runs on one worker thread, started on first use, so the event loop
 * keeps serving requests meanwhile (a 2000-span batch takes ~7 ms) and a second core, where there
 * is one, does the compressing. If the worker cannot start, it compresses in place. Undefined on
 * other runtimes.
 */
export function nativeGzip(recycle?: (input: ArrayBuffer) => void): ((data: Uint8Array, level: number, owned?: boolean) => Promise<Uint8Array>) | undefined {
  if (typeof Bun === "undefined" || typeof Bun.gzipSync !== "function") return undefined;
  const gzipSync = Bun.gzipSync.bind(Bun);
  let pool: GzipWorker | undefined | null;
  return async (data, level, owned = false) => {
    // A worker that failed is dropped (its calls rejected) and the next call starts a new one.
    if (pool === undefined) pool = startGzipWorker(() => (pool = undefined), undefined, recycle);
    if (pool === null) return gzipSync(data, { level, library: "libdeflate" });
    return pool.run(data, level, owned);
  };
}

export interface GzipWorker {
  /**
   * Compresses `data` on the worker. `owned`: the caller gives away the whole ArrayBuffer under
   * `data` (a view from offset 0) — it moves to the worker instead of being copied, and the
   * caller's views of it are left empty. A copy of a 2000-span batch costs as much as a fifth of
   * compressing it, and fresh pages for every copy cost more again. The worker hands the input's
   * buffer back with the result, to `recycle` (startGzipWorker), for the next body.
   */
  run(data: Uint8Array, level: number, owned?: boolean): Promise<Uint8Array>;
}

// The worker's whole program; a Blob URL keeps it inside the compiled executable.
const GZIP_WORKER_SOURCE = `self.onmessage = (e) => {
  const { id, data, level } = e.data;
  try {
    const out = Bun.gzipSync(data, { level, library: "libdeflate" });
    // The input goes back too: its buffer is the caller's to reuse.
    postMessage({ id, out, input: data.buffer }, [out.buffer, data.buffer]);
  } catch (err) {
    postMessage({ id, error: String((err && err.message) || err) });
  }
};`;

type WorkerLike = {
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  onmessage: ((e: MessageEvent) => void) | null;
  onerror: ((e: unknown) => void) | null;
  ref?(): void;
  unref?(): void;
  terminate?(): void;
};

/** Starts the worker, or null when the runtime refuses (then gzip runs in place); `onDead` runs once it has failed. */
export function startGzipWorker(onDead: () => void, source = GZIP_WORKER_SOURCE, recycle?: (input: ArrayBuffer) => void): GzipWorker | null {
  let worker: WorkerLike;
  try {
    const url = URL.createObjectURL(new Blob([source], { type: "application/javascript" }));
    worker = new (globalThis as unknown as { Worker: new (url: string) => WorkerLike }).Worker(url);
  } catch {
    return null;
  }
  const pending = new Map<number, { resolve(out: Uint8Array): void; reject(err: Error): void }>();
  let next = 0;
  // Idle, the worker must not keep the process alive; busy, it must.
  worker.unref?.();
  const settle = (id: number, fn: (p: { resolve(out: Uint8Array): void; reject(err: Error): void }) => void) => {
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    if (pending.size === 0) worker.unref?.();
    fn(p);
  };
  worker.onmessage = (e) => {
    const { id, out, error, input } = e.data as { id: number; out?: Uint8Array; error?: string; input?: ArrayBuffer };
    if (input !== undefined) recycle?.(input);
    settle(id, (p) => (error === undefined ? p.resolve(out!) : p.reject(new Error(error))));
  };
  worker.onerror = (e) => {
    const err = new Error(`the gzip worker failed: ${String((e as { message?: string })?.message ?? e)}`);
    for (const id of [...pending.keys()]) settle(id, (p) => p.reject(err));
    worker.onmessage = null;
    worker.onerror = null;
    worker.terminate?.();
    onDead();
  };
  return {
    run(data, level, owned = false) {
      return new Promise((resolve, reject) => {
        const id = next++;
        if (pending.size === 0) worker.ref?.();
        pending.set(id, { resolve, reject });
        const movable = data.byteOffset === 0 && data.buffer instanceof ArrayBuffer;
        if (owned && movable) worker.postMessage({ id, data, level }, [data.buffer as ArrayBuffer]);
        else worker.postMessage({ id, data, level });
      });
    },
  };
}
