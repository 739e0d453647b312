// `bunx solder` from an empty folder, the way users run the npm package — with no network but
// 127.0.0.1: `npm pack` builds the solder tarball, its runtime dependencies (and theirs) are
// packed from the repo's node_modules at their installed versions, and a registry on 127.0.0.1
// (tests/helpers/npm_registry.ts) serves them all. bunx runs with that registry, an empty Bun
// cache, HOME and TMPDIR (so no bunfig/.npmrc and no earlier bunx install is used), prints the
// version, and `solder run` with a file becomes ready and stops on SIGTERM with exit 0. Every
// package an install asks for must be one the registry holds: an unknown one fails the test, and
// so does any request for another host (the registry is the HTTP(S) proxy too, and refuses them).
// (Bun 1.4.5's `bunx ./solder-0.1.0.tgz` fails with "ENOENT extracting tarball", hence the registry.)

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { eventually, freePort } from "../helpers/solder.ts";
import { type NpmRegistry, type PackageJson, packDependencyClosure, startNpmRegistry } from "../helpers/npm_registry.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as PackageJson;
const work = mkdtempSync(join(tmpdir(), "solder-e2e-bunx-"));

const CONFIG = `otelcol.processor.batch "default" {
	output {
		traces = [otelcol.exporter.debug.default.input]
	}
}

otelcol.exporter.debug "default" { }
`;

interface Result { code: number | null; stdout: string; stderr: string }

describe("bunx solder from a registry on 127.0.0.1", () => {
  let registry: NpmRegistry | undefined;
  const app = join(work, "app"); // the empty folder bunx runs in
  const bunDir = join(work, "bin"); // PATH: only bun/bunx (for the bin's `#!/usr/bin/env bun`) and the system
  let env: Record<string, string> = {};

  before(async () => {
    for (const d of [app, bunDir, join(work, "home"), join(work, "tmp"), join(work, "cache"), join(work, "packages")]) mkdirSync(d);
    symlinkSync(join(root, "node_modules/.bin/bun"), join(bunDir, "bun"));
    symlinkSync(join(root, "node_modules/.bin/bunx"), join(bunDir, "bunx"));
    const packages = join(work, "packages");
    const out = execFileSync("npm", ["pack", "--json", "--pack-destination", packages], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const [info] = JSON.parse(out) as { filename: string }[];
    const deps = packDependencyClosure(root, Object.keys(pkg.dependencies ?? {}), packages);
    registry = await startNpmRegistry([{ manifest: pkg, tarball: join(packages, info!.filename) }, ...deps]);
    env = {
      PATH: `${bunDir}:/usr/bin:/bin`,
      HOME: join(work, "home"),
      XDG_CONFIG_HOME: join(work, "home", ".config"),
      TMPDIR: join(work, "tmp"), // bunx installs into $TMPDIR/bunx-<uid>-<package>
      BUN_INSTALL: join(work, "home", ".bun"),
      BUN_INSTALL_CACHE_DIR: join(work, "cache"),
      BUN_CONFIG_REGISTRY: registry.url,
      NPM_CONFIG_REGISTRY: registry.url,
      npm_config_registry: registry.url,
      // Anything that would go elsewhere goes through the registry instead, which refuses and lists it.
      HTTP_PROXY: registry.url,
      HTTPS_PROXY: registry.url,
      http_proxy: registry.url,
      https_proxy: registry.url,
      NO_PROXY: "127.0.0.1",
      no_proxy: "127.0.0.1",
      DO_NOT_TRACK: "1",
      NO_COLOR: "1",
    };
  });

  after(async () => {
    await registry?.close();
    rmSync(work, { recursive: true, force: true });
  });

  /** Runs bunx in the empty folder (asynchronously: the registry answers from this process). */
  function bunx(args: string[], timeoutMs = 60_000): Promise<Result> {
    return new Promise((resolve) => {
      const proc = spawn(join(bunDir, "bunx"), args, { cwd: app, env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      proc.stdout.on("data", (d) => (stdout += d));
      proc.stderr.on("data", (d) => (stderr += d));
      const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
      proc.on("exit", (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  /** No request for a package the registry does not hold (nothing was looked for elsewhere). */
  function assertOnlyKnownPackages(): void {
    assert.deepEqual(registry!.unknown, [], `packages requested that the registry does not hold: ${registry!.unknown.join(", ")}\n${registry!.requests.join("\n")}`);
  }

  test("bunx solder --version installs from the registry and prints the version", async () => {
    const r = await bunx(["solder", "--version"]);
    assertOnlyKnownPackages();
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}\n${registry!.requests.join("\n")}`);
    assert.match(r.stdout, new RegExp(`^solder, version v${pkg.version.replace(/\./g, "\\.")}\\b`));
    // solder and every dependency came from this registry, tarball included.
    const got = new Set(registry!.requests);
    for (const name of ["solder", ...Object.keys(pkg.dependencies ?? {})]) {
      assert.ok([...got].some((p) => p.startsWith(`GET /${name}/-/`)), `${name}'s tarball was not fetched:\n${registry!.requests.join("\n")}`);
    }
    assert.deepEqual(readdirSync(app), [], "bunx wrote into the folder it ran in");
  });

  test("bunx solder run <file> becomes ready and stops on SIGTERM with exit 0", async () => {
    const config = join(work, "config.alloy");
    writeFileSync(config, CONFIG);
    const port = await freePort();
    const proc = spawn(join(bunDir, "bunx"), ["solder", "run", `--server.http.listen-addr=127.0.0.1:${port}`, `--storage.path=${join(work, "data")}`, config], {
      cwd: app,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
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
    } finally {
      if (proc.exitCode === null) proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 15_000);
      const code = await exited;
      clearTimeout(timer);
      assert.equal(code, 0, log);
    }
    assert.match(log, /solder is running/);
    assertOnlyKnownPackages();
  });
});
