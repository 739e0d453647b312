import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import { ExportMetricsServiceRequestSchema } from "../../../../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { ExportTraceServiceRequestSchema } from "../../../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { SCHEME_OVERRIDE_ENV, SERVICE_ACCOUNT_DIR_ENV } from "../../../../src/components/otelcol/processor/resourcedetection/detectors/kubernetes_node.ts";
import { startFakeK8sApi } from "../../../helpers/k8s_api.ts";
import { GrpcCode } from "../../../helpers/otlp_sink.ts";
import { loadBalancingExporter, HashRing, resolveHost, DNS_SERVER_ENV } from "../../../../src/components/otelcol/exporter/loadbalancing.ts";
import { Batch } from "../../../../src/otlp/batch.ts";
import { startDnsServer } from "../../../helpers/dns_server.ts";
import { type GrpcSink, closedPort, startGrpcSink } from "../../../helpers/otlp_sink.ts";
import { decode, start } from "./harness.ts";
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

/** Metrics: `names` gauges, each with points for hosts h0..h<hosts-1>, under 2 resources; lite. */
function metricBatch(names: number, hosts: number): Batch<"metrics"> {
  const resourceMetrics = [0, 1].map((r) => ({
    resource: { attributes: [{ key: "service.name", value: { value: { case: "stringValue" as const, value: `svc${r}` } } }] },
    scopeMetrics: [
      {
        scope: { name: "meter" },
        metrics: Array.from({ length: names }, (_, n) => ({
          name: `m${n}`,
          data: {
            case: "gauge" as const,
            value: {
              dataPoints: Array.from({ length: hosts }, (_, h) => ({
                attributes: [{ key: "host", value: { value: { case: "stringValue" as const, value: `h${h}` } } }],
                value: { case: "asInt" as const, value: BigInt(h) },
              })),
            },
          },
        })),
      },
    ],
  }));
  return Batch.decode("metrics", toBinary(ExportMetricsServiceRequestSchema, create(ExportMetricsServiceRequestSchema, { resourceMetrics })));
}

/** key ("svc/metric/host") → sink indexes, from metrics the sinks received. */
function metricOwners(sinks: GrpcSink[]): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  sinks.forEach((sink, i) => {
    for (const req of sink.requests) {
      if (req.signal !== "metrics") continue;
      for (const rm of (req.batch() as Batch<"metrics">).full()) {
        const svc = String(rm.resource?.attributes[0]?.value?.value.value);
        for (const sm of rm.scopeMetrics)
          for (const m of sm.metrics)
            for (const dp of m.data.case === "gauge" ? m.data.value.dataPoints : []) {
              const key = `${svc}/${m.name}/${String(dp.attributes[0]?.value?.value.value)}`;
              out.set(key, (out.get(key) ?? new Set()).add(i));
            }
      }
    }
  });
  return out;
}

/** Sets environment variables for the duration of a test; returns the undo. */
function withEnv(vars: Record<string, string>): () => void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

const staticOf = (sinks: { endpoint: string }[]) => `static { hostnames = [${sinks.map((s) => `"${s.endpoint}"`).join(", ")}] }`;

describe("otelcol.exporter.loadbalancing", () => {
  test("defaults and validation", () => {
    const ok = decode(loadBalancingExporter, `resolver { static { hostnames = ["a:4317"] } }`);
    assert.deepEqual(ok.errors, []);
    assert.equal(ok.args.routing_key, "traceID");
    assert.equal(ok.args.protocol.otlp.timeout, 5_000);
    assert.equal(ok.args.protocol.otlp.client.compression, "gzip");
    assert.equal(ok.args.sending_queue.enabled, false);
    assert.equal(ok.args.retry_on_failure.enabled, false);
    assert.equal(ok.args.protocol.otlp.queue.enabled, true);
    const dns = decode(loadBalancingExporter, `resolver { dns { hostname = "x.test" } }`);
    assert.deepEqual([dns.args.resolver.dns?.port, dns.args.resolver.dns?.interval, dns.args.resolver.dns?.timeout], ["4317", 5_000, 1_000]);
    const k8s = decode(loadBalancingExporter, `resolver { kubernetes { service = "lb" } }`);
    assert.deepEqual(k8s.errors, []);
    assert.deepEqual(k8s.args.resolver.kubernetes, { service: "lb", ports: [4317], timeout: 1_000, return_hostnames: false });
    assert.match(decode(loadBalancingExporter, `resolver { kubernetes {\n service = "lb"\n ports = [] } }`).errors.join(), /ports must not be empty/);
    assert.match(decode(loadBalancingExporter, `resolver { aws_cloud_map {\n namespace = "n"\n service_name = "s" } }`).errors.join(), /aws_cloud_map is not supported by solder/);
    for (const key of ["metric", "streamID", "resource", "service", "traceID"]) assert.deepEqual(decode(loadBalancingExporter, `routing_key = "${key}"\nresolver { static { hostnames = ["a"] } }`).errors, []);
    assert.match(decode(loadBalancingExporter, `routing_key = "bogus"\nresolver { static { hostnames = ["a"] } }`).errors.join(), /invalid routing key "bogus"/);
    assert.match(decode(loadBalancingExporter, `resolver { }`).errors.join(), /one of static, dns or kubernetes/);
    assert.match(decode(loadBalancingExporter, `sending_queue { enabled = true }\nretry_on_failure { enabled = true }\nresolver { static { hostnames = ["a"] } }`).errors.join(), /^$/);
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

  test("metric and streamID routing: each metric name / each stream lands on exactly one backend", async () => {
    const sinks = await Promise.all([startGrpcSink(), startGrpcSink(), startGrpcSink()]);
    const byName = await start(loadBalancingExporter, body(staticOf(sinks), `routing_key = "metric"`));
    try {
      await byName.input.consumeMetrics(metricBatch(30, 4));
      await waitFor(() => sinks.reduce((n, s) => n + spansAt(s), 0) >= 240);
      const owners = metricOwners(sinks);
      assert.equal(owners.size, 240);
      // All points of one metric name (both services, all hosts) on one backend.
      const byMetric = new Map<string, Set<number>>();
      for (const [key, set] of owners) {
        assert.equal(set.size, 1, key);
        const name = key.split("/")[1]!;
        byMetric.set(name, new Set([...(byMetric.get(name) ?? []), ...set]));
      }
      for (const [name, set] of byMetric) assert.equal(set.size, 1, name);
      assert.ok(new Set([...byMetric.values()].map((s) => [...s][0])).size >= 2, "30 names all on one backend");
      // Traces are not routed by metric name: refused permanently, as Alloy has no traces consumer here.
      await assert.rejects(byName.input.consumeTraces(traceBatch(0, 5)), (e: Error & { permanent?: boolean }) => /telemetry type is not supported/.test(e.message) && e.permanent === true);
    } finally {
      await byName.stop();
    }
    for (const s of sinks) s.requests.length = 0;
    const byStream = await start(loadBalancingExporter, body(staticOf(sinks), `routing_key = "streamID"`));
    try {
      await byStream.input.consumeMetrics(metricBatch(5, 40));
      await waitFor(() => sinks.reduce((n, s) => n + spansAt(s), 0) >= 400);
      const owners = metricOwners(sinks);
      assert.equal(owners.size, 400);
      for (const [key, set] of owners) assert.equal(set.size, 1, key);
      // One metric's points are spread: streams, not names, decide.
      const perName = new Set([...owners].filter(([k]) => k.startsWith("svc0/m0/")).map(([, set]) => [...set][0]));
      assert.ok(perName.size >= 2, "the 40 streams of one metric all went to one backend");
      await assert.rejects(byStream.input.consumeLogs(Batch.empty("logs")), /telemetry type is not supported/);
    } finally {
      await byStream.stop();
    }
    const byTrace = await start(loadBalancingExporter, body(staticOf(sinks)));
    try {
      await assert.rejects(byTrace.input.consumeMetrics(metricBatch(1, 1)), /routing_key "traceID" accepts traces and logs only/);
    } finally {
      await byTrace.stop();
      await Promise.all(sinks.map((s) => s.close()));
    }
  });

  test("a failing backend that leaves the ring: its queued and retrying data goes to the new owners at once, none lost", async () => {
    const sinks = await Promise.all([startGrpcSink(), startGrpcSink(), startGrpcSink()]);
    // The third backend refuses everything; its retries wait 20 s, far beyond this test.
    sinks[2]!.reply(...Array.from({ length: 500 }, () => ({ code: GrpcCode.Unavailable })));
    const slow = (resolver: string) =>
      body(resolver).replace('retry { initial_interval = "20ms"\n      max_interval = "100ms" }', 'retry { initial_interval = "20s"\n      max_interval = "20s" }\n    queue { num_consumers = 2 }');
    const lb = await start(loadBalancingExporter, slow(staticOf(sinks)));
    try {
      for (let from = 0; from < 1500; from += 100) await lb.input.consumeTraces(traceBatch(from, 100));
      await waitFor(() => sinks[2]!.requests.length >= 2);
      await new Promise((r) => setTimeout(r, 200));
      const live = () => spansAt(sinks[0]!) + spansAt(sinks[1]!);
      assert.ok(live() < 4500, `the failing backend's share arrived elsewhere already: ${live()}`);
      const started = Date.now();
      lb.component.update(decode(loadBalancingExporter, slow(staticOf(sinks.slice(0, 2)))).args);
      await waitFor(() => live() >= 4500, 8_000);
      assert.ok(Date.now() - started < 15_000);
      const seen = owners(sinks.slice(0, 2));
      assert.equal(seen.size, 1500);
      for (const o of seen.values()) assert.deepEqual([o.sinks.size, o.spans], [1, 3]);
      assert.ok(!lb.logs.some((l) => l.includes("Dropping data")), "data was dropped");
    } finally {
      await lb.stop();
      await Promise.all(sinks.map((s) => s.close()));
    }
  });

  test("data failing at a backend that stays follows its new owner when the ring grows", async () => {
    const sinks = await Promise.all([startGrpcSink(), startGrpcSink(), startGrpcSink()]);
    sinks[0]!.reply(...Array.from({ length: 5000 }, () => ({ code: GrpcCode.Unavailable })));
    const lb = await start(loadBalancingExporter, body(staticOf(sinks.slice(0, 2))));
    try {
      for (let from = 0; from < 600; from += 100) await lb.input.consumeTraces(traceBatch(from, 100));
      await waitFor(() => sinks[0]!.requests.length >= 3);
      assert.equal(spansAt(sinks[2]!), 0);
      // The ring grows: nothing new is sent, yet the failing backend's traces that the new
      // backend owns now reach it.
      lb.component.update(decode(loadBalancingExporter, body(staticOf(sinks))).args);
      await waitFor(() => spansAt(sinks[2]!) > 0);
      await new Promise((r) => setTimeout(r, 300));
      const ring = new HashRing(sinks.map((s) => s.endpoint));
      const moved = owners([sinks[2]!]);
      for (const [id, o] of moved) {
        assert.equal(o.spans, 3);
        assert.equal(ring.endpointFor(Buffer.from(id, "hex")), sinks[2]!.endpoint);
      }
      assert.ok(moved.size > 10, `only ${moved.size} traces moved`);
      // Dropping the failing backend hands the rest over too: everything arrives, whole.
      lb.component.update(decode(loadBalancingExporter, body(staticOf(sinks.slice(1)))).args);
      await waitFor(() => spansAt(sinks[1]!) + spansAt(sinks[2]!) >= 1800);
      for (const o of owners(sinks.slice(1)).values()) assert.deepEqual([o.sinks.size, o.spans], [1, 3]);
    } finally {
      await lb.stop();
      await Promise.all(sinks.map((s) => s.close()));
    }
  });

  test("kubernetes resolver: lists and watches the service's EndpointSlices through a fake API server", async () => {
    const first = await startGrpcSink({ host: "127.0.0.2" });
    const port = Number(first.endpoint.split(":")[1]);
    const sinks = [first, await startGrpcSink({ host: "127.0.0.3", port })];
    const api = await startFakeK8sApi({ namespace: "obs", service: "backends", token: "sa-token" });
    const sa = mkdtempSync(join(tmpdir(), "solder-sa-"));
    writeFileSync(join(sa, "token"), "sa-token\n");
    writeFileSync(join(sa, "namespace"), "obs");
    const undo = withEnv({ KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: String(api.port), [SCHEME_OVERRIDE_ENV]: "http", [SERVICE_ACCOUNT_DIR_ENV]: sa });
    api.setSlice("backends-a", [{ addresses: ["127.0.0.2"], ready: true }, { addresses: ["127.0.0.3"], ready: false }]);
    const lb = await start(loadBalancingExporter, body(`kubernetes {\n service = "backends"\n ports = [${port}]\n }`));
    const endpointsLogged = (eps: string) => lb.logs.some((l) => l.includes(`endpoints=${eps}`) && l.includes("Resolved backends changed"));
    try {
      // Only the ready endpoint, in the pod's namespace (from the namespace file).
      await waitFor(() => endpointsLogged(`127.0.0.2:${port}`));
      assert.ok(api.requests.some((r) => r.startsWith("GET /apis/discovery.k8s.io/v1/namespaces/obs/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dbackends")));
      await waitFor(() => api.openWatches() === 1);
      await lb.input.consumeTraces(traceBatch(0, 100));
      await waitFor(() => spansAt(sinks[0]!) >= 300);
      // The second pod becomes ready: the watch tells, the ring grows.
      api.setSlice("backends-a", [{ addresses: ["127.0.0.2"], ready: true }, { addresses: ["127.0.0.3"] }]);
      await waitFor(() => endpointsLogged(`127.0.0.2:${port},127.0.0.3:${port}`));
      await lb.input.consumeTraces(traceBatch(100, 300));
      await waitFor(() => spansAt(sinks[0]!) + spansAt(sinks[1]!) >= 1200);
      assert.ok(spansAt(sinks[1]!) > 0);
      for (const o of owners(sinks).values()) assert.deepEqual([o.sinks.size, o.spans], [1, 3]);
      // An expired watch makes it list again (with a failed list on the way); the slice moves meanwhile.
      const lists = () => api.requests.filter((r) => !r.includes("watch=true")).length;
      const before = lists();
      api.failNextList(500);
      api.expireWatches();
      api.deleteSlice("backends-a");
      api.setSlice("backends-b", [{ addresses: ["127.0.0.3"], ready: true }]);
      await waitFor(() => endpointsLogged(`127.0.0.3:${port}`) && lists() >= before + 2);
      assert.ok(lb.logs.some((l) => l.includes("answered 500")), "the failed list was not logged");
      await waitFor(() => api.openWatches() === 1);
      // Deleted slice → its endpoints leave; a new slice through the watch adds them back.
      api.setSlice("backends-c", [{ addresses: ["127.0.0.2"], ready: true }]);
      await waitFor(() => lb.logs.filter((l) => l.includes(`endpoints=127.0.0.2:${port},127.0.0.3:${port}`)).length >= 2);
    } finally {
      await lb.stop();
      undo();
      rmSync(sa, { recursive: true, force: true });
      await api.close();
      await Promise.all(sinks.map((s) => s.close()));
    }
  });

  test("kubernetes resolver: return_hostnames, name.namespace, and a wrong token is logged and retried", async () => {
    const api = await startFakeK8sApi({ namespace: "prod", service: "sts", token: "good" });
    const sa = mkdtempSync(join(tmpdir(), "solder-sa-"));
    writeFileSync(join(sa, "token"), "bad");
    const undo = withEnv({ KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: String(api.port), [SCHEME_OVERRIDE_ENV]: "http", [SERVICE_ACCOUNT_DIR_ENV]: sa });
    api.setSlice("sts-x", [{ addresses: ["10.1.0.1"], hostname: "sts-0" }, { addresses: ["10.1.0.2"], hostname: "sts-1" }, { addresses: ["10.1.0.3"] }]);
    const lb = await start(loadBalancingExporter, body(`kubernetes {\n service = "sts.prod"\n ports = [4317, 4318]\n return_hostnames = true\n }`));
    try {
      await waitFor(() => lb.logs.some((l) => l.includes("answered 401")));
      // The token rotates (projected tokens do): the next round reads it again.
      writeFileSync(join(sa, "token"), "good");
      await waitFor(() => lb.logs.some((l) => l.includes("endpoints=sts-0.sts.prod:4317,sts-0.sts.prod:4318,sts-1.sts.prod:4317,sts-1.sts.prod:4318")));
      assert.ok(lb.logs.some((l) => l.includes("has no hostname")));
    } finally {
      await lb.stop();
      undo();
      rmSync(sa, { recursive: true, force: true });
      await api.close();
    }
  });

  test("kubernetes resolver outside a cluster: the API server and token of $KUBECONFIG", async () => {
    const api = await startFakeK8sApi({ namespace: "default", service: "backends", token: "kc-token" });
    const dir = mkdtempSync(join(tmpdir(), "solder-kubeconfig-"));
    const kubeconfig = join(dir, "config");
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\ncurrent-context: test\ncontexts:\n- name: test\n  context: { cluster: fake, user: me }\nclusters:\n- name: fake\n  cluster: { server: "http://127.0.0.1:${api.port}" }\nusers:\n- name: me\n  user: { token: kc-token }\n`,
    );
    // No in-cluster variables, no namespace file: namespace "default".
    const undo = withEnv({ KUBECONFIG: kubeconfig, [SERVICE_ACCOUNT_DIR_ENV]: join(dir, "absent") });
    const savedHost = process.env.KUBERNETES_SERVICE_HOST;
    delete process.env.KUBERNETES_SERVICE_HOST;
    api.setSlice("backends-1", [{ addresses: ["10.2.0.1", "10.2.0.2"] }]);
    const lb = await start(loadBalancingExporter, body(`kubernetes { service = "backends" }`));
    try {
      await waitFor(() => lb.logs.some((l) => l.includes("endpoints=10.2.0.1:4317,10.2.0.2:4317")));
    } finally {
      await lb.stop();
      undo();
      if (savedHost !== undefined) process.env.KUBERNETES_SERVICE_HOST = savedHost;
      rmSync(dir, { recursive: true, force: true });
      await api.close();
    }
  });

  test("stop waits for a backend that left the ring and is still draining", async () => {
    const sinks = await Promise.all([startGrpcSink(), startGrpcSink()]);
    sinks[1]!.reply({ delayMs: 1500 }); // its first request is still in flight when it leaves
    const lb = await start(loadBalancingExporter, body(staticOf(sinks)));
    try {
      await lb.input.consumeTraces(traceBatch(0, 100));
      await waitFor(() => sinks[1]!.requests.length >= 1);
      lb.component.update(decode(loadBalancingExporter, body(staticOf(sinks.slice(0, 1)))).args);
      await lb.stop();
      assert.ok(lb.logs.some((l) => l.includes("Backend left the ring")), `stop returned while the old backend still drained:\n${lb.logs.join("\n")}`);
      assert.equal(owners(sinks).size, 100, "every trace arrived");
    } finally {
      await Promise.all(sinks.map((s) => s.close()));
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
