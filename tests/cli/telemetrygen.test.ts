// `solder telemetrygen` against fake OTLP sinks on 127.0.0.1: item counts, the refused/failed
// split and bounded runs. No timing assertions — throughput belongs to `make bench`.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { main } from "../../src/cli/main.ts";
import { type GenReport, generate, parseGenOptions } from "../../src/cli/telemetrygen.ts";
import { captureIo } from "../helpers/io.ts";
import { type GrpcSink, type HttpSink, startGrpcSink, startHttpSink } from "../helpers/otlp_sink.ts";

let grpc: GrpcSink;
let http: HttpSink;

beforeAll(async () => {
  grpc = await startGrpcSink();
  http = await startHttpSink();
});

afterAll(async () => {
  await grpc.close();
  await http.close();
});

function itemsAt(sink: { requests: { batch(): { itemCount(): number } }[] }, from: number): number {
  return sink.requests.slice(from).reduce((n, r) => n + r.batch().itemCount(), 0);
}

describe("telemetrygen", () => {
  test("sends exactly --count spans over gRPC, the remainder in a last request", async () => {
    const before = grpc.requests.length;
    const report = await generate(parseGenOptions(["traces", `--endpoint=${grpc.endpoint}`, "--count=250", "--duration=0", "--batch-size=100", "--workers=2"]));
    expect(report.requests).toBe(3);
    expect(report.sentItems).toBe(250);
    expect(report.refusedItems + report.failedItems).toBe(0);
    expect(itemsAt(grpc, before)).toBe(250);
  });

  test("gzip over gRPC arrives decoded", async () => {
    const before = grpc.requests.length;
    const report = await generate(parseGenOptions(["logs", `--endpoint=${grpc.endpoint}`, "--count=40", "--batch-size=20", "--gzip"]));
    expect(report.sentItems).toBe(40);
    expect(itemsAt(grpc, before)).toBe(40);
  });

  test("OTLP/HTTP protobuf (gzip) and JSON reach /v1/<signal> with the right item counts", async () => {
    const before = http.requests.length;
    const a = await generate(parseGenOptions(["logs", "--protocol=http/protobuf", `--endpoint=${http.url}`, "--count=30", "--batch-size=10", "--gzip", "--attributes=2"]));
    const b = await generate(parseGenOptions(["metrics", "--protocol=http/json", `--endpoint=${http.url}`, "--count=25", "--batch-size=10"]));
    expect(a.sentItems + b.sentItems).toBe(55);
    const got = http.requests.slice(before);
    expect(got.map((r) => r.path)).toEqual(["/v1/logs", "/v1/logs", "/v1/logs", "/v1/metrics", "/v1/metrics", "/v1/metrics"]);
    expect(got[0]!.headers["content-encoding"]).toBe("gzip");
    expect(got[3]!.headers["content-type"]).toBe("application/json");
    expect(itemsAt(http, before)).toBe(55);
  });

  test("the same seed sends the same ids and size (timestamps follow the clock)", async () => {
    const before = http.requests.length;
    const args = ["traces", "--protocol=http/protobuf", `--endpoint=${http.url}`, "--count=5", "--batch-size=5", "--seed=7"];
    await generate(parseGenOptions(args));
    await generate(parseGenOptions(args));
    const [x, y] = http.requests.slice(before);
    const ids = (r: typeof x) => (r!.batch().full() as { scopeSpans: { spans: { spanId: Uint8Array }[] }[] }[])[0]!.scopeSpans[0]!.spans.map((sp) => Buffer.from(sp.spanId).toString("hex"));
    expect(x!.body.length).toBe(y!.body.length);
    expect(ids(x)).toEqual(ids(y));
  });

  test("counts refused requests apart from accepted ones", async () => {
    http.reply({ status: 503 }, { status: 400 });
    const report: GenReport = await generate(parseGenOptions(["traces", "--protocol=http/protobuf", `--endpoint=${http.url}`, "--count=40", "--batch-size=10"]));
    expect(report.sentItems).toBe(20);
    expect(report.refusedItems).toBe(20);
    expect(report.refusedRequests).toBe(2);
    expect(Object.keys(report.reasons).sort()).toEqual(["HTTP 400", "HTTP 503"]);
  });

  test("counts a closed port as failed, not refused", async () => {
    const report = await generate(parseGenOptions(["traces", "--protocol=http/protobuf", "--endpoint=127.0.0.1:1", "--count=10", "--batch-size=10", "--timeout=2s"]));
    expect(report.failedItems).toBe(10);
    expect(report.sentItems).toBe(0);
  });

  test("a rate-limited, duration-bounded run stops and reports percentiles", async () => {
    const report = await generate(parseGenOptions(["metrics", `--endpoint=${grpc.endpoint}`, "--rate=1000", "--duration=300ms", "--batch-size=50", "--count=100000"]));
    expect(report.sentItems).toBeGreaterThan(0);
    expect(report.sentItems).toBeLessThan(100000);
    expect(report.latencyMs.p50).toBeGreaterThan(0);
    expect(report.latencyMs.max).toBeGreaterThanOrEqual(report.latencyMs.p999);
  });

  test("the CLI prints a JSON report and refuses an unbounded run", async () => {
    const io = captureIo();
    expect(await main(["telemetrygen", "logs", `--endpoint=${grpc.endpoint}`, "--count=10", "--batch-size=10", "--json"], io)).toBe(0);
    expect(JSON.parse(io.stdoutText).sentItems).toBe(10);
    const bad = captureIo();
    expect(await main(["telemetrygen", "logs", "--duration=0"], bad)).toBe(2);
    expect(bad.stderrText).toContain("needs a bound");
  });
});
