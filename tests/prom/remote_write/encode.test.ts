// The hand-written remote-write encoders against the generated protobuf-es schema
// (proto/prometheus → gen/prometheus), byte for byte; StaleNaN bits; snappy round trips.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { BinaryReader } from "@bufbuild/protobuf/wire";
import snappy from "snappyjs";
import { WriteRequestSchema } from "../../../gen/prometheus/remote_pb.ts";
import { Histogram_ResetHint, MetricMetadata_MetricType } from "../../../gen/prometheus/types_pb.ts";
import type { NativeHistogram } from "../../../src/prom/appender.ts";
import { ByteReader, ByteWriter, crc32c, int64Size, unzigzag, utf8Size, varintSize, zigzag } from "../../../src/prom/remote_write/bytes.ts";
import { type SeriesData, STALE_NAN_BYTES, encodeLabels, encodeWriteRequest } from "../../../src/prom/remote_write/encode.ts";
import { encodeV2Request } from "../../../src/prom/remote_write/encode_v2.ts";

const hist: NativeHistogram = {
  schema: -2,
  zeroThreshold: 1e-128,
  zeroCount: 3,
  count: 20,
  sum: 123.5,
  positiveSpans: [{ offset: -3, length: 2 }, { offset: 4, length: 1 }],
  positiveDeltas: [5, -2, 7],
  negativeSpans: [{ offset: 1, length: 1 }],
  negativeDeltas: [2],
  resetHint: 0,
};

describe("bytes", () => {
  test("varint sizes and int64 sizes", () => {
    for (const [n, size] of [[0, 1], [127, 1], [128, 2], [16383, 2], [16384, 3], [2 ** 28, 5], [1_700_000_000_000, 6], [2 ** 53, 8]] as const) {
      assert.equal(varintSize(n), size, String(n));
      const w = new ByteWriter(16);
      w.varint(n);
      assert.equal(w.pos, size);
      assert.equal(new ByteReader(w.finish()).varint(), n);
    }
    assert.equal(int64Size(-1), 10);
  });

  test("negative int64 as ten bytes of two's complement", () => {
    const w = new ByteWriter(16);
    w.int64(-1);
    assert.deepEqual([...w.finish()], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  });

  test("zig-zag", () => {
    for (const [n, z] of [[0, 0], [-1, 1], [1, 2], [-2, 3], [2 ** 40, 2 ** 41]] as const) {
      assert.equal(zigzag(n), z);
      assert.equal(unzigzag(z), n);
    }
  });

  test("utf8Size agrees with TextEncoder", () => {
    for (const s of ["", "abc", "größe", "日本", "😀x", "\ud800"]) assert.equal(utf8Size(s), new TextEncoder().encode(s).length, s);
  });

  test("CRC-32C check value", () => {
    assert.equal(crc32c(new TextEncoder().encode("123456789")), 0xe3069283);
    const data = new TextEncoder().encode("hello, world: some more bytes");
    assert.equal(crc32c(data, 7, data.length, crc32c(data, 0, 7)), crc32c(data));
  });
});

describe("remote write 1.0 encoder", () => {
  test("bytes are identical to protobuf-es create() + toBinary()", () => {
    const series: SeriesData[] = [
      {
        labels: encodeLabels([["__name__", "http_requests_total"], ["größe", "日本"], ["job", "api"]]),
        samples: [
          { ts: 1_700_000_000_000, value: 42.5, stale: false },
          { ts: 1_700_000_015_000, value: 0, stale: false },
          { ts: 0, value: -1.25, stale: false },
          { ts: -5, value: Number.POSITIVE_INFINITY, stale: false },
        ],
        exemplars: [
          { labels: [["span_id", "00f067aa0ba902b7"], ["trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"]], value: 3, timestampMs: 1_700_000_000_001 },
          { labels: [], value: 0 },
        ],
        histograms: [],
      },
      { labels: encodeLabels([["__name__", "latency"]]), samples: [], exemplars: [], histograms: [{ ts: 1_700_000_000_000, histogram: hist }, { ts: 5, histogram: { ...hist, schema: 0, sum: 0, zeroThreshold: 0, zeroCount: 0, positiveSpans: [], positiveDeltas: [], negativeSpans: [], negativeDeltas: [], resetHint: 3 } }] },
      { labels: encodeLabels([]), samples: [], exemplars: [], histograms: [] },
    ];
    const metadata = [
      { family: "http_requests", metadata: { type: "counter" as const, help: "Requests.", unit: "" } },
      { family: "temp", metadata: { type: "unknown" as const, help: "", unit: "celsius" } },
    ];
    const ours = encodeWriteRequest(series, metadata);
    const theirs = toBinary(
      WriteRequestSchema,
      create(WriteRequestSchema, {
        timeseries: [
          {
            labels: [{ name: "__name__", value: "http_requests_total" }, { name: "größe", value: "日本" }, { name: "job", value: "api" }],
            samples: [
              { timestamp: 1_700_000_000_000n, value: 42.5 },
              { timestamp: 1_700_000_015_000n, value: 0 },
              { timestamp: 0n, value: -1.25 },
              { timestamp: -5n, value: Number.POSITIVE_INFINITY },
            ],
            exemplars: [
              { labels: [{ name: "span_id", value: "00f067aa0ba902b7" }, { name: "trace_id", value: "4bf92f3577b34da6a3ce929d0e0e4736" }], value: 3, timestamp: 1_700_000_000_001n },
              { labels: [], value: 0, timestamp: 0n },
            ],
          },
          {
            labels: [{ name: "__name__", value: "latency" }],
            histograms: [
              {
                count: { case: "countInt", value: 20n },
                sum: 123.5,
                schema: -2,
                zeroThreshold: 1e-128,
                zeroCount: { case: "zeroCountInt", value: 3n },
                negativeSpans: [{ offset: 1, length: 1 }],
                negativeDeltas: [2n],
                positiveSpans: [{ offset: -3, length: 2 }, { offset: 4, length: 1 }],
                positiveDeltas: [5n, -2n, 7n],
                timestamp: 1_700_000_000_000n,
              },
              { count: { case: "countInt", value: 20n }, zeroCount: { case: "zeroCountInt", value: 0n }, resetHint: Histogram_ResetHint.GAUGE, timestamp: 5n },
            ],
          },
          {},
        ],
        metadata: [
          { type: MetricMetadata_MetricType.COUNTER, metricFamilyName: "http_requests", help: "Requests." },
          { type: MetricMetadata_MetricType.UNKNOWN, metricFamilyName: "temp", unit: "celsius" },
        ],
      }),
    );
    assert.deepEqual([...ours], [...theirs]);
  });

  test("a stale marker is written as the exact StaleNaN bits, byte by byte", () => {
    const body = encodeWriteRequest([{ labels: encodeLabels([["__name__", "up"]]), samples: [{ ts: 1, value: 7, stale: true }], exemplars: [], histograms: [] }]);
    // WriteRequest.timeseries { labels { name "__name__" value "up" } samples { value StaleNaN timestamp 1 } }
    const label = [0x0a, 0x08, ...new TextEncoder().encode("__name__"), 0x12, 0x02, 0x75, 0x70];
    const sample = [0x09, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x7f, 0x10, 0x01];
    const series = [0x0a, label.length, ...label, 0x12, sample.length, ...sample];
    assert.deepEqual([...body], [0x0a, series.length, ...series]);
    assert.deepEqual(STALE_NAN_BYTES, [0x02, 0, 0, 0, 0, 0, 0xf0, 0x7f]);
    const view = new DataView(body.buffer, body.byteOffset + body.length - 10, 8);
    assert.equal(view.getBigUint64(0, true), 0x7ff0000000000002n);
  });

  test("a plain NaN stays a plain NaN (not the stale marker)", () => {
    const body = encodeWriteRequest([{ labels: encodeLabels([["__name__", "x"]]), samples: [{ ts: 1, value: Number.NaN, stale: false }], exemplars: [], histograms: [] }]);
    const at = body.indexOf(0x09);
    assert.notEqual(new DataView(body.buffer, body.byteOffset + at + 1, 8).getBigUint64(0, true), 0x7ff0000000000002n);
    const decoded = fromBinary(WriteRequestSchema, body);
    assert.ok(Number.isNaN(decoded.timeseries[0]!.samples[0]!.value));
  });

  test("an empty request is empty", () => {
    assert.equal(encodeWriteRequest([]).length, 0);
  });

  test("snappy (snappyjs, block format) round trip of a large request", () => {
    const series: SeriesData[] = Array.from({ length: 5000 }, (_, i) => ({
      labels: encodeLabels([["__name__", "m"], ["i", String(i)], ["job", "bench"]]),
      samples: [{ ts: 1_700_000_000_000 + i, value: i / 3, stale: i % 100 === 0 }],
      exemplars: [],
      histograms: [],
    }));
    const raw = encodeWriteRequest(series);
    const compressed = snappy.compress(raw) as Uint8Array;
    assert.ok(compressed.length < raw.length / 2, `ratio ${raw.length / compressed.length}`);
    // Not the framed format: no stream identifier.
    assert.notEqual(compressed[0], 0xff);
    const back = snappy.uncompress(compressed, raw.length) as Uint8Array;
    assert.deepEqual([...back], [...raw]);
    const decoded = fromBinary(WriteRequestSchema, back);
    assert.equal(decoded.timeseries.length, 5000);
    assert.equal(decoded.timeseries[4999]!.samples[0]!.value, 4999 / 3);
    assert.deepEqual(decoded.timeseries[7]!.labels.map((l) => l.value), ["m", "7", "bench"]);
  });
});

describe("remote write 2.0 encoder", () => {
  test("symbols start with the empty string; series refer to them in pairs", () => {
    const body = encodeV2Request([
      { labels: [["__name__", "up"], ["job", "a"]], samples: [{ ts: 10, value: 1, stale: false }], exemplars: [], histograms: [], metadata: { type: "gauge", help: "Up.", unit: "" } },
      { labels: [["__name__", "up"], ["job", "b"]], samples: [{ ts: 10, value: 0, stale: true }], exemplars: [], histograms: [{ ts: 10, histogram: hist }] },
    ]);
    const r = new BinaryReader(body);
    const symbols: string[] = [];
    const series: { refs: number[]; samples: number; histograms: number; metadata?: number[] }[] = [];
    while (r.pos < r.len) {
      const [field] = r.tag();
      if (field === 4) symbols.push(r.string());
      else if (field === 5) {
        const t = new BinaryReader(r.bytes());
        const s = { refs: [] as number[], samples: 0, histograms: 0, metadata: undefined as number[] | undefined };
        while (t.pos < t.len) {
          const [f] = t.tag();
          if (f === 1) {
            const p = new BinaryReader(t.bytes());
            while (p.pos < p.len) s.refs.push(p.uint32());
          } else if (f === 2) (t.bytes(), s.samples++);
          else if (f === 3) (t.bytes(), s.histograms++);
          else if (f === 5) {
            const m = new BinaryReader(t.bytes());
            s.metadata = [];
            while (m.pos < m.len) (m.tag(), s.metadata.push(m.uint32()));
          } else t.skip(2);
        }
        series.push(s);
      }
    }
    assert.deepEqual(symbols, ["", "__name__", "up", "job", "a", "Up.", "b"]);
    // The second series has samples and histograms: split into two TimeSeries (§5.3).
    assert.deepEqual(series, [
      { refs: [1, 2, 3, 4], samples: 1, histograms: 0, metadata: [2, 5] },
      { refs: [1, 2, 3, 6], samples: 1, histograms: 0, metadata: undefined },
      { refs: [1, 2, 3, 6], samples: 0, histograms: 1, metadata: undefined },
    ]);
    assert.ok(body.includes(0x7f) && [...body].join(",").includes(STALE_NAN_BYTES.join(",")));
  });
});
