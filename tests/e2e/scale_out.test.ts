// Scaling out, end to end (docs/scaling.md): a front solder whose otelcol.exporter.loadbalancing
// finds three back solder instances — 127.0.0.2, .3 and .4, all on the same OTLP/gRPC port —
// through its `dns` resolver, asking a DNS server this test runs on loopback
// (SOLDER_DNS_SERVER). Each back instance exports to its own sink, so every span's instance is
// known. A client sends 10,000 traces of 4 spans each to the front, in requests of mixed traces,
// and counts the spans the front acknowledged. Mid-run one back instance is stopped (SIGTERM)
// and removed from DNS while the client keeps sending.
//
// Asserted: every acknowledged span reaches a sink; every trace is whole on exactly one back
// instance; traces sent after the front dropped the instance land whole on the two that remain.
// The figures are printed.

import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { ExportTraceServiceRequestSchema, TraceService } from "../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import type { ResourceSpans } from "../../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import { startDnsServer } from "../helpers/dns_server.ts";
import { type GrpcSink, startGrpcSink } from "../helpers/otlp_sink.ts";
import { type Running, eventually, freePort, startSolder } from "../helpers/solder.ts";

const TRACES = 10_000;
const SPANS_PER_TRACE = 4;
const TRACES_PER_REQUEST = 100;
const CONCURRENCY = 4;
const BACKENDS = ["127.0.0.2", "127.0.0.3", "127.0.0.4"];
/** The back instance stopped mid-run. */
const STOPPED = 1;
const HOSTNAME = "backends.scale-out.test";

const dir = mkdtempSync(join(tmpdir(), "solder-scale-out-"));
const processes: Running[] = [];

after(async () => {
  await Promise.all(processes.map((p) => p.stop("SIGKILL")));
  rmSync(dir, { recursive: true, force: true });
});

/** Trace number → 16-byte trace id; span k → 8-byte span id (both carry the numbers). */
function traceId(t: number): Uint8Array {
  const id = new Uint8Array(16);
  new DataView(id.buffer).setUint32(0, t);
  id.set([0x5c, 0xa1, 0xe0, 0x07], 4);
  for (let j = 8; j < 16; j++) id[j] = (t * 131 + j * 17) & 0xff;
  return id;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** One request: traces [from, from+n), spans interleaved across two services. */
function request(from: number, n: number) {
  const resourceSpans = [0, 1].map((svc) => ({
    resource: { attributes: [{ key: "service.name", value: { value: { case: "stringValue" as const, value: `shop-${svc}` } } }] },
    scopeSpans: [
      {
        scope: { name: "scale-out-test" },
        spans: Array.from({ length: n }, (_, k) => from + k).flatMap((t) =>
          Array.from({ length: SPANS_PER_TRACE }, (_, s) => s)
            .filter((s) => s % 2 === svc)
            .map((s) => ({
              traceId: traceId(t),
              spanId: Uint8Array.of(0, 0, (t >>> 16) & 0xff, (t >>> 8) & 0xff, t & 0xff, 0, 0, s + 1),
              name: `op-${s}`,
              kind: 2,
              startTimeUnixNano: 1_700_000_000_000_000_000n + BigInt(t) * 1000n,
              endTimeUnixNano: 1_700_000_000_000_000_000n + BigInt(t) * 1000n + 500n,
            })),
        ),
      },
    ],
  }));
  return create(ExportTraceServiceRequestSchema, { resourceSpans });
}

/** A port free on all the backend addresses (asked of the OS on the first, checked on the rest). */
async function commonPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freePort();
    const ok = await Promise.all(
      BACKENDS.map(
        (host) =>
          new Promise<boolean>((resolve) => {
            const s = createServer();
            s.once("error", () => resolve(false));
            s.listen(port, host, () => s.close(() => resolve(true)));
          }),
      ),
    );
    if (ok.every(Boolean)) return port;
  }
  throw new Error("no port free on all backend addresses");
}

function backConfig(host: string, port: number, sink: GrpcSink): string {
  return `otelcol.receiver.otlp "in" {
	grpc {
		endpoint = "${host}:${port}"
	}
	output {
		traces = [otelcol.processor.batch.b.input]
	}
}

otelcol.processor.batch "b" {
	timeout = "50ms"
	output {
		traces = [otelcol.exporter.otlp.sink.input]
	}
}

otelcol.exporter.otlp "sink" {
	client {
		endpoint    = "${sink.endpoint}"
		compression = "none"
		tls {
			insecure = true
		}
	}
}
`;
}

function frontConfig(port: number): string {
  return `otelcol.receiver.otlp "in" {
	grpc {
		endpoint = "127.0.0.1:0"
	}
	output {
		traces = [otelcol.exporter.loadbalancing.backends.input]
	}
}

otelcol.exporter.loadbalancing "backends" {
	routing_key = "traceID"
	resolver {
		dns {
			hostname = "${HOSTNAME}"
			port     = "${port}"
			interval = "250ms"
			timeout  = "1s"
		}
	}
	protocol {
		otlp {
			client {
				compression = "none"
				tls {
					insecure = true
				}
			}
			retry {
				initial_interval = "100ms"
				max_interval     = "1s"
			}
		}
	}
}
`;
}

async function start(name: string, config: string, env: Record<string, string> = {}): Promise<Running> {
  const path = join(dir, `${name}.alloy`);
  writeFileSync(path, config);
  const r = await startSolder([`--storage.path=${join(dir, `data-${name}`)}`, path], { env });
  processes.push(r);
  return r;
}

/** The port the front's receiver bound, from its "starting GRPC server" log line. */
function boundGrpc(r: Running): number | undefined {
  const m = /msg="starting GRPC server" .*endpoint=\S+:(\d+)/.exec(r.stderr());
  return m ? Number(m[1]) : undefined;
}

/** trace id (hex) → per sink, the distinct span ids it received. */
function delivered(sinks: GrpcSink[]): { traces: Map<string, Map<number, Set<string>>>; spans: number; duplicates: number } {
  const traces = new Map<string, Map<number, Set<string>>>();
  let spans = 0;
  let duplicates = 0;
  sinks.forEach((sink, i) => {
    for (const req of sink.requests) {
      for (const rs of req.batch().full() as ResourceSpans[]) {
        for (const ss of rs.scopeSpans) {
          for (const sp of ss.spans) {
            const t = hex(sp.traceId);
            let perSink = traces.get(t);
            if (!perSink) traces.set(t, (perSink = new Map()));
            let ids = perSink.get(i);
            if (!ids) perSink.set(i, (ids = new Set()));
            const id = hex(sp.spanId);
            if (ids.has(id)) duplicates++;
            else spans++;
            ids.add(id);
          }
        }
      }
    }
  });
  return { traces, spans, duplicates };
}

describe("scale out: front solder with otelcol.exporter.loadbalancing over three back instances", () => {
  test("10,000 traces land whole on one instance each; an instance stopped mid-run loses no acknowledged span", { timeout: 120_000 }, async () => {
    const t0 = Date.now();
    const port = await commonPort();
    const sinks = await Promise.all(BACKENDS.map(() => startGrpcSink()));
    const backs = await Promise.all(BACKENDS.map((host, i) => start(`back-${i}`, backConfig(host, port, sinks[i]!))));
    await eventually(() => backs.every((b) => /starting GRPC server/.test(b.stderr())), 10_000, "back instances listening");
    const dns = await startDnsServer({ [HOSTNAME]: [...BACKENDS] });
    const front = await start("front", frontConfig(port), { SOLDER_DNS_SERVER: dns.address });
    const ring = (hosts: string[]) => `endpoints=${hosts.map((h) => `${h}:${port}`).join(",")}`;
    await eventually(() => boundGrpc(front) !== undefined && front.stderr().includes(ring(BACKENDS)), 10_000, "front resolving three backends");
    const transport = createGrpcTransport({ baseUrl: `http://127.0.0.1:${boundGrpc(front)}` });
    const client = createClient(TraceService, transport);

    // ---- the client: requests of 100 traces, 4 in flight; counts what the front acknowledged ----
    const acked = new Set<number>();
    let failedRequests = 0;
    let next = 0;
    /** Trace numbers whose request started after the front dropped the stopped instance. */
    let afterChange = Number.POSITIVE_INFINITY;
    let changed = false;
    const stopAt = Math.floor(TRACES / 2 / TRACES_PER_REQUEST) * TRACES_PER_REQUEST;
    let stopping: Promise<void> | undefined;
    const survivors = BACKENDS.filter((_, i) => i !== STOPPED);
    let stopMs = 0;
    const stopOne = async () => {
      const s = Date.now();
      await backs[STOPPED]!.stop();
      dns.records.set(HOSTNAME, survivors);
      await eventually(() => front.stderr().includes(ring(survivors)), 10_000, "front dropping the stopped instance");
      stopMs = Date.now() - s;
      changed = true;
    };
    const worker = async () => {
      while (next < TRACES) {
        const from = next;
        next += TRACES_PER_REQUEST;
        if (from === stopAt) stopping = stopOne();
        if (changed) afterChange = Math.min(afterChange, from);
        const req = request(from, TRACES_PER_REQUEST);
        for (let attempt = 0; ; attempt++) {
          try {
            const res = await client.export(req);
            assert.equal(res.partialSuccess?.rejectedSpans ?? 0n, 0n);
            for (let t = from; t < from + TRACES_PER_REQUEST; t++) acked.add(t);
            break;
          } catch (err) {
            // A refused request is not acknowledged; the client sends it again, as an SDK would.
            failedRequests++;
            if (attempt >= 20) throw err;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      }
    };
    const sendStart = Date.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const sendMs = Date.now() - sendStart;
    await stopping;
    assert.ok(changed, "the instance was not stopped mid-run");
    assert.ok(afterChange < TRACES, "no traces were sent after the front changed its ring");

    // ---- delivery: every acknowledged span reaches a sink ----
    const ackedSpans = acked.size * SPANS_PER_TRACE;
    const deliveredAll = () => {
      const d = delivered(sinks);
      return [...acked].every((t) => {
        const per = d.traces.get(hex(traceId(t)));
        return per !== undefined && new Set([...per.values()].flatMap((s) => [...s])).size === SPANS_PER_TRACE;
      });
    };
    await eventually(deliveredAll, 60_000, "every acknowledged span delivered");
    // Let stragglers (duplicates, if any) arrive before judging.
    await new Promise((r) => setTimeout(r, 500));
    const d = delivered(sinks);

    // ---- every trace whole on exactly one instance ----
    const split: string[] = [];
    const perInstance = BACKENDS.map(() => ({ traces: 0, spans: 0 }));
    for (const [t, per] of d.traces) {
      if (per.size !== 1) split.push(`${t} on instances ${[...per.keys()].join("+")}`);
      const [[i, ids]] = [...per] as [number, Set<string>][];
      if (ids!.size !== SPANS_PER_TRACE) split.push(`${t}: ${ids!.size} of ${SPANS_PER_TRACE} spans on instance ${i}`);
      perInstance[i!]!.traces++;
      perInstance[i!]!.spans += ids!.size;
    }
    assert.equal(acked.size, TRACES);
    assert.equal(d.traces.size, TRACES);
    assert.deepEqual(split.slice(0, 10), [], `${split.length} traces not whole on one instance`);
    assert.equal(d.spans, ackedSpans);

    // ---- traces sent after the change: only on the instances that remain ----
    let late = 0;
    for (let t = afterChange; t < TRACES; t++) {
      const per = d.traces.get(hex(traceId(t)))!;
      assert.ok(!per.has(STOPPED), `trace ${t}, sent after the change, reached the stopped instance`);
      late++;
    }
    for (const [i, p] of perInstance.entries()) if (i !== STOPPED) assert.ok(p.traces > TRACES / 10, `instance ${i} got only ${p.traces} traces`);

    await front.stop();
    assert.doesNotMatch(front.stderr(), /Dropping data|dropping data still in the sending queue/);
    const handedOver = new RegExp(`Backend left the ring.* endpoint=${BACKENDS[STOPPED]!.replaceAll(".", "\\.")}:${port} rerouted_items=(\\d+)`).exec(front.stderr());
    await Promise.all(backs.filter((_, i) => i !== STOPPED).map((b) => b.stop()));
    await dns.close();
    await Promise.all(sinks.map((s) => s.close()));
    const figures = {
      traces: TRACES,
      spans_per_trace: SPANS_PER_TRACE,
      spans_acknowledged: ackedSpans,
      spans_delivered_distinct: d.spans,
      duplicate_span_deliveries: d.duplicates,
      refused_requests_resent: failedRequests,
      spans_rerouted_from_stopped_instance: handedOver ? Number(handedOver[1]) : "not logged",
      per_instance: Object.fromEntries(BACKENDS.map((h, i) => [`${h}${i === STOPPED ? " (stopped mid-run)" : ""}`, perInstance[i]])),
      traces_sent_after_ring_change: late,
      stop_to_ring_change_ms: stopMs,
      send_ms: sendMs,
      total_ms: Date.now() - t0,
    };
    console.log(`scale-out figures: ${JSON.stringify(figures, null, 2)}`);
  });
});
