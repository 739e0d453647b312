// `solder run [flags] [file|dir]`: the gateway process (spec: alloy-runtime.md §2). Starts the
// admin server first, loads the configuration, starts the components, then reloads on SIGHUP
// or /-/reload and stops gracefully on SIGINT/SIGTERM.

import { builtinRegistry } from "../components/all.ts";
import { Controller, hasErrors, type Source } from "../runtime/controller.ts";
import { parseDuration } from "../runtime/duration.ts";
import { type Logger, createLogger, stderrSink } from "../runtime/logger.ts";
import { MetricsRegistry } from "../runtime/metrics.ts";
import { readSources } from "../runtime/sources.ts";
import { stdlib } from "../runtime/stdlib/index.ts";
import { adminHandler } from "../server/admin.ts";
import { Flow } from "../ui/flow.ts";
import { AdminListener } from "../server/admin_listener.ts";
import type { Handler } from "../server/http.ts";
import { formatShort } from "../syntax/diag.ts";
import { VERSION } from "../version.ts";
import { STABILITY_FLAG, stabilityFrom } from "./common.ts";
import { DEFAULT_PIPELINE, DEFAULT_PIPELINE_NAME } from "./default_pipeline.ts";
import { renderDiagnostics } from "./diagnostics.ts";
import { registerSelfMetrics } from "./self_metrics.ts";
import { type FlagSpec, UsageError, parseFlags } from "./flags.ts";
import type { Io } from "./io.ts";

export const RUN_FLAGS: FlagSpec[] = [
  { name: "server.http.listen-addr", kind: "string", default: "127.0.0.1:12345", help: "Address the HTTP server (UI, API, /metrics) listens on" },
  { name: "storage.path", kind: "string", default: "data-solder/", help: "Base directory for component data (each component gets <path>/<component id>/)" },
  STABILITY_FLAG,
  { name: "server.http.memory-addr", kind: "string", default: "alloy.internal:12345", help: "Pseudo-address components use to reach this HTTP server in memory (e.g. prometheus.exporter.self)" },
  { name: "server.http.ui-path-prefix", kind: "string", default: "/", help: "Path prefix the web UI (and its /api/v0/web API) is served under" },
  { name: "feature.component-shutdown-deadline", kind: "string", default: "10m", help: "Longest wait for one component to stop" },
  // solder's own: Alloy's exporters drain with the Collector's fixed behaviour.
  { name: "shutdown.drain-timeout", kind: "string", default: "15s", help: "How long exporters may spend at shutdown sending what is still queued (the rest is dropped, or stays on disk with sending_queue.storage)" },
];

/** Runs the gateway until a stop signal; returns the exit code. */
export async function runCommand(argv: string[], io: Io): Promise<number> {
  const { flags, positional } = parseFlags(argv, RUN_FLAGS);
  if (positional.length > 1) throw new UsageError("run takes at most one path (a file or a directory)");
  const stability = stabilityFrom(flags);
  const shutdownDeadlineMs = parseFlagDuration(flags, "feature.component-shutdown-deadline");
  const drainTimeoutMs = parseFlagDuration(flags, "shutdown.drain-timeout");
  const path = positional[0];
  const logger = createLogger(stderrSink());
  const metrics = new MetricsRegistry();
  // The admin handler is built after the controller (it shows it); components reach it through this.
  let admin: Handler = async () => new Response("not ready\n", { status: 503 });
  const host = { memoryAddress: String(flags["server.http.memory-addr"]), fetchInMemory: async (r: Request) => admin(r) };
  const flow = new Flow();
  // Bound before the configuration loads; it holds connections until the first load has said
  // whether the http block asks for auth or TLS.
  let server: AdminListener | undefined;
  const controller = new Controller({
    registry: builtinRegistry(),
    logger,
    metrics,
    storagePath: String(flags["storage.path"]),
    stability,
    globals: stdlib({ version: VERSION, stability }),
    shutdownDeadlineMs,
    drainTimeoutMs,
    host,
    instrument: flow,
    applyHttp: async (args) => server?.apply(args),
  });
  const loads = registerSelfMetrics(metrics, controller);
  const read = (): { sources: Source[]; diagnostics: ReturnType<typeof readSources>["diagnostics"] } =>
    path === undefined ? { sources: [{ name: DEFAULT_PIPELINE_NAME, text: DEFAULT_PIPELINE }], diagnostics: [] } : readSources(path);

  logger.info("solder is starting", { version: `v${VERSION}` });
  let ready = false;
  const reload = makeReload(controller, read, logger, loads.loaded);
  const reloadViaHttp = () => reload("/-/reload endpoint");
  admin = adminHandler({ controller, metrics, isReady: () => ready, reload: reloadViaHttp, flow, uiPrefix: String(flags["server.http.ui-path-prefix"]) });
  try {
    server = await AdminListener.listen(String(flags["server.http.listen-addr"]), admin, logger);
  } catch (err) {
    logger.error("failed to start the HTTP server", { addr: flags["server.http.listen-addr"], err });
    return 1;
  }
  logger.info("starting server", { addr: server.address });

  const initial = read();
  const diags = hasErrors(initial.diagnostics) ? initial.diagnostics : [...initial.diagnostics, ...(await controller.load(initial.sources))];
  if (diags.length > 0) io.stderr(renderDiagnostics(diags, initial.sources));
  loads.loaded(!hasErrors(diags));
  if (hasErrors(diags)) {
    logger.error("could not perform the initial load successfully");
    await server.close();
    return 1;
  }
  if (path === undefined) logger.info("no configuration given: running the built-in default pipeline (OTLP in, batch, debug out)");
  // A failed first load never opens the server: held connections are dropped by close() above.
  server.settle();
  controller.start();
  ready = true;
  logger.info("solder is running");
  await waitForStop(logger, reload);
  logger.info("shutting down");
  ready = false;
  await controller.stop();
  await server.close();
  logger.info("solder has stopped");
  return 0;
}

function parseFlagDuration(flags: Record<string, string | boolean>, name: string): number {
  try {
    return parseDuration(String(flags[name]));
  } catch (err) {
    throw new UsageError(`invalid --${name}: ${(err as Error).message}`);
  }
}

type Reload = (trigger: string) => Promise<{ ok: boolean; message: string }>;

function makeReload(controller: Controller, read: () => { sources: Source[]; diagnostics: any[] }, logger: Logger, record: (ok: boolean) => void): Reload {
  let chain = Promise.resolve();
  // Reloads run one at a time, in the order they were asked for.
  return (trigger) => {
    const run = chain.then(async () => {
      logger.info(`reload requested via ${trigger}`);
      const r = read();
      const diags = hasErrors(r.diagnostics) ? r.diagnostics : [...r.diagnostics, ...(await controller.load(r.sources))];
      const errors = diags.filter((d) => d.severity === "error");
      record(errors.length === 0);
      if (errors.length === 0) {
        logger.info("config reloaded");
        return { ok: true, message: "config reloaded" };
      }
      const message = errors.map(formatShort).join("\n");
      logger.error("failed to reload config", { err: message });
      return { ok: false, message };
    });
    chain = run.then(() => undefined, () => undefined);
    return run;
  };
}

/**
 * Resolves on SIGINT or SIGTERM; reloads on SIGHUP meanwhile. A second SIGINT/SIGTERM during
 * the graceful stop exits at once with status 1 (what is queued in memory is lost then).
 */
function waitForStop(logger: Logger, reload: Reload): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onHup = () => void reload("SIGHUP");
    const onStop = (sig: string) => {
      if (stopping) {
        logger.warn("received a second signal, exiting without finishing the shutdown", { signal: sig });
        process.exit(1);
      }
      stopping = true;
      logger.info("received signal, stopping", { signal: sig });
      process.off("SIGHUP", onHup);
      resolve();
    };
    process.on("SIGHUP", onHup);
    process.on("SIGINT", () => onStop("SIGINT"));
    process.on("SIGTERM", () => onStop("SIGTERM"));
  });
}
