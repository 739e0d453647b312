// Runs the fuzz targets from the command line (`make fuzz` runs them long).
//   bun scripts/fuzz/run.ts [--target NAME] [--iterations N] [--seconds S] [--seed N] [--hang-ms MS] [--small] [--stop]
// Long runs use larger nesting / chain sizes; --small keeps the sizes of the bounded CI run.
//   bun scripts/fuzz/run.ts --target NAME --input BASE64     replays one input (--input @FILE: base64 in a file)
// Keeps going after a failure (up to 20 distinct per target; --stop ends a target at its first) and
// exits 1 if any target failed, after printing each input (base64) and the seed.

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { type FuzzResult, formatFailure, fromBase64, fuzz, runOne } from "./engine.ts";
import { TARGETS } from "./targets.ts";

const { values } = parseArgs({
  options: {
    target: { type: "string", multiple: true },
    iterations: { type: "string" },
    seconds: { type: "string" },
    seed: { type: "string" },
    "hang-ms": { type: "string" },
    input: { type: "string" },
    list: { type: "boolean" },
    small: { type: "boolean" },
    stop: { type: "boolean" },
  },
});

if (values.list) {
  for (const t of TARGETS) console.log(`${t.name.padEnd(12)} ${t.description}`);
  process.exit(0);
}

const names = values.target ?? TARGETS.map((t) => t.name);
const targets = names.map((n) => {
  const t = TARGETS.find((x) => x.name === n);
  if (!t) {
    console.error(`unknown target ${n}; known: ${TARGETS.map((x) => x.name).join(", ")}`);
    process.exit(2);
  }
  return t;
});
const hangMs = Number(values["hang-ms"] ?? 2000);

if (values.input !== undefined) {
  if (targets.length !== 1) {
    console.error("--input needs exactly one --target");
    process.exit(2);
  }
  const b64 = values.input.startsWith("@") ? readFileSync(values.input.slice(1), "utf8").trim() : values.input;
  const r = await runOne(targets[0]!, fromBase64(b64), hangMs);
  console.log(r.error ? `FAIL ${r.error}` : `ok (${r.accepted ? "accepted" : "rejected cleanly"})`);
  process.exit(r.error ? 1 : 0);
}

const seed = Number(values.seed ?? Date.now() % 0x7fffffff);
const iterations = Number(values.iterations ?? 1_000_000_000);
const seconds = Number(values.seconds ?? 60);
console.log(`fuzz: seed ${seed}, per target ≤ ${iterations} iterations / ${seconds} s`);
let failed = false;
for (const t of targets) {
  const r: FuzzResult = await fuzz(t, { seed, iterations, seconds, hangMs, big: !values.small, keepGoing: !values.stop });
  const rate = ((r.iterations / r.ms) * 1000).toFixed(0);
  console.log(`${t.name.padEnd(12)} ${String(r.iterations).padStart(9)} inputs  ${String(r.accepted).padStart(7)} accepted  ${(r.ms / 1000).toFixed(1)} s  (${rate}/s, slowest ${r.slowestMs.toFixed(0)} ms)${r.failures.length > 0 ? `  FAILED (${r.failures.length} distinct)` : ""}`);
  for (const f of r.failures) {
    console.log(formatFailure(f));
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
