// CPU cost of the metrics path after decoding (issue #9): otelcol.exporter.prometheus's
// conversion and prometheus.remote_write's WAL, queue, encoding and sending, in CPU-seconds per
// million data points. The batch is what the seed pipeline hands the exporter: telemetrygen's
// metrics requests (100 points, 5 attributes of 16 characters, 3 resource attributes) with the
// transform's two attributes (deployment.environment, service.version) set on every point;
// 16 requests make one batch of 1,600 series, converted again and again with advancing time.
//
// Two phases, each measured with process.cpuUsage() (user + system) of this process, without
// the script's own work between batches (moving timestamps):
//   convert   Converter.convert into an Appender that counts calls and keeps nothing;
//   full      PrometheusExporter.consume → RemoteWriteStore (WAL on a temporary directory) →
//             queue → snappy → HTTP to a null receiver in a child process (its CPU is not
//             counted), until every sample has been sent.
// Each phase runs --rounds times (default 3) on a warm converter; the best round is the figure.
// Run: node_modules/.bin/bun scripts/bench/prom_path.ts [--points=300000] [--rounds=3] [--phase=convert|full]

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KeyValue } from "../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import type { Metric, ResourceMetrics } from "../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { buildPayloads } from "../../src/cli/telemetrygen/data.ts";
import { PrometheusExporter, type PrometheusExporterArgs, prometheusExporter } from "../../src/components/otelcol/exporter/prometheus.ts";
import { Batch } from "../../src/otlp/batch.ts";
import type { Appender } from "../../src/prom/appender.ts";
import { type RemoteWriteArgs, remoteWriteSchema } from "../../src/prom/remote_write/args.ts";
import { RemoteWriteStore } from "../../src/prom/remote_write/store.ts";
import { Converter } from "../../src/prom/translate/converter.ts";
import { decodeBody } from "../../src/runtime/decode.ts";
import type { EvalError } from "../../src/runtime/errors.ts";
import type { Schema } from "../../src/runtime/schema.ts";
import { createLogger, memorySink } from "../../src/runtime/logger.ts";
import { MetricsRegistry } from "../../src/runtime/metrics.ts";
import { parseFile } from "../../src/syntax/index.ts";

const POINTS = Number(process.argv.find((a) => a.startsWith("--points="))?.slice(9) ?? 300_000);
/** Each phase is measured this many times; the best round is the figure (the machine is shared). */
const ROUNDS = Number(process.argv.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 3);
/** convert, full or both (default). */
const PHASE = process.argv.find((a) => a.startsWith("--phase="))?.slice(8) ?? "both";
const VARIANTS = 16;
const STEP_NS = 15_000_000_000n;

/** One batch: 16 telemetrygen requests, decoded, with the transform's attributes on every point. */
function batchResources(): ResourceMetrics[] {
  const { pool } = buildPayloads({ signal: "metrics", items: 100, attributes: 5, attributeSize: 16, resourceAttributes: 3, serviceName: "x" }, 42, VARIANTS, 0);
  const out: ResourceMetrics[] = [];
  for (const p of pool) {
    for (const rm of Batch.decode("metrics", p.protobuf).full()) {
      const attr = (key: string) => rm.resource!.attributes.find((kv) => kv.key === key)!;
      for (const sm of rm.scopeMetrics) for (const m of sm.metrics) for (const dp of points(m)) dp.attributes.push(structuredClone(attr("deployment.environment")), structuredClone(attr("service.version")));
      out.push(rm);
    }
  }
  return out;
}

/** The data points of a gauge or sum (all telemetrygen writes). */
function points(m: Metric): { attributes: KeyValue[]; timeUnixNano: bigint }[] {
  return m.data.case === "gauge" || m.data.case === "sum" ? m.data.value.dataPoints : [];
}

function countPoints(rms: readonly ResourceMetrics[]): number {
  let n = 0;
  for (const rm of rms) for (const sm of rm.scopeMetrics) for (const m of sm.metrics) n += points(m).length;
  return n;
}

/** Moves every point forward one step, as the next scrape would. */
function advance(rms: readonly ResourceMetrics[]): void {
  for (const rm of rms) for (const sm of rm.scopeMetrics) for (const m of sm.metrics) for (const dp of points(m)) dp.timeUnixNano += STEP_NS;
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

class CountingAppender implements Appender {
  samples = 0;
  append(): void {
    this.samples++;
  }
  appendStale(): void {
    this.samples++;
  }
  appendExemplar(): void {}
  appendHistogram(): void {}
  updateMetadata(): void {}
  async commit(): Promise<void> {}
  rollback(): void {}
}

const best = new Map<string, number>();

function report(phase: string, points: number, cpu: number, wallMs: number): void {
  const perMillion = (cpu * 1e6) / points;
  best.set(phase, Math.min(best.get(phase) ?? Infinity, perMillion));
  console.log(
    `${phase.padEnd(8)} ${points.toLocaleString("en").padStart(9)} points  ${cpu.toFixed(2).padStart(6)} CPU-s  ` +
      `${perMillion.toFixed(2).padStart(6)} CPU-s per million points  ${Math.round((points * 1000) / wallMs).toLocaleString("en").padStart(9)} points/s (wall)`,
  );
}

function convertPhase(rms: ResourceMetrics[], perBatch: number): void {
  const conv = new Converter();
  conv.convert(rms, new CountingAppender()); // cold pass: fills the series cache
  advance(rms);
  const passes = Math.ceil(POINTS / perBatch);
  for (let round = 0; round < ROUNDS; round++) {
    let cpu = 0;
    let wall = 0;
    let samples = 0;
    for (let i = 0; i < passes; i++) {
      const app = new CountingAppender();
      const cpu0 = cpuSeconds();
      const t0 = performance.now();
      conv.convert(rms, app);
      wall += performance.now() - t0;
      cpu += cpuSeconds() - cpu0;
      samples += app.samples;
      advance(rms);
    }
    report("convert", passes * perBatch, cpu, wall);
    if (samples < passes * perBatch) throw new Error(`only ${samples} samples for ${passes * perBatch} points`);
  }
}

async function freePort(): Promise<number> {
  return await new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Arguments decoded from Alloy text, defaults filled in by the schema as for a real config. */
function decodeArgs<T>(schema: Schema, text: string): T {
  const { file } = parseFile("bench.alloy", text);
  const problems: EvalError[] = [];
  const args = decodeBody(file.body, schema, {}, file, problems) as unknown as T;
  if (problems.some((p) => p.severity === "error")) throw new Error(problems.map((p) => p.message).join("; "));
  return args;
}

function remoteWriteArgs(url: string): RemoteWriteArgs {
  return decodeArgs<RemoteWriteArgs>(remoteWriteSchema, `endpoint {\n  url = "${url}"\n}\n`);
}

function metricValue(metrics: MetricsRegistry, prefix: string): number {
  const line = metrics
    .expose()
    .split("\n")
    .find((l) => l.startsWith(prefix));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(" ") + 1));
}

async function fullPhase(rms: ResourceMetrics[], perBatch: number): Promise<void> {
  const port = await freePort();
  const receiver = spawn(process.execPath, [join(import.meta.dir, "null_receiver.ts"), `--http=127.0.0.1:${port}`], { stdio: ["ignore", "ignore", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    receiver.stderr!.on("data", (d: Buffer) => d.toString().includes("null receiver") && resolve());
    receiver.on("exit", (code) => reject(new Error(`null receiver exited (${code})`)));
  });
  const dataPath = mkdtempSync(join(tmpdir(), "solder-bench-prom-"));
  const metrics = new MetricsRegistry();
  const logger = createLogger(memorySink("info"));
  const store = new RemoteWriteStore({ id: "prometheus.remote_write.bench", dataPath, logger, metrics: metrics.with({ component_id: "prometheus.remote_write.bench" }) }, remoteWriteArgs(`http://127.0.0.1:${port}/api/v1/write`));
  const abort = new AbortController();
  const running = store.run(abort.signal);
  // Alloy's defaults, as `otelcol.exporter.prometheus` decodes them, forwarding to the store.
  const args: PrometheusExporterArgs = { ...decodeArgs<PrometheusExporterArgs>(prometheusExporter.args, "forward_to = []"), forward_to: [store.appendable] };
  const exporter = new PrometheusExporter(args, logger, metrics.with({ component_id: "otelcol.exporter.prometheus.bench" }));
  try {
    await exporter.consume(Batch.fromResources("metrics", rms)); // cold pass
    advance(rms);
    const sent = () => metricValue(metrics, "prometheus_remote_storage_samples_total");
    const appended = () => metricValue(metrics, "prometheus_remote_storage_samples_in_total");
    for (let i = 0; i < 100 && sent() < appended(); i++) await Bun.sleep(50);
    const passes = Math.ceil(POINTS / perBatch);
    for (let round = 0; round < ROUNDS; round++) {
      const cpu0 = cpuSeconds();
      const t0 = performance.now();
      // The bench's own work (moving timestamps) is left out of the figure.
      let own = 0;
      for (let i = 0; i < passes; i++) {
        await exporter.consume(Batch.fromResources("metrics", rms));
        const a0 = cpuSeconds();
        advance(rms);
        own += cpuSeconds() - a0;
      }
      // Bounded: at most 60 s for the queue to send what was written (polled rarely: expose() costs CPU).
      for (let i = 0; i < 600 && sent() < appended(); i++) await Bun.sleep(100);
      if (sent() < appended()) throw new Error(`queue did not drain: ${sent()} of ${appended()} samples sent`);
      report("full", passes * perBatch, cpuSeconds() - cpu0 - own, performance.now() - t0);
    }
  } finally {
    abort.abort();
    await running;
    receiver.kill();
    rmSync(dataPath, { recursive: true, force: true });
  }
}

const rms = batchResources();
const perBatch = countPoints(rms);
console.log(`${runtimeName()}; batch of ${perBatch} points in ${rms.length} resources, ~${POINTS.toLocaleString("en")} points per phase`);
if (PHASE !== "full") convertPhase(rms, perBatch);
if (PHASE !== "convert") await fullPhase(rms, perBatch);
console.log(`best of ${ROUNDS}: ${[...best].map(([phase, v]) => `${phase} ${v.toFixed(2)}`).join(", ")} CPU-s per million points`);

function runtimeName(): string {
  const g = globalThis as { Bun?: { version: string } };
  return g.Bun ? `bun ${g.Bun.version}` : "unknown runtime";
}
