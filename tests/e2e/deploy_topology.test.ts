// The Kubernetes topology of deploy/kubernetes, run on loopback: the Alloy configurations are
// read out of the ConfigMaps (gateway-config.yaml, tier-config.yaml) and run by real dist/solder
// processes, changed only in addresses — the gateway's receivers on 127.0.0.1 ephemeral ports
// instead of 0.0.0.0:4317/4318, the tier's gRPC port P instead of 4317 in both files, each of two
// tier pods on its own loopback address (127.0.0.2:P, 127.0.0.3:P) as pods have their own IPs.
// The headless Service is played by a DNS responder in the test answering `solder-tier` with
// both addresses (SOLDER_DNS_SERVER), the backend by an OTLP/HTTP sink, each tier pod sending to
// its own path of it (UPSTREAM_OTLP_ENDPOINT, as the StatefulSet sets it).
// Asserted: every span sent to the gateway reaches the backend once; all spans of a trace went
// through the same tier pod; both tier pods got traces.

import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fromBinary } from "@bufbuild/protobuf";
import { parse } from "yaml";
import { ExportTraceServiceRequestSchema } from "../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { startDnsServer } from "../helpers/dns_server.ts";
import { type HttpSink, startHttpSink } from "../helpers/otlp_sink.ts";
import { type Running, eventually, freePort, startSolder } from "../helpers/solder.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const TIER_ADDRESSES = ["127.0.0.2", "127.0.0.3"];
const TRACES = 24;
const SPANS_PER_TRACE = 3;

const dir = mkdtempSync(join(tmpdir(), "solder-e2e-topology-"));
const solders: Running[] = [];
const closers: Array<() => Promise<void>> = [];

after(async () => {
  for (const s of solders) await s.stop("SIGKILL");
  for (const c of closers) await c();
  rmSync(dir, { recursive: true, force: true });
});

/** config.alloy of the ConfigMap in deploy/kubernetes/`file`. */
function configMapConfig(file: string): string {
  const cm = parse(readFileSync(join(root, "deploy/kubernetes", file), "utf8")) as { kind: string; data: Record<string, string> };
  assert.equal(cm.kind, "ConfigMap");
  return cm.data["config.alloy"]!;
}

/** Replaces `from` (which must occur exactly `count` times) with `to`. */
function replaceAll(text: string, from: string, to: string, count = 1): string {
  assert.equal(text.split(from).length - 1, count, `${count} × ${JSON.stringify(from)}`);
  return text.split(from).join(to);
}

async function run(name: string, config: string, env: Record<string, string>): Promise<Running> {
  const path = join(dir, `${name}.alloy`);
  writeFileSync(path, config);
  const r = await startSolder([`--storage.path=${join(dir, `data-${name}`)}`, path], { env });
  solders.push(r);
  return r;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** trace id (hex) → span count, over every traces request the sink got on `prefix`. */
function spansByTrace(sink: HttpSink, prefix: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of sink.requests) {
    if (r.signal !== "traces" || !r.path.startsWith(`${prefix}/`)) continue;
    const req = fromBinary(ExportTraceServiceRequestSchema, r.body);
    for (const rs of req.resourceSpans) for (const ss of rs.scopeSpans) for (const s of ss.spans) out.set(hex(s.traceId), (out.get(hex(s.traceId)) ?? 0) + 1);
  }
  return out;
}

describe("deploy/kubernetes topology on loopback", () => {
  test("the gateway spreads traces over the tier by trace id, and the tier forwards them to the backend", async () => {
    const backend = await startHttpSink();
    closers.push(() => backend.close());
    const dns = await startDnsServer({ "solder-tier": TIER_ADDRESSES });
    closers.push(() => dns.close());

    const tierPort = await freePort();
    const tierConfig = configMapConfig("tier-config.yaml");
    for (const [i, address] of TIER_ADDRESSES.entries()) {
      const config = replaceAll(tierConfig, `endpoint = "0.0.0.0:4317"`, `endpoint = "${address}:${tierPort}"`);
      await run(`tier-${i}`, config, { UPSTREAM_OTLP_ENDPOINT: `${backend.url}/tier-${i}` });
    }

    const [grpcPort, httpPort] = [await freePort(), await freePort()];
    let gatewayConfig = configMapConfig("gateway-config.yaml");
    gatewayConfig = replaceAll(gatewayConfig, `endpoint = "0.0.0.0:4317"`, `endpoint = "127.0.0.1:${grpcPort}"`);
    gatewayConfig = replaceAll(gatewayConfig, `endpoint = "0.0.0.0:4318"`, `endpoint = "127.0.0.1:${httpPort}"`);
    gatewayConfig = replaceAll(gatewayConfig, `port     = "4317"`, `port     = "${tierPort}"`);
    const gateway = await run("gateway", gatewayConfig, { SOLDER_DNS_SERVER: dns.address });
    const ring = TIER_ADDRESSES.map((a) => `${a}:${tierPort}`).join(",");
    await eventually(() => gateway.stderr().includes(ring), 15_000, "the gateway resolved both tier pods").catch((err: Error) => {
      throw new Error(`${err.message}\n${gateway.stderr()}`);
    });
    assert.ok(dns.queries.includes("A solder-tier"), `queries: ${dns.queries.join(", ")}`);

    // 24 traces of 3 spans, in OTLP/JSON, each trace's spans split over two requests.
    const traceIds = Array.from({ length: TRACES }, (_, t) => (0x1000 + t).toString(16).padStart(32, "a"));
    const span = (traceId: string, n: number) => ({
      traceId,
      spanId: (traceIds.indexOf(traceId) * 16 + n + 1).toString(16).padStart(16, "0"),
      name: `op-${n}`,
      kind: 2,
      startTimeUnixNano: String(Date.now() * 1e6),
      endTimeUnixNano: String(Date.now() * 1e6 + 1e6),
    });
    for (const part of [[0, 1], [2]]) {
      const body = {
        resourceSpans: [{ resource: { attributes: [{ key: "service.name", value: { stringValue: "topology-e2e" } }] }, scopeSpans: [{ spans: traceIds.flatMap((id) => part.map((n) => span(id, n))) }] }],
      };
      const res = await fetch(`http://127.0.0.1:${httpPort}/v1/traces`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      assert.equal(res.status, 200, await res.text());
    }

    const total = () => TIER_ADDRESSES.reduce((n, _, i) => n + [...spansByTrace(backend, `/tier-${i}`).values()].reduce((a, b) => a + b, 0), 0);
    await eventually(() => total() >= TRACES * SPANS_PER_TRACE, 20_000, "every span at the backend").catch((err: Error) => {
      throw new Error(`${err.message}: ${total()} of ${TRACES * SPANS_PER_TRACE}\n${solders.map((s) => s.stderr().slice(-1500)).join("\n")}`);
    });

    const perTier = TIER_ADDRESSES.map((_, i) => spansByTrace(backend, `/tier-${i}`));
    console.log(`traces per tier pod: ${perTier.map((m, i) => `${TIER_ADDRESSES[i]}: ${m.size}`).join(", ")}`);
    for (const id of traceIds) {
      const holders = perTier.filter((m) => m.has(id));
      assert.equal(holders.length, 1, `trace ${id} went through exactly one tier pod`);
      assert.equal(holders[0]!.get(id), SPANS_PER_TRACE, `trace ${id}: all its spans, once`);
    }
    assert.equal(total(), TRACES * SPANS_PER_TRACE, "no span twice");
    for (const m of perTier) assert.ok(m.size > 0, "both tier pods carry traces");
  });
});
