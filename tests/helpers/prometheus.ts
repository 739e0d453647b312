// A real Prometheus for end-to-end tests (Debian's package, 2.42; prometheus-backend.md): started
// on 127.0.0.1 with a fresh TSDB and the remote-write receiver, read back through its HTTP API.
// $PROMETHEUS may name the binary; PROMETHEUS is undefined when none is installed (tests skip).

import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { eventually } from "./solder.ts";

function findPrometheus(): string | undefined {
  if (process.env.PROMETHEUS) return process.env.PROMETHEUS;
  const found = spawnSync("sh", ["-c", "command -v prometheus"], { encoding: "utf8" }).stdout.trim();
  return found && existsSync(found) ? found : undefined;
}

/** The prometheus binary, or undefined when none is installed. */
export const PROMETHEUS = findPrometheus();

export interface Prom {
  url: string;
  port: number;
  proc: ChildProcess;
  log: string;
  stop(): Promise<void>;
}

const started: Prom[] = [];

/** Stops every Prometheus startPrometheus() started (for after()). */
export async function stopAllPrometheus(): Promise<void> {
  for (const p of started) await p.stop();
}

/**
 * Starts Prometheus on 127.0.0.1:`port` with a fresh TSDB under `dir` and the remote-write
 * receiver; waits for /-/ready.
 */
export async function startPrometheus(port: number, dir: string): Promise<Prom> {
  const home = mkdtempSync(join(dir, "prom-"));
  writeFileSync(join(home, "prometheus.yml"), "global:\n  scrape_interval: 15s\n");
  const log = join(home, "prometheus.log");
  const out = openSync(log, "w");
  const proc = spawn(
    PROMETHEUS!,
    [
      `--config.file=${join(home, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(home, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--web.enable-remote-write-receiver",
      "--enable-feature=native-histograms,exemplar-storage",
      "--log.level=warn",
    ],
    { stdio: ["ignore", out, out] },
  );
  const exited = new Promise<void>((resolve) => proc.on("exit", () => resolve()));
  const p: Prom = {
    url: `http://127.0.0.1:${port}`,
    port,
    proc,
    log,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      await exited;
    },
  };
  started.push(p);
  await eventually(async () => (await fetch(`${p.url}/-/ready`).catch(() => undefined))?.status === 200, 30_000, "prometheus ready");
  return p;
}

export interface Vector {
  metric: Record<string, string>;
  value?: [number, string];
  values?: Array<[number, string]>;
}

/** An instant query (optionally at `time`, unix seconds); the result list. */
export async function query(p: Prom, promql: string, time?: number): Promise<Vector[]> {
  const params = new URLSearchParams({ query: promql });
  if (time !== undefined) params.set("time", String(time));
  const body = (await (await fetch(`${p.url}/api/v1/query?${params}`)).json()) as { status: string; data: { result: Vector[] } };
  assert.equal(body.status, "success");
  return body.data.result;
}

/** Every raw sample of `selector` within the 10 minutes before `time`, as [ms, value] pairs. */
export async function samples(p: Prom, selector: string, time: number): Promise<Array<[number, string]>> {
  const result = await query(p, `${selector}[10m]`, time / 1000);
  return (result[0]?.values ?? []).map(([t, v]) => [Math.round(t * 1000), v]);
}
