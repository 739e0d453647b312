// Graceful shutdown (issue #10): SIGTERM closes the receivers' listeners after the requests in
// flight were answered, flushes batch processors, drains exporter queues to their backends within
// --shutdown.drain-timeout, leaves what is left on disk when the queue is persistent, and exits 0.
// Real binary, numbered OTLP/HTTP load, everything on 127.0.0.1.

import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { arrivedItems, numberedTraces, startCountedLoad, tally } from "../helpers/counted_load.ts";
import { type HttpSink, closedPort, startHttpSink } from "../helpers/otlp_sink.ts";
import { type Running, eventually, freePort, startSolder } from "../helpers/solder.ts";

const live = new Set<Running>();
const sinks = new Set<HttpSink>();
after(async () => {
  for (const r of live) await r.stop("SIGKILL");
  for (const s of sinks) await s.close();
});

function receiver(port: number, next: string): string {
  return `otelcol.receiver.otlp "in" {
  http {
    endpoint = "127.0.0.1:${port}"
  }
  output {
    traces = [${next}]
  }
}
`;
}

function exporter(backend: string, storage: boolean): string {
  return `otelcol.exporter.otlphttp "out" {
  client {
    endpoint    = "${backend}"
    compression = "none"
  }
  retry_on_failure {
    initial_interval = "50ms"
    max_interval     = "200ms"
  }
  sending_queue {
    queue_size = 1000
${storage ? "    storage    = otelcol.storage.file.queue.handler\n" : ""}  }
}
${storage ? `otelcol.storage.file "queue" { }\n` : ""}`;
}

/** Sends SIGTERM and waits for the exit (SIGKILL after `limitMs`); the code and how long it took. */
async function terminate(r: Running, limitMs: number): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  r.proc.kill("SIGTERM");
  const timer = setTimeout(() => r.proc.kill("SIGKILL"), limitMs);
  const code = await r.exited;
  clearTimeout(timer);
  live.delete(r);
  return { code, ms: Date.now() - started };
}

describe("graceful shutdown on SIGTERM (e2e)", { timeout: 90_000 }, () => {
  test("everything acknowledged before and during SIGTERM arrives, batch processor included; exit 0", async () => {
    const sink = await startHttpSink();
    sinks.add(sink);
    const dir = mkdtempSync(join(tmpdir(), "solder-shutdown-"));
    const port = await freePort();
    const file = join(dir, "config.alloy");
    // The batch processor holds everything (no size or time flush during the test): only the
    // shutdown flush can deliver it.
    writeFileSync(
      file,
      receiver(port, "otelcol.processor.batch.hold.input") +
        `otelcol.processor.batch "hold" {
  timeout         = "1h"
  send_batch_size = 10000000
  send_batch_max_size = 0
  output {
    traces = [otelcol.exporter.otlphttp.out.input]
  }
}
` +
        exporter(sink.url, false),
    );
    const r = await startSolder([`--storage.path=${join(dir, "data")}`, file]);
    live.add(r);
    const load = startCountedLoad(`http://127.0.0.1:${port}`, { workers: 4, batchSize: 20 });
    await eventually(() => load.counts.acknowledged >= 2000, 20_000, "load to be acknowledged");
    assert.equal(sink.requests.length, 0, "the batch processor holds everything until shutdown");
    // SIGTERM while requests are in flight: they are either answered (and then delivered) or refused.
    const { code } = await terminate(r, 60_000);
    const counts = await load.stop();
    const result = tally(counts.acked, arrivedItems(sink.requests));
    console.log(`graceful shutdown: ${JSON.stringify({ sent: counts.sent, acknowledged: counts.acknowledged, refused_retryable: counts.refusedRetryable, failed: counts.failed, arrived: result.arrived, duplicates: result.duplicates, lost_acknowledged: result.lost.length })}`);
    assert.equal(code, 0, r.stderr().slice(-2000));
    assert.equal(result.lost.length, 0, `acknowledged items lost: ${result.lost.length}`);
    assert.match(r.stderr(), /received signal, stopping/);
    assert.match(r.stderr(), /solder has stopped/);
  });

  test("a request in flight at SIGTERM is answered before the listener closes (no queue: the answer waits for the backend)", async () => {
    const sink = await startHttpSink();
    sinks.add(sink);
    sink.reply({ status: 200, delayMs: 1500 });
    const dir = mkdtempSync(join(tmpdir(), "solder-shutdown-"));
    const port = await freePort();
    const file = join(dir, "config.alloy");
    writeFileSync(file, receiver(port, "otelcol.exporter.otlphttp.out.input") + exporter(sink.url, false).replace("queue_size = 1000", "enabled    = false"));
    const r = await startSolder([`--storage.path=${join(dir, "data")}`, file]);
    live.add(r);
    const answer = fetch(`http://127.0.0.1:${port}/v1/traces`, { method: "POST", headers: { "content-type": "application/x-protobuf" }, body: numberedTraces(0, 10), signal: AbortSignal.timeout(20_000) }).then(
      (res) => res.status,
      (err: Error) => `failed: ${err.message}`,
    );
    await sink.waitForRequests(1, 10_000);
    const { code } = await terminate(r, 30_000);
    assert.equal(await answer, 200);
    assert.equal(code, 0);
  });

  test("backend down with a persistent queue: SIGTERM exits 0 within the drain timeout; a restart delivers the rest", async () => {
    const dir = mkdtempSync(join(tmpdir(), "solder-shutdown-"));
    const port = await freePort();
    const file = join(dir, "config.alloy");
    const args = [`--storage.path=${join(dir, "data")}`, "--stability.level=public-preview", "--shutdown.drain-timeout=2s", file];
    writeFileSync(file, receiver(port, "otelcol.exporter.otlphttp.out.input") + exporter(`http://127.0.0.1:${await closedPort()}`, true));
    const first = await startSolder(args);
    live.add(first);
    const load = startCountedLoad(`http://127.0.0.1:${port}`, { workers: 2, batchSize: 20 });
    await eventually(() => load.counts.acknowledged >= 1000, 20_000, "load to be acknowledged");
    const counts = await load.stop();
    // Bound: 2 s of drain, the receivers' 5 s grace for requests in flight (none here), and slack
    // for a busy machine; a shutdown that ignored the deadline would wait for the 5 min of retries.
    const { code, ms } = await terminate(first, 45_000);
    assert.equal(code, 0, first.stderr().slice(-2000));
    assert.ok(ms < 40_000, `shutdown took ${ms} ms`);
    assert.match(first.stderr(), /stay in the persistent queue for the next start|The data stays in the persistent queue/);
    assert.doesNotMatch(first.stderr(), /dropping data still in the sending queue/);

    const sink = await startHttpSink();
    sinks.add(sink);
    writeFileSync(file, receiver(port, "otelcol.exporter.otlphttp.out.input") + exporter(sink.url, true));
    const second = await startSolder(args);
    live.add(second);
    let result = tally(counts.acked, new Map());
    await eventually(() => {
      result = tally(counts.acked, arrivedItems(sink.requests));
      return result.lost.length === 0;
    }, 30_000, "every acknowledged item to arrive after the restart").catch(() => {});
    console.log(`shutdown with the backend down: ${JSON.stringify({ acknowledged: counts.acknowledged, shutdown_ms: ms, arrived_after_restart: result.arrived, duplicates: result.duplicates, lost_acknowledged: result.lost.length })}`);
    assert.equal(result.lost.length, 0, `acknowledged items lost: ${result.lost.length}`);
    assert.equal((await terminate(second, 30_000)).code, 0);
  });
});
