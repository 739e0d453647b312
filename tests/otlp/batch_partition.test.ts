import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ExportMetricsServiceRequestSchema } from "../../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { ExportTraceServiceRequestSchema } from "../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { SpanSchema } from "../../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import { Batch } from "../../src/otlp/batch.ts";
import { traceIdOf } from "../../src/otlp/batch_partition.ts";

/** Two resources × two scopes × 6 spans; trace id byte 0 = span index % 3. */
function request(): Uint8Array {
  const spans = (r: number, s: number) =>
    Array.from({ length: 6 }, (_, i) => ({ traceId: Uint8Array.from({ length: 16 }, (_, j) => (j === 0 ? i % 3 : r * 10 + s)), spanId: Uint8Array.of(r, s, i, 0, 0, 0, 0, 1), name: `r${r}s${s}i${i}` }));
  return toBinary(
    ExportTraceServiceRequestSchema,
    create(ExportTraceServiceRequestSchema, {
      resourceSpans: [0, 1].map((r) => ({
        resource: { attributes: [{ key: "service.name", value: { value: { case: "stringValue" as const, value: `svc${r}` } } }] },
        schemaUrl: `https://r${r}`,
        scopeSpans: [0, 1].map((s) => ({ scope: { name: `scope${s}` }, schemaUrl: `https://s${s}`, spans: spans(r, s) })),
      })),
    }),
  );
}

const byFirstByte = { by: "traceId" as const, pick: (id: Uint8Array) => id[0]! };

describe("Batch.partition", () => {
  test("traceIdOf reads field 1 of an encoded span", () => {
    const id = Uint8Array.from({ length: 16 }, (_, i) => i * 7);
    assert.deepEqual(traceIdOf(toBinary(SpanSchema, create(SpanSchema, { traceId: id, name: "x" })), 1), id);
    assert.equal(traceIdOf(toBinary(SpanSchema, create(SpanSchema, { name: "x" })), 1).length, 0);
  });

  test("by trace id: lite output, byte-exact spans, resource and scope grouping kept", () => {
    const bytes = request();
    const original = fromBinary(ExportTraceServiceRequestSchema, bytes);
    const parts = Batch.decode("traces", bytes).partition(3, byFirstByte);
    assert.equal(parts.length, 3);
    let total = 0;
    for (const [p, part] of parts.entries()) {
      assert.ok(part.isLite());
      total += part.itemCount();
      const got = fromBinary(ExportTraceServiceRequestSchema, part.toBinary());
      assert.equal(got.resourceSpans.length, 2);
      for (const [r, rs] of got.resourceSpans.entries()) {
        assert.deepEqual(rs.resource, original.resourceSpans[r]!.resource);
        assert.equal(rs.schemaUrl, `https://r${r}`);
        assert.equal(rs.scopeSpans.length, 2);
        for (const [s, ss] of rs.scopeSpans.entries()) {
          assert.equal(ss.scope?.name, `scope${s}`);
          assert.equal(ss.schemaUrl, `https://s${s}`);
          const want = original.resourceSpans[r]!.scopeSpans[s]!.spans.filter((sp) => sp.traceId[0] === p);
          assert.deepEqual(ss.spans.map((sp) => toBinary(SpanSchema, sp)), want.map((sp) => toBinary(SpanSchema, sp)));
        }
      }
    }
    assert.equal(total, 24);
  });

  test("an entry whose spans all go one way is passed on unchanged (byte for byte)", () => {
    const bytes = request();
    const parts = Batch.decode("traces", bytes).partition(2, { by: "traceId", pick: () => 1 });
    assert.equal(parts[0]!.resourceCount(), 0);
    assert.deepEqual(parts[1]!.toBinary(), bytes);
  });

  test("full batches partition the same way as lite ones", () => {
    const lite = Batch.decode("traces", request()).partition(3, byFirstByte);
    const full = Batch.decode("traces", request());
    full.full();
    const fullParts = full.partition(3, byFirstByte);
    for (let i = 0; i < 3; i++) assert.deepEqual(fullParts[i]!.toBinary(), lite[i]!.toBinary());
  });

  test("by resource: whole entries move, lite stays lite", () => {
    const parts = Batch.decode("traces", request()).partition(2, { by: "resource", pick: (r) => (r?.attributes[0]?.value?.value.value === "svc1" ? 1 : 0) });
    assert.deepEqual(parts.map((p) => [p.resourceCount(), p.itemCount(), p.isLite()]), [[1, 12, true], [1, 12, true]]);
  });

  test("a pick outside 0..n-1 is an error", () => {
    assert.throws(() => Batch.decode("traces", request()).partition(2, { by: "traceId", pick: () => 2 }), RangeError);
  });

  /** One resource, one scope: metrics m0..m3 (m<i> a gauge with i+1 points, point attr k=p<j>), plus an empty metric "e". */
  function metrics(): Uint8Array {
    const ms = Array.from({ length: 4 }, (_, i) => ({
      name: `m${i}`,
      data: { case: "gauge" as const, value: { dataPoints: Array.from({ length: i + 1 }, (_, j) => ({ attributes: [{ key: "k", value: { value: { case: "stringValue" as const, value: `p${j}` } } }], value: { case: "asInt" as const, value: BigInt(j) } })) } },
    }));
    return toBinary(
      ExportMetricsServiceRequestSchema,
      create(ExportMetricsServiceRequestSchema, { resourceMetrics: [{ resource: { attributes: [] }, scopeMetrics: [{ scope: { name: "sc" }, metrics: [...ms, { name: "e" }] }] }] }),
    );
  }

  test("metrics by name: lite parts, whole metrics, data points counted", () => {
    const parts = Batch.decode("metrics", metrics()).partition(2, { by: "metricName", pick: (name) => (new TextDecoder().decode(name) === "m1" || new TextDecoder().decode(name) === "m3" ? 1 : 0) });
    assert.ok(parts.every((p) => p.isLite()));
    assert.deepEqual(parts.map((p) => p.itemCount()), [1 + 3, 2 + 4]);
    const names = parts.map((p) => p.full()[0]!.scopeMetrics[0]!.metrics.map((m) => m.name));
    assert.deepEqual(names, [["m0", "m2", "e"], ["m1", "m3"]]);
    assert.equal(parts[1]!.full()[0]!.scopeMetrics[0]!.scope?.name, "sc");
    assert.throws(() => Batch.decode("traces", request()).partition(2, { by: "metricName", pick: () => 0 }), /cannot partition traces/);
  });

  test("metrics by stream: a metric's points are split by their attributes, nothing lost or duplicated", () => {
    const parts = Batch.decode("metrics", metrics()).partition(3, { by: "stream", pick: (_r, scope, m, dp) => (scope?.name === "sc" ? Number(String((dp.attributes[0]!.value as { value: { value: string } }).value.value).slice(1)) % 3 : 9) });
    assert.deepEqual(parts.map((p) => p.itemCount()), [1 + 1 + 1 + 2, 1 + 1 + 1, 1 + 1]);
    for (const [i, part] of parts.entries()) {
      for (const m of part.full()[0]!.scopeMetrics[0]!.metrics) {
        for (const dp of m.data.case === "gauge" ? m.data.value.dataPoints : []) assert.equal(Number(String(dp.attributes[0]!.value!.value.value).slice(1)) % 3, i);
      }
    }
    // The empty metric travels with the lowest part that got points of its scope.
    assert.ok(parts[0]!.full()[0]!.scopeMetrics[0]!.metrics.some((m) => m.name === "e"));
  });
});
