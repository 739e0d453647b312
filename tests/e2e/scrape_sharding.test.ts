// Scrape sharding end to end (issue #11 item 3): three real solder processes run
// examples/scrape-sharding.alloy — unchanged but for its target list (30 /metrics endpoints
// this test serves on 127.0.0.1) and its scrape interval (15s → 1s) — as the replicas 0, 1 and 2
// of SHARDS=3. Replica 0 gets SHARD=0; replicas 1 and 2 get StatefulSet-style pod names
// (solder-1, solder-tier-2), whose trailing number the example's relabel rules read as the
// ordinal. Each replica remote-writes to its own path of a receiver in this test, which decodes
// the requests and records the `instance` of every `up` series.
// Asserted: every target is scraped by exactly one replica (the sets are disjoint, and no
// endpoint saw a scrape from a replica it does not belong to — checked by the up series each
// replica sends), the union covers all 30, and each replica's share is the one Prometheus's
// hashmod gives (MD5 of the address, last 8 bytes big-endian, mod 3; tests/prom/relabel.test.ts
// pins that against a real Prometheus).

import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fromBinary } from "@bufbuild/protobuf";
import snappy from "snappyjs";
import { WriteRequestSchema } from "../../gen/prometheus/remote_pb.ts";
import { type Running, eventually, startSolder } from "../helpers/solder.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const EXAMPLE = `${root}examples/scrape-sharding.alloy`;
const TARGETS = 30;
const SHARDS = 3;
/** What each replica is told its ordinal is: a bare number, or a pod name ending in one. */
const SHARD_ENV = ["0", "solder-1", "solder-tier-2"];

const dir = mkdtempSync(join(tmpdir(), "solder-e2e-sharding-"));
const servers: Server[] = [];
const solders: Running[] = [];

after(async () => {
  for (const s of solders) await s.stop("SIGKILL");
  for (const s of servers) await new Promise<void>((resolve) => s.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<number> {
  const server = createServer(handler);
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

/** Prometheus's hashmod, computed here independently of src/prom/relabel.ts. */
function shardOf(address: string): number {
  return Number(createHash("md5").update(address).digest().readBigUInt64BE(8) % BigInt(SHARDS));
}

/** Replaces `from` (which must occur exactly once) with `to`. */
function replaceOnce(text: string, from: string | RegExp, to: string): string {
  const count = (text.match(new RegExp(from, "g")) ?? []).length;
  assert.equal(count, 1, `exactly one ${String(from)}`);
  return text.replace(from, () => to);
}

describe("scrape sharding: three replicas split one target list", () => {
  test("every target is scraped by exactly one replica, and the replicas cover all targets", async () => {
    // 30 targets, each a /metrics endpoint of its own; hits counts the scrapes each one served.
    const hits = new Map<string, number>();
    const addresses: string[] = [];
    for (let i = 0; i < TARGETS; i++) {
      let address = "";
      const port = await listen((req, res) => {
        hits.set(address, (hits.get(address) ?? 0) + 1);
        if (req.url !== "/metrics") return void res.writeHead(404).end();
        res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4" });
        res.end(`# TYPE sharding_target_info gauge\nsharding_target_info{target="${i}"} 1\n`);
      });
      address = `127.0.0.1:${port}`;
      addresses.push(address);
    }

    // The remote-write receiver: /write/<replica> records the instance of every up series, and its value.
    const seen: Array<Map<string, number>> = SHARD_ENV.map(() => new Map());
    const receiverPort = await listen((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const replica = Number(/^\/write\/(\d)$/.exec(req.url ?? "")?.[1] ?? NaN);
        if (!(replica in SHARD_ENV)) return void res.writeHead(404).end();
        const request = fromBinary(WriteRequestSchema, snappy.uncompress(new Uint8Array(Buffer.concat(chunks))));
        for (const ts of request.timeseries) {
          const labels = Object.fromEntries(ts.labels.map((l) => [l.name, l.value]));
          if (labels.__name__ !== "up") continue;
          for (const s of ts.samples) seen[replica]!.set(labels.instance!, s.value);
        }
        res.writeHead(204).end();
      });
    });

    // The example, unchanged but for its targets and interval.
    let config = readFileSync(EXAMPLE, "utf8");
    const list = addresses.map((a) => `\t\t{"__address__" = "${a}"},`).join("\n");
    config = replaceOnce(config, /\ttargets = \[\n(?:\t\t\{"__address__" = "[^"]+"\},\n)+\t\]/, `\ttargets = [\n${list}\n\t]`);
    config = replaceOnce(config, `scrape_interval = "15s"`, `scrape_interval = "1s"\n\tscrape_timeout  = "1s"`);
    const path = join(dir, "scrape-sharding.alloy");
    writeFileSync(path, config);

    for (const [replica, shard] of SHARD_ENV.entries()) {
      const env = { SHARDS: String(SHARDS), SHARD: shard, REMOTE_WRITE_URL: `http://127.0.0.1:${receiverPort}/write/${replica}` };
      solders.push(await startSolder([`--storage.path=${join(dir, `data-${replica}`)}`, path], { env }));
    }

    const union = () => new Set(seen.flatMap((m) => [...m.keys()]));
    await eventually(() => union().size === TARGETS, 40_000, "up series for all 30 targets").catch((err: Error) => {
      const logs = solders.map((s, i) => `replica ${i}:\n${s.stderr().slice(-2000)}`).join("\n");
      throw new Error(`${err.message}: saw ${union().size}\n${logs}`);
    });
    // A few more scrape rounds, so a replica scraping a target that is not its own would show.
    const rounds = Math.min(...addresses.map((a) => hits.get(a) ?? 0));
    await eventually(() => Math.min(...addresses.map((a) => hits.get(a) ?? 0)) >= rounds + 2, 15_000, "two more scrapes of every target");

    const split = seen.map((m) => [...m.keys()].sort());
    console.log(`shard split of ${TARGETS} targets over ${SHARDS} replicas: ${split.map((s, i) => `replica ${i} (SHARD=${SHARD_ENV[i]}): ${s.length}`).join(", ")}`);
    for (const [i, s] of split.entries()) console.log(`  replica ${i}: ${s.map((a) => a.slice(a.lastIndexOf(":") + 1)).join(" ")}`);

    for (const [replica, instances] of split.entries()) {
      const expected = addresses.filter((a) => shardOf(a) === replica).sort();
      assert.deepEqual(instances, expected, `replica ${replica} scraped exactly its hashmod share`);
      for (const a of instances) assert.equal(seen[replica]!.get(a), 1, `up{instance="${a}"} from replica ${replica}`);
    }
    // Disjoint and complete: the shares add up to the list.
    assert.equal(split.reduce((n, s) => n + s.length, 0), TARGETS);
    assert.deepEqual([...union()].sort(), [...addresses].sort());
    // The split is a real one: with 30 targets over 3 replicas, none is left without work.
    for (const s of split) assert.ok(s.length > 0, "every replica has targets");
  });
});
