import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as http from "node:http";
import * as zlib from "node:zlib";
import { create, fromBinary, fromJson, toBinary } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import snappyjs from "snappyjs";
import { ExportTraceServiceRequestSchema } from "../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.ts";
import { type Status, StatusSchema } from "../../gen/google/rpc/status_pb.ts";
import { Batch, decodeResponse, type Signal } from "../../src/otlp/batch.ts";
import { Code, PipelineError } from "../../src/otlp/errors.ts";
import { LimitedBody } from "../../src/server/body.ts";
import { openBody } from "../../src/server/decompress.ts";
import { createOtlpHttpHandler, formatOf } from "../../src/server/otlp_http.ts";
import { encodeSnappyFramed } from "../../src/server/snappy.ts";
import {
  Capture,
  flatten,
  logsBytes,
  metricsBytes,
  startReceiver,
  tracesBytes,
  type Started,
} from "../components/otelcol/receiver/otlp_fixtures.ts";

const PROTO = { "content-type": "application/x-protobuf" };
const JSON_CT = { "content-type": "application/json" };

interface Reply {
  status: number;
  headers: Headers;
  body: Uint8Array;
  text: string;
}

type Body = string | Uint8Array | null;

async function post(url: string, body: Body, headers: Record<string, string>, method = "POST"): Promise<Reply> {
  const res = await fetch(url, { method, body: body as BodyInit | null, headers });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body: bytes, text: new TextDecoder().decode(bytes) };
}

/** The google.rpc.Status in an error body, decoded per its Content-Type. */
function statusOf(r: Reply): Status {
  const ct = r.headers.get("content-type");
  if (ct === "application/json") return fromJson(StatusSchema, JSON.parse(r.text), { registry: undefined, ignoreUnknownFields: true });
  assert.equal(ct, "application/x-protobuf");
  return fromBinary(StatusSchema, r.body);
}

/** Starts a receiver with an http block (extra attributes inside it), runs `fn`, stops it. */
async function withHttp(extra: string, fn: (r: Started, capture: Capture) => Promise<void>, outputs?: Signal[]): Promise<void> {
  const capture = new Capture();
  const r = await startReceiver(`http {\n endpoint = "127.0.0.1:0"\n ${extra}\n}\noutput {}`, capture, outputs);
  try {
    await fn(r, capture);
  } finally {
    await r.stop();
  }
}

/** POSTs `chunks` with Transfer-Encoding: chunked (no Content-Length), as real clients stream. */
function postChunked(url: string, path: string, chunks: Uint8Array[], headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path, method: "POST", headers }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, text: Buffer.concat(parts).toString() }));
    });
    req.on("error", reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

/** Traces request bytes whose schema_url holds a byte sequence that is not UTF-8. */
function invalidUtf8Proto(): Uint8Array {
  const bytes = toBinary(ExportTraceServiceRequestSchema, create(ExportTraceServiceRequestSchema, { resourceSpans: [{ schemaUrl: "AAAA", scopeSpans: [{ spans: [{ name: "x", traceId: new Uint8Array(16).fill(1), spanId: new Uint8Array(8).fill(2) }] }] }] }));
  const at = Buffer.from(bytes).indexOf("AAAA");
  bytes.set([0xc3, 0x28, 0xff, 0xfe], at);
  return bytes;
}

describe("otelcol.receiver.otlp over HTTP: success", () => {
  test("protobuf for every signal: 200, empty response, same content type, data delivered intact", async () => {
    await withHttp("", async (r, capture) => {
      for (const [signal, bytes] of [["traces", tracesBytes()], ["metrics", metricsBytes()], ["logs", logsBytes()]] as const) {
        const res = await post(`${r.httpUrl}/v1/${signal}`, bytes, PROTO);
        assert.equal(res.status, 200, signal);
        assert.equal(res.headers.get("content-type"), "application/x-protobuf");
        assert.equal(res.body.byteLength, 0);
        assert.deepEqual(capture.items(signal), flatten(signal, bytes));
      }
    });
  });

  test("OTLP/JSON (hex ids, charset parameter): 200 with {} and the same items as the protobuf form", async () => {
    await withHttp("", async (r, capture) => {
      const json = Batch.decode("traces", tracesBytes()).toJson();
      const res = await post(`${r.httpUrl}/v1/traces`, json, { "content-type": "application/json; charset=utf-8" });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/json");
      assert.equal(res.text, "{}");
      assert.deepEqual(capture.items("traces"), flatten("traces", tracesBytes()));
    });
  });

  test("empty requests succeed without reaching the pipeline", async () => {
    await withHttp("", async (r, capture) => {
      capture.failures.push(new Error("the pipeline must not be called"));
      assert.equal((await post(`${r.httpUrl}/v1/traces`, new Uint8Array(0), PROTO)).status, 200);
      assert.equal((await post(`${r.httpUrl}/v1/traces`, null, PROTO)).status, 200);
      assert.equal((await post(`${r.httpUrl}/v1/logs`, "{}", JSON_CT)).text, "{}");
      const noSpans = toBinary(ExportTraceServiceRequestSchema, create(ExportTraceServiceRequestSchema, { resourceSpans: [{ scopeSpans: [{}] }] }));
      assert.equal((await post(`${r.httpUrl}/v1/traces`, noSpans, PROTO)).status, 200);
      assert.equal(capture.received.length, 0);
      assert.equal(capture.failures.length, 1);
    });
  });

  test("custom URL paths, sanitized to absolute paths", async () => {
    await withHttp(`traces_url_path = "custom/t"`, async (r, capture) => {
      assert.equal((await post(`${r.httpUrl}/custom/t`, tracesBytes(), PROTO)).status, 200);
      assert.equal((await post(`${r.httpUrl}/v1/traces`, tracesBytes(), PROTO)).status, 404);
      assert.equal(capture.items("traces").length, 7);
    });
  });

  test("a partial success from the pipeline is returned in the request's encoding", async () => {
    const handler = createOtlpHttpHandler(
      { paths: { traces: "/v1/traces", metrics: "/v1/metrics", logs: "/v1/logs" }, maxRequestBodySize: 1 << 20, compressionAlgorithms: [""], includeMetadata: false },
      { accepts: () => true, export: async () => ({ rejected: 3, message: "3 spans too old" }) },
    );
    const proto = await handler(new Request("http://x/v1/traces", { method: "POST", body: tracesBytes() as BodyInit, headers: PROTO }));
    assert.equal(proto.status, 200);
    assert.deepEqual(decodeResponse("traces", new Uint8Array(await proto.arrayBuffer()), "proto"), { rejected: 3, message: "3 spans too old" });
    const json = await handler(new Request("http://x/v1/traces", { method: "POST", body: Batch.decode("traces", tracesBytes()).toJson(), headers: JSON_CT }));
    assert.deepEqual(JSON.parse(await json.text()), { partialSuccess: { rejectedSpans: "3", errorMessage: "3 spans too old" } });
  });
});

describe("otelcol.receiver.otlp over HTTP: bad requests", () => {
  test("route: unknown path and a signal without output → Go's 404", async () => {
    await withHttp(
      "",
      async (r) => {
        for (const path of ["/v1/unknown", "/v1/logs", "/v1/traces/"]) {
          const res = await post(`${r.httpUrl}${path}`, logsBytes(), PROTO);
          assert.equal(res.status, 404, path);
          assert.equal(res.text, "404 page not found\n");
          assert.equal(res.headers.get("content-type"), "text/plain; charset=utf-8");
        }
      },
      ["traces"],
    );
  });

  test("method: GET → 405 with the exact text", async () => {
    await withHttp("", async (r) => {
      const res = await post(`${r.httpUrl}/v1/traces`, null, {}, "GET");
      assert.equal(res.status, 405);
      assert.equal(res.headers.get("content-type"), "text/plain");
      assert.equal(res.text, "405 method not allowed, supported: [POST]");
    });
  });

  test("media type: text/plain and a missing Content-Type → 415 with the exact text", async () => {
    await withHttp("", async (r) => {
      for (const headers of [{ "content-type": "text/plain" }, {}] as Array<Record<string, string>>) {
        const res = await post(`${r.httpUrl}/v1/traces`, tracesBytes(), headers);
        assert.equal(res.status, 415);
        assert.equal(res.text, "415 unsupported media type, supported: [application/json, application/x-protobuf]");
      }
    });
    assert.equal(formatOf("Application/JSON ; charset=UTF-8"), "json");
    assert.equal(formatOf("application/json; charset"), undefined);
  });

  test("decode: malformed protobuf, invalid and mistyped JSON, bad ids, invalid UTF-8 → 400 Status (code 3) encoded like the request", async () => {
    await withHttp("", async (r, capture) => {
      const cases: Array<[Body, Record<string, string>, RegExp]> = [
        [Uint8Array.of(0x0a, 0xff, 0xff, 0xff), PROTO, /./],
        [invalidUtf8Proto(), PROTO, /UTF-8/i],
        ["{bad", JSON_CT, /invalid JSON/],
        ['{"resourceSpans": "nope"}', JSON_CT, /./],
        ['{"resourceSpans":[{"scopeSpans":[{"spans":[{"name": 5}]}]}]}', JSON_CT, /./],
        ['{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"abcd","spanId":"0102030405060708"}]}]}]}', JSON_CT, /traceId/],
        ['{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"010203"}]}]}]}', JSON_CT, /spanId/],
        [Uint8Array.of(...Buffer.from('{"resourceSpans":[{"schemaUrl":"'), 0xff, 0xfe, ...Buffer.from('"}]}')), JSON_CT, /UTF-8/],
      ];
      for (const [body, headers, message] of cases) {
        const res = await post(`${r.httpUrl}/v1/traces`, body, headers);
        assert.equal(res.status, 400, String(body));
        assert.equal(res.headers.get("content-type"), headers["content-type"]);
        const st = statusOf(res);
        assert.equal(st.code, Code.InvalidArgument);
        assert.match(st.message, message);
      }
      assert.equal(capture.received.length, 0);
      // Still serving, and what arrives next is intact.
      assert.equal((await post(`${r.httpUrl}/v1/traces`, tracesBytes(), PROTO)).status, 200);
      assert.deepEqual(capture.items("traces"), flatten("traces", tracesBytes()));
    });
  });

  test("decompress: an unsupported or disabled Content-Encoding → 400 via the error handler", async () => {
    await withHttp(`compression_algorithms = ["", "gzip"]`, async (r) => {
      for (const enc of ["br", "zstd", "identity"]) {
        const json = await post(`${r.httpUrl}/v1/traces`, tracesBytes(), { "content-encoding": enc });
        assert.equal(json.status, 400, enc);
        assert.deepEqual(JSON.parse(json.text), { code: 3, message: `unsupported Content-Encoding: ${enc}` });
      }
      const proto = await post(`${r.httpUrl}/v1/traces`, tracesBytes(), { ...PROTO, "content-encoding": "br" });
      assert.equal(statusOf(proto).message, "unsupported Content-Encoding: br");
      // The layer runs before routing: even an unknown path gets it.
      assert.equal((await post(`${r.httpUrl}/nowhere`, "x", { ...JSON_CT, "content-encoding": "br" })).status, 400);
      // An unknown Content-Type there cannot be answered in kind.
      const other = await post(`${r.httpUrl}/v1/traces`, "x", { "content-type": "text/plain", "content-encoding": "br" });
      assert.equal(other.status, 500);
      assert.equal(other.text, '{"code": 13, "message": "failed to marshal error message"}');
    });
  });

  test("bad compressed bodies: truncated gzip, bad gzip/zlib headers, corrupt snappy → 400", async () => {
    await withHttp("", async (r, capture) => {
      const gz = zlib.gzipSync(tracesBytes());
      const cases: Array<[Uint8Array, string, RegExp]> = [
        [gz.subarray(0, gz.length - 12), "gzip", /unexpected EOF/],
        [Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), "gzip", /gzip: invalid header/],
        [Uint8Array.of(1, 2, 3), "deflate", /zlib: invalid header/],
        [Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80), "snappy", /snappy: corrupt input/],
      ];
      for (const [body, enc, message] of cases) {
        const res = await post(`${r.httpUrl}/v1/traces`, body, { ...PROTO, "content-encoding": enc });
        assert.equal(res.status, 400, enc);
        assert.match(statusOf(res).message, message);
      }
      assert.equal(capture.received.length, 0);
    });
  });

  test("body over max_request_body_size, raw (with and without Content-Length) and after gzip", async () => {
    await withHttp(`max_request_body_size = "1MiB"`, async (r, capture) => {
      const big = new Uint8Array(1024 * 1024 + 1);
      const raw = await post(`${r.httpUrl}/v1/traces`, big, PROTO);
      assert.equal(raw.status, 413);
      assert.equal(statusOf(raw).message, "http: request body too large");
      const chunked = await postChunked(r.httpUrl, "/v1/traces", [big.subarray(0, 600_000), big.subarray(600_000)], PROTO);
      assert.equal(chunked.status, 413);
      // 10 MB of zeros is ~10 KB of gzip: under the raw limit, far over the decompressed one.
      const bomb = zlib.gzipSync(new Uint8Array(10 * 1024 * 1024));
      const inflated = await post(`${r.httpUrl}/v1/traces`, bomb, { ...PROTO, "content-encoding": "gzip" });
      assert.equal(inflated.status, 413);
      assert.equal(statusOf(inflated).message, "http: request body too large");
      assert.equal(capture.received.length, 0);
      assert.equal((await post(`${r.httpUrl}/v1/traces`, tracesBytes(), PROTO)).status, 200);
      assert.deepEqual(capture.items("traces"), flatten("traces", tracesBytes()));
    });
  });

  test("a gzip bomb is inflated only up to the limit: reading stops after a few KB of input", async () => {
    const bomb = zlib.gzipSync(new Uint8Array(10 * 1024 * 1024));
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (pulled >= bomb.length) return c.close();
        c.enqueue(bomb.subarray(pulled, pulled + 256));
        pulled += 256;
      },
    });
    const body = new LimitedBody(stream, 1024 * 1024);
    const read = await openBody("gzip", new Set(["gzip"]), body);
    await assert.rejects(read(), /request body too large/);
    assert.ok(pulled < bomb.length / 2, `read ${pulled} of ${bomb.length} compressed bytes`);
  });
});

describe("otelcol.receiver.otlp over HTTP: compression", () => {
  test("gzip, deflate, zlib, zstd, snappy (block and framed) and x-snappy-framed all decode to the same items", async () => {
    await withHttp(`compression_algorithms = ["", "gzip", "deflate", "zlib", "zstd", "snappy", "x-snappy-framed"]`, async (r, capture) => {
      const bytes = tracesBytes();
      const bodies: Array<[string, Uint8Array]> = [
        ["gzip", zlib.gzipSync(bytes)],
        ["deflate", zlib.deflateSync(bytes)],
        ["zlib", zlib.deflateSync(bytes)],
        ["zstd", zlib.zstdCompressSync(bytes)],
        ["snappy", snappyjs.compress(bytes)],
        ["snappy", encodeSnappyFramed(bytes)],
        ["x-snappy-framed", encodeSnappyFramed(bytes)],
      ];
      for (const [enc, body] of bodies) {
        capture.received.splice(0);
        const res = await post(`${r.httpUrl}/v1/traces`, body, { ...PROTO, "content-encoding": enc });
        assert.equal(res.status, 200, enc);
        assert.deepEqual(capture.items("traces"), flatten("traces", bytes), enc);
      }
      // Chunked and gzipped, as the Collector's exporter sends it.
      capture.received.splice(0);
      const gz = zlib.gzipSync(bytes);
      const res = await postChunked(r.httpUrl, "/v1/traces", [gz.subarray(0, 10), gz.subarray(10)], { ...PROTO, "content-encoding": "gzip" });
      assert.equal(res.status, 200);
      assert.deepEqual(capture.items("traces"), flatten("traces", bytes));
    });
  });
});

describe("otelcol.receiver.otlp over HTTP: pipeline errors", () => {
  test("retryable with a delay → 503 / 429 with Retry-After and RetryInfo; plain → 503; permanent → 500", async () => {
    await withHttp("", async (r, capture) => {
      capture.failures.push(
        PipelineError.retryable("queue is full", 5_000),
        PipelineError.retryable("slow down", 2_500, Code.ResourceExhausted),
        new Error("backend unreachable"),
        PipelineError.permanent("cannot ever work"),
      );
      const unavailable = await post(`${r.httpUrl}/v1/traces`, tracesBytes(), PROTO);
      assert.equal(unavailable.status, 503);
      assert.equal(unavailable.headers.get("retry-after"), "5");
      const st = statusOf(unavailable);
      assert.equal(st.code, Code.Unavailable);
      assert.equal(st.message, "queue is full");
      assert.equal(anyUnpack(st.details[0]!, RetryInfoSchema)?.retryDelay?.seconds, 5n);

      const throttled = await post(`${r.httpUrl}/v1/traces`, Batch.decode("traces", tracesBytes()).toJson(), JSON_CT);
      assert.equal(throttled.status, 429);
      assert.equal(throttled.headers.get("retry-after"), "2");
      assert.equal(JSON.parse(throttled.text).details[0]["@type"], "type.googleapis.com/google.rpc.RetryInfo");

      const plain = await post(`${r.httpUrl}/v1/traces`, tracesBytes(), PROTO);
      assert.equal(plain.status, 503);
      assert.equal(plain.headers.get("retry-after"), null);
      assert.equal(statusOf(plain).message, "backend unreachable");

      const permanent = await post(`${r.httpUrl}/v1/traces`, tracesBytes(), PROTO);
      assert.equal(permanent.status, 500);
      assert.equal(statusOf(permanent).code, Code.Internal);

      // Nothing was delivered by the failing calls; the next request goes through intact.
      assert.equal(capture.received.length, 0);
      assert.equal((await post(`${r.httpUrl}/v1/traces`, tracesBytes(), PROTO)).status, 200);
      assert.deepEqual(capture.items("traces"), flatten("traces", tracesBytes()));
    });
  });
});

describe("otelcol.receiver.otlp over HTTP: CORS and metadata", () => {
  const cors = `cors {\n allowed_origins = ["https://*.example.com", "http://exact.test"]\n allowed_headers = ["X-Custom"]\n exposed_headers = ["X-Trace"]\n max_age = 600\n }`;

  test("preflight from an allowed origin: 204 with the allow headers", async () => {
    await withHttp(cors, async (r) => {
      const res = await post(`${r.httpUrl}/v1/traces`, null, { origin: "https://app.example.com", "access-control-request-method": "POST", "access-control-request-headers": "content-type, x-custom" }, "OPTIONS");
      assert.equal(res.status, 204);
      assert.equal(res.headers.get("access-control-allow-origin"), "https://app.example.com");
      assert.equal(res.headers.get("access-control-allow-methods"), "POST");
      assert.equal(res.headers.get("access-control-allow-headers"), "content-type, x-custom");
      assert.equal(res.headers.get("access-control-max-age"), "600");
      assert.equal(res.headers.get("access-control-allow-credentials"), "true");
    });
  });

  test("preflight from another origin or with an unlisted header: 204 without allow headers", async () => {
    await withHttp(cors, async (r) => {
      const preflights: Array<Record<string, string>> = [
        { origin: "https://example.org", "access-control-request-method": "POST" },
        { origin: "https://app.example.com", "access-control-request-method": "POST", "access-control-request-headers": "x-other" },
      ];
      for (const headers of preflights) {
        const res = await post(`${r.httpUrl}/v1/traces`, null, headers, "OPTIONS");
        assert.equal(res.status, 204);
        assert.equal(res.headers.get("access-control-allow-origin"), null);
      }
    });
  });

  test("actual request from an allowed origin gets Access-Control-Allow-Origin; CORS off answers OPTIONS with 405", async () => {
    await withHttp(cors, async (r) => {
      const res = await post(`${r.httpUrl}/v1/traces`, tracesBytes(), { ...PROTO, origin: "http://exact.test" });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("access-control-allow-origin"), "http://exact.test");
      assert.equal(res.headers.get("access-control-expose-headers"), "X-Trace");
      assert.match(res.headers.get("vary") ?? "", /Origin/);
    });
    await withHttp("", async (r) => {
      const res = await post(`${r.httpUrl}/v1/traces`, null, { origin: "https://a.example.com", "access-control-request-method": "POST" }, "OPTIONS");
      assert.equal(res.status, 405);
      assert.equal(res.headers.get("access-control-allow-origin"), null);
    });
  });

  test("include_metadata attaches request headers (lowercase keys); without it nothing is attached", async () => {
    await withHttp(`include_metadata = true`, async (r, capture) => {
      await post(`${r.httpUrl}/v1/traces`, tracesBytes(), { ...PROTO, "X-Tenant": "acme" });
      const md = capture.received[0]!.metadata;
      assert.deepEqual(md.get("x-tenant"), ["acme"]);
      assert.deepEqual(md.get("content-type"), ["application/x-protobuf"]);
      assert.equal(md.has("host"), false);
    });
    await withHttp("", async (r, capture) => {
      await post(`${r.httpUrl}/v1/traces`, tracesBytes(), { ...PROTO, "X-Tenant": "acme" });
      assert.equal(capture.received[0]!.metadata.size, 0);
    });
  });
});
