// The receiver's two listeners. Each is (re)started only when its own block changed, so an
// update that touches only `output` (read per request through the sink) or the other server
// keeps connections open. Blocks are compared by value, secrets included.

import type { Logger } from "../../../runtime/logger.ts";
import { Secret } from "../../../runtime/value.ts";
import { type HttpListenOptions, listenHttp } from "../../../server/http.ts";
import { listenGrpc } from "../../../server/otlp_grpc.ts";
import type { OtlpSink } from "../../../server/otlp_common.ts";
import { createOtlpHttpHandler } from "../../../server/otlp_http.ts";
import { type TlsServerArgs, type TlsServerOptions, loadTlsServer } from "../../../server/tls.ts";
import { type GrpcArgs, type HttpArgs, sanitizeUrlPath } from "./otlp_args.ts";

/** A running listener of either kind. */
interface Running {
  address: string;
  close(): Promise<void>;
  reloadTls(tls: TlsServerOptions): void;
}

interface Slot {
  key: string;
  running?: Running;
  reload?: ReturnType<typeof setInterval>;
}

/** The gRPC and HTTP listeners of one receiver. */
export class ReceiverServers {
  private grpc?: Slot;
  private http?: Slot;
  /** The last start failure per server, for health. */
  readonly failures = new Map<"grpc" | "http", string>();

  constructor(
    private readonly sink: OtlpSink,
    private readonly logger: Logger,
  ) {}

  /** Bound addresses, for tests and logs. */
  addresses(): { grpc?: string; http?: string } {
    return { grpc: this.grpc?.running?.address, http: this.http?.running?.address };
  }

  /** Brings the listeners in line with the arguments. */
  async apply(grpc: GrpcArgs | undefined, http: HttpArgs | undefined): Promise<void> {
    this.grpc = await this.reconcile("grpc", this.grpc, grpc, (a) => this.startGrpc(a as GrpcArgs));
    this.http = await this.reconcile("http", this.http, http, (a) => this.startHttp(a as HttpArgs));
  }

  /** Stops both listeners. */
  async close(): Promise<void> {
    await Promise.all([stop(this.grpc), stop(this.http)]);
    this.grpc = this.http = undefined;
  }

  private async reconcile(
    kind: "grpc" | "http",
    slot: Slot | undefined,
    args: GrpcArgs | HttpArgs | undefined,
    start: (a: GrpcArgs | HttpArgs) => Promise<Running>,
  ): Promise<Slot | undefined> {
    const key = args === undefined ? "" : keyOf(args);
    if (slot && slot.key === key) return slot;
    await stop(slot);
    this.failures.delete(kind);
    if (!args) return undefined;
    const next: Slot = { key };
    try {
      next.running = await start(args);
      next.reload = scheduleTlsReload(args.tls, next.running, this.logger);
      this.logger.info(`starting ${kind === "grpc" ? "GRPC" : "HTTP"} server`, { endpoint: next.running.address });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.failures.set(kind, `${kind} server on ${args.endpoint}: ${message}`);
      this.logger.error(`failed to start ${kind} server`, { endpoint: args.endpoint, err: message });
    }
    return next;
  }

  private async startGrpc(g: GrpcArgs): Promise<Running> {
    return listenGrpc(
      g.endpoint,
      {
        maxRecvMsgSize: g.max_recv_msg_size,
        maxConcurrentStreams: g.max_concurrent_streams || undefined,
        includeMetadata: g.include_metadata,
        tls: g.tls ? await loadTlsServer(g.tls) : undefined,
        keepalive: g.keepalive,
        auth: g.auth,
      },
      this.sink,
    );
  }

  private async startHttp(h: HttpArgs): Promise<Running> {
    const handler = createOtlpHttpHandler(
      {
        paths: { traces: sanitizeUrlPath(h.traces_url_path), metrics: sanitizeUrlPath(h.metrics_url_path), logs: sanitizeUrlPath(h.logs_url_path) },
        maxRequestBodySize: h.max_request_body_size,
        compressionAlgorithms: h.compression_algorithms,
        includeMetadata: h.include_metadata,
        cors: h.cors,
        auth: h.auth,
      },
      this.sink,
    );
    const opts: HttpListenOptions = {
      tls: h.tls ? await loadTlsServer(h.tls) : undefined,
      readTimeoutMs: h.read_timeout || undefined,
      readHeaderTimeoutMs: h.read_header_timeout || undefined,
      writeTimeoutMs: h.write_timeout || undefined,
      idleTimeoutMs: h.idle_timeout || undefined,
      keepAlivesEnabled: h.keep_alives_enabled,
      native: true,
    };
    return listenHttp(h.endpoint, handler, opts);
  }
}

async function stop(slot: Slot | undefined): Promise<void> {
  if (!slot) return;
  clearInterval(slot.reload);
  await slot.running?.close();
}

/** `reload_interval`: re-read certificate files now and then, for new connections. */
function scheduleTlsReload(tls: TlsServerArgs | undefined, running: Running, logger: Logger): ReturnType<typeof setInterval> | undefined {
  if (!tls || !tls.reload_interval) return undefined;
  const timer = setInterval(() => {
    loadTlsServer(tls).then(
      (opts) => running.reloadTls(opts),
      (err) => logger.warn("failed to reload TLS certificates", { err }),
    );
  }, tls.reload_interval);
  (timer as { unref?(): void }).unref?.();
  return timer;
}

/** A stable text of a block's values; secrets by value, so a changed key restarts the listener. */
function keyOf(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, k: string, v: unknown) {
    // `this[k]` is the value before toJSON, which Secret uses to hide itself.
    const raw = this[k];
    if (raw instanceof Secret) return { secret: raw.value };
    if (v && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]));
    }
    return v;
  });
}
