// Process accounting for the bench harness, from /proc (Linux): CPU time (utime + stime of
// /proc/<pid>/stat, in clock ticks) and resident memory (VmRSS / VmHWM of /proc/<pid>/status).

import type { ChildProcess } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";

/** Kernel clock ticks per second (USER_HZ); 100 on every mainstream Linux build. */
const CLK_TCK = 100;

/** CPU seconds (user + system, all threads) the process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/**
 * CPU seconds (user, system) per thread name, summed over the threads that share a name: the
 * main thread is named after the executable, Bun's compression worker "Worker", JSC's compiler
 * "JITWorker", mimalloc's page returner "mi-scavenger". Threads that ended are not counted.
 */
export function threadCpuSeconds(pid: number): Record<string, { user: number; system: number }> {
  const out: Record<string, { user: number; system: number }> = {};
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const t = (out[name] ??= { user: 0, system: 0 });
      t.user += Number(fields[11]) / CLK_TCK;
      t.system += Number(fields[12]) / CLK_TCK;
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** What each thread name used between two threadCpuSeconds readings (user + system). */
export function threadCpuDelta(before: ReturnType<typeof threadCpuSeconds>, after: ReturnType<typeof threadCpuSeconds>): Record<string, { user: number; system: number }> {
  const out: Record<string, { user: number; system: number }> = {};
  for (const [name, a] of Object.entries(after)) {
    const b = before[name] ?? { user: 0, system: 0 };
    const d = { user: Math.max(0, a.user - b.user), system: Math.max(0, a.system - b.system) };
    if (d.user + d.system > 0) out[name] = d;
  }
  return out;
}

/** Resident set size now and at its peak (high-water mark), in MiB. */
export function memoryMiB(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
}

/** Samples VmRSS every `everyMs` until stopped; returns the samples (MiB). */
export function sampleRss(pid: number, everyMs: number): { stop(): number[] } {
  const samples: number[] = [];
  const timer = setInterval(() => {
    try {
      samples.push(memoryMiB(pid).rss);
    } catch {
      // the process exited
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return samples;
    },
  };
}

/** The median of a list (0 when empty). */
export function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The q-quantile (nearest rank) of a list; NaN when empty. */
export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

/** Stops a child started by the harness: SIGTERM, then SIGKILL after 5 s. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}
