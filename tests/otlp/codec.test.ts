// The compiled codecs against protobuf-es: decode must give what fromBinary gives (deep-equal,
// equals()), encode the bytes toBinary writes, copy what clone returns, and invalid input must
// fail with fromBinary's error, for every OTLP type the data path uses, a test schema with every
// field kind, hand-made unknown fields, seeded random messages and mutated bytes.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type DescField, type DescMessage, type Message, type MessageInitShape, type MessageShape, clone, create, createFileRegistry, equals, fromBinary, toBinary } from "@bufbuild/protobuf";
import { EmptySchema, FieldDescriptorProto_Label as Label, FieldDescriptorProto_Type as Type, FieldOptions_JSType, FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
type FieldInit = MessageInitShape<typeof FieldDescriptorProtoSchema>;
import type { FieldDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { ExportLogsServiceRequestLiteSchema, ResourceLogsLiteSchema } from "../../gen/lite/opentelemetry/proto/collector/logs/v1/logs_service_pb.ts";
import { ExportMetricsServiceRequestLiteSchema, ResourceMetricsLiteSchema } from "../../gen/lite/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { ExportTraceServiceRequestLiteSchema, ResourceSpansLiteSchema } from "../../gen/lite/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { ExportLogsServiceRequestSchema, ExportLogsServiceResponseSchema } from "../../gen/opentelemetry/proto/collector/logs/v1/logs_service_pb.ts";
import { ExportMetricsServiceRequestSchema, ExportMetricsServiceResponseSchema } from "../../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { ExportTraceServiceRequestSchema, ExportTraceServiceResponseSchema } from "../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { AnyValueSchema, KeyValueSchema } from "../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import type { AnyValue } from "../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import { ResourceLogsSchema, ScopeLogsSchema } from "../../gen/opentelemetry/proto/logs/v1/logs_pb.ts";
import { MetricSchema, ResourceMetricsSchema, ScopeMetricsSchema } from "../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { ResourceSchema } from "../../gen/opentelemetry/proto/resource/v1/resource_pb.ts";
import { ResourceSpansSchema, ScopeSpansSchema, SpanSchema, Span_EventSchema, Span_LinkSchema, StatusSchema } from "../../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import { type Shape, buildPayloads, prng } from "../../src/cli/telemetrygen/data.ts";
import { RawExportRequestSchema } from "../../src/server/grpc_raw.ts";
import { copy, decode, encode, isCompiled, measure } from "../../src/otlp/codec.ts";
import { T0, TRACE_ID, logs, logsBytes, metrics, metricsBytes, spanId, traces, tracesBytes } from "./fixtures.ts";

/** Every message type the data path decodes, encodes or copies. */
const DATA_PATH: DescMessage[] = [
  ExportTraceServiceRequestSchema,
  ExportMetricsServiceRequestSchema,
  ExportLogsServiceRequestSchema,
  ExportTraceServiceRequestLiteSchema,
  ExportMetricsServiceRequestLiteSchema,
  ExportLogsServiceRequestLiteSchema,
  ResourceSpansLiteSchema,
  ResourceMetricsLiteSchema,
  ResourceLogsLiteSchema,
  ResourceSpansSchema,
  ResourceMetricsSchema,
  ResourceLogsSchema,
  ScopeSpansSchema,
  ScopeMetricsSchema,
  ScopeLogsSchema,
  MetricSchema,
  ResourceSchema,
  SpanSchema,
  Span_EventSchema,
  Span_LinkSchema,
  StatusSchema,
  KeyValueSchema,
  ExportTraceServiceResponseSchema,
  ExportMetricsServiceResponseSchema,
  ExportLogsServiceResponseSchema,
  RawExportRequestSchema,
  EmptySchema, // the gRPC exporter's raw input: every field unknown
];

/** decode, encode and copy agree with protobuf-es on `bytes`. */
function agree(schema: DescMessage, bytes: Uint8Array): Message {
  const want = fromBinary(schema, bytes);
  const got = decode(schema, bytes);
  assert.deepStrictEqual(got, want);
  // equals() compares doubles with ===, so a message holding NaN differs even from a second decode.
  if (equals(schema, want, fromBinary(schema, bytes))) assert.ok(equals(schema, got, want));
  assert.deepStrictEqual(encode(schema, got), toBinary(schema, want));
  agreeOnMessage(schema, got);
  return got;
}

/**
 * encode and copy agree with protobuf-es on a message. copy is compared only for well-typed
 * messages: clone() validates values on the way (it throws on a lone surrogate in a string and
 * turns a number in a 64-bit field into a bigint), copy does not.
 */
function agreeOnMessage(schema: DescMessage, msg: Message, withCopy = true): void {
  const bytes = encode(schema, msg);
  assert.deepStrictEqual(bytes, toBinary(schema, msg));
  assert.equal(bytes.byteOffset, 0);
  assert.equal(bytes.byteLength, bytes.buffer.byteLength);
  if (!withCopy) return;
  const copied = copy(schema, msg);
  assert.deepStrictEqual(copied, clone(schema, msg));
  assert.notEqual(copied, msg);
}

/** Both throw the same error, or both succeed with equal results. */
function sameOutcome(schema: DescMessage, bytes: Uint8Array): "ok" | "error" {
  let want: unknown;
  let got: unknown;
  let wantErr: Error | undefined;
  let gotErr: Error | undefined;
  try {
    want = fromBinary(schema, bytes);
  } catch (e) {
    wantErr = e as Error;
  }
  try {
    got = decode(schema, bytes);
  } catch (e) {
    gotErr = e as Error;
  }
  if (wantErr) {
    assert.ok(gotErr, `fromBinary threw "${wantErr.message}" but decode succeeded`);
    assert.equal(gotErr.name, wantErr.name);
    assert.equal(gotErr.message, wantErr.message);
    return "error";
  }
  assert.equal(gotErr, undefined);
  assert.deepStrictEqual(got, want);
  assert.deepStrictEqual(encode(schema, got as Message), toBinary(schema, want as Message));
  return "ok";
}

// ---- a tiny wire writer for hand-made bytes ----
function varint(n: bigint | number): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
const tag = (no: number, wt: number) => varint(no * 8 + wt);
const len = (no: number, body: ArrayLike<number>) => [...tag(no, 2), ...varint(body.length), ...Array.from(body)];
const bytesOf = (...parts: ArrayLike<number>[]) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));

/** Extra fields of every wire type (varint, i64, len, group with a nested field, i32), numbers from `base`. */
function unknownFields(base: number): number[] {
  return [
    ...tag(base, 0),
    ...varint(300),
    ...tag(base + 1, 1),
    1, 2, 3, 4, 5, 6, 7, 8,
    ...len(base + 2, [0x61, 0x62, 0x63]),
    ...tag(base + 3, 3),
    ...tag(1, 0),
    ...varint(-1),
    ...len(2, [9]),
    ...tag(base + 3, 4),
    ...tag(base + 4, 5),
    9, 8, 7, 6,
  ];
}

// ---- a test schema with every field kind the generators handle ----
function field(name: string, number: number, type: Type, extra: FieldInit = {}): FieldInit {
  return { name, jsonName: name, number, type, label: Label.OPTIONAL, ...extra };
}
const SCALARS: [string, Type][] = [
  ["d", Type.DOUBLE],
  ["f", Type.FLOAT],
  ["i32", Type.INT32],
  ["i64", Type.INT64],
  ["u32", Type.UINT32],
  ["u64", Type.UINT64],
  ["s32", Type.SINT32],
  ["s64", Type.SINT64],
  ["fx32", Type.FIXED32],
  ["fx64", Type.FIXED64],
  ["sf32", Type.SFIXED32],
  ["sf64", Type.SFIXED64],
  ["b", Type.BOOL],
  ["s", Type.STRING],
  ["by", Type.BYTES],
];
const everythingFile = create(FileDescriptorProtoSchema, {
  name: "solder/codec_test.proto",
  package: "solder.test",
  syntax: "proto3",
  enumType: [{ name: "Kind", value: [{ name: "K0", number: 0 }, { name: "K1", number: 1 }, { name: "K_NEG", number: -1 }] }],
  messageType: [
    {
      name: "Everything",
      field: [
        ...SCALARS.map(([n, t], i) => field(n, i + 1, t)),
        field("e", 16, Type.ENUM, { typeName: ".solder.test.Kind" }),
        field("child", 17, Type.MESSAGE, { typeName: ".solder.test.Everything" }),
        ...SCALARS.map(([n, t], i) => field(`r_${n}`, i + 21, t, { label: Label.REPEATED })),
        field("r_e", 36, Type.ENUM, { typeName: ".solder.test.Kind", label: Label.REPEATED }),
        field("r_child", 37, Type.MESSAGE, { typeName: ".solder.test.Everything", label: Label.REPEATED }),
        field("u_i32", 40, Type.INT32, { label: Label.REPEATED, options: { packed: false } }),
        field("u_d", 41, Type.DOUBLE, { label: Label.REPEATED, options: { packed: false } }),
        field("u_s64", 42, Type.SINT64, { label: Label.REPEATED, options: { packed: false } }),
        field("o_i64", 50, Type.INT64, { proto3Optional: true, oneofIndex: 1 }),
        field("o_s", 51, Type.STRING, { proto3Optional: true, oneofIndex: 2 }),
        field("o_d", 52, Type.DOUBLE, { proto3Optional: true, oneofIndex: 3 }),
        field("js_i64", 60, Type.INT64, { options: { jstype: FieldOptions_JSType.JS_STRING } }),
        field("js_u64", 61, Type.UINT64, { label: Label.REPEATED, options: { jstype: FieldOptions_JSType.JS_STRING } }),
        field("js_fx64", 62, Type.FIXED64, { options: { jstype: FieldOptions_JSType.JS_STRING } }),
        field("js_s64", 63, Type.SINT64, { options: { jstype: FieldOptions_JSType.JS_STRING } }),
        field("c_s", 70, Type.STRING, { oneofIndex: 0 }),
        field("c_m", 71, Type.MESSAGE, { typeName: ".solder.test.Everything", oneofIndex: 0 }),
        field("c_b", 72, Type.BYTES, { oneofIndex: 0 }),
        field("c_i", 73, Type.SINT64, { oneofIndex: 0 }),
        field("c_e", 74, Type.ENUM, { typeName: ".solder.test.Kind", oneofIndex: 0 }),
        field("big_no", 536870911, Type.STRING),
      ],
      oneofDecl: [{ name: "choice" }, { name: "_o_i64" }, { name: "_o_s" }, { name: "_o_d" }],
    },
  ],
});
const Everything = createFileRegistry(everythingFile, () => undefined).getMessage("solder.test.Everything")!;

const proto2File = create(FileDescriptorProtoSchema, {
  name: "solder/codec_test2.proto",
  package: "solder.test2",
  syntax: "proto2",
  messageType: [{ name: "Old", field: [field("x", 1, Type.INT32, { defaultValue: "7" }), field("y", 2, Type.STRING)] }],
});
const Proto2 = createFileRegistry(proto2File, () => undefined).getMessage("solder.test2.Old")!;

// ---- seeded random messages of any (compiled) schema ----
const STRINGS = ["", "a", "service.name", "é", "日本語", "😀 emoji", "x".repeat(33), "y".repeat(200), "mixed ascii and ü".repeat(9)];
const DOUBLES = [0, -0, 1.5, -2.25, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e300, 5e-324];
const FLOATS = [0, -0, 0.5, -3, Number.NaN, Number.POSITIVE_INFINITY, 3.4028234663852886e38];
const I32 = [0, 1, -1, 127, 128, 300, 2 ** 31 - 1, -(2 ** 31), -300];
const U32 = [0, 1, 127, 128, 16384, 2 ** 32 - 1, 2 ** 28];
const I64 = [0n, 1n, -1n, 127n, 128n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 32n, -(2n ** 35n) + 7n, T0];
const U64 = [0n, 1n, 128n, 2n ** 64n - 1n, 2n ** 32n, 2n ** 63n, T0];

function randomMessage(schema: DescMessage, rand: () => number, depth: number): Message {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const scalar = (f: DescField): unknown => {
    if (f.fieldKind === "enum" || (f.fieldKind === "list" && f.listKind === "enum")) return pick([...f.enum!.values.map((v) => v.number), 5, -7]);
    const t = (f as { scalar: number }).scalar;
    const str = (f as { longAsString?: boolean }).longAsString;
    const as64 = (v: bigint) => (str ? String(v) : v);
    switch (t) {
      case 1:
        return pick(DOUBLES);
      case 2:
        return pick(FLOATS);
      case 3:
      case 16:
      case 18:
        return as64(pick(I64));
      case 4:
      case 6:
        return as64(pick(U64));
      case 5:
      case 15:
      case 17:
        return pick(I32);
      case 7:
      case 13:
        return pick(U32);
      case 8:
        return rand() < 0.5;
      case 9:
        return pick(STRINGS);
      case 12:
        return Uint8Array.from({ length: pick([0, 1, 8, 16, 130]) }, () => Math.floor(rand() * 256));
    }
    throw new Error(`scalar type ${t}`);
  };
  const msg = create(schema) as Record<string, unknown> & Message;
  for (const f of schema.fields) {
    if (rand() < 0.3) continue;
    const value = (): unknown => (f.message ? (depth > 0 ? randomMessage(f.message, rand, depth - 1) : create(f.message)) : scalar(f));
    if (f.fieldKind === "list") {
      const n = Math.floor(rand() * (depth > 0 ? 4 : 2));
      msg[f.localName] = Array.from({ length: n }, value);
    } else if (f.oneof) {
      if (rand() < 0.5) msg[f.oneof.localName] = { case: f.localName, value: value() };
    } else if (f.fieldKind === "message") {
      if (depth > 0) msg[f.localName] = value();
    } else {
      msg[f.localName] = value();
    }
  }
  return msg;
}

/** Every AnyValue case, nested arrays and kvlists included, plus an empty AnyValue. */
function anyValues(): AnyValue[] {
  const kv = (key: string, value: AnyValue["value"]) => ({ key, value: { value } });
  return [
    create(AnyValueSchema),
    create(AnyValueSchema, { value: { case: "stringValue", value: "s" } }),
    create(AnyValueSchema, { value: { case: "stringValue", value: "" } }),
    create(AnyValueSchema, { value: { case: "boolValue", value: true } }),
    create(AnyValueSchema, { value: { case: "boolValue", value: false } }),
    create(AnyValueSchema, { value: { case: "intValue", value: -5n } }),
    create(AnyValueSchema, { value: { case: "intValue", value: 0n } }),
    create(AnyValueSchema, { value: { case: "doubleValue", value: Number.NaN } }),
    create(AnyValueSchema, { value: { case: "doubleValue", value: -0 } }),
    create(AnyValueSchema, { value: { case: "bytesValue", value: Uint8Array.of(1, 2, 3) } }),
    create(AnyValueSchema, { value: { case: "bytesValue", value: new Uint8Array() } }),
    create(AnyValueSchema, { value: { case: "arrayValue", value: { values: [{ value: { case: "intValue", value: 1n } }, {}, { value: { case: "arrayValue", value: {} } }] } } }),
    create(AnyValueSchema, { value: { case: "kvlistValue", value: { values: [kv("a", { case: "doubleValue", value: Number.NEGATIVE_INFINITY }), { key: "no value" }] } } }),
    create(AnyValueSchema, { value: { case: "kvlistValue", value: {} } }),
  ];
}

describe("codec: OTLP messages agree with protobuf-es", () => {
  test("every data-path type is compiled (no silent fallback to reflection)", () => {
    for (const s of DATA_PATH) assert.ok(isCompiled(s), s.typeName);
  });

  test("fixture requests, full and lite", () => {
    for (const [full, lite, bytes] of [
      [ExportTraceServiceRequestSchema, ExportTraceServiceRequestLiteSchema, tracesBytes()],
      [ExportMetricsServiceRequestSchema, ExportMetricsServiceRequestLiteSchema, metricsBytes()],
      [ExportLogsServiceRequestSchema, ExportLogsServiceRequestLiteSchema, logsBytes()],
    ] as const) {
      agree(full, bytes);
      const liteMsg = agree(lite, bytes) as unknown as { resourceSpans?: unknown[]; resourceMetrics?: unknown[]; resourceLogs?: unknown[] };
      assert.ok((liteMsg.resourceSpans ?? liteMsg.resourceMetrics ?? liteMsg.resourceLogs)!.length > 0);
      agree(RawExportRequestSchema, bytes);
      const raw = agree(EmptySchema, bytes) as MessageShape<typeof EmptySchema>;
      assert.ok(raw.$unknown!.length > 0);
      assert.deepStrictEqual(encode(EmptySchema, raw), bytes);
    }
    agreeOnMessage(ExportTraceServiceRequestSchema, traces());
    agreeOnMessage(ExportMetricsServiceRequestSchema, metrics());
    agreeOnMessage(ExportLogsServiceRequestSchema, logs());
  });

  test("every scope, resource and metric of the fixtures on its own", () => {
    for (const rs of traces().resourceSpans) {
      agree(ResourceSpansSchema, toBinary(ResourceSpansSchema, rs));
      if (rs.resource) agree(ResourceSchema, toBinary(ResourceSchema, rs.resource));
      for (const ss of rs.scopeSpans) {
        agree(ScopeSpansSchema, toBinary(ScopeSpansSchema, ss));
        for (const sp of ss.spans) agree(SpanSchema, toBinary(SpanSchema, sp));
      }
    }
    for (const rm of metrics().resourceMetrics) {
      for (const sm of rm.scopeMetrics) {
        agree(ScopeMetricsSchema, toBinary(ScopeMetricsSchema, sm));
        for (const m of sm.metrics) agree(MetricSchema, toBinary(MetricSchema, m));
      }
    }
    for (const rl of logs().resourceLogs) for (const sl of rl.scopeLogs) agree(ScopeLogsSchema, toBinary(ScopeLogsSchema, sl));
  });

  test("telemetrygen payloads of every signal", () => {
    for (const signal of ["traces", "metrics", "logs"] as const) {
      const shape: Shape = { signal, items: 40, attributes: 6, attributeSize: 24, resourceAttributes: 4, serviceName: "codec-test" };
      const { pool, tail } = buildPayloads(shape, 7, 2, 3);
      const schema = { traces: ExportTraceServiceRequestSchema, metrics: ExportMetricsServiceRequestSchema, logs: ExportLogsServiceRequestSchema }[signal];
      const lite = { traces: ExportTraceServiceRequestLiteSchema, metrics: ExportMetricsServiceRequestLiteSchema, logs: ExportLogsServiceRequestLiteSchema }[signal];
      for (const p of [...pool, tail!]) {
        agree(schema, p.protobuf);
        agree(lite, p.protobuf);
      }
    }
  });

  test("every AnyValue case, alone and as attributes", () => {
    for (const v of anyValues()) {
      agreeOnMessage(AnyValueSchema, v);
      agree(AnyValueSchema, toBinary(AnyValueSchema, v));
    }
    const res = create(ResourceSchema, { attributes: anyValues().map((value, i) => ({ key: `k${i}`, value })), droppedAttributesCount: 3 });
    agree(ResourceSchema, toBinary(ResourceSchema, res));
    // An attribute without a value: absent sub-message.
    agree(ResourceSchema, toBinary(ResourceSchema, create(ResourceSchema, { attributes: [{ key: "absent" }] })));
  });

  test("histograms, exponential histograms, summaries, exemplars, extreme numbers", () => {
    const m = create(ScopeMetricsSchema, {
      metrics: [
        {
          name: "h",
          data: {
            case: "histogram",
            value: {
              dataPoints: [
                { count: 2n ** 64n - 1n, sum: Number.NaN, min: -0, max: Number.POSITIVE_INFINITY, bucketCounts: [0n, 1n, 2n ** 63n], explicitBounds: [Number.NEGATIVE_INFINITY, -1.5, 0, 1e-300], flags: 2 ** 32 - 1 },
                { count: 0n, sum: 0, bucketCounts: [], explicitBounds: [] }, // optional sum set to zero: written
                {}, // optional sum/min/max absent
              ],
            },
          },
        },
        {
          name: "e",
          data: {
            case: "exponentialHistogram",
            value: { dataPoints: [{ scale: -(2 ** 31), zeroCount: 5n, positive: { offset: -(2 ** 31), bucketCounts: [1n, 0n] }, negative: {}, min: -1e308, zeroThreshold: -0 }, { positive: undefined, scale: 2 ** 31 - 1 }] },
          },
        },
        { name: "s", data: { case: "summary", value: { dataPoints: [{ quantileValues: [{ quantile: 0, value: Number.NaN }, { quantile: 1, value: -0 }, {}], sum: -1 }] } } },
        {
          name: "g",
          data: {
            case: "gauge",
            value: {
              dataPoints: [
                { value: { case: "asInt", value: -(2n ** 63n) }, exemplars: [{ value: { case: "asInt", value: -1n }, traceId: TRACE_ID, spanId: spanId(9), filteredAttributes: [{ key: "f", value: { value: { case: "boolValue", value: false } } }] }, {}] },
                { value: { case: "asDouble", value: Number.NaN } },
                { value: { case: "asDouble", value: 0 } },
                { value: { case: "asInt", value: 0n } },
                {},
              ],
            },
          },
        },
        { name: "sum", data: { case: "sum", value: { isMonotonic: false, aggregationTemporality: 99 as never, dataPoints: [{ flags: 0, startTimeUnixNano: 0n, timeUnixNano: 2n ** 64n - 1n }] } } },
        { name: "no data" },
      ],
    });
    agreeOnMessage(ScopeMetricsSchema, m);
    const got = agree(ScopeMetricsSchema, toBinary(ScopeMetricsSchema, m)) as typeof m;
    const h = got.metrics[0]!.data.value as { dataPoints: { sum?: number }[] };
    assert.ok(Number.isNaN(h.dataPoints[0]!.sum));
    assert.equal(h.dataPoints[1]!.sum, 0);
    assert.equal("sum" in h.dataPoints[2]!, false);
  });

  test("empty messages and empty input", () => {
    for (const s of DATA_PATH) {
      agree(s, new Uint8Array());
      agreeOnMessage(s, create(s));
    }
    agree(ResourceSpansSchema, toBinary(ResourceSpansSchema, create(ResourceSpansSchema, { resource: {}, scopeSpans: [{}, { scope: {} }] })));
  });

  test("bytes fields are views of the input, like fromBinary's; copies own their bytes", () => {
    const bytes = toBinary(SpanSchema, create(SpanSchema, { traceId: TRACE_ID, spanId: spanId(3), name: "x" }));
    const span = decode(SpanSchema, bytes);
    assert.equal(span.traceId.buffer, bytes.buffer);
    const c = copy(SpanSchema, span);
    assert.notEqual(c.traceId.buffer, bytes.buffer);
    c.traceId[0] = 0;
    c.name = "changed";
    assert.equal(span.traceId[0], TRACE_ID[0]);
    assert.equal(span.name, "x");
  });

  test("measure: writes encode()'s bytes at any offset, also when other encodings run in between", () => {
    const a = traces();
    const b = metrics();
    const ma = measure(ExportTraceServiceRequestSchema, a);
    const mb = measure(ExportMetricsServiceRequestSchema, b);
    const mp = measure(Proto2, create(Proto2, { y: "fallback" }) as never);
    const ea = encode(ExportTraceServiceRequestSchema, a);
    const eb = encode(ExportMetricsServiceRequestSchema, b);
    const ep = toBinary(Proto2, create(Proto2, { y: "fallback" }) as never);
    assert.deepEqual([ma.size, mb.size, mp.size], [ea.length, eb.length, ep.length]);
    const buf = new Uint8Array(3 + ma.size + mb.size + mp.size);
    encode(ResourceSchema, create(ResourceSchema, { attributes: [{ key: "between" }] }));
    mb.writeTo(buf, 3 + ma.size);
    ma.writeTo(buf, 3);
    mp.writeTo(buf, 3 + ma.size + mb.size);
    assert.deepEqual(buf.subarray(3, 3 + ma.size), ea);
    assert.deepEqual(buf.subarray(3 + ma.size, 3 + ma.size + mb.size), eb);
    assert.deepEqual(buf.subarray(3 + ma.size + mb.size), ep);
    assert.deepEqual(buf.subarray(0, 3), new Uint8Array(3));
    // A failing size pass leaves the codec usable.
    const bad = create(Everything) as Record<string, unknown> & Message;
    bad.i32 = 2 ** 40;
    assert.throws(() => measure(Everything, bad));
    assert.deepEqual(encode(ExportTraceServiceRequestSchema, a), ea);
  });

  test("copy is deep: changing the copy leaves the original alone", () => {
    const req = metrics();
    const before = toBinary(ExportMetricsServiceRequestSchema, req);
    const c = copy(ExportMetricsServiceRequestSchema, req);
    c.resourceMetrics[0]!.resource!.attributes.push({ $typeName: "opentelemetry.proto.common.v1.KeyValue", key: "new", keyStrindex: 0 });
    c.resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!.name = "renamed";
    c.resourceMetrics[1]!.scopeMetrics.length = 0;
    assert.deepStrictEqual(toBinary(ExportMetricsServiceRequestSchema, req), before);
  });

  test("strings: non-ASCII, surrogate pairs, lone surrogates, long; repeated short strings", () => {
    for (const s of ["ascii", "é", "€", "😀", "a😀b", "\ud800", "x\udc00y", "ü".repeat(100), "z".repeat(70), "q".repeat(32), "q".repeat(33)]) {
      const kv = create(KeyValueSchema, { key: s, value: { value: { case: "stringValue", value: s } } });
      const lone = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
      agreeOnMessage(KeyValueSchema, kv, !lone);
      if (lone) assert.equal(copy(KeyValueSchema, kv).key, s); // clone() throws here; copy copies
      agree(KeyValueSchema, toBinary(KeyValueSchema, kv));
    }
    // The same short strings many times (decoder's string cache), with different lengths and hashes.
    const res = create(ResourceSchema, { attributes: Array.from({ length: 300 }, (_, i) => ({ key: `k${i % 7}`, value: { value: { case: "stringValue" as const, value: `v${i % 13}${"x".repeat(i % 5)}` } } })) });
    agree(ResourceSchema, toBinary(ResourceSchema, res));
    // Many strings next to their own prefixes, so some land in the same cache slot as a longer
    // string that starts the same way: the cache must not hand out the longer one.
    const rand = prng(77);
    const keys: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const base = Array.from({ length: 8 + Math.floor(rand() * 20) }, () => String.fromCharCode(97 + Math.floor(rand() * 26))).join("");
      for (let n = base.length; n > 0; n--) keys.push(base.slice(0, n));
    }
    const many = create(ResourceSchema, { attributes: keys.map((key) => ({ key })) });
    const decoded = agree(ResourceSchema, toBinary(ResourceSchema, many)) as typeof many;
    assert.deepStrictEqual(
      decoded.attributes.map((a) => a.key),
      keys,
    );
    // Invalid UTF-8 in a proto3 string fails like fromBinary (strict), in bytes it is kept.
    assert.equal(sameOutcome(KeyValueSchema, bytesOf(len(1, [0x61, 0xff, 0x62]))), "error");
    assert.equal(sameOutcome(KeyValueSchema, bytesOf(len(1, [0xc3]))), "error");
    agree(SpanSchema, bytesOf(len(1, [0xff, 0xfe])));
  });
});

describe("codec: unknown fields", () => {
  test("unknown fields of every wire type, top-level and nested, kept and re-encoded in place", () => {
    const kv = bytesOf(len(1, [0x6b]), unknownFields(10), len(2, bytesOf(len(1, [0x76]), unknownFields(20))));
    const resource = bytesOf(len(1, kv), unknownFields(100), tag(2, 0), varint(4));
    const entry = bytesOf(len(1, resource), unknownFields(1000), len(2, bytesOf(unknownFields(7))));
    const req = bytesOf(len(1, entry), unknownFields(5000));
    for (const s of [ExportTraceServiceRequestSchema, ExportTraceServiceRequestLiteSchema, RawExportRequestSchema]) {
      const got = agree(s, req);
      assert.ok(got.$unknown && got.$unknown.length === 5, s.typeName);
    }
    const full = decode(ExportTraceServiceRequestSchema, req);
    const kvMsg = full.resourceSpans[0]!.resource!.attributes[0]!;
    assert.deepStrictEqual(
      kvMsg.$unknown!.map((u) => [u.no, u.wireType]),
      [
        [10, 0],
        [11, 1],
        [12, 2],
        [13, 3],
        [14, 5],
      ],
    );
    assert.equal(kvMsg.value!.$unknown!.length, 5);
  });

  test("wire-type mismatches on known fields and zero-length fields behave like fromBinary", () => {
    const cases = [
      bytesOf(tag(1, 0), varint(3), [0x61, 0x62, 0x63]), // string field sent as varint: read as a length
      bytesOf(tag(2, 2), varint(0)), // message field, empty
      bytesOf(tag(3, 0), varint(1)), // bytes field as varint
      bytesOf(tag(1, 5), [1, 2, 3, 4]),
      bytesOf(tag(2, 0), varint(0)),
    ];
    for (const b of cases) for (const s of [KeyValueSchema, SpanSchema, ResourceSchema, AnyValueSchema]) sameOutcome(s, b);
  });

  test("a repeated singular message field merges; a repeated scalar accepts packed and unpacked", () => {
    const a = toBinary(ResourceSpansSchema, create(ResourceSpansSchema, { resource: { attributes: [{ key: "a" }] }, schemaUrl: "x" }));
    const b = toBinary(ResourceSpansSchema, create(ResourceSpansSchema, { resource: { droppedAttributesCount: 2, attributes: [{ key: "b" }] } }));
    const merged = agree(ResourceSpansSchema, bytesOf(a, b)) as unknown as { resource: { attributes: unknown[] } };
    assert.equal(merged.resource.attributes.length, 2);
    // bucket_counts (fixed64) and explicit_bounds (double): packed, unpacked and both mixed.
    const packed = bytesOf(len(6, [1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]));
    const unpacked = bytesOf(tag(6, 1), [3, 0, 0, 0, 0, 0, 0, 0], tag(7, 1), [0, 0, 0, 0, 0, 0, 0xf8, 0x7f]);
    agree(create(MetricSchema).$typeName ? HistogramPointSchema() : MetricSchema, bytesOf(packed, unpacked, packed));
  });
});

/** HistogramDataPoint's schema, looked up from Histogram's data_points field. */
function HistogramPointSchema(): DescMessage {
  const histogram = MetricSchema.fields.find((f) => f.localName === "histogram")!.message!;
  return histogram.fields.find((f) => f.localName === "dataPoints")!.message!;
}

describe("codec: every field kind (test schema)", () => {
  test("the test schema is compiled; a proto2 schema falls back to protobuf-es and still agrees", () => {
    assert.ok(isCompiled(Everything));
    assert.equal(isCompiled(Proto2), false);
    agree(Proto2, bytesOf(tag(1, 0), varint(-3), len(2, [0x68])));
    agree(Proto2, new Uint8Array());
    agreeOnMessage(Proto2, create(Proto2));
  });

  test("seeded random messages: encode, decode and copy agree", () => {
    const rand = prng(20261125);
    for (let i = 0; i < 300; i++) {
      const msg = randomMessage(Everything, rand, 3);
      agreeOnMessage(Everything, msg);
      agree(Everything, toBinary(Everything, msg));
    }
  });

  test("seeded random OTLP messages", () => {
    const rand = prng(42);
    for (const s of [ExportMetricsServiceRequestSchema, ExportTraceServiceRequestSchema, ExportLogsServiceRequestSchema] as DescMessage[]) {
      for (let i = 0; i < 25; i++) {
        const msg = randomMessage(s, rand, 7);
        agreeOnMessage(s, msg);
        agree(s, toBinary(s, msg));
      }
    }
  });

  test("64-bit values as strings (jstype = JS_STRING) and as numbers are encoded like toBinary", () => {
    const msg = create(Everything) as Record<string, unknown> & Message;
    msg.jsI64 = "-9223372036854775808";
    msg.jsU64 = ["0", "18446744073709551615", "1"];
    msg.jsFx64 = "12345678901234567890";
    msg.jsS64 = "-5";
    agreeOnMessage(Everything, msg);
    const got = agree(Everything, toBinary(Everything, msg)) as Record<string, unknown>;
    assert.equal(got.jsI64, "-9223372036854775808");
    assert.deepStrictEqual(got.jsU64, ["0", "18446744073709551615", "1"]);
    assert.equal(got.jsFx64, "12345678901234567890");
    // Numbers and strings where a bigint belongs: toBinary accepts them, so does encode.
    const loose = create(Everything) as Record<string, unknown> & Message;
    loose.i64 = 5;
    loose.u64 = "77";
    loose.rSf64 = [-1, "2"];
    loose.i32 = "12";
    agreeOnMessage(Everything, loose, false);
  });

  test("out-of-range values throw like toBinary", () => {
    const bad: [string, unknown][] = [
      ["i32", 2 ** 31],
      ["i32", 1.5],
      ["u32", -1],
      ["f", 1e39],
      ["i64", 2n ** 63n],
      ["u64", -1n],
      ["fx64", 2n ** 64n],
      ["s64", "nope"],
      ["r_i32", [1, "x"]],
      ["r_f", [1e40]],
      ["js_i64", "1e3"],
      ["sf32", -(2 ** 31) - 1],
    ];
    for (const [name, value] of bad) {
      const key = Everything.fields.find((f) => f.name === name)!.localName;
      const msg = create(Everything) as Record<string, unknown> & Message;
      msg[key] = value;
      const want = (() => {
        try {
          toBinary(Everything, msg);
        } catch (e) {
          return e as Error;
        }
      })();
      assert.ok(want, `toBinary accepted ${key}=${String(value)}`);
      assert.throws(() => encode(Everything, msg), { message: want.message }, key);
    }
    // A oneof message case or list item without a value: toBinary writes an empty message.
    const holes = create(Everything) as Record<string, unknown> & Message;
    holes.choice = { case: "cM", value: undefined };
    holes.rChild = [undefined, create(Everything)];
    agreeOnMessage(Everything, holes, false);
    const wrongType = create(Everything) as Record<string, unknown> & Message;
    wrongType.child = create(ResourceSchema);
    assert.throws(() => toBinary(Everything, wrongType));
    const e = (() => {
      try {
        toBinary(Everything, wrongType);
      } catch (err) {
        return err as Error;
      }
    })()!;
    assert.throws(() => encode(Everything, wrongType), { name: e.name, message: e.message });
  });
});

describe("codec: invalid input throws like fromBinary", () => {
  const valid = tracesBytes();

  test("truncated at every position", () => {
    let errors = 0;
    for (let cut = 1; cut < valid.length; cut++) {
      for (const s of [ExportTraceServiceRequestSchema, ExportTraceServiceRequestLiteSchema]) if (sameOutcome(s, valid.subarray(0, cut)) === "error") errors++;
    }
    assert.ok(errors > valid.length, `only ${errors} truncations failed`);
  });

  test("bad wire types, overlong varints, lengths past the end, field number zero, bad groups, deep nesting", () => {
    const cases: [string, Uint8Array][] = [
      ["wire type 6", bytesOf([0x0e, 0])],
      ["wire type 7", bytesOf([0x0f])],
      ["end group without start", bytesOf(tag(9, 4))],
      ["field number 0", bytesOf([0x00, 0])],
      ["overlong varint value", bytesOf(len(1, bytesOf(len(1, [0x61]), len(2, bytesOf(tag(3, 0), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])))))],
      ["overlong tag", bytesOf([0x88, 0x80, 0x80, 0x80, 0x80, 0x00])],
      ["overlong length", bytesOf([0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])],
      ["length past the end", bytesOf([0x0a, 0x05, 1, 2])],
      ["unknown length past the end", bytesOf(tag(9, 2), varint(100), [1])],
      ["unknown fixed64 cut", bytesOf(tag(9, 1), [1, 2, 3])],
      ["unknown fixed32 cut", bytesOf(tag(9, 5), [1])],
      ["unterminated group", bytesOf(tag(9, 3), tag(1, 0), [1])],
      ["mismatched end group", bytesOf(tag(9, 3), tag(8, 4))],
      ["varint cut", bytesOf(tag(9, 0), [0x80])],
    ];
    for (const [name, b] of cases) {
      for (const s of [ExportTraceServiceRequestSchema, ExportMetricsServiceRequestLiteSchema, RawExportRequestSchema, SpanSchema, Everything]) {
        assert.doesNotThrow(() => sameOutcome(s, b), `${name} / ${s.typeName}`);
      }
      assert.equal(sameOutcome(ExportTraceServiceRequestSchema, b), "error", name);
    }
    // A fixed64 / double field cut short inside a message: DataView's own RangeError, as in fromBinary.
    assert.equal(sameOutcome(SpanSchema, bytesOf(tag(7, 1), [1, 2])), "error");
    assert.equal(sameOutcome(Everything, bytesOf(tag(1, 1), [1, 2])), "error");
    // Nesting past the recursion limit of 100: AnyValue → KeyValueList → KeyValue → AnyValue …
    let v: number[] = [];
    for (let i = 0; i < 60; i++) v = len(6, len(1, bytesOf(len(1, [0x6b]), len(2, v))));
    assert.equal(sameOutcome(AnyValueSchema, bytesOf(v)), "error");
    let shallow: number[] = [];
    for (let i = 0; i < 20; i++) shallow = len(6, len(1, bytesOf(len(1, [0x6b]), len(2, shallow))));
    assert.equal(sameOutcome(AnyValueSchema, bytesOf(shallow)), "ok");
  });

  test("seeded random byte mutations: same result or same error", () => {
    const rand = prng(9);
    const inputs = [valid, metricsBytes(), logsBytes()];
    const schemas = [ExportTraceServiceRequestSchema, ExportMetricsServiceRequestSchema, ExportLogsServiceRequestSchema];
    const outcomes = { ok: 0, error: 0 };
    for (let i = 0; i < 600; i++) {
      const k = i % 3;
      const b = inputs[k]!.slice();
      const edits = 1 + Math.floor(rand() * 3);
      for (let e = 0; e < edits; e++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      outcomes[sameOutcome(schemas[k]!, b)]++;
      outcomes[sameOutcome(ExportTraceServiceRequestLiteSchema, b)]++;
    }
    assert.ok(outcomes.ok > 50 && outcomes.error > 50, JSON.stringify(outcomes));
  });
});
