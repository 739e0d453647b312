// Runs the end-to-end SDK emitter (tests/e2e/emitter.ts) as a child process and returns the
// report it prints: what it sent and how each export ended.

import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { EmitterReport } from "../e2e/emitter.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const BUN = `${root}node_modules/.bin/bun`;
const EMITTER = `${root}tests/e2e/emitter.ts`;

export interface EmitterRun {
  report: EmitterReport;
  code: number | null;
  stderr: string;
}

/**
 * Runs the emitter with `args` (its flags), killing it after `timeoutMs`; `children` tracks the
 * process so the caller's cleanup can kill it. Throws, with both outputs, when no report was printed.
 */
export async function runEmitter(args: string[], opts: { timeoutMs: number; label: string; children: Set<ChildProcess> }): Promise<EmitterRun> {
  const child = spawn(BUN, [EMITTER, ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  opts.children.add(child);
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  clearTimeout(timer);
  opts.children.delete(child);
  try {
    return { report: JSON.parse(out) as EmitterReport, code, stderr: err };
  } catch {
    throw new Error(`emitter (${opts.label}) exited ${code} without a report\nstdout:\n${out}\nstderr:\n${err}`);
  }
}
