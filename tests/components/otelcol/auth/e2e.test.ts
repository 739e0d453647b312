// Auth across components, loaded as a configuration: a receiver protected by otelcol.auth.basic
// forwards to an exporter that authenticates with otelcol.auth.bearer at a test sink.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { Code as GrpcCode, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { ExportTraceServiceRequestSchema, TraceService } from "../../../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { builtinRegistry } from "../../../../src/components/all.ts";
import { Controller } from "../../../../src/runtime/controller.ts";
import { createLogger, memorySink } from "../../../../src/runtime/logger.ts";
import { MetricsRegistry } from "../../../../src/runtime/metrics.ts";
import { stdlib } from "../../../../src/runtime/stdlib/index.ts";
import { componentDetail } from "../../../../src/server/components_api.ts";
import { formatShort } from "../../../../src/syntax/diag.ts";
import { startGrpcSink, startHttpSink } from "../../../helpers/otlp_sink.ts";
import { tracesBytes } from "../../../otlp/fixtures.ts";

const PASSWORD = "hunter2-very-secret";
const TOKEN = "tok-do-not-log-7f3a";
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;

function config(sinkUrl: string, grpcSink: string): string {
  return `
otelcol.auth.basic "in" {
  htpasswd { inline = "alice:${PASSWORD}" }
}
otelcol.auth.bearer "out" { token = "${TOKEN}" }
otelcol.receiver.otlp "r" {
  http {
    endpoint = "127.0.0.1:0"
    auth     = otelcol.auth.basic.in.handler
  }
  grpc {
    endpoint = "127.0.0.1:0"
    auth     = otelcol.auth.basic.in.handler
  }
  output { traces = [otelcol.exporter.otlphttp.e.input, otelcol.exporter.otlp.g.input] }
}
otelcol.exporter.otlphttp "e" {
  client {
    endpoint    = "${sinkUrl}"
    compression = "none"
    auth        = otelcol.auth.bearer.out.handler
  }
  sending_queue { enabled = false }
}
otelcol.exporter.otlp "g" {
  client {
    endpoint = "${grpcSink}"
    tls { insecure = true }
    auth     = otelcol.auth.bearer.out.handler
  }
  sending_queue { enabled = false }
}
`;
}

describe("auth end to end", () => {
  test("receiver refuses without credentials (401 / UNAUTHENTICATED), nothing flows; with them the exporter sends its token", async () => {
    const sink = await startHttpSink();
    const grpcSink = await startGrpcSink();
    const logs = memorySink("debug");
    const c = new Controller({
      registry: builtinRegistry(),
      logger: createLogger(logs),
      metrics: new MetricsRegistry(),
      storagePath: mkdtempSync(join(tmpdir(), "solder-auth-e2e-")),
      stability: "experimental",
      globals: stdlib({ version: "test", stability: "experimental" }),
      shutdownDeadlineMs: 10_000,
    });
    try {
      const diags = await c.load([{ name: "t.alloy", text: config(sink.url, grpcSink.endpoint) }]);
      assert.deepEqual(diags.filter((d) => d.severity === "error").map(formatShort), []);
      c.start();
      const receiver = c.get("otelcol.receiver.otlp.r")!;
      let info: Record<string, string> = {};
      for (let i = 0; i < 200 && !(info.http && info.grpc); i++) {
        await new Promise((r) => setTimeout(r, 10));
        info = (receiver.component?.debugInfo?.() ?? {}) as Record<string, string>;
      }
      const url = `http://${info.http}/v1/traces`;
      const post = (headers: Record<string, string>) =>
        fetch(url, { method: "POST", body: tracesBytes() as BodyInit, headers: { "content-type": "application/x-protobuf", ...headers } });

      // HTTP without / with wrong credentials: 401 with a google.rpc.Status (JSON here: the error handler follows Content-Type).
      const none = await fetch(url, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
      assert.equal(none.status, 401);
      assert.deepEqual(await none.json(), { code: 16, message: "no basic auth provided" });
      const wrong = await post({ authorization: basic("alice", "nope") });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.headers.get("content-type"), "application/x-protobuf");

      // gRPC without credentials: UNAUTHENTICATED.
      const request = fromBinary(ExportTraceServiceRequestSchema, tracesBytes());
      const grpc = createClient(TraceService, createGrpcTransport({ baseUrl: `http://${info.grpc}` }));
      const err = await grpc.export(request).then(
        () => undefined,
        (e: unknown) => ConnectError.from(e),
      );
      assert.equal(err?.code, GrpcCode.Unauthenticated);
      assert.match(err!.rawMessage, /no basic auth provided/);

      await new Promise((r) => setTimeout(r, 100));
      assert.equal(sink.requests.length + grpcSink.requests.length, 0, "nothing reached the pipeline");

      // With credentials: through to the sink, with the exporter's bearer token.
      const ok = await post({ authorization: basic("alice", PASSWORD) });
      assert.equal(ok.status, 200);
      await grpc.export(request, { headers: { authorization: basic("alice", PASSWORD) } });
      const got = [...(await sink.waitForRequests(2)), ...(await grpcSink.waitForRequests(2))];
      for (const r of got) {
        assert.equal(r.headers.authorization, `Bearer ${TOKEN}`);
        assert.equal(r.batch().itemCount(), fromBinary(ExportTraceServiceRequestSchema, tracesBytes()).resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans)).length);
      }

      // Secrets never in the components API or the logs.
      const api = JSON.stringify(["otelcol.auth.basic.in", "otelcol.auth.bearer.out", "otelcol.receiver.otlp.r", "otelcol.exporter.otlphttp.e"].map((id) => componentDetail(c, c.get(id)!)));
      assert.ok(api.includes("(secret)"));
      assert.ok(!api.includes(PASSWORD) && !api.includes(TOKEN));
      const logText = logs.lines.join("\n");
      assert.ok(!logText.includes(PASSWORD) && !logText.includes(TOKEN), "no secret in logs");
    } finally {
      await c.stop();
      await sink.close();
      await grpcSink.close();
    }
  });
});
