// Process memory as the runtime can see it, forcing a garbage collection, and the memory the
// process may use (the cgroup limit when there is one, else the host's RAM). Used by
// otelcol.processor.memory_limiter; the runtime-specific calls live here (style.md §9).
//
// What the memory limiter measures: the JavaScript heap including ArrayBuffer contents (live
// data plus garbage not yet collected), the counterpart of the Go heap figure upstream's memory
// limiter reads. Not the resident set size: the allocator keeps freed pages for a while, so RSS
// stays high after the data is gone (measured after an overload run: RSS ~120 MiB with nothing
// queued and 35 MiB of heap), and a limiter on RSS keeps refusing long after the backlog drained. RSS is roughly the heap figure plus the runtime itself (~64 MiB idle) plus the
// allocator's slack.

import { readFileSync } from "node:fs";
import { totalmem } from "node:os";

declare const Bun: { gc(force: boolean): void } | undefined;

/**
 * Memory the JavaScript heap holds, ArrayBuffer contents included: objects and buffers that are
 * live, plus garbage not yet collected (the counterpart of Go's heap figure that the Collector's
 * memory limiter reads). Bun's heapUsed is JavaScriptCore's heap size, which already counts
 * ArrayBuffer stores as extra memory; V8's (Deno) keeps them apart in `external`.
 */
export function heapInUse(): number {
  const m = process.memoryUsage();
  return typeof Bun !== "undefined" ? m.heapUsed : m.heapUsed + m.external;
}

/**
 * Runs a full, synchronous garbage collection when the runtime allows it: always on Bun; on Deno
 * only when started with `--v8-flags=--expose-gc` (V8 exposes `gc()` on the global object then).
 * Returns whether a collection ran.
 */
export function forceGc(): boolean {
  if (typeof Bun !== "undefined" && typeof Bun.gc === "function") {
    Bun.gc(true);
    return true;
  }
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === "function") {
    gc();
    return true;
  }
  return false;
}

/** How much memory the process may use, and where the figure comes from. */
export interface TotalMemory {
  bytes: number;
  source: "cgroup v2" | "cgroup v1" | "host";
}

/** Reads a file as text, or undefined when it cannot be read (injectable for tests). */
export type ReadText = (path: string) => string | undefined;

const readText: ReadText = (path) => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
};

/**
 * The memory limit of this process's cgroup (v2 `memory.max`, v1 `memory.limit_in_bytes`), the
 * smallest along the path up to the mount point since a parent's limit also applies, and capped
 * at the host's RAM; the host's RAM when there is no limit (as the Collector's memory limiter).
 */
export function totalMemory(read: ReadText = readText, hostBytes: number = totalmem()): TotalMemory {
  const limit = cgroupMemoryLimit(read);
  if (limit && limit.bytes < hostBytes) return limit;
  return { bytes: hostBytes, source: "host" };
}

/** v1 reports "no limit" as a huge page-aligned number (9223372036854771712 on x86-64). */
const V1_UNLIMITED = 2 ** 62;

/** The cgroup memory limit, or undefined when there is none or no cgroup file system. */
export function cgroupMemoryLimit(read: ReadText = readText): TotalMemory | undefined {
  const cgroups = read("/proc/self/cgroup");
  const mounts = read("/proc/self/mountinfo");
  if (cgroups === undefined || mounts === undefined) return undefined;
  // A v1 memory controller takes precedence: on hybrid hosts v2 has no memory controller.
  const v1 = findMount(mounts, (fsType, options) => fsType === "cgroup" && options.split(",").includes("memory"));
  const v1Path = cgroupPath(cgroups, (controllers) => controllers.split(",").includes("memory"));
  if (v1 && v1Path !== undefined) {
    const bytes = smallestLimit(read, v1, v1Path, "memory.limit_in_bytes", (text) => {
      const n = Number(text);
      return Number.isFinite(n) && n > 0 && n < V1_UNLIMITED ? n : undefined;
    });
    return bytes === undefined ? undefined : { bytes, source: "cgroup v1" };
  }
  const v2 = findMount(mounts, (fsType) => fsType === "cgroup2");
  const v2Path = cgroupPath(cgroups, (controllers, hierarchy) => hierarchy === "0" && controllers === "");
  if (v2 && v2Path !== undefined) {
    const bytes = smallestLimit(read, v2, v2Path, "memory.max", (text) => {
      if (text === "max") return undefined;
      const n = Number(text);
      return Number.isFinite(n) && n > 0 ? n : undefined;
    });
    return bytes === undefined ? undefined : { bytes, source: "cgroup v2" };
  }
  return undefined;
}

interface Mount {
  /** The cgroup directory that is mounted (field 4 of mountinfo). */
  root: string;
  /** Where it is mounted (field 5). */
  point: string;
}

/** The first mount whose file system type and super options match (proc(5), /proc/pid/mountinfo). */
function findMount(mountinfo: string, match: (fsType: string, options: string) => boolean): Mount | undefined {
  for (const line of mountinfo.split("\n")) {
    const [left, right] = line.split(" - ");
    if (!left || !right) continue;
    const fields = left.split(" ");
    const [fsType = "", , options = ""] = right.split(" ");
    if (fields.length >= 5 && match(fsType, options)) return { root: unescapeOctal(fields[3]!), point: unescapeOctal(fields[4]!) };
  }
  return undefined;
}

/** The path of this process's cgroup in the hierarchy whose controllers match (`id:controllers:path`). */
function cgroupPath(cgroups: string, match: (controllers: string, hierarchy: string) => boolean): string | undefined {
  for (const line of cgroups.split("\n")) {
    const first = line.indexOf(":");
    const second = line.indexOf(":", first + 1);
    if (first < 0 || second < 0) continue;
    if (match(line.slice(first + 1, second), line.slice(0, first))) return line.slice(second + 1).trim();
  }
  return undefined;
}

/** The smallest limit in `file` from the process's cgroup directory up to the mount point. */
function smallestLimit(read: ReadText, mount: Mount, path: string, file: string, parse: (text: string) => number | undefined): number | undefined {
  // Inside a cgroup namespace the mount root is "/" and paths are already relative to it;
  // otherwise the mounted root is a prefix of the process's path.
  let rel = mount.root !== "/" && path.startsWith(mount.root) ? path.slice(mount.root.length) : path;
  let smallest: number | undefined;
  for (;;) {
    const text = read(`${mount.point}${rel === "/" ? "" : rel.replace(/\/$/, "")}/${file}`);
    const n = text === undefined ? undefined : parse(text.trim());
    if (n !== undefined && (smallest === undefined || n < smallest)) smallest = n;
    if (rel === "/" || rel === "") break;
    rel = rel.slice(0, rel.lastIndexOf("/")) || "/";
  }
  return smallest;
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}
