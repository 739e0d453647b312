// Micro-benchmark of the batch data path: the lite view (Batch.decode → add a resource attribute
// → toBinary) against full protobuf-es messages (fromBinary → same → toBinary), on a realistic
// 100-span ExportTraceServiceRequest with ~10 attributes per span.
// Run: node_modules/.bin/bun scripts/bench-batch.ts [--ms=1500] [--max=200000]

import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ExportTraceServiceRequestSchema } from "../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { KeyValueSchema } from "../gen/opentelemetry/proto/common/v1/common_pb.ts";
import type { KeyValue } from "../gen/opentelemetry/proto/common/v1/common_pb.ts";
import type { Resource } from "../gen/opentelemetry/proto/resource/v1/resource_pb.ts";
import { Span_SpanKind, Status_StatusCode } from "../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import { Batch } from "../src/otlp/batch.ts";
import { scan } from "../src/otlp/batch_scan.ts";
import { codecs } from "../src/otlp/batch_signals.ts";

const SPANS = 100;

function arg(name: string, fallback: number): number {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.slice(name.length + 3)) : fallback;
}

/** Time budget and iteration cap per measurement: every loop is bounded by both. */
const BUDGET_MS = arg("ms", 1500);
const MAX_ITERATIONS = arg("max", 200_000);
const WINDOW = 50;

function kv(key: string, value: string | bigint | number | boolean): KeyValue {
  const v =
    typeof value === "string"
      ? { case: "stringValue" as const, value }
      : typeof value === "bigint"
        ? { case: "intValue" as const, value }
        : typeof value === "number"
          ? { case: "doubleValue" as const, value }
          : { case: "boolValue" as const, value };
  return create(KeyValueSchema, { key, value: { value: v } });
}

/** A request shaped like an instrumented HTTP service's: one resource, one scope, 100 spans. */
function request(): Uint8Array {
  const traceId = crypto.getRandomValues(new Uint8Array(16));
  const t0 = 1_700_000_000_000_000_000n;
  const spans = Array.from({ length: SPANS }, (_, i) => ({
    traceId,
    spanId: crypto.getRandomValues(new Uint8Array(8)),
    parentSpanId: i === 0 ? new Uint8Array() : crypto.getRandomValues(new Uint8Array(8)),
    flags: 0x101,
    name: `GET /api/v1/items/{id}`,
    kind: Span_SpanKind.SERVER,
    startTimeUnixNano: t0 + BigInt(i * 1000),
    endTimeUnixNano: t0 + BigInt(i * 1000 + 250_000),
    attributes: [
      kv("http.request.method", "GET"),
      kv("http.route", "/api/v1/items/{id}"),
      kv("url.path", `/api/v1/items/${1000 + i}`),
      kv("url.scheme", "https"),
      kv("http.response.status_code", 200n),
      kv("server.address", "items.internal.example.com"),
      kv("server.port", 8443n),
      kv("network.protocol.version", "1.1"),
      kv("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36"),
      kv("app.cache_hit", i % 3 === 0),
    ],
    status: { code: i % 10 === 0 ? Status_StatusCode.ERROR : Status_StatusCode.UNSET },
  }));
  const resource = {
    attributes: [
      kv("service.name", "items"),
      kv("service.version", "2.4.1"),
      kv("service.instance.id", "9f1c2d3e-4b5a-6789-abcd-ef0123456789"),
      kv("deployment.environment.name", "production"),
      kv("host.name", "ip-10-0-12-34"),
      kv("telemetry.sdk.name", "opentelemetry"),
      kv("telemetry.sdk.language", "nodejs"),
      kv("telemetry.sdk.version", "2.0.1"),
    ],
  };
  const req = create(ExportTraceServiceRequestSchema, {
    resourceSpans: [{ resource, scopeSpans: [{ scope: { name: "@opentelemetry/instrumentation-http", version: "0.57.0" }, spans }] }],
  });
  return toBinary(ExportTraceServiceRequestSchema, req);
}

function enrich(r: Resource | undefined): void {
  r?.attributes.push(kv("k8s.pod.name", "items-7d9f8c6b5-x2x9z"));
}

/**
 * Runs `fn` in windows of 50 calls until the time budget or the iteration cap is reached.
 * Returns the best window's spans per second: on a shared machine the mean mostly measures the
 * neighbours, the best window the code. Both are printed.
 */
function measure(name: string, fn: () => void): number {
  for (let i = 0; i < 200; i++) fn(); // warm-up
  const start = performance.now();
  let n = 0;
  let best = Infinity;
  while (n < MAX_ITERATIONS && performance.now() - start < BUDGET_MS) {
    const t = performance.now();
    for (let j = 0; j < WINDOW; j++) fn();
    best = Math.min(best, (performance.now() - t) / WINDOW);
    n += WINDOW;
  }
  const mean = (performance.now() - start) / n;
  const rate = (SPANS * 1000) / best;
  console.log(
    `${name.padEnd(44)} ${fmt(rate).padStart(10)} spans/s  ${(best * 1000).toFixed(1).padStart(7)} µs/req best, ${(mean * 1000).toFixed(1).padStart(7)} mean  (${n} req)`,
  );
  return rate;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

const bytes = request();
let sink = 0;
console.log(`request: ${bytes.length} bytes, ${SPANS} spans; budget ${BUDGET_MS} ms or ${MAX_ITERATIONS} requests per case`);

const lite = measure("lite: decode + enrich + toBinary", () => {
  const b = Batch.decode("traces", bytes);
  enrich(b.resources()[0]);
  sink += b.toBinary().length;
});
const full = measure("full: fromBinary + enrich + toBinary", () => {
  const req = fromBinary(ExportTraceServiceRequestSchema, bytes);
  enrich(req.resourceSpans[0]?.resource);
  sink += toBinary(ExportTraceServiceRequestSchema, req).length;
});
console.log("breakdown:");
measure("  scan only (validate + count)", () => {
  sink += scan(bytes, codecs.traces.shape).items;
});
measure("  lite: decode only", () => {
  sink += Batch.decode("traces", bytes).itemCount();
});
measure("  lite: decode + upgrade (full())", () => {
  sink += Batch.decode("traces", bytes).full().length;
});
measure("  lite: decode + splitFirst(30) ×3 + toBinary", () => {
  const b = Batch.decode("traces", bytes);
  for (let i = 0; i < 3; i++) sink += b.splitFirst(30).toBinary().length;
  sink += b.toBinary().length;
});
console.log(`lite / full: ${(lite / full).toFixed(1)}×  (sink ${sink > 0 ? "ok" : "?"})`);
