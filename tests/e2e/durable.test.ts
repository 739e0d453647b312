// Durable queues against SIGKILL (issue #10): the real binary takes a steady, numbered OTLP/HTTP
// load while its backend is down, so the persistent sending queue fills (and then refuses with a
// retryable status); it is killed with SIGKILL mid-load, restarted on the same storage directory
// with the backend up, and every item it acknowledged must reach the backend (duplicates are
// allowed — at-least-once — and counted). Everything on 127.0.0.1; bounded to about a minute.
//
// Two pipelines, both without otelcol.processor.batch (whose buffer is acknowledged before it
// reaches any queue, so a crash loses it — docs/reliability.md): receiver → exporter with a
// persistent queue, and the same with the queue's own `batch` block, which batches after the
// durable write.

import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { arrivedItems, peakRssMiB, startCountedLoad, tally } from "../helpers/counted_load.ts";
import { type HttpSink, closedPort, startHttpSink } from "../helpers/otlp_sink.ts";
import { type Running, eventually, freePort, startSolder } from "../helpers/solder.ts";

const LOAD_MS = 3_000;

function config(receiverPort: number, backend: string, batch: boolean): string {
  return `otelcol.receiver.otlp "in" {
  http {
    endpoint = "127.0.0.1:${receiverPort}"
  }
  output {
    traces = [otelcol.exporter.otlphttp.out.input]
  }
}

otelcol.storage.file "queue" { }

otelcol.exporter.otlphttp "out" {
  client {
    endpoint    = "${backend}"
    compression = "none"
  }
  retry_on_failure {
    initial_interval = "50ms"
    max_interval     = "200ms"
  }
  sending_queue {
    storage       = otelcol.storage.file.queue.handler
    queue_size    = 100
    num_consumers = 4
${batch ? `    batch {\n      flush_timeout = "100ms"\n      min_size      = 500\n      max_size      = 1000\n    }\n` : ""}  }
}
`;
}

const live = new Set<Running>();
const sinks = new Set<HttpSink>();
after(async () => {
  for (const r of live) await r.stop("SIGKILL");
  for (const s of sinks) await s.close();
});

/** The backend while the first process runs: refusing connections, or answering slowly (so the queue both fills and drains). */
type Phase1 = "down" | "slow";

async function crashAndRecover(name: string, batch: boolean, phase1: Phase1): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "solder-durable-"));
  const storage = join(dir, "data");
  const file = join(dir, "config.alloy");
  const receiverPort = await freePort();
  let slow: HttpSink | undefined;
  if (phase1 === "slow") {
    slow = await startHttpSink();
    sinks.add(slow);
    slow.reply(...Array.from({ length: 5000 }, () => ({ status: 200, delayMs: 150 })));
  }
  writeFileSync(file, config(receiverPort, slow?.url ?? `http://127.0.0.1:${await closedPort()}`, batch));
  const args = [`--storage.path=${storage}`, "--stability.level=public-preview", file];

  const first = await startSolder(args);
  live.add(first);
  const load = startCountedLoad(`http://127.0.0.1:${receiverPort}`, { workers: 4, batchSize: 50 });
  await new Promise((r) => setTimeout(r, LOAD_MS));
  const rssBefore = await peakRssMiB(first.proc.pid);
  first.proc.kill("SIGKILL");
  const killCode = await first.exited;
  live.delete(first);
  const counts = await load.stop();
  assert.equal(killCode, null, "killed by the signal");
  assert.ok(counts.acknowledged > 0, "some items were acknowledged before the kill");
  // With nothing draining it, the queue (100 requests of 50 items) must have filled up.
  if (phase1 === "down") assert.ok(counts.refusedRetryable > 0, "the full queue refused with a retryable status");
  const queueDir = join(storage, "otelcol.storage.file.queue", "otelcol.exporter.otlphttp.out");
  const segments = readdirSync(queueDir).filter((n) => /^\d{8}$/.test(n));
  assert.ok(segments.length > 0, "the queue is on disk");

  const sink = await startHttpSink();
  sinks.add(sink);
  writeFileSync(file, config(receiverPort, sink.url, batch));
  const second = await startSolder(args);
  live.add(second);
  const arrivals = () => arrivedItems([...(slow?.requests ?? []), ...sink.requests]);
  let result = tally(counts.acked, new Map());
  try {
    await eventually(() => {
      result = tally(counts.acked, arrivals());
      return result.lost.length === 0;
    }, 30_000, "every acknowledged item to arrive");
  } catch {
    // Reported below with the numbers.
  }
  const rssAfter = await peakRssMiB(second.proc.pid);
  const code = await second.stop();
  live.delete(second);
  const unique = arrivals().size;
  const report = {
    pipeline: name,
    backend_before_kill: phase1,
    arrived_before_kill: slow ? arrivedItems(slow.requests).size : 0,
    sent: counts.sent,
    acknowledged: counts.acknowledged,
    refused_retryable: counts.refusedRetryable,
    failed_at_kill: counts.failed,
    arrived: result.arrived,
    arrived_unique: unique,
    duplicates: result.duplicates,
    lost_acknowledged: result.lost.length,
    peak_rss_mib_before_kill: rssBefore,
    peak_rss_mib_after_restart: rssAfter,
  };
  console.log(`durable queue after SIGKILL: ${JSON.stringify(report)}`);
  assert.deepEqual(result.lost.slice(0, 10), [], `acknowledged items lost: ${result.lost.length}\n${second.stderr().slice(-2000)}`);
  assert.ok(/recovered requests from the persistent queue/.test(second.stderr()), "the restart recovered the queue");
  assert.equal(code, 0);
}

describe("durable sending queue survives SIGKILL (e2e)", { timeout: 120_000 }, () => {
  test("backend down: the queue fills, then refuses; nothing acknowledged is lost", async () => {
    await crashAndRecover("receiver → otlphttp (persistent queue)", false, "down");
  });

  test("backend slow: the queue fills and drains at once (acks, segment deletion); nothing acknowledged is lost", async () => {
    await crashAndRecover("receiver → otlphttp (persistent queue)", false, "slow");
  });

  test("backend slow, batching in the queue after the durable write: nothing acknowledged is lost", async () => {
    await crashAndRecover("receiver → otlphttp (persistent queue + sending_queue.batch)", true, "slow");
  });
});
