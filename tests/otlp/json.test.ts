// OTLP/JSON (otlp.md §3): hex ids, enum names, 64-bit ints as strings or numbers, unknown
// fields, snake_case keys, the shape of what we write, and bad input; plus the hex helpers.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { fromBinary } from "@bufbuild/protobuf";
import { ExportLogsServiceRequestSchema } from "../../gen/opentelemetry/proto/collector/logs/v1/logs_service_pb.ts";
import { ExportMetricsServiceRequestSchema } from "../../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { ExportTraceServiceRequestSchema } from "../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { Batch, BatchDecodeError, type Signal } from "../../src/otlp/batch.ts";
import { bytesToHex, hexToBytes, isValidSpanId, isValidTraceId, parseHexId } from "../../src/otlp/ids.ts";
import { flatten, logsBytes, metricsBytes, tracesBytes } from "./fixtures.ts";

const TRACE = "5b8efff798038103d269b633813fc60c";
const SPAN = "eee19b7ec3c1b174";
const PARENT = "eee19b7ec3c1b173";

/** A request the way the OpenTelemetry JS exporter writes it, plus extras this test needs. */
function sdkTraces(over: Record<string, unknown> = {}): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "svc" } }], droppedAttributesCount: 0 },
        scopeSpans: [
          {
            scope: { name: "lib", version: "1.0.0" },
            spans: [
              {
                traceId: TRACE,
                spanId: SPAN,
                parentSpanId: PARENT,
                name: "GET /",
                kind: 2,
                startTimeUnixNano: "1700000000000000000",
                endTimeUnixNano: "1700000000500000000",
                attributes: [
                  { key: "http.status_code", value: { intValue: 200 } },
                  { key: "blob", value: { bytesValue: "AAEC" } },
                ],
                droppedAttributesCount: 0,
                events: [],
                links: [{ traceId: TRACE, spanId: PARENT, attributes: [] }],
                status: { code: 0 },
                ...over,
              },
            ],
          },
        ],
      },
    ],
  });
}

function firstSpan(b: Batch<"traces">) {
  return fromBinary(ExportTraceServiceRequestSchema, b.toBinary()).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
}

describe("Batch.fromJson", () => {
  test("decodes hex ids into bytes, for spans and links", () => {
    const b = Batch.fromJson("traces", sdkTraces());
    assert.equal(b.isLite(), false);
    assert.equal(b.itemCount(), 1);
    const span = firstSpan(b);
    assert.equal(bytesToHex(span.traceId), TRACE);
    assert.equal(bytesToHex(span.spanId), SPAN);
    assert.equal(bytesToHex(span.parentSpanId), PARENT);
    assert.equal(bytesToHex(span.links[0]!.spanId), PARENT);
    assert.deepEqual(span.attributes[1]!.value!.value, { case: "bytesValue", value: Uint8Array.of(0, 1, 2) }, "other bytes stay base64");
  });

  test("accepts upper-case hex and empty ids", () => {
    const span = firstSpan(Batch.fromJson("traces", sdkTraces({ traceId: TRACE.toUpperCase(), parentSpanId: "" })));
    assert.equal(bytesToHex(span.traceId), TRACE);
    assert.equal(span.parentSpanId.length, 0);
  });

  const badIds: [string, unknown, string][] = [
    ["traceId", TRACE.slice(2), "traceId"],
    ["traceId", `${TRACE}00`, "traceId"],
    ["spanId", "eee19b7ec3c1b17", "spanId"],
    ["spanId", "zzz19b7ec3c1b174", "spanId"],
    ["parentSpanId", "AAECAwQFBgc=", "parentSpanId"], // base64 is not accepted
  ];
  for (const [key, value, field] of badIds) {
    test(`rejects ${key} ${JSON.stringify(value)}, naming the field`, () => {
      assert.throws(
        () => Batch.fromJson("traces", sdkTraces({ [key]: value })),
        (err: unknown) => err instanceof BatchDecodeError && err.message.includes(field) && err.message.includes("hex"),
      );
    });
  }

  test("rejects a wrong-length id in a log record and an exemplar", () => {
    const logs = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ trace_id: "abcd", body: { stringValue: "x" } }] }] }] };
    assert.throws(() => Batch.fromJson("logs", JSON.stringify(logs)), /trace_id/);
    const point = { asDouble: 1, exemplars: [{ spanId: "00", asDouble: 1 }] };
    const metrics = { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: "g", gauge: { dataPoints: [point] } }] }] }] };
    assert.throws(() => Batch.fromJson("metrics", JSON.stringify(metrics)), /spanId/);
  });

  test("accepts enum names as well as numbers", () => {
    const span = firstSpan(Batch.fromJson("traces", sdkTraces({ kind: "SPAN_KIND_CLIENT", status: { code: "STATUS_CODE_ERROR" } })));
    assert.equal(span.kind, 3);
    assert.equal(span.status!.code, 2);
    const logs = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ severityNumber: "SEVERITY_NUMBER_WARN" }, { severityNumber: 17 }] }] }] };
    const records = fromBinary(ExportLogsServiceRequestSchema, Batch.fromJson("logs", JSON.stringify(logs)).toBinary()).resourceLogs[0]!.scopeLogs[0]!.logRecords;
    assert.deepEqual(
      records.map((r) => r.severityNumber),
      [13, 17],
    );
  });

  test("accepts 64-bit integers as strings or numbers", () => {
    const span = firstSpan(Batch.fromJson("traces", sdkTraces({ startTimeUnixNano: 1700000000, endTimeUnixNano: "1700000000500000000" })));
    assert.equal(span.startTimeUnixNano, 1700000000n);
    assert.equal(span.endTimeUnixNano, 1700000000500000000n);
    assert.equal(span.attributes[0]!.value!.value.value, 200n);
  });

  test("keeps the digits of integers beyond 2^53 where the runtime shows the source text", () => {
    const hasSource = JSON.parse("1", (_k, v, ctx?: { source?: string }) => (ctx?.source === "1" ? "yes" : v)) === "yes";
    const text = sdkTraces().replace('"intValue":200', '"intValue":9007199254740993');
    const value = firstSpan(Batch.fromJson("traces", text)).attributes[0]!.value!.value.value;
    assert.equal(value, hasSource ? 9007199254740993n : 9007199254740992n);
  });

  test("ignores unknown fields at every level", () => {
    const text = JSON.stringify({ futureTop: 1, resourceSpans: [{ futureEntry: { a: [1] }, scopeSpans: [{ spans: [{ spanId: SPAN, futureSpan: "x" }] }] }] });
    assert.equal(Batch.fromJson("traces", text).itemCount(), 1);
  });

  test("an unknown enum name is ignored like an unknown field (proto3 JSON, ignore_unknown_fields)", () => {
    assert.equal(firstSpan(Batch.fromJson("traces", sdkTraces({ kind: "SPAN_KIND_SIDEWAYS" }))).kind, 0);
  });

  test("accepts snake_case keys", () => {
    const text = JSON.stringify({
      resource_spans: [{ scope_spans: [{ spans: [{ trace_id: TRACE, span_id: SPAN, parent_span_id: "", start_time_unix_nano: "5", dropped_attributes_count: 1 }] }] }],
    });
    const span = firstSpan(Batch.fromJson("traces", text));
    assert.equal(bytesToHex(span.traceId), TRACE);
    assert.equal(span.startTimeUnixNano, 5n);
    assert.equal(span.droppedAttributesCount, 1);
  });

  test("keeps client metadata", () => {
    const md = new Map([["authorization", ["x"]]]);
    assert.equal(Batch.fromJson("traces", sdkTraces(), md).metadata, md);
  });

  const invalid: [string, string][] = [
    ["not JSON", "{resourceSpans:"],
    ["empty text", ""],
    ["a number where a list belongs", '{"resourceSpans": 5}'],
    ["a number where a message belongs", '{"resourceSpans": [{"scopeSpans": [{"spans": [5]}]}]}'],
    ["a string where a number belongs", sdkTraces({ startTimeUnixNano: "soon" })],
    ["a top-level array", "[]"],
    ["null", "null"],
    ["an id that is not a string", sdkTraces({ traceId: 5 })],
  ];
  for (const [name, text] of invalid) {
    test(`rejects ${name} with a BatchDecodeError`, () => {
      assert.throws(
        () => Batch.fromJson("traces", text),
        (err: unknown) => err instanceof BatchDecodeError && err.message.length > 0,
      );
    });
  }
});

describe("Batch.toJson", () => {
  test("writes hex ids, integer enums, camelCase keys and 64-bit ints as strings", () => {
    const json = Batch.decode("traces", tracesBytes()).toJson();
    const span = JSON.parse(json).resourceSpans[0].scopeSpans[0].spans[0];
    assert.equal(span.traceId, "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    assert.equal(span.spanId, "ab00000000000001");
    assert.equal(span.links[0].spanId, "ab000000000003e7");
    assert.equal(span.kind, 2);
    assert.equal(span.status.code, 2);
    assert.equal(span.startTimeUnixNano, "1700000000000000001");
    assert.ok(json.includes('"droppedAttributesCount"') && !json.includes("_"), "camelCase only");
  });

  test("hex ids in log records and exemplars too", () => {
    const logs = JSON.parse(Batch.decode("logs", logsBytes()).toJson());
    assert.equal(logs.resourceLogs[0].scopeLogs[0].logRecords[0].spanId, "ab00000000000001");
    assert.equal(logs.resourceLogs[0].scopeLogs[0].logRecords[0].severityNumber, 13);
    const metrics = JSON.parse(Batch.decode("metrics", metricsBytes()).toJson());
    assert.equal(metrics.resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0].exemplars[0].traceId, "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
  });

  for (const [signal, bytes] of [["traces", tracesBytes()], ["metrics", metricsBytes()], ["logs", logsBytes()]] as [Signal, Uint8Array][]) {
    test(`${signal}: JSON round trip gives back the same messages`, () => {
      const again = Batch.fromJson(signal, Batch.decode(signal, bytes).toJson());
      assert.deepEqual(flatten(signal, again.toBinary()), flatten(signal, bytes));
      assert.deepEqual(again.toBinary(), bytes);
    });
  }

  test("an empty batch is {}", () => {
    assert.equal(Batch.empty("metrics").toJson(), "{}");
    assert.equal(fromBinary(ExportMetricsServiceRequestSchema, Batch.fromJson("metrics", "{}").toBinary()).resourceMetrics.length, 0);
  });
});

describe("hex ids", () => {
  test("bytes ↔ hex", () => {
    assert.equal(bytesToHex(Uint8Array.of(0, 0x0f, 0xab, 0xff)), "000fabff");
    assert.deepEqual(hexToBytes("000FabfF"), Uint8Array.of(0, 0x0f, 0xab, 0xff));
    assert.equal(hexToBytes("abc"), undefined);
    assert.equal(hexToBytes("zz"), undefined);
  });

  test("parseHexId checks the length", () => {
    assert.equal(parseHexId(TRACE, 16)?.length, 16);
    assert.equal(parseHexId(SPAN, 16), undefined);
    assert.equal(parseHexId("", 8)?.length, 0);
  });

  test("validity: right size and not all zero", () => {
    assert.ok(isValidTraceId(hexToBytes(TRACE)!));
    assert.ok(!isValidTraceId(new Uint8Array(16)));
    assert.ok(isValidSpanId(hexToBytes(SPAN)!));
    assert.ok(!isValidSpanId(hexToBytes(TRACE)!));
  });
});
