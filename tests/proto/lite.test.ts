// The lite view (gen/lite/) must be a byte-exact stand-in for the full OTLP requests: decode a
// full request as lite and re-encode it → the same bytes; change the resource in the lite view
// → a full decoder sees the change and exactly the same spans / data points / log records.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { clone, create, equals, fromBinary, toBinary } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import type { DescMessage, Message, MessageInitShape } from "@bufbuild/protobuf";
import type { GenMessage } from "@bufbuild/protobuf/codegenv2";
import { ExportLogsServiceRequestSchema, ExportLogsServiceResponseSchema, LogsService } from "../../gen/opentelemetry/proto/collector/logs/v1/logs_service_pb.ts";
import type { ExportLogsServiceResponse } from "../../gen/opentelemetry/proto/collector/logs/v1/logs_service_pb.ts";
import { ExportMetricsServiceRequestSchema, MetricsService } from "../../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { ExportTraceServiceRequestSchema, ExportTraceServiceResponseSchema, TraceService } from "../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import type { ExportTraceServiceResponse } from "../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { AnyValueSchema, KeyValueSchema } from "../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import type { KeyValue } from "../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import { ScopeLogsSchema, SeverityNumber } from "../../gen/opentelemetry/proto/logs/v1/logs_pb.ts";
import { AggregationTemporality, ScopeMetricsSchema } from "../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { ResourceSchema } from "../../gen/opentelemetry/proto/resource/v1/resource_pb.ts";
import type { Resource } from "../../gen/opentelemetry/proto/resource/v1/resource_pb.ts";
import { ResourceSpansSchema, ScopeSpansSchema, Span_SpanKind, Status_StatusCode } from "../../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import type { SpanSchema } from "../../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import { ExportLogsServiceRequestLiteSchema, ExportLogsServiceResponseSchema as LiteLogsResponseSchema, LogsService as LiteLogsService, ResourceLogsLiteSchema } from "../../gen/lite/opentelemetry/proto/collector/logs/v1/logs_service_pb.ts";
import { ExportMetricsServiceRequestLiteSchema, MetricsService as LiteMetricsService, ResourceMetricsLiteSchema } from "../../gen/lite/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { ExportTraceServiceRequestLiteSchema, ExportTraceServiceResponseSchema as LiteTraceResponseSchema, ResourceSpansLiteSchema, TraceService as LiteTraceService } from "../../gen/lite/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";

// ---- sample data -------------------------------------------------------------------------

const T0 = 1_700_000_000_000_000_000n;
const traceId = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
const spanId = (n: number): Uint8Array => Uint8Array.of(0xa0, 0, 0, 0, 0, 0, 0, n);

function str(key: string, value: string): MessageInitShape<typeof KeyValueSchema> {
  return { key, value: { value: { case: "stringValue", value } } };
}
function int(key: string, value: bigint): MessageInitShape<typeof KeyValueSchema> {
  return { key, value: { value: { case: "intValue", value } } };
}

const resourceA: MessageInitShape<typeof ResourceSchema> = {
  attributes: [str("service.name", "checkout"), int("process.pid", 4242n)],
  droppedAttributesCount: 1,
  entityRefs: [{ type: "service", idKeys: ["service.name"] }],
};

function span(n: number): MessageInitShape<typeof SpanSchema> {
  return {
    traceId,
    spanId: spanId(n),
    parentSpanId: n > 1 ? spanId(1) : new Uint8Array(),
    traceState: "vendor=x",
    flags: 0x101,
    name: `GET /items/${n}`,
    kind: Span_SpanKind.SERVER,
    startTimeUnixNano: T0 + BigInt(n),
    endTimeUnixNano: T0 + BigInt(n) + 5_000_000n,
    attributes: [str("http.request.method", "GET"), { key: "ratio", value: { value: { case: "doubleValue", value: 0.25 } } }],
    droppedAttributesCount: n,
    events: [{ timeUnixNano: T0 + 10n, name: "retry", attributes: [int("attempt", 2n)] }],
    links: [{ traceId, spanId: spanId(99), flags: 0x300, attributes: [str("k", "v")] }],
    status: { code: Status_StatusCode.ERROR, message: "boom" },
  };
}

function traces() {
  return create(ExportTraceServiceRequestSchema, {
    resourceSpans: [
      {
        resource: resourceA,
        schemaUrl: "https://opentelemetry.io/schemas/1.26.0",
        scopeSpans: [
          { scope: { name: "lib-a", version: "1.2.3", attributes: [str("x", "y")] }, spans: [span(1), span(2)], schemaUrl: "s" },
          { scope: { name: "lib-b" }, spans: [span(3)] },
        ],
      },
      { scopeSpans: [{ spans: [span(4)] }] }, // no resource at all
    ],
  });
}

function metrics() {
  const point = { attributes: [str("route", "/a")], startTimeUnixNano: T0, timeUnixNano: T0 + 1n };
  const exemplar = { timeUnixNano: T0, value: { case: "asDouble" as const, value: 1.5 }, traceId, spanId: spanId(1) };
  return create(ExportMetricsServiceRequestSchema, {
    resourceMetrics: [
      {
        resource: resourceA,
        scopeMetrics: [
          {
            scope: { name: "meter" },
            metrics: [
              { name: "g", unit: "1", data: { case: "gauge", value: { dataPoints: [{ ...point, value: { case: "asInt", value: -7n }, exemplars: [exemplar] }] } } },
              { name: "s", data: { case: "sum", value: { isMonotonic: true, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPoints: [{ ...point, value: { case: "asDouble", value: 3.5 }, flags: 1 }] } } },
              // sum unset and min = 0: explicit presence must survive.
              { name: "h", data: { case: "histogram", value: { aggregationTemporality: AggregationTemporality.DELTA, dataPoints: [{ ...point, count: 3n, bucketCounts: [1n, 2n], explicitBounds: [10], min: 0, max: 9 }] } } },
              { name: "e", data: { case: "exponentialHistogram", value: { dataPoints: [{ ...point, count: 2n, sum: 0, scale: -3, zeroCount: 1n, positive: { offset: -2, bucketCounts: [1n] }, zeroThreshold: 1e-9 }] } } },
              { name: "q", metadata: [str("m", "n")], data: { case: "summary", value: { dataPoints: [{ ...point, count: 4n, sum: 10, quantileValues: [{ quantile: 0.5, value: 2 }] }] } } },
            ],
          },
        ],
      },
    ],
  });
}

function logs() {
  return create(ExportLogsServiceRequestSchema, {
    resourceLogs: [
      {
        resource: resourceA,
        scopeLogs: [
          {
            scope: { name: "logger" },
            logRecords: [
              {
                timeUnixNano: T0,
                observedTimeUnixNano: T0 + 1n,
                severityNumber: SeverityNumber.WARN2,
                severityText: "WARN",
                body: { value: { case: "kvlistValue", value: { values: [str("msg", "disk almost full")] } } },
                attributes: [{ key: "bytes", value: { value: { case: "bytesValue", value: Uint8Array.of(0, 255) } } }],
                flags: 1,
                traceId,
                spanId: spanId(2),
                eventName: "disk.warning",
              },
            ],
          },
        ],
      },
    ],
  });
}

// ---- the same checks for every signal ----------------------------------------------------

/** What the checks need to know about one signal's full and lite schemas. */
interface Signal<F extends Message, L extends Message> {
  name: string;
  full: GenMessage<F>;
  lite: GenMessage<L>;
  scope: DescMessage;
  sample: () => F;
  fullResources: (m: F) => { resource?: Resource; scopes: Message[] }[];
  liteResources: (m: L) => { resource?: Resource; scopes: Uint8Array[] }[];
}

/** Adds one attribute and rewrites another: what resource detection and similar processors do. */
function enrich(resource: Resource): void {
  resource.attributes.push(create(KeyValueSchema, str("deployment.environment", "prod")));
  const first = resource.attributes[0] as KeyValue;
  first.value = create(AnyValueSchema, { value: { case: "stringValue", value: "checkout-v2" } });
}

function checkSignal<F extends Message, L extends Message>(s: Signal<F, L>): void {
  describe(`lite ${s.name}`, () => {
    test("decode as lite → encode gives the original bytes", () => {
      const bytes = toBinary(s.full, s.sample());
      const lite = fromBinary(s.lite, bytes);
      assert.deepEqual(toBinary(s.lite, lite), bytes);
    });

    test("each lite scope entry is exactly one encoded Scope message", () => {
      const full = s.sample();
      const lite = fromBinary(s.lite, toBinary(s.full, full));
      const fullRes = s.fullResources(full);
      const liteRes = s.liteResources(lite);
      assert.equal(liteRes.length, fullRes.length);
      liteRes.forEach((r, i) => {
        const want = fullRes[i]!;
        assert.equal(r.scopes.length, want.scopes.length);
        r.scopes.forEach((raw, j) => {
          assert.ok(raw instanceof Uint8Array);
          assert.deepEqual(raw, toBinary(s.scope, want.scopes[j]!));
          assert.ok(equals(s.scope, fromBinary(s.scope, raw), want.scopes[j]!));
        });
        assert.equal(r.resource === undefined, want.resource === undefined);
        if (r.resource && want.resource) assert.ok(equals(ResourceSchema, r.resource, want.resource));
      });
    });

    test("resource changes made in the lite view reach a full decoder; the rest is untouched", () => {
      const original = s.sample();
      const lite = fromBinary(s.lite, toBinary(s.full, original));
      enrich(s.liteResources(lite)[0]!.resource!);
      const after = fromBinary(s.full, toBinary(s.lite, lite));

      const res = s.fullResources(after)[0]!.resource!;
      assert.deepEqual(res.attributes.map((a) => a.key), ["service.name", "process.pid", "deployment.environment"]);
      assert.deepEqual(res.attributes[0]?.value?.value, { case: "stringValue", value: "checkout-v2" });

      s.fullResources(after).forEach((r, i) => {
        const before = s.fullResources(original)[i]!;
        assert.equal(r.scopes.length, before.scopes.length);
        r.scopes.forEach((scope, j) => assert.ok(equals(s.scope, scope, before.scopes[j]!)));
      });

      // The same edit applied to the full message gives the same message and the same bytes.
      const expected = clone(s.full, original);
      enrich(s.fullResources(expected)[0]!.resource!);
      assert.ok(equals(s.full, after, expected));
      assert.deepEqual(toBinary(s.lite, lite), toBinary(s.full, expected));
    });
  });
}

checkSignal({
  name: "traces",
  full: ExportTraceServiceRequestSchema,
  lite: ExportTraceServiceRequestLiteSchema,
  scope: ScopeSpansSchema,
  sample: traces,
  fullResources: (m) => m.resourceSpans.map((r) => ({ resource: r.resource, scopes: r.scopeSpans })),
  liteResources: (m) => m.resourceSpans.map((r) => ({ resource: r.resource, scopes: r.scopeSpans })),
});

checkSignal({
  name: "metrics",
  full: ExportMetricsServiceRequestSchema,
  lite: ExportMetricsServiceRequestLiteSchema,
  scope: ScopeMetricsSchema,
  sample: metrics,
  fullResources: (m) => m.resourceMetrics.map((r) => ({ resource: r.resource, scopes: r.scopeMetrics })),
  liteResources: (m) => m.resourceMetrics.map((r) => ({ resource: r.resource, scopes: r.scopeMetrics })),
});

checkSignal({
  name: "logs",
  full: ExportLogsServiceRequestSchema,
  lite: ExportLogsServiceRequestLiteSchema,
  scope: ScopeLogsSchema,
  sample: logs,
  fullResources: (m) => m.resourceLogs.map((r) => ({ resource: r.resource, scopes: r.scopeLogs })),
  liteResources: (m) => m.resourceLogs.map((r) => ({ resource: r.resource, scopes: r.scopeLogs })),
});

// ---- details -----------------------------------------------------------------------------

describe("lite details", () => {
  test("unknown fields (from a newer sender) survive a lite round trip", () => {
    const full = traces();
    const rs = full.resourceSpans[0]!;
    // A ResourceSpans with an extra field 7 after the known ones, and an extra request field 9.
    const rsBytes = new BinaryWriter().raw(toBinary(ResourceSpansSchema, rs)).tag(7, WireType.Varint).uint32(1).finish();
    const bytes = new BinaryWriter()
      .tag(1, WireType.LengthDelimited).bytes(rsBytes)
      .tag(9, WireType.LengthDelimited).string("future")
      .finish();
    const lite = fromBinary(ExportTraceServiceRequestLiteSchema, bytes);
    assert.equal(lite.resourceSpans[0]?.scopeSpans.length, 2);
    assert.deepEqual(toBinary(ExportTraceServiceRequestLiteSchema, lite), bytes);
  });

  test("lite and full share the Resource schema", () => {
    assert.equal(ResourceSpansLiteSchema.field.resource?.message, ResourceSchema);
    assert.equal(ResourceMetricsLiteSchema.field.resource?.message, ResourceSchema);
    assert.equal(ResourceLogsLiteSchema.field.resource?.message, ResourceSchema);
  });

  test("lite services have the upstream names, lite inputs and the same outputs", () => {
    const pairs = [
      [LiteTraceService, TraceService, ExportTraceServiceRequestLiteSchema],
      [LiteMetricsService, MetricsService, ExportMetricsServiceRequestLiteSchema],
      [LiteLogsService, LogsService, ExportLogsServiceRequestLiteSchema],
    ] as const;
    for (const [lite, full, input] of pairs) {
      assert.equal(lite.typeName, full.typeName);
      assert.equal(lite.method.export.name, "Export");
      assert.equal(lite.method.export.input, input);
      assert.equal(lite.method.export.output.typeName, full.method.export.output.typeName);
      assert.equal(lite.method.export.methodKind, "unary");
    }
  });

  test("lite responses are interchangeable with the full ones", () => {
    // Compile-time: the generated types are structurally identical.
    const fromLite: ExportTraceServiceResponse = create(LiteTraceResponseSchema, {
      partialSuccess: { rejectedSpans: 3n, errorMessage: "3 spans without trace_id" },
    });
    const emptyLogs: ExportLogsServiceResponse = create(LiteLogsResponseSchema);
    assert.deepEqual(toBinary(ExportTraceServiceResponseSchema, fromLite), toBinary(LiteTraceResponseSchema, fromLite));
    assert.equal(toBinary(ExportLogsServiceResponseSchema, emptyLogs).length, 0);
  });
});
