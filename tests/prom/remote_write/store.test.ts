// The component's running state with its WAL: samples accepted during an outage survive a
// restart and are sent once; progress keeps a restart from sending twice; truncation deletes
// what every endpoint sent (and what is older than max_keepalive_time); an unwritable storage
// path or a full disk refuses commits with a clear error and turns health unhealthy; resharding
// keeps per-series order.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Labels } from "../../../src/prom/appender.ts";
import { endpointSettings } from "../../../src/prom/remote_write/args.ts";
import { RemoteWriteMetrics } from "../../../src/prom/remote_write/metrics.ts";
import { EndpointQueue } from "../../../src/prom/remote_write/queue.ts";
import { WalStorage, newTxn } from "../../../src/prom/remote_write/storage.ts";
import { WalWriter, listSegments, segmentName } from "../../../src/prom/remote_write/wal.ts";
import { createLogger, memorySink } from "../../../src/runtime/logger.ts";
import { MetricsRegistry } from "../../../src/runtime/metrics.ts";
import { FakeReceiver, type RunningStore, decodeArgs, eventually, metricValue, startStore, tempDir } from "./harness.ts";

const receivers: FakeReceiver[] = [];
const stores: RunningStore[] = [];
after(async () => {
  for (const s of stores) await s.stop().catch(() => {});
  for (const r of receivers) await r.close();
});

async function receiver(): Promise<FakeReceiver> {
  const r = await new FakeReceiver().start();
  receivers.push(r);
  return r;
}

const config = (url: string, extra = "") => `
endpoint {
  name = "main"
  url = "${url}"
  queue_config {
    batch_send_deadline = "20ms"
    min_backoff = "5ms"
    max_backoff = "20ms"
  }
}
${extra}`;

function start(text: string, dataPath?: string, segmentBytes?: number): RunningStore {
  const s = startStore(text, dataPath, { drainMs: 100, segmentBytes });
  stores.push(s);
  return s;
}

const series = (i: number): Labels => [["__name__", "wal_test"], ["i", String(i)]];

describe("restart and recovery", () => {
  test("samples accepted while the endpoint failed are sent after a restart, then never again", async () => {
    const down = await receiver();
    down.fallback = 503;
    const a = start(config(down.url));
    for (let t = 1; t <= 5; t++) await a.write([[series(1), t, t], [series(2), t, -t]]);
    await eventually(() => down.requests.length > 2, 5000, "failing attempts");
    await a.stop();

    const up = await receiver();
    const b = start(config(up.url), a.dataPath);
    await eventually(() => up.accepted().length === 10, 5000, "all ten samples");
    for (const i of [1, 2]) assert.deepEqual(up.accepted().filter((l) => l.includes(`i=${i} `)).map((l) => l.split("@")[1]), ["1", "2", "3", "4", "5"]);
    await b.write([[series(1), 6, 6]]);
    await eventually(() => up.accepted().length === 11, 5000, "the new sample");
    await b.stop();

    const again = await receiver();
    const c = start(config(again.url), a.dataPath);
    await c.write([[series(1), 7, 7]]);
    await eventually(() => again.accepted().length === 1, 5000, "only the new sample");
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(again.accepted(), ["__name__=wal_test,i=1 7@7"]);
  });

  test("with several shards, a restart neither loses nor repeats samples of shards that ran ahead", async () => {
    const r = await receiver();
    const text = config(r.url).replace("queue_config {", "queue_config {\n    min_shards = 4\n    max_shards = 4\n    max_samples_per_send = 3");
    const a = start(text);
    for (let t = 1; t <= 10; t++) await a.write(Array.from({ length: 8 }, (_, i) => [series(i), t, t] as [Labels, number, number]));
    await eventually(() => r.accepted().length === 80, 5000, "80 samples");
    await a.stop();
    const b = start(text, a.dataPath);
    await b.write([[series(0), 11, 11]]);
    await eventually(() => r.accepted().length === 81, 5000, "one more");
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(r.accepted().length, 81);
    assert.equal(new Set(r.accepted()).size, 81);
  });
});

describe("a batch in flight when the process stopped", () => {
  test("is sent again on its own after a restart, never mixed with newer samples", async () => {
    const a = await receiver();
    a.script = [{ status: 0 }]; // the first request never gets an answer
    const first = start(config(a.url));
    for (let t = 1; t <= 3; t++) await first.write([[series(1), t, t]]);
    await eventually(() => a.requests.length === 1, 5000, "the first request");
    for (let t = 4; t <= 5; t++) await first.write([[series(1), t, t]]);
    await first.stop();

    // The receiver had applied the batch, so it now refuses the (out-of-order) repeat with 400.
    const b = await receiver();
    b.script = [{ status: 400, body: "out of order sample" }];
    const second = start(config(b.url), first.dataPath);
    await eventually(() => b.requests.length === 2, 5000, "two requests");
    const times = (i: number) => b.requests[i]!.request.timeseries.flatMap((t) => t.samples.map((x) => Number(x.timestamp)));
    assert.deepEqual(times(0), a.requests[0]!.request.timeseries.flatMap((t) => t.samples.map((x) => Number(x.timestamp))));
    assert.deepEqual(times(1), [4, 5]);
    assert.ok(second.logs.some((l) => l.includes("level=warn") && l.includes("probably delivered")), second.logs.join("\n"));
    assert.ok(!second.logs.some((l) => l.includes("non-recoverable error")));
  });
});

describe("truncation", () => {
  test("segments every endpoint has sent are deleted; unsent ones are kept until max_keepalive_time", async () => {
    const r = await receiver();
    const s = start(config(r.url, `wal {\n truncate_frequency = "1h"\n min_keepalive_time = "0s"\n max_keepalive_time = "1h"\n}`));
    await s.write([[series(1), 1, 1]]);
    await eventually(() => r.accepted().length === 1, 5000, "sent");
    await new Promise((res) => setTimeout(res, 1100)); // the idle queue's progress is saved every second
    s.store.truncate();
    await s.write([[series(1), 2, 2]]);
    await eventually(() => r.accepted().length === 2, 5000, "sent");
    await new Promise((res) => setTimeout(res, 1100));
    s.store.truncate();
    assert.equal(s.store.segments().length, 1, `segments ${s.store.segments()}`);

    const down = await receiver();
    down.fallback = 503;
    const d = start(config(down.url, `wal {\n truncate_frequency = "1h"\n min_keepalive_time = "0s"\n max_keepalive_time = "100ms"\n}`));
    await d.write([[series(1), 1, 1]]);
    d.store.truncate();
    assert.equal(d.store.segments().length, 2, "unsent and young: kept");
    await new Promise((res) => setTimeout(res, 150));
    d.store.truncate();
    assert.deepEqual(d.store.segments(), [1]);
    assert.ok(d.logs.some((l) => l.includes("not sent to every endpoint")));
  });

  test("without endpoints the WAL is still written and truncated", async () => {
    const s = start(`wal {\n min_keepalive_time = "0s"\n}`);
    await s.write([[series(1), 1, 1]]);
    assert.equal(metricValue(s.metrics, "prometheus_remote_write_wal_samples_appended_total"), 1);
    s.store.truncate();
    assert.deepEqual(s.store.segments(), [1]);
  });
});

describe("storage problems", () => {
  test("an unwritable storage path refuses commits with a clear error and turns health unhealthy", async () => {
    const file = join(tempDir(), "not-a-dir");
    writeFileSync(file, "x");
    const s = start(config("http://127.0.0.1:9/api/v1/write"), join(file, "prometheus.remote_write.x"));
    await assert.rejects(s.write([[series(1), 1, 1]]), /cannot open the WAL in .*not-a-dir\/prometheus\.remote_write\.x\/wal: ENOTDIR/);
    const h = s.store.health();
    assert.equal(h?.state, "unhealthy");
    assert.match(h!.message, /cannot open the WAL in .*: ENOTDIR/);
    assert.ok(s.logs.some((l) => l.includes("level=error") && l.includes("cannot open the WAL")));
  });

  test("a full disk (ENOSPC) refuses the commit, turns health unhealthy, and recovers when space returns", async () => {
    const s = start("", undefined, 1); // every commit starts a new segment
    await s.write([[series(1), 1, 1]]);
    const wal = join(s.dataPath, "wal");
    const next = listSegments(wal).at(-1)! + 1;
    symlinkSync("/dev/full", join(wal, segmentName(next)));
    await assert.rejects(s.write([[series(1), 2, 2]]), /cannot write to the WAL in .*: ENOSPC/);
    assert.equal(s.store.health()?.state, "unhealthy");
    assert.match(s.store.health()!.message, /ENOSPC/);
    await assert.rejects(s.write([[series(1), 3, 3]]), /cannot accept samples: cannot write to the WAL/);
    rmSync(join(wal, segmentName(next)));
    await new Promise((r) => setTimeout(r, 1050));
    await s.write([[series(1), 4, 4]]);
    assert.equal(s.store.health(), undefined);
    assert.equal(metricValue(s.metrics, "prometheus_remote_write_wal_write_failures_total"), 1);
  });
});

describe("resharding", () => {
  test("draining before a reshard keeps every series in order, nothing lost", async () => {
    const r = await receiver();
    const dir = tempDir();
    const writer = new WalWriter(dir);
    writer.open();
    const metrics = new RemoteWriteMetrics(new MetricsRegistry());
    const storage = new WalStorage(writer, metrics);
    const { args } = decodeArgs(config(r.url).replace("queue_config {", "queue_config {\n    max_shards = 8\n    max_samples_per_send = 5"));
    const logs = memorySink("debug");
    const queue = new EndpointQueue(endpointSettings(args.endpoint[0]!), {
      walDir: dir,
      walEnd: () => writer.end(),
      externalLabels: () => [],
      logger: createLogger(logs),
      metrics: metrics.queue("main", r.url),
      onCorruption: () => {},
      drainMs: 100,
    });
    const abort = new AbortController();
    const running = queue.run(abort.signal);
    const write = (t: number) => {
      const txn = newTxn();
      for (let i = 0; i < 10; i++) txn.samples.push({ labels: series(i), ts: t, value: t, stale: false });
      storage.commit(txn);
      queue.notify();
    };
    for (let t = 1; t <= 10; t++) write(t);
    await queue.reshard(5, abort.signal);
    assert.equal(queue.progress().length, 5);
    for (let t = 11; t <= 20; t++) write(t);
    await queue.reshard(2, abort.signal);
    for (let t = 21; t <= 30; t++) write(t);
    await eventually(() => r.accepted().length === 300, 5000, "300 samples");
    for (let i = 0; i < 10; i++) {
      const ts = r.accepted().filter((l) => l.includes(`i=${i} `)).map((l) => Number(l.split("@")[1]));
      assert.deepEqual(ts, Array.from({ length: 30 }, (_, k) => k + 1), `series ${i}`);
    }
    abort.abort();
    await running;
    writer.close();
    assert.ok(logs.lines.some((l) => l.includes("Remote storage resharding")));
  });
});
