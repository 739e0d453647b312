// Start-up and idle memory of the built executable (issue #9): `dist/solder --version`, and
// `dist/solder run` on the seed pipeline until `/-/ready` answers 200, then VmRSS after it has
// idled. The gateway is pinned to CPU 0 (`taskset -c 0`, as in `make bench`); run this script on
// the other CPU (`taskset -c 1`) so its polling does not compete. Each run gets free ports: the
// seed config is copied with its receivers on them and its exporters pointed at a closed port on
// 127.0.0.1 (nothing is sent while idle anyway). Not a test: nothing here asserts.
//
//   taskset -c 1 node_modules/.bin/bun scripts/bench-startup.ts [--bin=dist/solder] [--runs=10]
//     [--config=scripts/bench/configs/seed.alloy] [--idle-ms=2000] [--poll-ms=2] [--json]

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryMiB, quantile, stop } from "./bench/proc.ts";

/** What one invocation measured; times in milliseconds, memory in MiB. */
export interface StartupResult {
  bin: string;
  config: string;
  runs: number;
  idleMs: number;
  versionMs: number[];
  readyMs: number[];
  idleRssMiB: number[];
  failures: string[];
}

function arg(name: string, fallback: string): string {
  const hit = process.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (hit === undefined) return fallback;
  return hit.includes("=") ? hit.slice(hit.indexOf("=") + 1) : "true";
}

const BIN = arg("bin", "dist/solder");
const RUNS = Number(arg("runs", "10"));
const CONFIG = arg("config", "scripts/bench/configs/seed.alloy");
const IDLE_MS = Number(arg("idle-ms", "2000"));
const POLL_MS = Number(arg("poll-ms", "2"));
const GATEWAY_CPU = "0";
/** A run that is not ready by then counts as failed. */
const READY_TIMEOUT_MS = 15_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}


/**
 * The seed config with its bench ports replaced: listeners on free ports, exporters on a closed
 * one. A config that names any other host:port is refused, so nothing here talks beyond 127.0.0.1.
 */
function rewriteConfig(text: string, ports: { grpc: number; http: number; closed: number }): string {
  for (const m of text.matchAll(/"(?:[a-z]+:\/\/)?([^"\/\s]+):(\d+)/g)) {
    if (m[1] !== "127.0.0.1" || !["14317", "14318", "14400"].includes(m[2]!)) throw new Error(`${CONFIG}: ${m[0]}" is not one of the bench addresses 127.0.0.1:14317/14318/14400`);
  }
  return text.replaceAll("127.0.0.1:14317", `127.0.0.1:${ports.grpc}`).replaceAll("127.0.0.1:14318", `127.0.0.1:${ports.http}`).replaceAll("127.0.0.1:14400", `127.0.0.1:${ports.closed}`);
}


function versionRun(): number {
  const t0 = performance.now();
  const r = spawnSync("taskset", ["-c", GATEWAY_CPU, BIN, "--version"], { stdio: "ignore", timeout: 10_000 });
  const t = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${BIN} --version exited with ${r.status ?? r.signal}`);
  return t;
}

/** One `run`: time until /-/ready answers 200, then VmRSS after IDLE_MS. */
async function readyRun(seed: string, dir: string, i: number): Promise<{ readyMs: number; rssMiB: number }> {
  const ports = { admin: await freePort(), grpc: await freePort(), http: await freePort(), closed: await freePort() };
  const config = join(dir, `seed-${i}.alloy`);
  writeFileSync(config, rewriteConfig(seed, ports));
  const argv = ["-c", GATEWAY_CPU, BIN, "run", `--server.http.listen-addr=127.0.0.1:${ports.admin}`, `--storage.path=${join(dir, `data-${i}`)}`, config];
  const t0 = performance.now();
  const child = spawn("taskset", argv, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => {
    if (stderr.length < 20_000) stderr += c.toString();
  });
  try {
    const url = `http://127.0.0.1:${ports.admin}/-/ready`;
    let readyMs = -1;
    while (performance.now() - t0 < READY_TIMEOUT_MS) {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before ready: ${stderr.slice(-2000)}`);
      try {
        const res = await fetch(url);
        await res.arrayBuffer();
        if (res.status === 200) {
          readyMs = performance.now() - t0;
          break;
        }
      } catch {
        // not listening yet
      }
      await sleep(POLL_MS);
    }
    if (readyMs < 0) throw new Error(`not ready within ${READY_TIMEOUT_MS} ms: ${stderr.slice(-2000)}`);
    await sleep(IDLE_MS);
    return { readyMs, rssMiB: memoryMiB(child.pid!).rss };
  } finally {
    await stop(child);
  }
}

/** Runs the whole measurement. */
export async function measureStartup(): Promise<StartupResult> {
  const out: StartupResult = { bin: BIN, config: CONFIG, runs: RUNS, idleMs: IDLE_MS, versionMs: [], readyMs: [], idleRssMiB: [], failures: [] };
  const seed = readFileSync(CONFIG, "utf8");
  const dir = mkdtempSync(join(tmpdir(), "solder-bench-startup-"));
  try {
    versionRun(); // warm the page cache
    for (let i = 0; i < RUNS; i++) out.versionMs.push(versionRun());
    for (let i = 0; i < RUNS; i++) {
      try {
        const r = await readyRun(seed, dir, i);
        out.readyMs.push(r.readyMs);
        out.idleRssMiB.push(r.rssMiB);
      } catch (err) {
        out.failures.push((err as Error).message);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}


if (import.meta.main) {
  const r = await measureStartup();
  if (arg("json", "false") === "true") {
    console.log(JSON.stringify(r));
  } else {
    const f = (n: number) => n.toFixed(0);
    console.log(`${BIN} on ${CONFIG}, ${RUNS} runs, gateway on CPU ${GATEWAY_CPU}`);
    console.log(`  --version      median ${f(quantile(r.versionMs, 0.5))} ms  p90 ${f(quantile(r.versionMs, 0.9))} ms  [${r.versionMs.map(f).join(" ")}]`);
    console.log(`  run → ready    median ${f(quantile(r.readyMs, 0.5))} ms  p90 ${f(quantile(r.readyMs, 0.9))} ms  [${r.readyMs.map(f).join(" ")}]`);
    console.log(`  idle RSS (${IDLE_MS} ms) median ${quantile(r.idleRssMiB, 0.5).toFixed(1)} MiB  max ${Math.max(...r.idleRssMiB).toFixed(1)} MiB`);
    for (const e of r.failures) console.log(`  failed: ${e.split("\n")[0]}`);
  }
}
