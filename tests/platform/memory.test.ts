import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { cgroupMemoryLimit, forceGc, heapInUse, totalMemory } from "../../src/platform/memory.ts";

const GiB = 1024 ** 3;

/** A file system of fixed texts. */
function files(map: Record<string, string>): (path: string) => string | undefined {
  return (path) => map[path];
}

const V2_MOUNTS = "24 30 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n";
const V1_MOUNTS = [
  "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
  "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
  "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
].join("\n");

describe("platform memory", () => {
  test("cgroup v2: memory.max of the process's cgroup; the smallest one up the tree wins", () => {
    const read = files({
      "/proc/self/cgroup": "0::/system.slice/solder.service\n",
      "/proc/self/mountinfo": V2_MOUNTS,
      "/sys/fs/cgroup/system.slice/solder.service/memory.max": "max\n",
      "/sys/fs/cgroup/system.slice/memory.max": `${2 * GiB}\n`,
    });
    assert.deepEqual(cgroupMemoryLimit(read), { bytes: 2 * GiB, source: "cgroup v2" });
    assert.deepEqual(totalMemory(read, 16 * GiB), { bytes: 2 * GiB, source: "cgroup v2" });
  });

  test("cgroup v2 inside a namespace: the path is / and memory.max sits at the mount point", () => {
    const read = files({ "/proc/self/cgroup": "0::/\n", "/proc/self/mountinfo": V2_MOUNTS, "/sys/fs/cgroup/memory.max": "536870912\n" });
    assert.deepEqual(cgroupMemoryLimit(read), { bytes: 512 * 1024 * 1024, source: "cgroup v2" });
  });

  test("cgroup v1: memory.limit_in_bytes; the 'unlimited' value means no limit", () => {
    const cgroups = "9:name=systemd:/\n4:memory:/process_api/abc\n0::/\n";
    const limited = files({ "/proc/self/cgroup": cgroups, "/proc/self/mountinfo": V1_MOUNTS, "/sys/fs/cgroup/memory/process_api/abc/memory.limit_in_bytes": `${GiB}\n`, "/sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n" });
    assert.deepEqual(cgroupMemoryLimit(limited), { bytes: GiB, source: "cgroup v1" });
    const unlimited = files({ "/proc/self/cgroup": cgroups, "/proc/self/mountinfo": V1_MOUNTS, "/sys/fs/cgroup/memory/process_api/abc/memory.limit_in_bytes": "9223372036854771712\n" });
    assert.equal(cgroupMemoryLimit(unlimited), undefined);
    assert.deepEqual(totalMemory(unlimited, 8 * GiB), { bytes: 8 * GiB, source: "host" });
  });

  test("no cgroup file system, or a limit above the host's RAM: the host's RAM", () => {
    assert.equal(cgroupMemoryLimit(files({})), undefined);
    assert.deepEqual(totalMemory(files({}), 4 * GiB), { bytes: 4 * GiB, source: "host" });
    const huge = files({ "/proc/self/cgroup": "0::/\n", "/proc/self/mountinfo": V2_MOUNTS, "/sys/fs/cgroup/memory.max": `${64 * GiB}\n` });
    assert.deepEqual(totalMemory(huge, 4 * GiB), { bytes: 4 * GiB, source: "host" });
  });

  test("the heap figure counts ArrayBuffer contents, and falls when they are collected", () => {
    const MiB = 1024 * 1024;
    forceGc();
    const before = heapInUse();
    let keep: Uint8Array[] = Array.from({ length: 64 }, () => new Uint8Array(MiB).fill(1));
    forceGc(); // JavaScriptCore accounts buffers at its next collection
    const held = heapInUse();
    assert.ok(held >= before + 48 * MiB, `64 MiB of buffers: ${before} → ${held}`);
    keep = [];
    if (forceGc()) assert.ok(heapInUse() <= held - 32 * MiB, "collected buffers leave the figure");
    assert.equal(keep.length, 0);
  });

  test("a forced GC runs on Bun, and on Deno only with --v8-flags=--expose-gc", () => {
    assert.equal(forceGc(), typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" || typeof (globalThis as { gc?: unknown }).gc === "function");
  });
});
