// The wire reader/writer, UTF-8 validation, the field numbers the scanner counts by, and
// malformed protobuf: every kind of damage is a BatchDecodeError, and whatever the lite decoder
// accepts, a full protobuf-es decode accepts too (so a later upgrade cannot fail).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { AnyValue } from "../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import { AnyValueSchema } from "../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import { ExportTraceServiceRequestSchema } from "../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { Batch, BatchDecodeError, type Signal } from "../../src/otlp/batch.ts";
import { DATA_POINTS_FIELD, METRIC_DATA_FIELDS, codecs } from "../../src/otlp/batch_signals.ts";
import { ByteBuilder, WireReader, encodeVarint, isUtf8, varintSize } from "../../src/otlp/wire.ts";
import { logsBytes, metricsBytes, requestSchema, tracesBytes } from "./fixtures.ts";

/** A small seeded PRNG (mulberry32), so failures reproduce. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("WireReader and ByteBuilder", () => {
  test("varints round-trip and report their size", () => {
    for (const v of [0, 1, 127, 128, 300, 16383, 16384, 2 ** 31, 2 ** 32 - 1, 2 ** 53 - 1]) {
      const bytes = encodeVarint(v);
      assert.equal(bytes.length, varintSize(v));
      const r = new WireReader(bytes);
      assert.equal(r.varint(bytes.length), v);
      assert.equal(r.pos, bytes.length);
    }
  });

  test("reads tags and skips every wire type", () => {
    const b = new ByteBuilder();
    b.push(Uint8Array.of(0x08, 0x96, 0x01)); // 1: varint 150
    b.push(Uint8Array.of(0x11, 1, 2, 3, 4, 5, 6, 7, 8)); // 2: fixed64
    b.pushField(3, Uint8Array.of(9, 9)); // 3: bytes
    b.push(Uint8Array.of(0x25, 1, 2, 3, 4)); // 4: fixed32
    b.push(Uint8Array.of(0x80, 0x01, 0x00)); // 16: varint, two-byte tag
    const bytes = b.finish();
    const r = new WireReader(bytes);
    const seen: number[] = [];
    while (r.pos < bytes.length) {
      const tag = r.tag(bytes.length);
      seen.push(tag >>> 3);
      r.skip(tag & 7, bytes.length);
    }
    assert.deepEqual(seen, [1, 2, 3, 4, 16]);
  });

  test("rejects what does not fit or does not exist", () => {
    const cases: [string, number[]][] = [
      ["truncated varint", [0x08, 0x80]],
      ["varint longer than 10 bytes", [0x08, ...Array(10).fill(0xff), 0x01]],
      ["length 5 exceeds", [0x0a, 0x05, 1, 2]],
      ["truncated 64-bit", [0x09, 1, 2, 3]],
      ["group wire type 3", [0x0b]],
      ["invalid wire type 7", [0x0f]],
      ["field number 0", [0x00, 0x01]],
    ];
    for (const [message, bytes] of cases) {
      const buf = Uint8Array.from(bytes);
      const r = new WireReader(buf);
      assert.throws(
        () => {
          const tag = r.tag(buf.length);
          r.skip(tag & 7, buf.length);
        },
        (err: unknown) => err instanceof BatchDecodeError && err.message.includes(message),
        message,
      );
    }
  });
});

describe("isUtf8", () => {
  const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const expected = (bytes: Uint8Array): boolean => {
    try {
      strict.decode(bytes);
      return true;
    } catch {
      return false;
    }
  };

  test("agrees with TextDecoder's fatal mode on edge cases", () => {
    const cases = [
      [0x41], [0xc2, 0x80], [0xc1, 0xbf], [0xe0, 0xa0, 0x80], [0xe0, 0x9f, 0xbf], [0xed, 0x9f, 0xbf], [0xed, 0xa0, 0x80],
      [0xef, 0xbf, 0xbf], [0xf0, 0x90, 0x80, 0x80], [0xf0, 0x8f, 0xbf, 0xbf], [0xf4, 0x8f, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80],
      [0xf5, 0x80, 0x80, 0x80], [0x80], [0xc3], [0xe2, 0x82], [0xff], [0xc3, 0xbc, 0x41],
    ];
    for (const c of cases) {
      const bytes = Uint8Array.from(c);
      assert.equal(isUtf8(bytes, 0, bytes.length), expected(bytes), c.map((b) => b.toString(16)).join(" "));
    }
  });

  test("agrees with TextDecoder on random short and long input", () => {
    const next = rng(7);
    const alphabet = [0x41, 0x7f, 0x80, 0xbf, 0xc2, 0xc3, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xa0, 0x90, 0x8f];
    for (let i = 0; i < 3000; i++) {
      const len = i % 10 === 0 ? 150 + Math.floor(next() * 200) : Math.floor(next() * 8);
      const bytes = Uint8Array.from({ length: len }, () => (next() < 0.7 ? 0x61 : alphabet[Math.floor(next() * alphabet.length)]!));
      assert.equal(isUtf8(bytes, 0, bytes.length), expected(bytes));
    }
  });
});

describe("field numbers the scanner counts by (shared/spec/otlp-wire/otlp-fields.txt)", () => {
  test("match OTLP 1.11", () => {
    assert.equal(codecs.traces.scopeItemsField, 2); // ScopeSpans.spans
    assert.equal(codecs.metrics.scopeItemsField, 2); // ScopeMetrics.metrics
    assert.equal(codecs.logs.scopeItemsField, 2); // ScopeLogs.log_records
    assert.deepEqual([...METRIC_DATA_FIELDS].sort((a, b) => a - b), [5, 7, 9, 10, 11]); // Metric.data oneof
    assert.equal(DATA_POINTS_FIELD, 1); // Gauge/Sum/Histogram/ExponentialHistogram/Summary.data_points
  });
});

describe("malformed protobuf", () => {
  const samples: [Signal, Uint8Array][] = [
    ["traces", tracesBytes()],
    ["metrics", metricsBytes()],
    ["logs", logsBytes()],
  ];

  /** Decodes; returns the error (which must be a BatchDecodeError) or the batch. */
  function attempt(signal: Signal, bytes: Uint8Array): BatchDecodeError | Batch<Signal> {
    try {
      return Batch.decode(signal, bytes);
    } catch (err) {
      assert.ok(err instanceof BatchDecodeError, `not a BatchDecodeError: ${String(err)}`);
      return err;
    }
  }

  /** Whatever the lite decoder accepts must decode fully, with the same item count. */
  function assertConsistent(signal: Signal, bytes: Uint8Array, b: Batch<Signal>): void {
    const full = fromBinary(requestSchema(signal), bytes);
    const other = Batch.fromResources(signal, Object.values(full).find(Array.isArray) as never);
    assert.equal(b.itemCount(), other.itemCount());
    b.full();
    assert.equal(b.itemCount(), other.itemCount());
  }

  for (const [signal, bytes] of samples) {
    test(`${signal}: every truncation is rejected unless it ends between resource entries`, () => {
      const r = new WireReader(bytes);
      const boundaries = new Set([0]);
      while (r.pos < bytes.length) {
        r.skip(r.tag(bytes.length) & 7, bytes.length);
        boundaries.add(r.pos);
      }
      for (let len = 0; len < bytes.length; len++) {
        const result = attempt(signal, bytes.subarray(0, len));
        assert.equal(result instanceof BatchDecodeError, !boundaries.has(len), `prefix of ${len} bytes`);
      }
    });

    test(`${signal}: random byte changes are rejected or decode consistently`, () => {
      const next = rng(signal.length);
      for (let i = 0; i < 1500; i++) {
        const damaged = bytes.slice();
        for (let k = 1 + Math.floor(next() * 3); k > 0; k--) damaged[Math.floor(next() * damaged.length)] = Math.floor(next() * 256);
        const result = attempt(signal, damaged);
        if (!(result instanceof BatchDecodeError)) assertConsistent(signal, damaged, result);
      }
    });
  }

  test("random bytes are rejected (or, rarely, valid) and never throw anything else", () => {
    const next = rng(42);
    for (let i = 0; i < 3000; i++) {
      const bytes = Uint8Array.from({ length: Math.floor(next() * 200) }, () => Math.floor(next() * 256));
      const signal = (["traces", "metrics", "logs"] as const)[i % 3];
      const result = attempt(signal, bytes);
      if (!(result instanceof BatchDecodeError)) assertConsistent(signal, bytes, result);
    }
  });

  /** One span inside one scope inside one resource entry, around `span` bytes. */
  function wrapSpan(span: number[]): Uint8Array {
    const scope = [0x12, ...encodeVarint(span.length), ...span];
    const entry = [0x12, ...encodeVarint(scope.length), ...scope];
    return Uint8Array.from([0x0a, ...encodeVarint(entry.length), ...entry]);
  }

  const rejects: [string, number[], string][] = [
    ["a known field with the wrong wire type", [0x28, 0x01], "Span.name (5) has wire type 0, expected 2"],
    ["a length beyond the message", [0x2a, 0x10, 0x61], "length 16 exceeds"],
    ["a group", [0xa3, 0x01, 0xa4, 0x01], "group wire type 3"],
    ["invalid UTF-8 in the span name", [0x2a, 0x02, 0xc3, 0x28], "Span.name (5): invalid UTF-8"],
    ["a truncated fixed64", [0x39, 1, 2, 3], "truncated 64-bit"],
    ["an overlong varint", [0x30, ...Array(10).fill(0x80), 0x00], "longer than 10 bytes"],
    ["a tag beyond 32 bits that would alias a known field", [0x92, 0x80, 0x80, 0x80, 0x80, 0x01, 0x00], "overflows 32 bits"],
    ["a tag padded to 6 bytes", [0xaa, 0x80, 0x80, 0x80, 0x80, 0x00, 0x00], "5 bytes"],
    ["field number 0", [0x02, 0x00], "field number 0"],
  ];
  for (const [name, span, message] of rejects) {
    test(`rejects ${name}`, () => {
      assert.throws(
        () => Batch.decode("traces", wrapSpan(span)),
        (err: unknown) => err instanceof BatchDecodeError && err.message.includes(message),
      );
    });
  }

  test("rejects a packed fixed64 whose length is not a multiple of 8", () => {
    // HistogramDataPoint.bucket_counts (6) packed with 7 bytes.
    const point = [0x32, 0x07, 1, 2, 3, 4, 5, 6, 7];
    const histogram = [0x0a, point.length, ...point];
    const metric = [0x4a, histogram.length, ...histogram];
    const scope = [0x12, metric.length, ...metric];
    const entry = [0x12, scope.length, ...scope];
    const bytes = Uint8Array.from([0x0a, entry.length, ...entry]);
    assert.throws(() => Batch.decode("metrics", bytes), /not a multiple of 8/);
  });

  test("nesting: accepted as deep as protobuf-es decodes, rejected beyond", () => {
    const nested = (depth: number): Uint8Array => {
      let v: AnyValue = create(AnyValueSchema, { value: { case: "stringValue", value: "leaf" } });
      for (let i = 0; i < depth; i++) v = create(AnyValueSchema, { value: { case: "arrayValue", value: { values: [v] } } });
      const req = create(ExportTraceServiceRequestSchema, {
        resourceSpans: [{ scopeSpans: [{ spans: [{ name: "deep", attributes: [{ key: "k", value: v }] }] }] }],
      });
      return toBinary(ExportTraceServiceRequestSchema, req);
    };
    const ok = nested(40);
    assert.equal(Batch.decode("traces", ok).itemCount(), 1);
    const deep = nested(60);
    assert.throws(() => fromBinary(ExportTraceServiceRequestSchema, deep), /recursion/);
    assert.throws(() => Batch.decode("traces", deep), (err: unknown) => err instanceof BatchDecodeError && /deeper than 100/.test(err.message));
  });

  test("unknown fields of resource entries are kept; those of the request are dropped", () => {
    const lite = fromBinary(codecs.traces.liteRequest, tracesBytes()) as unknown as { resourceSpans: { $unknown?: unknown[] }[] };
    lite.resourceSpans[0]!.$unknown = [{ no: 999, wireType: 0, data: Uint8Array.of(0x01) }];
    const withUnknown = toBinary(codecs.traces.liteRequest, lite as never);
    const b = Batch.decode("traces", withUnknown);
    assert.deepEqual(b.toBinary(), withUnknown);
    assert.deepEqual(b.clone().splitFirst(7).toBinary(), withUnknown);
    assert.deepEqual(Batch.decode("traces", withUnknown).full()[0]!.$unknown, lite.resourceSpans[0]!.$unknown);

    const bytes = Uint8Array.from([...tracesBytes(), 0xf8, 0x07, 0x01]); // request field 127 = 1
    assert.deepEqual(Batch.decode("traces", bytes).toBinary(), tracesBytes());
  });
});
