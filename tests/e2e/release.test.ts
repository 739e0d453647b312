// The x64 release binary (make release → dist/release/solder-linux-x64) on its own: copied into an
// empty temporary folder with no node_modules and no sources, it reports its version and commit,
// then runs an OTLP-in → debug-out pipeline: an OTLP/JSON request POSTed with fetch comes out as
// the debug exporter's summary line. Skipped only when the host cannot run x64 binaries.

import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { arch, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { eventually, freePort } from "../helpers/solder.ts";
import { VERSION } from "../../src/version.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const release = `${root}dist/release/solder-linux-x64`;
const dir = mkdtempSync(join(tmpdir(), "solder-e2e-release-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const CONFIG = `otelcol.receiver.otlp "in" {
	http {
		endpoint = "127.0.0.1:0"
	}

	output {
		traces = [otelcol.exporter.debug.out.input]
	}
}

otelcol.exporter.debug "out" { }
`;

const TRACE = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: "service.name", value: { stringValue: "release-smoke" } }] },
      scopeSpans: [
        {
          scope: { name: "smoke" },
          spans: ["a", "b", "c"].map((name, i) => ({
            traceId: "5b8efff798038103d269b633813fc60c",
            spanId: `eee19b7ec3c1b17${i}`,
            name,
            kind: 1,
            startTimeUnixNano: "1700000000000000000",
            endTimeUnixNano: "1700000001000000000",
          })),
        },
      ],
    },
  ],
};

describe("the release binary", { skip: arch() !== "x64" ? "not an x64 host" : false }, () => {
  const bin = join(dir, "solder");

  test("exists and runs from an empty folder without node_modules", () => {
    assert.ok(existsSync(release), `${release} is missing: run make release`);
    copyFileSync(release, bin);
    chmodSync(bin, 0o755);
    assert.deepEqual(readdirSync(dir), ["solder"]);
  });

  test("--version shows the version and the commit it was built from", () => {
    const r = spawnSync(bin, ["--version"], { cwd: dir, encoding: "utf8", env: { PATH: "/usr/bin:/bin" } });
    assert.equal(r.status, 0, r.stderr);
    const git = spawnSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd: root, encoding: "utf8" });
    const commit = git.status === 0 ? git.stdout.trim() : "[0-9a-f]{7,}";
    assert.match(r.stdout, new RegExp(`^solder, version v${VERSION.replace(/\./g, "\\.")} \\(revision: ${commit}(-dirty)?, bun \\d+\\.\\d+\\.\\d+\\)\\n$`));
  });

  test("OTLP/JSON in over HTTP, the debug exporter's summary out", async () => {
    writeFileSync(join(dir, "config.alloy"), CONFIG);
    const port = await freePort();
    // No PATH to the repo, no node_modules anywhere near: only the binary and its config.
    const proc = spawn(bin, ["run", `--server.http.listen-addr=127.0.0.1:${port}`, "--storage.path=data", "config.alloy"], {
      cwd: dir,
      env: { PATH: "/usr/bin:/bin", HOME: dir },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    proc.stdout.on("data", (d) => (log += d));
    proc.stderr.on("data", (d) => (log += d));
    const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
    try {
      let endpoint = "";
      await eventually(() => {
        endpoint = /msg="starting HTTP server" .*component_id=otelcol\.receiver\.otlp\.in endpoint=(\S+)/.exec(log)?.[1] ?? "";
        return endpoint !== "" || proc.exitCode !== null;
      }, 20_000, "the OTLP HTTP receiver's start line");
      assert.notEqual(endpoint, "", log);
      const ready = await fetch(`http://127.0.0.1:${port}/-/ready`);
      assert.equal(ready.status, 200);
      const res = await fetch(`http://${endpoint}/v1/traces`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(TRACE) });
      assert.equal(res.status, 200, await res.text());
      await eventually(() => /msg=TracesExporter .*"resource spans"=1 .*spans=3/.test(log), 10_000, "the debug exporter's TracesExporter line");
    } finally {
      proc.kill("SIGTERM");
      assert.equal(await exited, 0, log);
    }
    assert.match(log, /msg="solder has stopped"/);
  });
});
