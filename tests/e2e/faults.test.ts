// Backend faults, end to end (issue #10): the real binary between a load client that records
// exactly which items solder acknowledged and a backend whose behaviour the test switches while
// load runs (tests/helpers/fault_backend.ts). The bar: every acknowledged item arrives once the
// backend is healthy again; what solder cannot take is refused to the client with a retryable
// status; what a backend refuses for good is dropped, counted and logged, and nothing else.
//
// Every case prints one line: sent / acknowledged / refused-retryable / arrived / duplicates /
// peak RSS of the solder process. docs/reliability.md ("Backend faults") records a run.
//
//   make build && node_modules/.bin/bun test --timeout 120000 tests/e2e/faults.test.ts

import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type FaultBackend,
  GrpcCode,
  type LoadReport,
  runLoad,
  sampleRss,
  startGrpcFaultBackend,
  startHttpFaultBackend,
  traceRequest,
} from "../helpers/fault_backend.ts";
import { type Running, eventually, freePort, startSolder } from "../helpers/solder.ts";

const dir = mkdtempSync(join(tmpdir(), "solder-e2e-faults-"));
const running: Running[] = [];
const backends: FaultBackend[] = [];
let nextTag = 1;

after(async () => {
  for (const r of running) await r.stop("SIGKILL");
  for (const b of backends) await b.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Gateway {
  solder: Running;
  /** The receiver's OTLP/HTTP traces URL. */
  traces: string;
  /** The receiver's OTLP/gRPC endpoint, as runLoad takes it: `grpc://127.0.0.1:<port>`. */
  grpc: string;
  rss: ReturnType<typeof sampleRss>;
}

/** Starts solder with an OTLP receiver on a free port whose traces go to `outputs`, plus `rest`. */
async function gateway(name: string, outputs: string[], rest: string): Promise<Gateway> {
  const port = await freePort();
  const grpcPort = await freePort();
  const config = `otelcol.receiver.otlp "in" {
	http {
		endpoint = "127.0.0.1:${port}"
	}
	grpc {
		endpoint = "127.0.0.1:${grpcPort}"
	}
	output {
		traces = [${outputs.join(", ")}]
	}
}

${rest}`;
  const path = join(dir, `${name}.alloy`);
  writeFileSync(path, config);
  const solder = await startSolder([`--storage.path=${join(dir, `data-${name}`)}`, path]);
  running.push(solder);
  const traces = `http://127.0.0.1:${port}/v1/traces`;
  // Ready means the graph is loaded; the receiver's listener comes up right after.
  const empty = traceRequest(0, 0, 0).body as Uint8Array<ArrayBuffer>;
  await eventually(async () => (await fetch(traces, { method: "POST", headers: { "Content-Type": "application/x-protobuf" }, body: empty }).catch(() => undefined))?.status === 200, 15_000, "receiver listening");
  return { solder, traces, grpc: `grpc://127.0.0.1:${grpcPort}`, rss: sampleRss(solder.proc.pid!) };
}

function otlphttp(name: string, url: string, body = "", client = ""): string {
  return `otelcol.exporter.otlphttp "${name}" {
	client {
		endpoint = "${url}"
${indent(client, 2)}	}
${indent(body, 1)}}
`;
}

function otlpgrpc(name: string, endpoint: string, body = ""): string {
  return `otelcol.exporter.otlp "${name}" {
	client {
		endpoint = "${endpoint}"
		tls {
			insecure = true
		}
	}
${indent(body, 1)}}
`;
}

function indent(s: string, n: number): string {
  return s
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => "\t".repeat(n) + l.trim() + "\n")
    .join("");
}

const FAST_RETRY = `retry_on_failure {
initial_interval = "100ms"
max_interval = "200ms"
randomization_factor = 0
}`;

/** One exporter self-metric (summed over series matching `filter`), 0 when absent. */
async function metric(g: Gateway, name: string, filter: string): Promise<number> {
  const text = await (await fetch(`${g.solder.url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(`${name}{`) && line.includes(filter)) sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}

/** Waits until every acknowledged item arrived at `b`; fails with the count still missing. */
async function allArrive(load: LoadReport, b: FaultBackend, ms: number, what: string, g: Gateway): Promise<void> {
  const missing = () => [...load.acked].filter((id) => !b.stats.arrived.has(id));
  await eventually(() => missing().length === 0, ms, what).catch((err: Error) => {
    throw new Error(`${err.message}: ${missing().length} of ${load.acked.size} acknowledged items never arrived\nsolder stderr (tail):\n${g.solder.stderr().slice(-3000)}`);
  });
}

interface Row {
  case: string;
  sent: number;
  acked: number;
  refusedRetryable: number;
  refusedPermanent: number;
  arrived: number;
  dropped: number;
  duplicates: number;
  peakRssMiB: number;
}

const rows: Row[] = [];

function report(name: string, load: LoadReport, b: FaultBackend, g: Gateway, dropped = 0): Row {
  const row: Row = {
    case: name,
    sent: load.sent,
    acked: load.acked.size,
    refusedRetryable: load.refusedRetryable,
    refusedPermanent: load.refusedPermanent + load.failed,
    arrived: b.stats.arrivedOf(load.tag),
    dropped,
    duplicates: b.stats.duplicates,
    peakRssMiB: Math.round(g.rss.peakMiB() * 10) / 10,
  };
  rows.push(row);
  console.log(
    `FAULTS ${row.case}: sent ${row.sent} / acknowledged ${row.acked} / refused-retryable ${row.refusedRetryable} / refused-other ${row.refusedPermanent} / arrived ${row.arrived} / dropped-and-counted ${row.dropped} / duplicates ${row.duplicates} / peak RSS ${row.peakRssMiB} MiB`,
  );
  return row;
}

after(() => console.log(`FAULTS-JSON ${JSON.stringify(rows)}`));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("backend faults", { concurrency: false }, () => {
  test("backend down for 60 s under steady load (default exporter settings, otlphttp and otlp gRPC), then back: every acknowledged item arrives", { timeout: 240_000 }, async () => {
    const http = await startHttpFaultBackend();
    const grpc = await startGrpcFaultBackend();
    backends.push(http, grpc);
    // What operators run: batch processor and both exporters with every default (queue of 1000
    // requests, 10 senders, retries from 5 s up to 30 s for at most 5 minutes).
    const g = await gateway("outage", ["otelcol.processor.batch.b.input"], [
      `otelcol.processor.batch "b" {
	output {
		traces = [otelcol.exporter.otlphttp.http.input, otelcol.exporter.otlp.grpc.input]
	}
}
`,
      otlphttp("http", http.url),
      otlpgrpc("grpc", grpc.endpoint),
    ].join("\n"));
    const tag = nextTag++;
    // 200 spans/s in requests of 20 for 72 s; both backends are down from 5 s to 65 s.
    const loadDone = runLoad({ url: g.traces, rate: 200, batch: 20, durationMs: 72_000, tag });
    await sleep(5_000);
    await Promise.all([http.setMode({ kind: "down" }), grpc.setMode({ kind: "down" })]);
    const downAt = Date.now();
    // solder stays responsive while its exporters retry.
    await sleep(30_000);
    assert.equal((await fetch(`${g.solder.url}/-/healthy`)).status, 200, "/-/healthy during the outage");
    await sleep(60_000 - (Date.now() - downAt));
    await Promise.all([http.setMode({ kind: "accept" }), grpc.setMode({ kind: "accept" })]);
    const backAt = Date.now();
    const load = await loadDone;
    assert.equal(load.failed, 0, `requests without an answer: ${JSON.stringify(load.byStatus)}`);
    assert.equal(load.refusedPermanent, 0, `non-retryable refusals: ${JSON.stringify(load.byStatus)}`);
    assert.ok(load.acked.size > 0);
    // The exporters' last backoff may have been as long as 30 s · 1.5 when the backend came back.
    const [httpDone, grpcDone] = await Promise.all([
      allArrive(load, http, 60_000, "otlphttp: every acknowledged item arrives", g).then(() => Date.now()),
      allArrive(load, grpc, 60_000, "otlp gRPC: every acknowledged item arrives", g).then(() => Date.now()),
    ]);
    console.log(`FAULTS outage: everything delivered ${((httpDone - backAt) / 1000).toFixed(1)} s (otlphttp) and ${((grpcDone - backAt) / 1000).toFixed(1)} s (otlp gRPC) after the backends came back`);
    report("outage 60 s, defaults, otlphttp", load, http, g);
    report("outage 60 s, defaults, otlp gRPC", load, grpc, g);
    assert.equal(await metric(g, "otelcol_exporter_send_failed_spans_total", 'exporter="'), 0, "nothing was given up");
    assert.doesNotMatch(g.solder.stderr(), /Dropping data|Sender failed/);
    // The outage was seen and retried, by both exporters.
    assert.match(g.solder.stderr(), /Will retry the request after interval[^\n]*127\.0\.0\.1:\d+\/v1\/traces/);
    assert.match(g.solder.stderr(), /Will retry the request after interval[^\n]*rpc error/);
    await g.solder.stop();
  });

  test("backend down with a small sending queue: the overflow is refused with 503 / UNAVAILABLE, nothing acknowledged is lost", async () => {
    const http = await startHttpFaultBackend();
    backends.push(http);
    // No batch processor: the receiver hands each request to the exporter's queue, so a full
    // queue reaches the client as a retryable status, over OTLP/HTTP and OTLP/gRPC alike.
    const g = await gateway("overflow", ["otelcol.exporter.otlphttp.out.input"], otlphttp("out", http.url, `${FAST_RETRY}\nsending_queue {\nqueue_size = 20\nnum_consumers = 2\n}`));
    await http.setMode({ kind: "down" });
    const loads = Promise.all([
      runLoad({ url: g.traces, rate: 100, batch: 10, durationMs: 8_000, tag: nextTag++ }),
      runLoad({ url: g.grpc, rate: 100, batch: 10, durationMs: 8_000, tag: nextTag++ }),
    ]);
    await sleep(6_000);
    await http.setMode({ kind: "accept" });
    const [viaHttp, viaGrpc] = await loads;
    for (const load of [viaHttp, viaGrpc]) await allArrive(load, http, 20_000, "every acknowledged item arrives", g);
    const rows = [report("down 6 s, queue_size 20, OTLP/HTTP client", viaHttp, http, g), report("down 6 s, queue_size 20, OTLP/gRPC client", viaGrpc, http, g)];
    assert.deepEqual(Object.keys(viaHttp.byStatus).sort(), ["200", "503"], `OTLP/HTTP: only 200 and 503 answers: ${JSON.stringify(viaHttp.byStatus)}`);
    assert.deepEqual(Object.keys(viaGrpc.byStatus).sort(), ["grpc-OK", "grpc-Unavailable"], `OTLP/gRPC: only OK and UNAVAILABLE: ${JSON.stringify(viaGrpc.byStatus)}`);
    // Refused items were never taken: exactly the acknowledged ones arrive.
    assert.equal(rows[0]!.arrived, viaHttp.acked.size);
    assert.equal(rows[1]!.arrived, viaGrpc.acked.size);
    assert.equal(http.stats.arrived.size, viaHttp.acked.size + viaGrpc.acked.size);
    assert.equal(await metric(g, "otelcol_exporter_enqueue_failed_spans_total", 'exporter="otlphttp/'), viaHttp.refusedRetryable + viaGrpc.refusedRetryable);
    assert.equal(await metric(g, "otelcol_exporter_send_failed_spans_total", 'exporter="otlphttp/'), 0);
    await g.solder.stop();
  });

  test("backend down with the batch processor in front of a small queue: the overflow is refused, nothing acknowledged is lost", async () => {
    const http = await startHttpFaultBackend();
    backends.push(http);
    const g = await gateway("batch-overflow", ["otelcol.processor.batch.b.input"], [
      `otelcol.processor.batch "b" {
	output {
		traces = [otelcol.exporter.otlphttp.out.input]
	}
}
`,
      otlphttp("out", http.url, `${FAST_RETRY}\nsending_queue {\nqueue_size = 10\nnum_consumers = 2\n}`),
    ].join("\n"));
    const tag = nextTag++;
    await http.setMode({ kind: "down" });
    const loadDone = runLoad({ url: g.traces, rate: 200, batch: 20, durationMs: 8_000, tag });
    await sleep(6_000);
    await http.setMode({ kind: "accept" });
    const load = await loadDone;
    await allArrive(load, http, 20_000, "every acknowledged item arrives", g);
    const row = report("down 6 s, batch processor, queue_size 10", load, http, g);
    assert.ok(load.refusedRetryable > 0, `the client was never told to retry: ${JSON.stringify(load.byStatus)}`);
    assert.deepEqual(Object.keys(load.byStatus).sort(), ["200", "503"], "only 200 and 503 answers");
    assert.equal(row.arrived, load.acked.size);
    assert.equal(await metric(g, "otelcol_exporter_send_failed_spans_total", 'exporter="otlphttp/'), 0);
    await g.solder.stop();
  });

  test("an outage longer than retry_on_failure.max_elapsed_time: what is given up is counted and logged, never silent", async () => {
    const http = await startHttpFaultBackend();
    backends.push(http);
    // The same rule as the default max_elapsed_time of 5 minutes, shrunk to 1 s.
    const retry = `retry_on_failure {\ninitial_interval = "100ms"\nmax_interval = "200ms"\nmax_elapsed_time = "1s"\n}`;
    const g = await gateway("give-up", ["otelcol.exporter.otlphttp.out.input"], otlphttp("out", http.url, retry));
    const tag = nextTag++;
    await http.setMode({ kind: "down" });
    const load = await runLoad({ url: g.traces, rate: 100, batch: 10, durationMs: 2_000, tag });
    await sleep(2_500); // every batch has now used up its 1 s
    await http.setMode({ kind: "accept" });
    const given = () => metric(g, "otelcol_exporter_send_failed_spans_total", 'exporter="otlphttp/');
    await eventually(async () => (await given()) + http.stats.arrived.size === load.acked.size, 10_000, "every item delivered or given up");
    const lost = load.acked.size - http.stats.arrived.size;
    report("down 4.5 s, max_elapsed_time 1 s", load, http, g, lost);
    assert.ok(lost > 0, "the outage outlasted max_elapsed_time");
    const logged = g.solder
      .stderr()
      .split("\n")
      .filter((l) => l.includes("Exporting failed. Dropping data.") && l.includes("no more retries left"))
      .reduce((n, l) => n + Number(/dropped_items=(\d+)/.exec(l)?.[1] ?? 0), 0);
    assert.equal(logged, lost, "every given-up item is in a log line");
    assert.equal(await given(), lost);
    await g.solder.stop();
  });

  test("429 with Retry-After: the exporter waits at least that long between attempts, then delivers everything", async () => {
    const http = await startHttpFaultBackend();
    backends.push(http);
    // Retries 100 ms apart on their own: only the hint can make the gap 2 s.
    const g = await gateway("throttle", ["otelcol.exporter.otlphttp.out.input"], otlphttp("out", http.url, FAST_RETRY));
    const tag = nextTag++;
    await http.setMode({ kind: "refuse", status: 429, retryAfterSec: 2 });
    const load = await runLoad({ url: g.traces, rate: 100, batch: 10, durationMs: 1_000, tag });
    // Two rounds of 429 for the first request, then the backend accepts.
    await eventually(() => (http.stats.byOutcome["429"] ?? 0) >= load.acked.size / 10 + 1, 10_000, "second 429 round");
    await http.setMode({ kind: "refuse", status: 503, retryAfterSec: 1 });
    await eventually(() => (http.stats.byOutcome["503"] ?? 0) >= 1, 10_000, "a 503");
    await http.setMode({ kind: "accept" });
    await allArrive(load, http, 20_000, "every acknowledged item arrives", g);
    report("429 Retry-After 2 s, then 503 Retry-After 1 s", load, http, g);
    assert.equal(load.acked.size, load.sent);
    let checked = 0;
    for (const id of load.acked) {
      const attempts = http.stats.attemptsWith(id);
      for (let i = 1; i < attempts.length; i++) {
        const prev = attempts[i - 1]!;
        const hint = prev.outcome === "429" ? 2000 : prev.outcome === "503" ? 1000 : 0;
        // Arrival times are taken at the backend; timers may fire a few ms early.
        assert.ok(attempts[i]!.at - prev.at >= hint - 50, `item ${id}: attempt ${i + 1} came ${attempts[i]!.at - prev.at} ms after a ${prev.outcome} asking for ${hint} ms`);
        if (hint > 0) checked++;
      }
    }
    assert.ok(checked >= 2, `only ${checked} retries after a Retry-After were seen`);
    assert.equal(await metric(g, "otelcol_exporter_send_failed_spans_total", 'exporter="otlphttp/'), 0);
    await g.solder.stop();
  });

  test("500, 400, 502, 503, 504: 429/502/503/504 retry until accepted, other statuses drop the batch once, counted and logged", async () => {
    const http = await startHttpFaultBackend();
    backends.push(http);
    const g = await gateway("statuses", ["otelcol.exporter.otlphttp.out.input"], otlphttp("out", http.url, FAST_RETRY));
    const tag = nextTag++;
    const acked = new Set<string>();
    const load: LoadReport = { tag, sent: 0, acked, refusedRetryable: 0, refusedPermanent: 0, failed: 0, byStatus: {} };
    let seq = 0;
    const send = async () => {
      const { body, ids } = traceRequest(tag, seq, 10);
      seq += 10;
      load.sent += ids.length;
      const res = await fetch(g.traces, { method: "POST", headers: { "Content-Type": "application/x-protobuf" }, body: body as Uint8Array<ArrayBuffer> });
      assert.equal(res.status, 200, "the receiver acknowledges: the backend's answer comes later");
      for (const id of ids) acked.add(id);
      return ids;
    };
    const refusedForGood = new Set<string>();
    for (const status of [500, 400, 401, 404, 413]) {
      await http.setMode({ kind: "refuse", status });
      const before = await metric(g, "otelcol_exporter_send_failed_spans_total", 'exporter="otlphttp/');
      const ids = await send();
      await eventually(async () => (await metric(g, "otelcol_exporter_send_failed_spans_total", 'exporter="otlphttp/')) === before + 10, 10_000, `send_failed after ${status}`);
      await sleep(500); // five retry intervals: a retry would show now
      assert.equal(http.stats.attemptsWith(ids[0]!).length, 1, `${status} is not retried`);
      for (const id of ids) refusedForGood.add(id);
    }
    const drops = g.solder.stderr().split("\n").filter((l) => l.includes("Exporting failed. Dropping data."));
    assert.equal(drops.length, 5, `one error line per dropped batch:\n${drops.join("\n")}`);
    for (const [i, status] of [500, 400, 401, 404, 413].entries()) {
      assert.match(drops[i]!, new RegExp(`level=error .*responded with HTTP Status Code ${status}.*dropped_items=10`));
    }
    for (const status of [502, 503, 504]) {
      await http.setMode({ kind: "refuse", status });
      const ids = await send();
      await eventually(() => http.stats.attemptsWith(ids[0]!).length >= 3, 10_000, `${status} retried`);
      await http.setMode({ kind: "accept" });
      await eventually(() => http.stats.arrived.has(ids[0]!), 10_000, `${status} then accepted`);
    }
    const delivered = new Set([...acked].filter((id) => !refusedForGood.has(id)));
    for (const id of delivered) assert.ok(http.stats.arrived.has(id), `item ${id} never arrived`);
    for (const id of refusedForGood) assert.ok(!http.stats.arrived.has(id));
    report("500/400/401/404/413 dropped; 502/503/504 retried", load, http, g, refusedForGood.size);
    assert.equal(await metric(g, "otelcol_exporter_send_failed_spans_total", 'exporter="otlphttp/'), refusedForGood.size);
    assert.equal(await metric(g, "otelcol_exporter_sent_spans_total", 'exporter="otlphttp/'), delivered.size);
    await g.solder.stop();
  });

  test("gRPC: RESOURCE_EXHAUSTED with RetryInfo waits the delay, UNAVAILABLE retries, RESOURCE_EXHAUSTED without RetryInfo and INVALID_ARGUMENT drop once", async () => {
    const grpc = await startGrpcFaultBackend();
    backends.push(grpc);
    const g = await gateway("grpc-statuses", ["otelcol.exporter.otlp.out.input"], otlpgrpc("out", grpc.endpoint, FAST_RETRY));
    const tag = nextTag++;
    const load: LoadReport = { tag, sent: 0, acked: new Set(), refusedRetryable: 0, refusedPermanent: 0, failed: 0, byStatus: {} };
    let seq = 0;
    const send = async () => {
      const { body, ids } = traceRequest(tag, seq, 10);
      seq += 10;
      load.sent += ids.length;
      const res = await fetch(g.traces, { method: "POST", headers: { "Content-Type": "application/x-protobuf" }, body: body as Uint8Array<ArrayBuffer> });
      assert.equal(res.status, 200);
      for (const id of ids) load.acked.add(id);
      return ids;
    };
    const failed = () => metric(g, "otelcol_exporter_send_failed_spans_total", 'exporter="otlp/');

    await grpc.setMode({ kind: "refuse-grpc", code: GrpcCode.ResourceExhausted, retryDelayMs: 2000 });
    const throttled = await send();
    await eventually(() => grpc.stats.attemptsWith(throttled[0]!).length >= 2, 10_000, "a retry after RetryInfo");
    await grpc.setMode({ kind: "accept" });
    await eventually(() => grpc.stats.arrived.has(throttled[0]!), 10_000, "throttled batch delivered");
    const [a, b] = grpc.stats.attemptsWith(throttled[0]!);
    assert.ok(b!.at - a!.at >= 1950, `the retry came ${b!.at - a!.at} ms after RetryInfo asked for 2000 ms`);

    await grpc.setMode({ kind: "refuse-grpc", code: GrpcCode.Unavailable });
    const unavailable = await send();
    await eventually(() => grpc.stats.attemptsWith(unavailable[0]!).length >= 3, 10_000, "UNAVAILABLE retried");
    await grpc.setMode({ kind: "accept" });
    await eventually(() => grpc.stats.arrived.has(unavailable[0]!), 10_000, "UNAVAILABLE then accepted");

    const refusedForGood = new Set<string>();
    for (const code of [GrpcCode.ResourceExhausted, GrpcCode.InvalidArgument]) {
      await grpc.setMode({ kind: "refuse-grpc", code });
      const before = await failed();
      const ids = await send();
      await eventually(async () => (await failed()) === before + 10, 10_000, `send_failed after ${GrpcCode[code]}`);
      await sleep(500);
      assert.equal(grpc.stats.attemptsWith(ids[0]!).length, 1, `${GrpcCode[code]} is not retried`);
      for (const id of ids) refusedForGood.add(id);
    }
    const drops = g.solder.stderr().split("\n").filter((l) => l.includes("Exporting failed. Dropping data."));
    assert.equal(drops.length, 2, drops.join("\n"));
    assert.match(drops[0]!, /code = ResourceExhausted/);
    assert.match(drops[1]!, /code = InvalidArgument/);
    for (const id of load.acked) assert.equal(grpc.stats.arrived.has(id), !refusedForGood.has(id), id);
    report("gRPC RetryInfo 2 s, UNAVAILABLE, RESOURCE_EXHAUSTED, INVALID_ARGUMENT", load, grpc, g, refusedForGood.size);
    await g.solder.stop();
  });

  test("backend hangs: the timeout fires, the exporters retry, solder stays responsive, and everything arrives once it recovers", async () => {
    const http = await startHttpFaultBackend();
    const grpc = await startGrpcFaultBackend();
    backends.push(http, grpc);
    const retry = `retry_on_failure {\ninitial_interval = "200ms"\nmax_interval = "500ms"\n}`;
    const g = await gateway("hang", ["otelcol.exporter.otlphttp.http.input", "otelcol.exporter.otlp.grpc.input"], [
      otlphttp("http", http.url, retry, `timeout = "1s"`),
      otlpgrpc("grpc", grpc.endpoint, `timeout = "1s"\n${retry}`),
    ].join("\n"));
    const tag = nextTag++;
    await Promise.all([http.setMode({ kind: "hang" }), grpc.setMode({ kind: "hang" })]);
    const loadDone = runLoad({ url: g.traces, rate: 100, batch: 10, durationMs: 6_000, tag });
    await sleep(3_000);
    // Responsive while every exporter request hangs.
    const t0 = Date.now();
    assert.equal((await fetch(`${g.solder.url}/-/healthy`)).status, 200);
    assert.ok(Date.now() - t0 < 5_000, "/-/healthy answered in time");
    await eventually(() => http.stats.attempts.length >= 2 && grpc.stats.attempts.length >= 2, 10_000, "retries after timeouts");
    await sleep(2_000);
    await Promise.all([http.setMode({ kind: "accept" }), grpc.setMode({ kind: "accept" })]);
    const load = await loadDone;
    assert.equal(load.acked.size, load.sent, `the receiver answered every request: ${JSON.stringify(load.byStatus)}`);
    await allArrive(load, http, 20_000, "otlphttp: every acknowledged item arrives", g);
    await allArrive(load, grpc, 20_000, "otlp gRPC: every acknowledged item arrives", g);
    report("hang 5 s, timeout 1 s, otlphttp", load, http, g);
    report("hang 5 s, timeout 1 s, otlp gRPC", load, grpc, g);
    // The same items were tried more than once: the timeout fired and the batch was retried.
    const first = [...load.acked][0]!;
    assert.ok(http.stats.attemptsWith(first).length >= 2 && grpc.stats.attemptsWith(first).length >= 2, "hung requests were retried");
    assert.match(g.solder.stderr(), /Will retry the request after interval[^\n]*timed out/);
    assert.match(g.solder.stderr(), /Will retry the request after interval[^\n]*DeadlineExceeded/);
    assert.equal(await metric(g, "otelcol_exporter_send_failed_spans_total", 'exporter="'), 0);
    await g.solder.stop();
  });
});
