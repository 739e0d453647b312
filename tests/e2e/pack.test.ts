// The npm package that `bunx solder` runs: `npm pack` → `npm install <tarball>` into an empty
// folder (its dependencies come from the npm registry) → its `solder` bin, run with the repo's
// bun as bunx would, prints the version and, with no configuration file, runs the built-in
// default pipeline until /-/ready answers. That pipeline listens on 0.0.0.0:4317/4318 (fixed):
// when something on the machine holds those ports, the `run` part is skipped.

import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { eventually, freePort } from "../helpers/solder.ts";
import { VERSION } from "../../src/version.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const BUN = `${root}node_modules/.bin/bun`;
const work = mkdtempSync(join(tmpdir(), "solder-e2e-pack-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** Whether nothing listens on `port` (the default pipeline binds it on all interfaces). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "0.0.0.0", () => s.close(() => resolve(true)));
  });
}

describe("the npm package (bunx solder)", () => {
  const app = join(work, "app");
  let bin = "";
  // Only the repo's bun on PATH (for the bin's `#!/usr/bin/env bun`), as bunx provides it.
  const bunDir = join(work, "bun-only");
  mkdirSync(bunDir);
  symlinkSync(BUN, join(bunDir, "bun"));
  const env = { PATH: `${bunDir}:/usr/bin:/bin`, HOME: work, NO_COLOR: "1" };

  test("npm pack produces a tarball that npm installs into an empty folder", () => {
    const out = execFileSync("npm", ["pack", "--json", "--pack-destination", work], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
    const paths = info!.files.map((f) => f.path);
    assert.ok(paths.includes("bin/solder.js") && paths.includes("src/main.ts") && paths.includes("package.json"), paths.join(" "));
    assert.ok(!paths.some((p) => p.startsWith("tests/") || p.startsWith("node_modules/") || p.startsWith("dist/")), "tests, node_modules or dist in the package");
    mkdirSync(app);
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--no-save", "--omit=dev", join(work, info!.filename)], { cwd: app, stdio: "ignore" });
    bin = join(app, "node_modules", ".bin", "solder");
    assert.ok(existsSync(bin));
    assert.match(readFileSync(bin, "utf8"), /^#!\/usr\/bin\/env bun\n/);
  });

  test("its bin runs under bun: --version", () => {
    const r = spawnSync(BUN, [bin, "--version"], { cwd: app, encoding: "utf8", env });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^solder, version v${VERSION.replace(/\./g, "\\.")} \\(bun `));
    // Through the shebang, as `bunx solder` and `npx solder` start it.
    const viaShebang = spawnSync(bin, ["--version"], { cwd: app, encoding: "utf8", env });
    assert.equal(viaShebang.stdout, r.stdout, viaShebang.stderr);
  });

  test("`solder run` with no file runs the built-in default pipeline", async (t) => {
    if (!(await portFree(4317)) || !(await portFree(4318))) return t.skip("ports 4317/4318 are in use on this machine");
    const port = await freePort();
    const proc = spawn(BUN, [bin, "run", `--server.http.listen-addr=127.0.0.1:${port}`, "--storage.path=data"], { cwd: app, env, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    proc.stdout.on("data", (d) => (log += d));
    proc.stderr.on("data", (d) => (log += d));
    const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
    try {
      await eventually(async () => {
        if (proc.exitCode !== null) return true;
        try {
          return (await fetch(`http://127.0.0.1:${port}/-/ready`)).status === 200;
        } catch {
          return false;
        }
      }, 30_000, "/-/ready");
      assert.equal(proc.exitCode, null, log);
      assert.match(log, /running the built-in default pipeline/);
    } finally {
      proc.kill("SIGTERM");
      assert.equal(await exited, 0, log);
    }
  });
});
