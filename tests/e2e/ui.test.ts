// The web UI end to end: a real solder (binary or sources) running the seed pipeline under a
// UI prefix, driven by headless Debian chromium through playwright-core, while the
// official SDK emitter sends spans. Checks the list, every graph edge, live rates, node click,
// live debugging, that no secret is ever shown, and saves a screenshot of the graph.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

// The seed pipeline, every edge of it (the direction data flows).
const EDGES = [
  ["otelcol.receiver.otlp.default", "otelcol.processor.resourcedetection.default"],
  ["otelcol.processor.resourcedetection.default", "otelcol.processor.transform.add_resource_attributes_as_metric_attributes"],
  ["otelcol.processor.resourcedetection.default", "otelcol.processor.batch.default"],
  ["otelcol.processor.resourcedetection.default", "otelcol.connector.host_info.default"],
  ["otelcol.connector.host_info.default", "otelcol.processor.batch.default"],
  ["otelcol.processor.transform.add_resource_attributes_as_metric_attributes", "otelcol.processor.batch.default"],
  ["otelcol.processor.batch.default", "otelcol.exporter.prometheus.metrics"],
  ["otelcol.processor.batch.default", "otelcol.exporter.otlphttp.logs"],
  ["otelcol.processor.batch.default", "otelcol.exporter.otlphttp.traces"],
  ["otelcol.exporter.prometheus.metrics", "prometheus.remote_write.metrics_service"],
];
const IDS = [...new Set(EDGES.flat())];

/** Replaces `from` with `to` exactly once, so the seed stays the seed but for what is named here. */
function once(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`expected exactly one ${JSON.stringify(from)} in the seed pipeline`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/**
 * examples/seed-pipeline.alloy with live debugging on and only its addresses changed: receivers on
 * loopback, Loki and Tempo at the sink (Tempo with an Authorization header that must never show),
 * remote write at a closed loopback port.
 */
function config(sinkUrl: string): string {
  let seed = readFileSync(`${root}examples/seed-pipeline.alloy`, "utf8");
  seed = once(seed, "grpc { }", `grpc {\n\t\tendpoint = "127.0.0.1:0"\n\t}`);
  seed = once(seed, "http { }", `http {\n\t\tendpoint = "127.0.0.1:0"\n\t}`);
  seed = once(seed, `"http://loki:3100/otlp"`, `"${sinkUrl}/otlp"`);
  seed = once(seed, `endpoint = "http://tempo/v1/traces"`, `endpoint = "${sinkUrl}/v1/traces"\n\t\theaders  = { "Authorization" = "Bearer ${SECRET}" }`);
  seed = once(seed, `"http://prometheus:9090/api/v1/write"`, `"http://127.0.0.1:9/api/v1/write"`);
  return `livedebugging {\n\tenabled = true\n}\n\n${seed}`;
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
  // "attached", not "visible": a perfectly horizontal edge has a zero-height box, which
  // playwright counts as hidden.
  for (const [from, to] of EDGES) await page.locator(`g.edge[data-from="${from}"][data-to="${to}"]`).waitFor({ state: "attached", timeout: 10_000 });
  expect(await page.locator("g.edge").count()).toBe(EDGES.length);
  expect(await page.locator("g.node").count()).toBe(IDS.length);
  const rate = page.locator('g.edge[data-from="otelcol.receiver.otlp.default"] text.rate');
  await eventually(async () => {
    const r = (await rate.getAttribute("data-rate")) ?? "";
    return /([0-9.]+)k?\/s spans/.test(r) && Number(/([0-9.]+)k?\/s spans/.exec(r)![1]) > 0;
  }, 20_000, "a span rate above zero on the receiver's edge");
  mkdirSync(`${root}test-artifacts`, { recursive: true });
  await page.setViewportSize({ width: 1400, height: 250 });
  await page.screenshot({ path: `${root}test-artifacts/graph.png` });
  await page.setViewportSize({ width: 1400, height: 800 });
});

test("a node click opens the component page, which never shows the secret", async () => {
  await page.goto(ui("graph?window=1"));
  await page.locator('g.node[data-id="otelcol.exporter.otlphttp.traces"]').click();
  await page.waitForURL(/\/ui\/component\/otelcol\.exporter\.otlphttp\.traces$/);
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
  for (const path of ["api/v0/web/components", "api/v0/web/components/otelcol.exporter.otlphttp.traces", "api/v0/web/config", "api/v0/web/edges"]) {
    seen.push(await (await fetch(ui(path))).text());
  }
  seen.push(await (await fetch(`${solder.url}/api/v0/web/components/otelcol.exporter.otlphttp.traces`)).text());
  expect(seen.length).toBeGreaterThan(5);
  for (const body of seen) expect(body).not.toContain(SECRET);
});
