// Bounded fuzzing in CI: every target of scripts/fuzz for a fixed seed, a per-target iteration
// count and a wall-clock cap (the whole file stays well under 30 s on two cores). A failure
// prints the reproducing input in base64 and the seed; `make fuzz` runs the same targets longer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatFailure, fuzz } from "../../scripts/fuzz/engine.ts";
import { TARGETS } from "../../scripts/fuzz/targets.ts";

const SEED = 20240601;
/** Per-target cap; iteration counts (Target.ciIterations) usually end the run first. */
const SECONDS = 3.5;
/** Generous under CI load; `make fuzz` uses the 2 s default. */
const HANG_MS = 2000;
/** Known findings (base64 inputs) kept out of the bounded run until fixed; none at the moment. */
const SKIP: ReadonlySet<string> = new Set();

for (const target of TARGETS) {
  test(`fuzz ${target.name}: ${target.description}`, { timeout: 30_000 }, async () => {
    const r = await fuzz(target, { seed: SEED, iterations: target.ciIterations, seconds: SECONDS, hangMs: HANG_MS, skip: SKIP });
    if (r.failure) assert.fail(formatFailure(r.failure));
    assert.ok(r.iterations > 0, "no iterations ran");
  });
}
