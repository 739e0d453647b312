// `make bench` / `make bench-quick`: the gateway on the seed pipeline pinned to CPU 0 (taskset),
// `solder telemetrygen` and the counting null backend on CPU 1, per scenario: saturation, then
// fixed rates at 25/50/80 % of it; the same saturation run against lite batches turned off
// (SOLDER_FULL_DECODE=1) and against a null receiver in the gateway's place (the ceiling).
// Writes docs/benchmarks.md (or --out). Everything talks to 127.0.0.1 only; every load run is
// bounded by --duration. Not a test: nothing here asserts.
//
//   bun scripts/bench/run.ts [--quick] [--out=docs/benchmarks.md] [--only=traces-grpc,logs-http]
//   bun scripts/bench/run.ts --render-from=dist/bench-report.json   (re-render the last run)

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import { cpus } from "node:os";
import type { GenReport } from "../../src/cli/telemetrygen.ts";
import type { StartupResult } from "../bench-startup.ts";
import { cpuSeconds, median, memoryMiB, sampleRss, stop, threadCpuDelta, threadCpuSeconds } from "./proc.ts";
import { type Report, type ScenarioResult, renderMarkdown } from "./report.ts";

/** One load shape through the seed pipeline. */
export interface Scenario {
  id: string;
  title: string;
  signal: "traces" | "metrics" | "logs";
  protocol: "grpc" | "http/protobuf" | "http/json";
  gzip: boolean;
}

/**
 * Attributes per item and characters per attribute value. Issue #9's targets assume ~600 B per
 * span, and "the same targets in log records": 10 attributes of 40 characters give 607 B per
 * span and 648 B per log record (OTLP protobuf). Data points keep 5 of 16 (216 B), a typical
 * label set.
 */
export const ITEM_SHAPE: Record<Scenario["signal"], { attributes: number; size: number }> = {
  traces: { attributes: 10, size: 40 },
  logs: { attributes: 10, size: 40 },
  metrics: { attributes: 5, size: 16 },
};

const SCENARIOS: Scenario[] = [
  { id: "traces-grpc", title: "traces, OTLP/gRPC", signal: "traces", protocol: "grpc", gzip: false },
  { id: "traces-http", title: "traces, OTLP/HTTP protobuf", signal: "traces", protocol: "http/protobuf", gzip: false },
  { id: "traces-json", title: "traces, OTLP/HTTP JSON", signal: "traces", protocol: "http/json", gzip: false },
  { id: "traces-grpc-gzip", title: "traces, OTLP/gRPC, gzip", signal: "traces", protocol: "grpc", gzip: true },
  { id: "logs-http", title: "logs, OTLP/HTTP protobuf", signal: "logs", protocol: "http/protobuf", gzip: false },
  { id: "metrics-grpc", title: "metrics, OTLP/gRPC", signal: "metrics", protocol: "grpc", gzip: false },
];

const QUICK_IDS = ["traces-grpc", "logs-http"];

const BUN = process.execPath;
const GATEWAY_CPU = "0";
const LOAD_CPU = "1";
const GRPC = "127.0.0.1:14317";
const HTTP = "127.0.0.1:14318";
const ADMIN = "127.0.0.1:14345";
const SINK = "127.0.0.1:14400";
const BATCH_SIZE = 100;
const SAT_WORKERS = 8;
const RATE_WORKERS = 64;
const RATE_FRACTIONS = [0.25, 0.5, 0.8];

function arg(name: string): string | undefined {
  const hit = process.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (hit === undefined) return undefined;
  return hit.includes("=") ? hit.slice(hit.indexOf("=") + 1) : "true";
}

const QUICK = arg("quick") === "true";
const DURATION_S = Number(arg("duration") ?? (QUICK ? 3 : 10));
// Long enough for the JIT to have compiled the hot paths (it still compiles for a while after).
const WARMUP_S = QUICK ? 1 : 5;
const OUT = arg("out") ?? "docs/benchmarks.md";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Starts a command pinned to one CPU; its stderr is kept for error messages. */
function startPinned(cpu: string, cmd: string[], env: Record<string, string> = {}): { child: ChildProcess; stderr: () => string } {
  const child = spawn("taskset", ["-c", cpu, ...cmd], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr!.on("data", (c: Buffer) => {
    if (err.length < 20_000) err += c.toString();
  });
  return { child, stderr: () => err };
}

/** Resolves when every address accepts TCP connections; throws after `timeoutMs`. */
async function waitForPorts(addrs: string[], timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const addr of addrs) {
    const [host, port] = [addr.slice(0, addr.lastIndexOf(":")), Number(addr.slice(addr.lastIndexOf(":") + 1))];
    for (;;) {
      const ok = await new Promise<boolean>((resolve) => {
        const s = net.connect(port, host, () => (s.destroy(), resolve(true)));
        s.on("error", () => resolve(false));
      });
      if (ok) break;
      if (child && child.exitCode !== null) throw new Error(`the process exited (code ${child.exitCode}) before ${addr} opened`);
      if (Date.now() > deadline) throw new Error(`${addr} did not open within ${timeoutMs}ms`);
      await sleep(100);
    }
  }
}


/** Runs telemetrygen on the load CPU and returns its JSON report. */
async function load(s: Scenario, opts: { durationS: number; rate: number; workers: number }): Promise<GenReport> {
  const endpoint = s.protocol === "grpc" ? GRPC : HTTP;
  const cmd = [BUN, "src/main.ts", "telemetrygen", s.signal, `--protocol=${s.protocol}`, `--endpoint=${endpoint}`, `--duration=${opts.durationS}s`];
  const shape = ITEM_SHAPE[s.signal];
  cmd.push(`--rate=${Math.round(opts.rate)}`, `--workers=${opts.workers}`, `--batch-size=${BATCH_SIZE}`, `--attributes=${shape.attributes}`, `--attribute-size=${shape.size}`, "--seed=1", "--timeout=5s", "--json");
  if (s.gzip) cmd.push("--gzip");
  const child = spawn("taskset", ["-c", LOAD_CPU, ...cmd], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
  const killer = setTimeout(() => child.kill("SIGKILL"), (opts.durationS + 30) * 1000);
  await new Promise<void>((r) => child.once("exit", () => r()));
  clearTimeout(killer);
  const line = out.trim().split("\n").pop() ?? "";
  if (!line.startsWith("{")) throw new Error(`telemetrygen gave no report: ${err.slice(0, 2000)}`);
  return JSON.parse(line) as GenReport;
}

/** One measured load run against a process: the load report plus that process's CPU and RSS. */
export interface Measured {
  label: string;
  targetRate: number;
  gen: GenReport;
  cpuSec: number;
  rssMedianMiB: number;
  /** CPU seconds per thread name during the run (see proc.ts threadCpuSeconds). */
  threads: Record<string, { user: number; system: number }>;
  /**
   * Items the null backend received per second during the run (gateway runs only). Below the
   * accepted rate when the exporters fall behind and their sending queue grows: the rate the
   * gateway sustains is the lower of the two.
   */
  deliveredPerSec?: number;
}

async function measure(label: string, pid: number, s: Scenario, rate: number, workers: number, counted = false): Promise<Measured> {
  const rss = sampleRss(pid, 250);
  const cpu0 = cpuSeconds(pid);
  const threads0 = threadCpuSeconds(pid);
  const delivered0 = counted ? deliveredOf(s, (await sinkStats()).items) : 0;
  const gen = await load(s, { durationS: DURATION_S, rate, workers });
  const cpuSec = cpuSeconds(pid) - cpu0;
  const threads = threadCpuDelta(threads0, threadCpuSeconds(pid));
  const deliveredPerSec = counted ? (deliveredOf(s, (await sinkStats()).items) - delivered0) / gen.elapsedSec : undefined;
  const samples = rss.stop();
  return { label, targetRate: rate, gen, cpuSec, threads, deliveredPerSec, rssMedianMiB: median(samples.slice(Math.floor(samples.length / 2))) };
}

/** Items that reached the backend: OTLP items, or remote-write samples for metrics through the Prometheus bridge. */
function deliveredOf(s: Scenario, items: Record<string, number>): number {
  return s.signal === "metrics" ? Math.max(items.metrics ?? 0, items.samples ?? 0) : items[s.signal] ?? 0;
}

async function sinkStats(): Promise<{ items: Record<string, number>; errors: number }> {
  const res = await fetch(`http://${SINK}/stats`);
  return (await res.json()) as { items: Record<string, number>; errors: number };
}

/** otelcol_exporter_prometheus_dropped_total by reason, from the gateway's own /metrics. */
async function bridgeDrops(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  try {
    const text = await (await fetch(`http://${ADMIN}/metrics`)).text();
    for (const m of text.matchAll(/^otelcol_exporter_prometheus_dropped_total\{[^}]*reason="([^"]+)"[^}]*\} (\S+)$/gm)) {
      out[m[1]!] = (out[m[1]!] ?? 0) + Number(m[2]);
    }
  } catch {
    // No admin endpoint: nothing known to be dropped.
  }
  return out;
}

/** The gateway on `config`, with a counting null backend; `rates` true adds the fixed-rate runs. */
async function runGateway(s: Scenario, config: string, decode: "lite" | "full" | "full-protobuf-es", rates: boolean) {
  const sink = startPinned(LOAD_CPU, [BUN, "scripts/bench/null_receiver.ts", `--http=${SINK}`, "--count"]);
  const gwEnv: Record<string, string> = decode === "lite" ? {} : decode === "full" ? { SOLDER_FULL_DECODE: "1" } : { SOLDER_FULL_DECODE: "1", SOLDER_PROTOBUF_ES_CODEC: "1" };
  const gw = startPinned(GATEWAY_CPU, [BUN, "src/main.ts", "run", `--server.http.listen-addr=${ADMIN}`, "--storage.path=/tmp/solder-bench-data", config], gwEnv);
  try {
    await waitForPorts([SINK], 10_000);
    await waitForPorts([GRPC, HTTP], 20_000, gw.child).catch((err) => {
      throw new Error(`${(err as Error).message}; gateway stderr:\n${gw.stderr().slice(-3000)}`);
    });
    const pid = gw.child.pid!;
    const warm = await load(s, { durationS: WARMUP_S, rate: 0, workers: SAT_WORKERS });
    const runs: Measured[] = [await measure("saturation", pid, s, 0, SAT_WORKERS, true)];
    if (rates) {
      const sat = runs[0]!.gen.itemsPerSec;
      for (const f of RATE_FRACTIONS) runs.push(await measure(`${Math.round(f * 100)} %`, pid, s, sat * f, RATE_WORKERS, true));
    }
    const peakMiB = memoryMiB(pid).hwm;
    const sent = [warm, ...runs.map((r) => r.gen)].reduce((n, g) => n + g.sentItems, 0);
    // Let the batch processor's timeout and the exporter queue drain before counting.
    let delivered = 0;
    for (let i = 0; i < 20; i++) {
      await sleep(500);
      const st = await sinkStats();
      const next = deliveredOf(s, st.items);
      if (next >= sent || (i > 4 && next === delivered)) {
        delivered = next;
        break;
      }
      delivered = next;
    }
    const st = await sinkStats();
    const bridgeDropped = await bridgeDrops();
    return { runs, peakMiB, sent, delivered, samples: st.items.samples ?? 0, hostInfoPoints: st.items.metrics ?? 0, sinkErrors: st.errors, bridgeDropped };
  } finally {
    await stop(gw.child);
    await stop(sink.child);
  }
}

/** The null receiver in the gateway's place, on the gateway's CPU: the transport's ceiling. */
async function runCeiling(s: Scenario): Promise<Measured> {
  const nr = startPinned(GATEWAY_CPU, [BUN, "scripts/bench/null_receiver.ts", `--http=${HTTP}`, `--grpc=${GRPC}`]);
  try {
    await waitForPorts([GRPC, HTTP], 10_000);
    await load(s, { durationS: WARMUP_S, rate: 0, workers: SAT_WORKERS });
    return await measure("null receiver", nr.child.pid!, s, 0, SAT_WORKERS);
  } finally {
    await stop(nr.child);
  }
}

/**
 * Start-up and idle RSS of the built executable (scripts/bench-startup.ts): the gateway on
 * GATEWAY_CPU, the measuring script itself on LOAD_CPU so its polling does not compete.
 */
async function runStartup(config: string): Promise<StartupResult | { error: string }> {
  const bin = "dist/solder";
  if (!existsSync(bin)) return { error: `${bin} is missing (make bench builds it first)` };
  const cmd = [BUN, "scripts/bench-startup.ts", `--bin=${bin}`, `--config=${config}`, `--runs=${QUICK ? 5 : 10}`, "--json"];
  const child = spawn("taskset", ["-c", LOAD_CPU, ...cmd], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
  const killer = setTimeout(() => child.kill("SIGKILL"), 300_000);
  await new Promise<void>((r) => child.once("exit", () => r()));
  clearTimeout(killer);
  const line = out.trim().split("\n").pop() ?? "";
  if (!line.startsWith("{")) return { error: `bench-startup gave no report: ${err.slice(0, 2000)}` };
  return JSON.parse(line) as StartupResult;
}

function validates(config: string): boolean {
  try {
    execFileSync(BUN, ["src/main.ts", "validate", config], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function machine(): Report["machine"] {
  const model = cpus()[0]?.model ?? "unknown";
  const git = (args: string[]) => {
    try {
      return execFileSync("git", args, { encoding: "utf8" }).trim();
    } catch {
      return "";
    }
  };
  return {
    nproc: Number(execFileSync("nproc", { encoding: "utf8" }).trim()),
    model,
    kernel: execFileSync("uname", ["-sr"], { encoding: "utf8" }).trim(),
    runtime: `bun ${Bun.version}`,
    commit: `${git(["rev-parse", "--short", "HEAD"])}${git(["status", "--porcelain", "--untracked-files=no"]) ? " + uncommitted changes" : ""}`,
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const only = arg("only")?.split(",");
  const scenarios = SCENARIOS.filter((s) => (only ? only.includes(s.id) : !QUICK || QUICK_IDS.includes(s.id)));
  const seedOk = validates("scripts/bench/configs/seed.alloy");
  const config = seedOk ? "scripts/bench/configs/seed.alloy" : "scripts/bench/configs/seed-otlp-metrics.alloy";
  console.error(`bench: ${scenarios.length} scenarios, ${DURATION_S}s per run, config ${config}`);
  const startup = await runStartup(config);
  if ("error" in startup) console.error(`bench: start-up not measured: ${startup.error}`);
  else console.error(`bench: start-up: ready median ${median(startup.readyMs).toFixed(0)} ms, idle RSS median ${median(startup.idleRssMiB).toFixed(1)} MiB, --version median ${median(startup.versionMs).toFixed(0)} ms`);
  const results: ScenarioResult[] = [];
  for (const s of scenarios) {
    const t0 = Date.now();
    try {
      const lite = await runGateway(s, config, "lite", true);
      const full = await runGateway(s, config, "full", false);
      // The traces targets compare lite batches with full decoding; full decoding itself got
      // compiled codecs, so protobuf-es's reflective decoder is measured too, for reference.
      const fullReflective = s.signal === "traces" && !s.gzip && s.protocol !== "http/json" ? await runGateway(s, config, "full-protobuf-es", false) : undefined;
      const ceiling = await runCeiling(s);
      results.push({ scenario: s, lite, full, fullReflective, ceiling });
      const sat = lite.runs[0]!;
      console.error(`bench: ${s.id}: ${Math.round(sat.gen.itemsPerSec)} items/s lite, ${Math.round(full.runs[0]!.gen.itemsPerSec)} full, ${Math.round(ceiling.gen.itemsPerSec)} null (${((Date.now() - t0) / 1000).toFixed(0)}s)`);
    } catch (err) {
      console.error(`bench: ${s.id} failed: ${(err as Error).message}`);
      results.push({ scenario: s, error: (err as Error).message });
    }
  }
  const command = `make ${QUICK ? "bench-quick" : "bench"}  (bun scripts/bench/run.ts ${process.argv.slice(2).join(" ")})`.replace(/\s+\)/, ")");
  const report: Report = {
    command,
    date: new Date().toISOString(),
    wallSec: (Date.now() - started) / 1000,
    durationS: DURATION_S,
    warmupS: WARMUP_S,
    batchSize: BATCH_SIZE,
    satWorkers: SAT_WORKERS,
    rateWorkers: RATE_WORKERS,
    config,
    seedConfigOk: seedOk,
    machine: machine(),
    results,
    startup,
  };
  writeFileSync(OUT, renderMarkdown(report));
  // The raw figures too, so the document can be re-rendered after the text around them changes.
  mkdirSync("dist", { recursive: true });
  writeFileSync(RAW, JSON.stringify(report, null, 1));
  console.error(`bench: wrote ${OUT} (raw figures: ${RAW}) in ${report.wallSec.toFixed(0)}s`);
}

const RAW = QUICK ? "dist/bench-report-quick.json" : "dist/bench-report.json";
const renderFrom = arg("render-from");
if (renderFrom !== undefined) {
  // `bun scripts/bench/run.ts --render-from=dist/bench-report.json`: no measuring, only the document.
  writeFileSync(OUT, renderMarkdown(JSON.parse(readFileSync(renderFrom, "utf8")) as Report));
  console.error(`bench: rendered ${OUT} from ${renderFrom}`);
} else {
  await main();
}
