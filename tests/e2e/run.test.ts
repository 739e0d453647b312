// The process lifecycle of `solder run`, against the real executable.
import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, writeFileSync, existsSync } from "node:fs";
import { execFileSync, spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventually, solderCommand, startSolder, type Running } from "../helpers/solder.ts";

const dir = mkdtempSync(join(tmpdir(), "solder-e2e-run-"));
const running: Running[] = [];
after(async () => {
  for (const r of running) await r.stop("SIGKILL");
});

const PIPELINE = `logging {
	level = "info"
}

otelcol.processor.batch "default" {
	output {
		traces = [otelcol.exporter.debug.default.input]
	}
}

otelcol.exporter.debug "default" { }
`;

async function start(config: string, name = "config.alloy"): Promise<{ r: Running; path: string }> {
  const path = join(dir, name);
  writeFileSync(path, config);
  const r = await startSolder([`--storage.path=${join(dir, "data")}`, path]);
  running.push(r);
  return { r, path };
}

describe("solder run", () => {
  test("serves readiness, health, metrics and the components API", async () => {
    const { r } = await start(PIPELINE, "a.alloy");
    const ready = await fetch(`${r.url}/-/ready`);
    assert.equal(ready.status, 200);
    assert.equal(await ready.text(), "Alloy is ready.\n");
    const healthy = await fetch(`${r.url}/-/healthy`);
    assert.equal(healthy.status, 200);
    const metrics = await (await fetch(`${r.url}/metrics`)).text();
    assert.match(metrics, /^alloy_build_info\{.*version="v\d+\.\d+\.\d+".*\} 1$/m);
    assert.match(metrics, /^alloy_component_controller_running_components\{.*health_type="healthy".*\} 2$/m);
    assert.match(metrics, /^alloy_config_last_load_successful 1$/m);
    const list = (await (await fetch(`${r.url}/api/v0/web/components`)).json()) as any[];
    assert.deepEqual(list.map((c) => c.localID).sort(), ["otelcol.exporter.debug.default", "otelcol.processor.batch.default"]);
    const batch = list.find((c) => c.localID === "otelcol.processor.batch.default");
    assert.equal(batch.name, "otelcol.processor.batch");
    assert.equal(batch.label, "default");
    assert.deepEqual(batch.referencesTo, ["otelcol.exporter.debug.default"]);
    assert.deepEqual(batch.dataFlowEdgesTo, ["otelcol.exporter.debug.default"]);
    assert.equal(batch.health.state, "healthy");
    const detail = (await (await fetch(`${r.url}/api/v0/web/components/otelcol.processor.batch.default`)).json()) as any;
    const timeout = detail.arguments.find((a: any) => a.name === "timeout");
    assert.deepEqual(timeout, { name: "timeout", type: "attr", value: { type: "string", value: "200ms" } });
    assert.equal((await fetch(`${r.url}/api/v0/web/components/nope.nope`)).status, 404);
    assert.equal(await r.stop(), 0);
    assert.match(r.stderr(), /msg="solder is running"/);
  });

  test("reload via /-/reload and SIGHUP; an invalid file leaves the pipeline running", async () => {
    const { r, path } = await start(PIPELINE, "b.alloy");
    writeFileSync(path, PIPELINE.replace(`otelcol.exporter.debug "default" { }`, `otelcol.exporter.debug "default" {\n\tverbosity = "detailed"\n}`));
    const ok = await fetch(`${r.url}/-/reload`, { method: "POST" });
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), "config reloaded\n");
    const detail = (await (await fetch(`${r.url}/api/v0/web/components/otelcol.exporter.debug.default`)).json()) as any;
    assert.deepEqual(detail.arguments.find((a: any) => a.name === "verbosity")?.value, { type: "string", value: "detailed" });

    writeFileSync(path, PIPELINE + `\notelcol.exporter.debug "default" { }\nbroken.component "x" { }\n`);
    const bad = await fetch(`${r.url}/-/reload`);
    assert.equal(bad.status, 400);
    const body = await bad.text();
    assert.match(body, /b\.alloy:\d+:1: block otelcol\.exporter\.debug\.default already declared at/);
    assert.match(body, /b\.alloy:\d+:1: cannot find the definition of component name "broken\.component"/);
    const list = (await (await fetch(`${r.url}/api/v0/web/components`)).json()) as any[];
    assert.equal(list.length, 2);
    assert.equal((await fetch(`${r.url}/-/healthy`)).status, 200);
    const metrics = await (await fetch(`${r.url}/metrics`)).text();
    assert.match(metrics, /^alloy_config_last_load_successful 0$/m);
    assert.match(metrics, /^alloy_config_load_failures_total 1$/m);

    writeFileSync(path, `logging { level = "info" }\n\notelcol.exporter.debug "only" { }\n`);
    r.proc.kill("SIGHUP");
    await eventually(async () => {
      const l = (await (await fetch(`${r.url}/api/v0/web/components`)).json()) as any[];
      return l.length === 1 && l[0].localID === "otelcol.exporter.debug.only";
    }, 10_000, "SIGHUP reload");
    assert.match(r.stderr(), /msg="reload requested via SIGHUP"/);
    assert.equal(await r.stop("SIGINT"), 0);
  });

  test("an invalid initial configuration exits 1 with every diagnostic", async () => {
    const path = join(dir, "bad.alloy");
    writeFileSync(path, `otelcol.processor.batch "x" {\n\ttimeout = "5 minutes"\n}\n`);
    const r = await startSolder([path], { waitReady: false });
    running.push(r);
    assert.equal(await r.exited, 1);
    assert.match(r.stderr(), /bad\.alloy:2:12: time: unknown unit " minutes" in duration "5 minutes"/);
    assert.match(r.stderr(), /missing required block "output"/);
    assert.match(r.stderr(), /could not perform the initial load successfully/);
  });

  test("a busy listen address fails the start with a clear log line", async () => {
    const { r } = await start(PIPELINE, "c.alloy");
    const [cmd, ...pre] = solderCommand();
    const second = spawnSync(cmd!, [...pre, "run", `--server.http.listen-addr=${r.url.slice(7)}`, join(dir, "c.alloy")], { encoding: "utf8", timeout: 30_000 });
    assert.equal(second.status, 1);
    assert.match(second.stderr, /failed to start the HTTP server/);
    await r.stop();
  });
});

describe("the binary on its own", () => {
  test("dist/solder copied alone to an empty folder runs --version and validate", (t) => {
    const [cmd] = solderCommand();
    if (!cmd!.endsWith("dist/solder") || !existsSync(cmd!)) return t.skip("dist/solder not built (make build)");
    const empty = mkdtempSync(join(tmpdir(), "solder-alone-"));
    const alone = join(empty, "solder");
    copyFileSync(cmd!, alone);
    execFileSync("chmod", ["+x", alone]);
    const version = execFileSync(alone, ["--version"], { cwd: empty, encoding: "utf8" });
    assert.match(version, /^solder, version v\d+\.\d+\.\d+/);
    writeFileSync(join(empty, "p.alloy"), PIPELINE);
    const ok = spawnSync(alone, ["validate", "p.alloy"], { cwd: empty, encoding: "utf8" });
    assert.equal(ok.status, 0, ok.stderr);
    writeFileSync(join(empty, "q.alloy"), `otelcol.processor.batch "x" { }\n`);
    const bad = spawnSync(alone, ["validate", "q.alloy"], { cwd: empty, encoding: "utf8" });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /q\.alloy:1:1: missing required block "output"/);
  });
});
