// The web UI end to end: a real solder (binary or sources) running the seed pipeline's traces
// path under a UI prefix, driven by headless Debian chromium through playwright-core, while the
// official SDK emitter sends spans. Checks the list, every graph edge, live rates, node click,
// live debugging, that no secret is ever shown, and saves a screenshot of the graph.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserContext, type Page, chromium } from "playwright-core";
import { type HttpSink, startHttpSink } from "../helpers/otlp_sink.ts";
import { type Running, eventually, startSolder } from "../helpers/solder.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const BUN = `${root}node_modules/.bin/bun`;
const PREFIX = "/ui";
const SECRET = "sekret";

const EDGES = [
  ["otelcol.receiver.otlp.default", "otelcol.processor.resourcedetection.default"],
  ["otelcol.processor.resourcedetection.default", "otelcol.processor.batch.default"],
  ["otelcol.processor.resourcedetection.default", "otelcol.connector.host_info.default"],
  ["otelcol.connector.host_info.default", "otelcol.processor.batch.default"],
  ["otelcol.processor.batch.default", "otelcol.exporter.otlphttp.sink"],
];
const IDS = [...new Set(EDGES.flat())];

function config(sinkUrl: string): string {
  return `livedebugging {
	enabled = true
}

otelcol.receiver.otlp "default" {
	http {
		endpoint = "127.0.0.1:0"
	}
	output {
		traces = [otelcol.processor.resourcedetection.default.input]
	}
}

otelcol.processor.resourcedetection "default" {
	detectors = ["env", "system"]
	system {
		hostname_sources = ["os"]
	}
	output {
		traces = [otelcol.processor.batch.default.input, otelcol.connector.host_info.default.input]
	}
}

otelcol.connector.host_info "default" {
	host_identifiers       = ["host.name"]
	metrics_flush_interval = "1s"
	output {
		metrics = [otelcol.processor.batch.default.input]
	}
}

otelcol.processor.batch "default" {
	timeout = "200ms"
	output {
		traces  = [otelcol.exporter.otlphttp.sink.input]
		metrics = [otelcol.exporter.otlphttp.sink.input]
	}
}

otelcol.exporter.otlphttp "sink" {
	client {
		endpoint = "${sinkUrl}"
		headers  = { "Authorization" = "Bearer ${SECRET}" }
	}
}
`;
}

let dir: string;
let sink: HttpSink;
let solder: Running;
let browser: BrowserContext;
let page: Page;
let receiverPort = 0;
let sending = true;
let sender: Promise<void> | undefined;
const children = new Set<ChildProcess>();
const seen: string[] = [];

/** The receiver's bound HTTP port, from its debug info or its log line. */
async function httpPort(r: Running): Promise<number> {
  let port = 0;
  await eventually(async () => {
    const m = /msg="starting HTTP server" .*component_id=otelcol\.receiver\.otlp\.default endpoint=\S+:(\d+)/.exec(r.stderr());
    port = m ? Number(m[1]) : 0;
    return port > 0;
  }, 15_000, "the receiver's HTTP port");
  return port;
}

/** Runs the SDK emitter once (traces only); resolves when it exits. */
function emitOnce(tag: string): Promise<void> {
  const args = [`${root}tests/e2e/emitter.ts`, "--flavour", "proto", "--gzip", "off", "--http", `http://127.0.0.1:${receiverPort}`, "--grpc", "http://127.0.0.1:1", "--signals", "traces", "--tag", tag];
  const child = spawn(BUN, args, { cwd: root, stdio: ["ignore", "ignore", "ignore"] });
  children.add(child);
  return new Promise((resolve) => child.on("close", () => (children.delete(child), resolve())));
}

/** Sends spans in a bounded loop while the test runs. */
async function sendLoop(): Promise<void> {
  for (let i = 0; sending && i < 60; i++) {
    await emitOnce(`ui-${i}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "solder-ui-"));
  sink = await startHttpSink();
  writeFileSync(join(dir, "ui.alloy"), config(sink.url));
  solder = await startSolder([`--server.http.ui-path-prefix=${PREFIX}`, `--storage.path=${join(dir, "data")}`, join(dir, "ui.alloy")]);
  receiverPort = await httpPort(solder);
  sender = sendLoop();
  // A persistent context is how playwright takes a --user-data-dir (a temporary one here).
  browser = await chromium.launchPersistentContext(join(dir, "chromium"), {
    executablePath: "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1400, height: 800 },
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  // Every page text and API response the browser sees is checked for the secret.
  page.on("response", async (r) => {
    const type = r.headers()["content-type"] ?? "";
    if (!/json|text\/html|javascript/.test(type)) return;
    seen.push(await r.text().catch(() => ""));
  });
});

afterAll(async () => {
  sending = false;
  for (const c of children) c.kill("SIGKILL");
  await browser?.close();
  await sender?.catch(() => {});
  await solder?.stop();
  await sink?.close();
  rmSync(dir, { recursive: true, force: true });
});

const ui = (path = "") => `${solder.url}${PREFIX}/${path}`;

test("the prefix redirects to itself with a slash, and unknown paths get the app", async () => {
  const r = await fetch(`${solder.url}${PREFIX}`, { redirect: "manual" });
  expect(r.status).toBe(302);
  expect(r.headers.get("location")).toBe(`${PREFIX}/`);
  const deep = await fetch(ui("component/whatever"));
  expect(deep.status).toBe(200);
  expect(await deep.text()).toContain(`<base href="${PREFIX}/">`);
  expect((await fetch(ui("api/v0/web/graph?window=0"))).status).toBe(400);
  expect((await fetch(ui("api/v0/web/debug/otelcol.processor.batch.default?sampleProb=2"))).status).toBe(400);
});

test("the list shows every component with its health", async () => {
  await page.goto(ui());
  for (const id of IDS) await page.locator(`#components tr[data-id="${id}"]`).waitFor({ timeout: 10_000 });
  const text = await page.locator("#components").innerText();
  expect(text).toContain("healthy");
  expect(text).toContain("otelcol.processor.batch");
  // A narrow window scrolls the table, not the page.
  await page.setViewportSize({ width: 400, height: 700 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400);
  await page.setViewportSize({ width: 1400, height: 800 });
});

test("the graph draws every edge, and edge rates go above zero while data flows", async () => {
  await page.goto(ui("graph?window=1"));
  for (const [from, to] of EDGES) await page.locator(`g.edge[data-from="${from}"][data-to="${to}"]`).waitFor({ timeout: 10_000 });
  expect(await page.locator("g.edge").count()).toBe(EDGES.length);
  expect(await page.locator("g.node").count()).toBe(IDS.length);
  const rate = page.locator('g.edge[data-from="otelcol.receiver.otlp.default"] text.rate');
  await eventually(async () => {
    const r = (await rate.getAttribute("data-rate")) ?? "";
    return /([0-9.]+)k?\/s spans/.test(r) && Number(/([0-9.]+)k?\/s spans/.exec(r)![1]) > 0;
  }, 20_000, "a span rate above zero on the receiver's edge");
  mkdirSync(`${root}test-artifacts`, { recursive: true });
  await page.setViewportSize({ width: 1400, height: 260 });
  await page.screenshot({ path: `${root}test-artifacts/graph.png` });
  await page.setViewportSize({ width: 1400, height: 800 });
  mkdirSync(`${root}docs/images`, { recursive: true });
  copyFileSync(`${root}test-artifacts/graph.png`, `${root}docs/images/graph.png`);
});

test("a node click opens the component page, which never shows the secret", async () => {
  await page.goto(ui("graph?window=1"));
  await page.locator('g.node[data-id="otelcol.exporter.otlphttp.sink"]').click();
  await page.waitForURL(/\/ui\/component\/otelcol\.exporter\.otlphttp\.sink$/);
  await page.getByRole("heading", { name: "Arguments" }).waitFor();
  const text = await page.locator("main").innerText();
  expect(text).toContain("(secret)");
  expect(text).not.toContain(SECRET);
  await page.goto(ui("config"));
  await page.locator("pre.source").first().waitFor();
  expect(await page.locator("main").innerText()).not.toContain(SECRET);
});

test("live debugging shows a span that was sent", async () => {
  await page.goto(ui("component/otelcol.processor.resourcedetection.default"));
  await page.locator("#live-debugging").click();
  await page.waitForURL(/\/ui\/debug\//);
  await page.locator("#debug-output pre", { hasText: '"parent-op"' }).first().waitFor({ timeout: 20_000 });
});

test("no page or API response ever contained the secret", async () => {
  for (const path of ["api/v0/web/components", "api/v0/web/components/otelcol.exporter.otlphttp.sink", "api/v0/web/config", "api/v0/web/edges"]) {
    seen.push(await (await fetch(ui(path))).text());
  }
  seen.push(await (await fetch(`${solder.url}/api/v0/web/components/otelcol.exporter.otlphttp.sink`)).text());
  expect(seen.length).toBeGreaterThan(5);
  for (const body of seen) expect(body).not.toContain(SECRET);
});
