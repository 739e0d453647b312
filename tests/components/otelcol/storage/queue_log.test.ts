import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { QueueLog } from "../../../../src/components/otelcol/storage/queue_log.ts";
import type { Corruption } from "../../../../src/prom/remote_write/wal.ts";

const dir = () => mkdtempSync(join(tmpdir(), "solder-queue-log-"));
const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

function open(d: string, opts: { segmentBytes?: number; compactOnOpen?: boolean; fsync?: boolean } = {}) {
  const corruptions: Corruption[] = [];
  const log = new QueueLog(d, { fsync: opts.fsync ?? false, segmentBytes: opts.segmentBytes, compactOnOpen: opts.compactOnOpen, onCorruption: (c) => corruptions.push(c) });
  const recovered = log.openAndRecover();
  return { log, recovered, corruptions };
}

const segments = (d: string) => readdirSync(d).filter((n) => /^\d{8}$/.test(n)).sort();

describe("QueueLog", () => {
  test("writes requests and reads them back after a restart, with signal and metadata", () => {
    const d = dir();
    const a = open(d, { fsync: true });
    assert.deepEqual(a.recovered, []);
    const s0 = a.log.put("traces", bytes(10, 1));
    const s1 = a.log.put("logs", bytes(20, 2), new Map([["x-tenant", ["a", "b"]]]));
    assert.equal(s1, s0 + 1);
    a.log.close();
    const b = open(d);
    assert.equal(b.recovered.length, 2);
    assert.equal(b.recovered[0]!.signal, "traces");
    assert.deepEqual([...b.recovered[0]!.request], [...bytes(10, 1)]);
    assert.equal(b.recovered[0]!.metadata, undefined);
    assert.equal(b.recovered[1]!.signal, "logs");
    assert.deepEqual([...b.recovered[1]!.request], [...bytes(20, 2)]);
    assert.deepEqual([...b.recovered[1]!.metadata!], [["x-tenant", ["a", "b"]]]);
    assert.deepEqual(b.corruptions, []);
    // New seqs continue after the old ones: an ack can never hit a recovered request by mistake.
    assert.equal(b.log.put("metrics", bytes(1, 3)), s1 + 1);
  });

  test("acknowledged requests are not recovered", () => {
    const d = dir();
    const a = open(d);
    const seqs = [0, 1, 2, 3].map((i) => a.log.put("traces", bytes(5, i)));
    a.log.ack([seqs[0]!, seqs[2]!]);
    a.log.close();
    const b = open(d);
    assert.deepEqual(
      b.recovered.map((r) => r.request[0]),
      [1, 3],
    );
    assert.equal(b.log.stats().liveRequests, 2);
  });

  test("recovery without a clean close (the process was killed): everything written is there", () => {
    const d = dir();
    const a = open(d);
    for (let i = 0; i < 5; i++) a.log.put("traces", bytes(100, i));
    a.log.ack([1]);
    // No close(): the writer's descriptor is simply abandoned, as after SIGKILL.
    const b = open(d);
    assert.deepEqual(
      b.recovered.map((r) => r.request[0]),
      [0, 2, 3, 4],
    );
  });

  test("a torn last record is skipped silently; the records before it survive", () => {
    const d = dir();
    const a = open(d);
    a.log.put("traces", bytes(50, 7));
    a.log.put("traces", bytes(50, 8));
    a.log.close();
    const seg = join(d, segments(d).at(-1)!);
    truncateSync(seg, statSync(seg).size - 10);
    const b = open(d);
    assert.deepEqual(
      b.recovered.map((r) => r.request[0]),
      [7],
    );
    assert.deepEqual(b.corruptions, []);
  });

  test("a damaged record is reported and the rest of its segment skipped; other segments are read", () => {
    const d = dir();
    const a = open(d);
    a.log.put("traces", bytes(50, 1));
    a.log.put("traces", bytes(50, 2));
    a.log.close();
    const first = join(d, segments(d)[0]!);
    const b0 = readFileSync(first);
    b0[b0.length - 5] ^= 0xff; // inside the second record's payload
    writeFileSync(first, b0);
    const b = open(d);
    b.log.put("traces", bytes(50, 3));
    b.log.close();
    const c = open(d);
    assert.deepEqual(
      c.recovered.map((r) => r.request[0]),
      [1, 3],
    );
    assert.ok(c.corruptions.some((x) => x.reason === "CRC mismatch"));
  });

  test("segments are deleted once everything in them is acknowledged", () => {
    const d = dir();
    const { log } = open(d, { segmentBytes: 1024 });
    const seqs: number[] = [];
    for (let i = 0; i < 30; i++) seqs.push(log.put("traces", bytes(200, i)));
    assert.ok(segments(d).length > 5);
    log.ack(seqs.slice(0, 29));
    assert.equal(log.stats().liveRequests, 1);
    // Only the segment holding the last live request (and the one being written) remain.
    assert.ok(segments(d).length <= 2, `segments left: ${segments(d).join(",")}`);
    log.ack([seqs[29]!]);
    assert.equal(segments(d).length, 1);
    log.close();
    assert.deepEqual(open(d).recovered, []);
  });

  test("disk stays bounded when one old request pins its segment: live requests are compacted forward, order kept", () => {
    const d = dir();
    const segmentBytes = 2048;
    const { log } = open(d, { segmentBytes });
    const pinned = log.put("traces", bytes(300, 0xaa));
    let peak = 0;
    for (let i = 0; i < 400; i++) {
      const s = log.put("traces", bytes(300, i % 256));
      log.ack([s]);
      peak = Math.max(peak, log.stats().diskBytes);
    }
    const stats = log.stats();
    assert.equal(stats.liveRequests, 1);
    // Without compaction the log would hold ~400 × 330 bytes.
    assert.ok(peak <= 2 * stats.liveBytes + 3 * segmentBytes + 1024, `peak ${peak}`);
    const onDisk = segments(d).reduce((n, s) => n + statSync(join(d, s)).size, 0);
    assert.equal(onDisk, stats.diskBytes);
    const late = log.put("traces", bytes(10, 0xbb));
    log.close();
    const b = open(d);
    assert.deepEqual(
      b.recovered.map((r) => [r.seq, r.request[0]]),
      [
        [pinned, 0xaa],
        [late, 0xbb],
      ],
    );
  });

  test("recovery returns live requests in the order they were accepted, across segments and compaction copies", () => {
    const d = dir();
    const a = open(d, { segmentBytes: 512 });
    const seqs: number[] = [];
    for (let i = 0; i < 12; i++) seqs.push(a.log.put("logs", bytes(100, i)));
    a.log.ack([seqs[3]!, seqs[7]!]);
    a.log.close();
    // compaction.on_start rewrites the live requests into a new segment.
    const b = open(d, { segmentBytes: 512, compactOnOpen: true });
    const expected = [0, 1, 2, 4, 5, 6, 8, 9, 10, 11];
    assert.deepEqual(
      b.recovered.map((r) => r.request[0]),
      expected,
    );
    b.log.close();
    const c = open(d, { segmentBytes: 512 });
    assert.deepEqual(
      c.recovered.map((r) => r.request[0]),
      expected,
    );
    assert.deepEqual(c.corruptions, []);
  });

  test("a crash in the middle of a compaction (copies written, originals not yet deleted) recovers each request once", () => {
    const d = dir();
    const a = open(d);
    a.log.put("traces", bytes(10, 1));
    a.log.put("traces", bytes(10, 2));
    a.log.close();
    // Copy the segment as if compaction had rewritten it into the next segment and died.
    const [seg] = segments(d);
    const copy = readFileSync(join(d, seg!));
    writeFileSync(join(d, String(Number(seg) + 5).padStart(8, "0")), copy);
    const b = open(d);
    assert.deepEqual(
      b.recovered.map((r) => r.request[0]),
      [1, 2],
    );
  });

  test("garbage appended by a crash is not mistaken for records", () => {
    const d = dir();
    const a = open(d);
    a.log.put("metrics", bytes(10, 4));
    a.log.close();
    appendFileSync(join(d, segments(d).at(-1)!), Uint8Array.from([1, 200, 0]));
    const b = open(d);
    assert.deepEqual(
      b.recovered.map((r) => r.request[0]),
      [4],
    );
  });
});
