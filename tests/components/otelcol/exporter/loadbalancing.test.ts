import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { create, toBinary } from "@bufbuild/protobuf";
import { ExportTraceServiceRequestSchema } from "../../../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { loadBalancingExporter, HashRing, resolveHost, DNS_SERVER_ENV } from "../../../../src/components/otelcol/exporter/loadbalancing.ts";
import { Batch } from "../../../../src/otlp/batch.ts";
import { startDnsServer } from "../../../helpers/dns_server.ts";
import { type GrpcSink, closedPort, startGrpcSink } from "../../../helpers/otlp_sink.ts";
import { decode, start } from "./harness.ts";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StorageHandler } from "../../../../src/components/otelcol/storage/handler.ts";
import type { Consumer } from "../../../../src/otlp/consumer.ts";
import { createLogger, memorySink } from "../../../../src/runtime/logger.ts";
import { MetricsRegistry } from "../../../../src/runtime/metrics.ts";
import type { Capsule } from "../../../../src/runtime/value.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** `traces` traces of `spans` spans each, from trace number `from`, in one lite batch; service = svc<trace % 5>. */
function traceBatch(from: number, traces: number, spans = 3): Batch<"traces"> {
  const resourceSpans = Array.from({ length: 5 }, (_, svc) => ({
    resource: { attributes: [{ key: "service.name", value: { value: { case: "stringValue" as const, value: `svc${svc}` } } }] },
    scopeSpans: [
      {
        scope: { name: "lib" },
        spans: Array.from({ length: traces }, (_, k) => from + k)
          .filter((t) => t % 5 === svc)
          .flatMap((t) =>
            Array.from({ length: spans }, (_, s) => ({
              traceId: Uint8Array.from({ length: 16 }, (_, j) => (j < 4 ? (t >>> (8 * j)) & 0xff : (t * 31 + j) & 0xff)),
              spanId: Uint8Array.of(s + 1, 0, 0, 0, 0, 0, 0, 1),
              name: `t${t}s${s}`,
            })),
          ),
      },
    ],
  }));
  return Batch.decode("traces", toBinary(ExportTraceServiceRequestSchema, create(ExportTraceServiceRequestSchema, { resourceSpans })));
}

/** trace id (hex) → sink indexes and span count, from what the sinks received. */
function owners(sinks: GrpcSink[]): Map<string, { sinks: Set<number>; spans: number }> {
  const out = new Map<string, { sinks: Set<number>; spans: number }>();
  sinks.forEach((sink, i) => {
    for (const req of sink.requests) {
      for (const rs of req.batch().full() as { scopeSpans: { spans: { traceId: Uint8Array }[] }[] }[]) {
        for (const ss of rs.scopeSpans) {
          for (const sp of ss.spans) {
            const id = hex(sp.traceId);
            const o = out.get(id) ?? { sinks: new Set<number>(), spans: 0 };
            o.sinks.add(i);
            o.spans++;
            out.set(id, o);
          }
        }
      }
    }
  });
  return out;
}

function spansAt(sink: GrpcSink): number {
  return sink.requests.reduce((n, r) => n + r.batch().itemCount(), 0);
}

async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

const body = (resolver: string, extra = "") => `${extra}
resolver {
  ${resolver}
}
protocol {
  otlp {
    client {
      compression = "none"
      tls { insecure = true }
    }
    retry { initial_interval = "20ms"
      max_interval = "100ms" }
  }
}`;

const staticOf = (sinks: { endpoint: string }[]) => `static { hostnames = [${sinks.map((s) => `"${s.endpoint}"`).join(", ")}] }`;

describe("otelcol.exporter.loadbalancing", () => {
  test("defaults and validation", () => {
    const ok = decode(loadBalancingExporter, `resolver { static { hostnames = ["a:4317"] } }`);
    assert.deepEqual(ok.errors, []);
    assert.equal(ok.args.routing_key, "traceID");
    assert.equal(ok.args.protocol.otlp.timeout, 5_000);
    assert.equal(ok.args.protocol.otlp.client.compression, "gzip");
    assert.equal(ok.args.queue.enabled, false);
    assert.equal(ok.args.protocol.otlp.queue.enabled, true);
    const dns = decode(loadBalancingExporter, `resolver { dns { hostname = "x.test" } }`);
    assert.deepEqual([dns.args.resolver.dns?.port, dns.args.resolver.dns?.interval, dns.args.resolver.dns?.timeout], ["4317", 5_000, 1_000]);
    assert.match(decode(loadBalancingExporter, `resolver { kubernetes { service = "lb" } }`).errors.join(), /kubernetes is not supported yet/);
    assert.match(decode(loadBalancingExporter, `routing_key = "metric"\nresolver { static { hostnames = ["a"] } }`).errors.join(), /not supported yet/);
    assert.match(decode(loadBalancingExporter, `routing_key = "bogus"\nresolver { static { hostnames = ["a"] } }`).errors.join(), /unsupported routing_key/);
    assert.match(decode(loadBalancingExporter, `resolver { }`).errors.join(), /static or dns/);
  });

  test("ring: deterministic, even, and removing a backend only moves its own keys", () => {
    const eps = ["10.0.0.1:4317", "10.0.0.2:4317", "10.0.0.3:4317"];
    const a = new HashRing(eps);
    const b = new HashRing([...eps].reverse());
    const smaller = new HashRing(eps.slice(0, 2));
    const counts = new Map<string, number>();
    for (let i = 0; i < 30_000; i++) {
      const key = new TextEncoder().encode(`trace-${i}`);
      const owner = a.endpointFor(key);
      assert.equal(b.endpointFor(key), owner);
      counts.set(owner, (counts.get(owner) ?? 0) + 1);
      if (owner !== eps[2]) assert.equal(smaller.endpointFor(key), owner);
    }
    for (const ep of eps) assert.ok(counts.get(ep)! > 6_000, `${ep}: ${counts.get(ep)}`);
  });

  test("traceID routing: 1,200 traces land whole on exactly one of three backends, evenly", async () => {
    const sinks = await Promise.all([startGrpcSink(), startGrpcSink(), startGrpcSink()]);
    const lb = await start(loadBalancingExporter, body(staticOf(sinks)));
    try {
      for (let from = 0; from < 1200; from += 100) {
        const batch = traceBatch(from, 100);
        await lb.input.consumeTraces(batch);
      }
      await waitFor(() => sinks.reduce((n, s) => n + spansAt(s), 0) >= 3600);
      const seen = owners(sinks);
      assert.equal(seen.size, 1200);
      for (const o of seen.values()) {
        assert.equal(o.sinks.size, 1);
        assert.equal(o.spans, 3);
      }
      for (const s of sinks) assert.ok(spansAt(s) > 3600 * 0.2, `uneven: ${sinks.map(spansAt)}`);
    } finally {
      await lb.stop();
      await Promise.all(sinks.map((s) => s.close()));
    }
  });

  test("service routing keeps the input lite and sends each service to one backend", async () => {
    const sinks = await Promise.all([startGrpcSink(), startGrpcSink(), startGrpcSink()]);
    const lb = await start(loadBalancingExporter, body(staticOf(sinks), `routing_key = "service"`));
    try {
      const batch = traceBatch(0, 200);
      await lb.input.consumeTraces(batch);
      assert.ok(batch.isLite());
      await waitFor(() => sinks.reduce((n, s) => n + spansAt(s), 0) >= 600);
      const services = new Map<string, Set<number>>();
      sinks.forEach((s, i) =>
        s.requests.forEach((r) => r.batch().resources().forEach((res) => {
          const name = String(res.attributes[0]?.value?.value.value);
          services.set(name, (services.get(name) ?? new Set()).add(i));
        })),
      );
      assert.equal(services.size, 5);
      for (const owners of services.values()) assert.equal(owners.size, 1);
    } finally {
      await lb.stop();
      await Promise.all(sinks.map((s) => s.close()));
    }
  });

  test("a backend that is down and then dropped from the resolver: its data goes to the new owners, none lost", async () => {
    const sinks = await Promise.all([startGrpcSink(), startGrpcSink()]);
    const dead = `127.0.0.1:${await closedPort()}`;
    const all = [...sinks, { endpoint: dead }];
    const lb = await start(loadBalancingExporter, body(staticOf(all)));
    try {
      for (let from = 0; from < 1200; from += 100) await lb.input.consumeTraces(traceBatch(from, 100));
      // Everything owned by live backends arrives; the dead one's share is retried meanwhile.
      await new Promise((r) => setTimeout(r, 300));
      const before = sinks.reduce((n, s) => n + spansAt(s), 0);
      assert.ok(before < 3600 && before > 1200, `before: ${before}`);
      const { args } = decode(loadBalancingExporter, body(staticOf(sinks)));
      lb.component.update(args);
      await waitFor(() => sinks.reduce((n, s) => n + spansAt(s), 0) >= 3600);
      const seen = owners(sinks);
      assert.equal(seen.size, 1200);
      for (const o of seen.values()) assert.deepEqual([o.sinks.size, o.spans], [1, 3]);
    } finally {
      await lb.stop();
      await Promise.all(sinks.map((s) => s.close()));
    }
  });

  test("dns resolver: a test DNS server's answer is used and changes are picked up", async () => {
    const dns = await startDnsServer({ "backends.test": ["127.0.0.1"] });
    const sink = await startGrpcSink();
    const port = sink.endpoint.split(":")[1]!;
    const saved = process.env[DNS_SERVER_ENV];
    process.env[DNS_SERVER_ENV] = dns.address;
    const lb = await start(loadBalancingExporter, body(`dns {\n hostname = "backends.test"\n port = "${port}"\n interval = "50ms"\n }`));
    try {
      assert.deepEqual(await resolveHost("backends.test", 1000), ["127.0.0.1"]);
      await waitFor(() => dns.queries.length > 0);
      await waitFor(() => lb.logs.some((l) => l.includes(`endpoints=127.0.0.1:${port}`)));
      await lb.input.consumeTraces(traceBatch(0, 50));
      await waitFor(() => spansAt(sink) >= 150);
      // The answer changes: the ring follows (other addresses on the same port).
      dns.records.set("backends.test", ["127.0.0.1", "127.0.0.2"]);
      await waitFor(() => lb.logs.some((l) => l.includes(`127.0.0.1:${port},127.0.0.2:${port}`)));
      assert.deepEqual(await resolveHost("backends.test", 1000), ["127.0.0.1", "127.0.0.2"]);
      // A failing lookup keeps the previous backends.
      dns.records.delete("backends.test");
      await waitFor(() => lb.logs.some((l) => l.includes("DNS resolution failed")));
      assert.ok(dns.queries.every((q) => q.endsWith("backends.test")));
    } finally {
      await lb.stop();
      if (saved === undefined) delete process.env[DNS_SERVER_ENV];
      else process.env[DNS_SERVER_ENV] = saved;
      await sink.close();
      await dns.close();
    }
  });

  test("a persistent backend queue keeps what the drain could not send and sends it after a restart", async () => {
    const sink = await startGrpcSink();
    const dir = mkdtempSync(join(tmpdir(), "solder-lb-"));
    const storage = new StorageHandler("otelcol.storage.file.q", () => ({ directory: dir, create_directory: true, directory_permissions: "0750", fsync: false, compactOnStart: false }));
    const run = async () => {
      const { args, errors } = decode(loadBalancingExporter, body(staticOf([sink])));
      assert.deepEqual(errors, []);
      args.protocol.otlp.queue.storage = storage;
      let input: Consumer | undefined;
      const c = await loadBalancingExporter.build(
        { id: "otelcol.exporter.loadbalancing.lb", dataPath: dir, logger: createLogger(memorySink()), metrics: new MetricsRegistry(), drainTimeoutMs: 300, onStateChange: (e) => (input = (e.input as Capsule<Consumer>).value) },
        args,
      );
      const abort = new AbortController();
      const running = c.run(abort.signal);
      return { input: input!, stop: () => (abort.abort(), running) };
    };
    try {
      // The first send hangs past the drain: it stays in the backend's queue log.
      sink.reply({ delayMs: 5_000 });
      const first = await run();
      await first.input.consumeTraces(traceBatch(0, 10));
      await waitFor(() => sink.requests.length === 1);
      await first.stop();
      assert.ok(existsSync(join(dir, `otelcol.exporter.loadbalancing.lb_${sink.endpoint.replace(/[^A-Za-z0-9._-]/g, "_")}`)));
      const second = await run();
      await waitFor(() => sink.requests.length === 2);
      assert.equal(spansAt(sink), 60);
      await second.stop();
    } finally {
      await sink.close();
    }
  });
});
