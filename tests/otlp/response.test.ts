// Export*ServiceResponse bodies, binary and JSON, with and without partial success (otlp.md §1, §2).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { fromBinary } from "@bufbuild/protobuf";
import { ExportTraceServiceResponseSchema } from "../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { BatchDecodeError, type Signal, decodeResponse, encodeResponse } from "../../src/otlp/batch.ts";

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("encodeResponse", () => {
  test("success is {} in JSON and empty in binary", () => {
    assert.equal(encodeResponse("traces", undefined, "json"), "{}");
    assert.deepEqual(encodeResponse("logs", undefined, "proto"), new Uint8Array(0));
  });

  test("partial success in JSON names the signal's field, 64-bit count as a string", () => {
    assert.equal(encodeResponse("traces", { rejected: 3, message: "x" }, "json"), '{"partialSuccess":{"rejectedSpans":"3","errorMessage":"x"}}');
    assert.equal(encodeResponse("metrics", { rejected: 1, message: "m" }, "json"), '{"partialSuccess":{"rejectedDataPoints":"1","errorMessage":"m"}}');
    assert.equal(encodeResponse("logs", { rejected: 2, message: "" }, "json"), '{"partialSuccess":{"rejectedLogRecords":"2"}}');
  });

  test("partial success in binary", () => {
    const bytes = encodeResponse("traces", { rejected: 3, message: "x" }, "proto") as Uint8Array;
    const res = fromBinary(ExportTraceServiceResponseSchema, bytes);
    assert.equal(res.partialSuccess?.rejectedSpans, 3n);
    assert.equal(res.partialSuccess?.errorMessage, "x");
  });
});

describe("decodeResponse", () => {
  test("reads the spec's JSON example", () => {
    const body = utf8('{"partialSuccess":{"rejectedSpans":"3","errorMessage":"x"}}');
    assert.deepEqual(decodeResponse("traces", body, "json"), { rejected: 3, message: "x" });
  });

  test("numbers or strings, unknown fields ignored", () => {
    const body = utf8('{"partialSuccess":{"rejectedLogRecords":4,"extra":true},"more":1}');
    assert.deepEqual(decodeResponse("logs", body, "json"), { rejected: 4, message: "" });
  });

  test("a warning with nothing rejected is a partial success", () => {
    const body = utf8('{"partialSuccess":{"errorMessage":"slow down"}}');
    assert.deepEqual(decodeResponse("metrics", body, "json"), { rejected: 0, message: "slow down" });
  });

  test("success: {}, an empty body, or an empty partial_success", () => {
    assert.equal(decodeResponse("traces", utf8("{}"), "json"), undefined);
    assert.equal(decodeResponse("traces", new Uint8Array(0), "json"), undefined);
    assert.equal(decodeResponse("traces", new Uint8Array(0), "proto"), undefined);
    assert.equal(decodeResponse("traces", utf8('{"partialSuccess":{}}'), "json"), undefined);
    assert.equal(decodeResponse("traces", Uint8Array.of(0x0a, 0x00), "proto"), undefined);
  });

  for (const signal of ["traces", "metrics", "logs"] as Signal[]) {
    for (const format of ["proto", "json"] as const) {
      test(`${signal}/${format}: round trip`, () => {
        const partial = { rejected: 17, message: "some were bad" };
        const body = encodeResponse(signal, partial, format);
        const bytes = typeof body === "string" ? utf8(body) : body;
        assert.deepEqual(decodeResponse(signal, bytes, format), partial);
        const ok = encodeResponse(signal, undefined, format);
        assert.equal(decodeResponse(signal, typeof ok === "string" ? utf8(ok) : ok, format), undefined);
      });
    }
  }

  test("garbage is a BatchDecodeError", () => {
    assert.throws(() => decodeResponse("traces", utf8("<html>"), "json"), BatchDecodeError);
    assert.throws(() => decodeResponse("traces", utf8('{"partialSuccess":5}'), "json"), BatchDecodeError);
    assert.throws(() => decodeResponse("traces", Uint8Array.of(0x0a, 0x05, 0x01), "proto"), BatchDecodeError);
  });
});
