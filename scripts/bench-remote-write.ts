// Benchmark of prometheus.remote_write's send path for 100,000 series (one sample each, labels
// as otelcol.exporter.prometheus makes them): samples per second for
//   - encode: queue entries → WriteRequest bytes in max_samples_per_send (2000) batches, with the
//     hand-written encoder (label bytes cached per series, as in a running queue), and with
//     protobuf-es create() + toBinary() for comparison;
//   - snappy alone on exactly those bytes (snappyjs);
//   - encode + snappy (what each request costs), and its ratio to snappy alone;
//   - the exporter (OTLP → samples, warm series cache) + encode + snappy, end to end in memory;
//   - the WAL: commit of the 100,000 samples (encode records + write) and reading them back;
//   - the whole path as the sum of its stages (exporter, WAL commit, WAL read, encode + snappy).
// Run: node_modules/.bin/bun scripts/bench-remote-write.ts [--ms=2000]

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import snappy from "snappyjs";
import { ExportMetricsServiceRequestSchema } from "../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { AggregationTemporality, type ResourceMetrics } from "../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { WriteRequestSchema } from "../gen/prometheus/remote_pb.ts";
import type { Appender, Labels } from "../src/prom/appender.ts";
import { type QueueEntry, SAMPLE, encodeV1, groupEntries, seriesInfo } from "../src/prom/remote_write/batch.ts";
import { RemoteWriteMetrics } from "../src/prom/remote_write/metrics.ts";
import { decodeRecord } from "../src/prom/remote_write/records.ts";
import { WalStorage, newTxn } from "../src/prom/remote_write/storage.ts";
import { WalReader, WalWriter } from "../src/prom/remote_write/wal.ts";
import { Converter } from "../src/prom/translate/converter.ts";
import { MetricsRegistry } from "../src/runtime/metrics.ts";

const BUDGET_MS = Number(process.argv.find((a) => a.startsWith("--ms="))?.slice(5) ?? 2000);
const SERIES = 100_000;
const PER_SEND = 2000;
const T0 = 1_700_000_000_000_000_000n;

const str = (key: string, value: string) => ({ key, value: { value: { case: "stringValue" as const, value } } });

/** 100 resources × 10 metrics × 100 points = 100,000 points, half gauges, half counters. */
function otlp(): ResourceMetrics[] {
  return create(ExportMetricsServiceRequestSchema, {
    resourceMetrics: Array.from({ length: 100 }, (_, r) => ({
      resource: { attributes: [str("service.name", "checkout"), str("service.namespace", "shop"), str("service.instance.id", `pod-${r}`)] },
      scopeMetrics: [
        {
          scope: { name: "io.opentelemetry.http", version: "1.2.0" },
          metrics: Array.from({ length: 10 }, (_, m) => {
            const dataPoints = Array.from({ length: 100 }, (_, i) => ({
              timeUnixNano: T0,
              attributes: [str("http.request.method", i % 2 ? "GET" : "POST"), str("http.route", `/api/items/${i}`), str("http.response.status_code", String(200 + (i % 5)))],
              value: { case: "asDouble" as const, value: i * 1.5 + r },
            }));
            return m % 2
              ? { name: `http.server.active_requests.${m}`, data: { case: "gauge" as const, value: { dataPoints } } }
              : { name: `http.server.requests.${m}`, unit: "1", data: { case: "sum" as const, value: { isMonotonic: true, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPoints } } };
          }),
        },
      ],
    })),
  }).resourceMetrics;
}

/** Keeps appended float samples (target_info included). */
class Collect implements Appender {
  samples: Array<{ labels: Labels; ts: number; value: number }> = [];
  append(labels: Labels, ts: number, value: number): void {
    this.samples.push({ labels, ts, value });
  }
  appendStale(): void {}
  appendExemplar(): void {}
  appendHistogram(): void {}
  updateMetadata(): void {}
  async commit(): Promise<void> {}
  rollback(): void {}
}

function advance(rms: ResourceMetrics[]): void {
  for (const rm of rms) for (const sm of rm.scopeMetrics) for (const m of sm.metrics) for (const p of (m.data.value as { dataPoints: { timeUnixNano: bigint }[] }).dataPoints) p.timeUnixNano += 15_000_000_000n;
}

/** Runs `pass` for the budget (at least 3 times); returns ms per pass. */
function time(pass: () => void): number {
  pass();
  let n = 0;
  const t = performance.now();
  while (performance.now() - t < BUDGET_MS || n < 3) {
    pass();
    n++;
  }
  return (performance.now() - t) / n;
}

const rate = (samples: number, ms: number) => `${Math.round((samples * 1000) / ms).toLocaleString("en").padStart(11)} samples/s`;
const row = (name: string, ms: number, samples: number, extra = "") => console.log(`${name.padEnd(44)} ${ms.toFixed(1).padStart(7)} ms/pass ${rate(samples, ms)}${extra}`);

function chunks<T>(list: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += n) out.push(list.slice(i, i + n));
  return out;
}

const g = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } } };
console.log(`runtime: ${g.Bun ? `bun ${g.Bun.version}` : g.Deno ? `deno ${g.Deno.version.deno}` : `node ${process.version}`}; budget ${BUDGET_MS} ms per case`);

const rms = otlp();
const first = new Collect();
const converter = new Converter();
converter.convert(rms, first);
advance(rms);
const samples = first.samples.filter((s) => s.labels.some(([n, v]) => n === "__name__" && v !== "target_info")).slice(0, SERIES);
const external: Labels = [["cluster", "eu-1"]];
const entries: QueueEntry[] = samples.map((s, i) => ({ series: seriesInfo(s.labels, external), kind: SAMPLE, pos: 0, idx: i, ts: s.ts, value: s.value, stale: false }));
const batches = chunks(entries, PER_SEND);
console.log(`${entries.length.toLocaleString("en")} series, ${batches.length} requests of ${PER_SEND} samples`);

// Encode: cold (label bytes made) once, then warm.
// encodeV1 returns a view of a reused buffer (a queue compresses it at once); keep copies here.
const t = performance.now();
const raw = batches.map((b) => encodeV1(groupEntries(b)).slice());
const coldMs = performance.now() - t;
const rawBytes = raw.reduce((n, b) => n + b.length, 0);
const encodeMs = time(() => void batches.forEach((b) => encodeV1(groupEntries(b))));
row("encode (hand-written, label bytes cached)", encodeMs, entries.length, `   cold ${coldMs.toFixed(0)} ms; ${(rawBytes / 1e6).toFixed(1)} MB`);

const messages = batches.map((b) =>
  groupEntries(b).map((gr) => ({ labels: gr.series.labels.map(([name, value]) => ({ name, value })), samples: gr.samples.map((x) => ({ value: x.value, timestamp: BigInt(x.ts) })) })),
);
const pbMs = time(() => void messages.forEach((timeseries) => toBinary(WriteRequestSchema, create(WriteRequestSchema, { timeseries }))));
row("encode (protobuf-es create + toBinary)", pbMs, entries.length, `   ${(pbMs / encodeMs).toFixed(1)}× the hand-written encoder`);

let compressed: Uint8Array[] = [];
const snappyMs = time(() => void (compressed = raw.map((b) => snappy.compress(b))));
const zBytes = compressed.reduce((n, b) => n + b.length, 0);
row("snappy alone (same bytes)", snappyMs, entries.length, `   ratio ${(rawBytes / zBytes).toFixed(1)}:1, ${(rawBytes / 1e6 / (snappyMs / 1000)).toFixed(0)} MB/s`);

const bothMs = time(() => void batches.forEach((b) => snappy.compress(encodeV1(groupEntries(b)))));
row("encode + snappy (one request each)", bothMs, entries.length, `   ${(bothMs / snappyMs).toFixed(2)}× snappy alone`);

const exporterMs = time(() => {
  converter.convert(rms, new Collect());
  advance(rms);
});
row("exporter alone (OTLP → samples, warm cache)", exporterMs, first.samples.length);

const fullMs = time(() => {
  const app = new Collect();
  converter.convert(rms, app);
  advance(rms);
  const list = app.samples.map((s, i) => ({ series: seriesInfo(s.labels, external), kind: SAMPLE as typeof SAMPLE, pos: 0, idx: i, ts: s.ts, value: s.value, stale: false }));
  for (const b of chunks(list, PER_SEND)) snappy.compress(encodeV1(groupEntries(b)));
});
row("exporter + encode + snappy (no label cache)", fullMs, first.samples.length, `   ${(fullMs / snappyMs).toFixed(2)}× snappy alone`);

// The WAL: one commit of all samples, then reading it back.
const dir = mkdtempSync(join(tmpdir(), "solder-bench-wal-"));
const writer = new WalWriter(dir);
writer.open();
const storage = new WalStorage(writer, new RemoteWriteMetrics(new MetricsRegistry()));
let ts = 1;
const commitMs = time(() => {
  const txn = newTxn();
  for (const s of samples) txn.samples.push({ labels: s.labels, ts: ts, value: s.value, stale: false });
  ts++;
  storage.commit(txn);
});
row("WAL commit (records + write, warm series)", commitMs, samples.length, `   ${(writer.end().offset / 1e6).toFixed(0)} MB written`);
const readMs = time(() => {
  const reader = new WalReader(dir, writer.segment);
  for (;;) {
    const recs = reader.read(writer.end(), 4 << 20);
    if (recs.length === 0) break;
    for (const r of recs) decodeRecord(r.type, r.payload);
  }
  reader.close();
});
const passes = ts - 1;
row("WAL read back + decode (all commits so far)", readMs / passes, samples.length, `   (${passes} commits per read)`);
const pipelineMs = exporterMs + commitMs + readMs / passes + bothMs;
row("whole path (exporter, WAL in/out, encode, snappy)", pipelineMs, samples.length, `   sum of the stages; ${(pipelineMs / snappyMs).toFixed(1)}× snappy alone`);
writer.close();
rmSync(dir, { recursive: true, force: true });
