// Our OTLP schemas (proto/ → gen/) must match upstream v1.11.0 field for field: names, numbers,
// types, labels, oneofs, reserved numbers, enum values and service methods, as listed in the
// wire tables of shared/spec/otlp-wire. scripts/check-gen.sh guarantees gen/ matches proto/.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { DescFile } from "@bufbuild/protobuf";
import { file_google_rpc_error_details } from "../../gen/google/rpc/error_details_pb.ts";
import { file_google_rpc_status } from "../../gen/google/rpc/status_pb.ts";
import { file_opentelemetry_proto_collector_logs_v1_logs_service } from "../../gen/opentelemetry/proto/collector/logs/v1/logs_service_pb.ts";
import { file_opentelemetry_proto_collector_metrics_v1_metrics_service } from "../../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { file_opentelemetry_proto_collector_profiles_v1development_profiles_service } from "../../gen/opentelemetry/proto/collector/profiles/v1development/profiles_service_pb.ts";
import { file_opentelemetry_proto_collector_trace_v1_trace_service } from "../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { file_opentelemetry_proto_common_v1_common } from "../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import { file_opentelemetry_proto_logs_v1_logs } from "../../gen/opentelemetry/proto/logs/v1/logs_pb.ts";
import { file_opentelemetry_proto_metrics_v1_metrics } from "../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { file_opentelemetry_proto_processcontext_v1development_process_context } from "../../gen/opentelemetry/proto/processcontext/v1development/process_context_pb.ts";
import { file_opentelemetry_proto_profiles_v1development_profiles } from "../../gen/opentelemetry/proto/profiles/v1development/profiles_pb.ts";
import { file_opentelemetry_proto_resource_v1_resource } from "../../gen/opentelemetry/proto/resource/v1/resource_pb.ts";
import { file_opentelemetry_proto_trace_v1_trace } from "../../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import { file_lite_opentelemetry_proto_collector_logs_v1_logs_service } from "../../gen/lite/opentelemetry/proto/collector/logs/v1/logs_service_pb.ts";
import { file_lite_opentelemetry_proto_collector_metrics_v1_metrics_service } from "../../gen/lite/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { file_lite_opentelemetry_proto_collector_trace_v1_trace_service } from "../../gen/lite/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { allMessages, lineDiff, readWireTables, wireLinesOf } from "./descriptors.ts";

const otlpFiles: DescFile[] = [
  file_opentelemetry_proto_common_v1_common,
  file_opentelemetry_proto_resource_v1_resource,
  file_opentelemetry_proto_trace_v1_trace,
  file_opentelemetry_proto_metrics_v1_metrics,
  file_opentelemetry_proto_logs_v1_logs,
  file_opentelemetry_proto_profiles_v1development_profiles,
  file_opentelemetry_proto_processcontext_v1development_process_context,
  file_opentelemetry_proto_collector_trace_v1_trace_service,
  file_opentelemetry_proto_collector_metrics_v1_metrics_service,
  file_opentelemetry_proto_collector_logs_v1_logs_service,
  file_opentelemetry_proto_collector_profiles_v1development_profiles_service,
];

const wire = readWireTables();
const ours = wireLinesOf(otlpFiles);

/** "a.b.Msg.Inner.field 1 …" → "a.b.Msg.Inner" (everything before the last dot of column 1). */
function ownerOf(line: string): string {
  const name = line.split(" ")[0] ?? "";
  return name.slice(0, name.lastIndexOf("."));
}

/** "a.b.v1.Msg.field" → "a.b.v1": the segments before the first capitalised one. */
function packageOf(line: string): string {
  const segments = (line.split(" ")[0] ?? "").split(".");
  const first = segments.findIndex((s) => /^[A-Z]/.test(s));
  return segments.slice(0, first).join(".");
}

/** Groups lines by their owner, keeping their order: owner → member names. */
function membersByOwner(lines: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const line of lines) {
    const name = line.split(" ")[0] ?? "";
    (out[ownerOf(line)] ??= []).push(name.slice(name.lastIndexOf(".") + 1));
  }
  return out;
}

describe("OTLP v1.11.0 wire tables", () => {
  test("the wire tables were found and are not empty", () => {
    assert.ok(wire.fields.length > 200, `only ${wire.fields.length} field rows`);
    assert.ok(wire.reserved.length > 0 && wire.enums.length > 0 && wire.services.length > 0);
  });

  test("we have a file for every package in the tables, and no other", () => {
    const want = new Set(wire.fields.map(packageOf));
    const got = new Set(otlpFiles.map((f) => f.proto.package));
    assert.deepEqual([...got].sort(), [...want].sort());
  });

  test("every field matches: name, number, type and label", () => {
    assert.deepEqual(lineDiff(ours.fields, wire.fields), { missing: [], extra: [] });
  });

  test("fields are declared in upstream order", () => {
    assert.deepEqual(membersByOwner(ours.fields), membersByOwner(wire.fields));
  });

  test("every message we declare is in the tables", () => {
    const listed = new Set(wire.fields.map(ownerOf));
    const unlisted = allMessages(otlpFiles)
      .map((m) => m.typeName)
      .filter((name) => !listed.has(name));
    assert.deepEqual(unlisted, []);
  });

  test("reserved numbers match", () => {
    assert.deepEqual(lineDiff(ours.reserved, wire.reserved), { missing: [], extra: [] });
    const reservedNames = allMessages(otlpFiles).flatMap((m) => m.proto.reservedName);
    assert.deepEqual(reservedNames, []);
  });

  test("enums and their values match, in order", () => {
    assert.deepEqual(lineDiff(ours.enums, wire.enums), { missing: [], extra: [] });
    assert.deepEqual(membersByOwner(ours.enums), membersByOwner(wire.enums));
  });

  test("services, methods and gRPC paths match", () => {
    assert.deepEqual(lineDiff(ours.services, wire.services), { missing: [], extra: [] });
    for (const file of otlpFiles) {
      for (const s of file.services) {
        for (const m of s.methods) assert.equal(m.methodKind, "unary", `${s.typeName}.${m.name}`);
      }
    }
  });

  test("no field is deprecated and JSON names are plain lowerCamelCase", () => {
    for (const m of allMessages(otlpFiles)) {
      for (const f of m.fields) {
        assert.equal(f.deprecated, false, `${m.typeName}.${f.name}`);
        const camel = f.name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
        assert.equal(f.jsonName, camel, `${m.typeName}.${f.name}`);
      }
    }
  });
});

describe("google.rpc", () => {
  const lines = wireLinesOf([file_google_rpc_status, file_google_rpc_error_details]).fields;

  test("Status matches googleapis", () => {
    const status = lines.filter((l) => l.startsWith("google.rpc.Status."));
    assert.deepEqual(status, [
      "google.rpc.Status.code 1 int32 singular",
      "google.rpc.Status.message 2 string singular",
      "google.rpc.Status.details 3 google.protobuf.Any repeated",
    ]);
  });

  test("RetryInfo and BadRequest match googleapis", () => {
    for (const want of [
      "google.rpc.RetryInfo.retry_delay 1 google.protobuf.Duration singular",
      "google.rpc.BadRequest.field_violations 1 google.rpc.BadRequest.FieldViolation repeated",
      "google.rpc.BadRequest.FieldViolation.field 1 string singular",
      "google.rpc.BadRequest.FieldViolation.description 2 string singular",
    ]) {
      assert.ok(lines.includes(want), want);
    }
  });
});

describe("lite view", () => {
  const signals = [
    { file: file_lite_opentelemetry_proto_collector_trace_v1_trace_service, pkg: "trace", res: "ResourceSpans", scope: "scope_spans", svc: "TraceService", req: "ExportTraceServiceRequest" },
    { file: file_lite_opentelemetry_proto_collector_metrics_v1_metrics_service, pkg: "metrics", res: "ResourceMetrics", scope: "scope_metrics", svc: "MetricsService", req: "ExportMetricsServiceRequest" },
    { file: file_lite_opentelemetry_proto_collector_logs_v1_logs_service, pkg: "logs", res: "ResourceLogs", scope: "scope_logs", svc: "LogsService", req: "ExportLogsServiceRequest" },
  ] as const;

  for (const s of signals) {
    const collector = `opentelemetry.proto.collector.${s.pkg}.v1`;
    const data = `opentelemetry.proto.${s.pkg}.v1`;
    const lite = wireLinesOf([s.file]);
    // Rewrite the upstream rows into what the lite file must declare: the Resource* message
    // becomes <collector>.<Resource*>Lite with the scope list as repeated bytes (the same wire
    // type, LEN, as a repeated message), and the request points at it.
    const liteName = (name: string): string =>
      name
        .replace(`${data}.${s.res} `, `${collector}.${s.res}Lite `)
        .replace(`${data}.${s.res}.`, `${collector}.${s.res}Lite.`)
        .replace(`${collector}.${s.req}.`, `${collector}.${s.req}Lite.`)
        .replace(`${collector}.${s.req} `, `${collector}.${s.req}Lite `);

    test(`${s.pkg}: lite messages are wire-identical to upstream`, () => {
      const want = wire.fields
        .filter((l) => l.startsWith(`${collector}.`) || l.startsWith(`${data}.${s.res}.`))
        .map((l) => liteName(l).replace(` ${data}.Scope${s.res.slice("Resource".length)} `, " bytes "));
      assert.deepEqual([...lite.fields].sort(), want.sort());
      assert.ok(lite.fields.includes(`${collector}.${s.res}Lite.${s.scope} 2 bytes repeated`));
    });

    test(`${s.pkg}: lite reserved numbers match upstream`, () => {
      const want = wire.reserved.filter((l) => l.startsWith(`${data}.${s.res} `)).map(liteName);
      assert.deepEqual(lite.reserved, want);
    });

    test(`${s.pkg}: lite service keeps the upstream gRPC path`, () => {
      const want = wire.services
        .filter((l) => l.startsWith(`${collector}.${s.svc}.`))
        .map((l) => l.replace(` ${collector}.${s.req} `, ` ${collector}.${s.req}Lite `));
      assert.deepEqual(lite.services, want);
      assert.ok(want[0]?.endsWith(` /${collector}.${s.svc}/Export`));
    });
  }
});
