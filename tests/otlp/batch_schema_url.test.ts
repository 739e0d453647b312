import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { ExportTraceServiceRequestSchema } from "../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { ExportLogsServiceRequestSchema } from "../../gen/opentelemetry/proto/collector/logs/v1/logs_service_pb.ts";
import { Batch } from "../../src/otlp/batch.ts";
import { logs, traces } from "./fixtures.ts";

const URL = "https://opentelemetry.io/schemas/1.6.1";

describe("Batch.setSchemaUrlIfEmpty", () => {
  test("fills only empty entry schema URLs and keeps the batch lite", () => {
    const b = Batch.decode("traces", toBinary(ExportTraceServiceRequestSchema, traces()));
    b.setSchemaUrlIfEmpty(URL);
    assert.ok(b.isLite());
    const out = fromBinary(ExportTraceServiceRequestSchema, b.toBinary());
    assert.deepEqual(out.resourceSpans.map((r) => r.schemaUrl), ["https://opentelemetry.io/schemas/1.26.0", URL]);
    // Scope-level schema URLs are not touched.
    assert.equal(out.resourceSpans[0]!.scopeSpans[0]!.schemaUrl, "s1");
    assert.equal(out.resourceSpans[0]!.scopeSpans[2]!.schemaUrl, "");
  });

  test("works on full entries too", () => {
    const b = Batch.decode("logs", toBinary(ExportLogsServiceRequestSchema, logs()));
    b.full();
    b.setSchemaUrlIfEmpty(URL);
    assert.deepEqual(b.full().map((r) => r.schemaUrl), [URL, URL]);
  });
});
