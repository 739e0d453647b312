// prometheus.scrape against fake HTTP targets on 127.0.0.1 (alloy-components.md §14): exact
// samples and labels through a capturing Appendable, synthetic series, staleness, limits.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Server, createServer } from "node:http";
import { gzipSync } from "node:zlib";
import type { AddressInfo } from "node:net";
import type { Appendable, Labels } from "../../../src/prom/appender.ts";
import { type ScrapeArgs, Scraper, scrape, validateScrapeArgs } from "../../../src/components/prometheus/scrape.ts";
import { acceptHeader } from "../../../src/components/prometheus/scrape_http.ts";
import { createLogger, memorySink } from "../../../src/runtime/logger.ts";
import { MetricsRegistry } from "../../../src/runtime/metrics.ts";
import type { ComponentOptions, Host } from "../../../src/runtime/component.ts";

interface Row {
  series: string;
  t: number;
  v: number | "stale";
}
/** Committed transactions, each as rows `name{a="b"}`. */
function capture(): Appendable & { commits: Row[][]; metadata: Map<string, unknown> } {
  const commits: Row[][] = [];
  const metadata = new Map<string, unknown>();
  return {
    commits,
    metadata,
    appender() {
      let rows: Row[] = [];
      const md: [string, unknown][] = [];
      return {
        append: (l, t, v) => rows.push({ series: show(l), t, v }),
        appendStale: (l, t) => rows.push({ series: show(l), t, v: "stale" }),
        appendExemplar: () => {},
        appendHistogram: () => {},
        updateMetadata: (f, m) => md.push([f, m]),
        commit: async () => {
          commits.push(rows);
          for (const [f, m] of md) metadata.set(f, m);
        },
        rollback: () => (rows = []),
      };
    },
  };
}

function show(l: Labels): string {
  const name = l.find(([n]) => n === "__name__")?.[1] ?? "";
  return `${name}{${l.filter(([n]) => n !== "__name__").map(([n, v]) => `${n}=${JSON.stringify(v)}`).join(",")}}`;
}

interface Fake {
  body: string;
  status: number;
  contentType: string;
  gzip: boolean;
  requests: { url: string; headers: Record<string, string | string[] | undefined> }[];
  server: Server;
  address: string;
}
const servers: Server[] = [];
after(() => servers.forEach((s) => s.close()));

async function fakeTarget(body: string, contentType = "text/plain; version=0.0.4"): Promise<Fake> {
  const f = { body, status: 200, contentType, gzip: false, requests: [] } as unknown as Fake;
  f.server = createServer((req, res) => {
    f.requests.push({ url: req.url ?? "", headers: req.headers });
    const payload = f.gzip ? gzipSync(f.body) : Buffer.from(f.body);
    res.writeHead(f.status, { "Content-Type": f.contentType, ...(f.gzip ? { "Content-Encoding": "gzip" } : {}) });
    res.end(payload);
  });
  servers.push(f.server);
  await new Promise<void>((r) => f.server.listen(0, "127.0.0.1", r));
  f.address = `127.0.0.1:${(f.server.address() as AddressInfo).port}`;
  return f;
}

function args(over: Partial<ScrapeArgs>): ScrapeArgs {
  return {
    targets: [],
    forward_to: [],
    // Half a second: a 100 ms timeout made first scrapes fail (up=0, no samples) on a loaded machine.
    scrape_interval: 500,
    scrape_timeout: 500,
    metrics_path: "/metrics",
    scheme: "http",
    params: {},
    honor_labels: false,
    honor_timestamps: true,
    track_timestamps_staleness: false,
    enable_compression: true,
    follow_redirects: true,
    body_size_limit: 0,
    sample_limit: 0,
    target_limit: 0,
    label_limit: 0,
    label_name_length_limit: 0,
    label_value_length_limit: 0,
    scrape_protocols: ["OpenMetricsText1.0.0", "OpenMetricsText0.0.1", "PrometheusText1.0.0", "PrometheusText0.0.4"],
    scrape_fallback_protocol: "PrometheusText0.0.4",
    metric_name_escaping_scheme: "underscores",
    extra_metrics: false,
    http_headers: {},
    ...over,
  };
}

function options(host?: Host): ComponentOptions {
  return { id: "prometheus.scrape.test", dataPath: "", logger: createLogger(memorySink("error")), metrics: new MetricsRegistry(), onStateChange: () => {}, host };
}

/** Runs a scraper until `n` transactions were committed, then stops it (without stale markers); returns its last debug info. */
async function scrapeUntil(a: ScrapeArgs, sink: ReturnType<typeof capture>, n: number, between?: (i: number) => void | Promise<void>, host?: Host): Promise<{ last_error: string }[]> {
  const scraper = new Scraper(options(host), { ...a, forward_to: [sink] });
  const stop = new AbortController();
  const running = scraper.run(stop.signal);
  const deadline = Date.now() + 5_000;
  let seen = 0;
  while (sink.commits.length < n && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
    if (sink.commits.length > seen) {
      seen = sink.commits.length;
      if (seen < n) await between?.(seen);
    }
  }
  const info = scraper.debugInfo().targets as { last_error: string }[];
  stop.abort();
  await running;
  assert.ok(sink.commits.length >= n, `expected ${n} commits, got ${sink.commits.length}`);
  return info;
}

const values = (rows: Row[]) => Object.fromEntries(rows.map((r) => [r.series, r.v]));

describe("prometheus.scrape", () => {
  test("appends samples with job and instance, the synthetic series and metadata", async () => {
    const f = await fakeTarget("# HELP reqs Requests.\n# TYPE reqs counter\nreqs{code=\"200\"} 5\ntemp 21.5\n");
    const sink = capture();
    await scrapeUntil(args({ targets: [{ __address__: f.address, team: "a" }] }), sink, 1);
    const rows = sink.commits[0]!;
    const inst = `instance=${JSON.stringify(f.address)}`;
    assert.deepEqual(values(rows), {
      [`reqs{code="200",${inst},job="prometheus.scrape.test",team="a"}`]: 5,
      [`temp{${inst},job="prometheus.scrape.test",team="a"}`]: 21.5,
      [`up{${inst},job="prometheus.scrape.test",team="a"}`]: 1,
      [`scrape_duration_seconds{${inst},job="prometheus.scrape.test",team="a"}`]: rows.find((r) => r.series.startsWith("scrape_duration_seconds"))!.v,
      [`scrape_samples_scraped{${inst},job="prometheus.scrape.test",team="a"}`]: 2,
      [`scrape_samples_post_metric_relabeling{${inst},job="prometheus.scrape.test",team="a"}`]: 2,
      [`scrape_series_added{${inst},job="prometheus.scrape.test",team="a"}`]: 2,
    });
    assert.equal(new Set(rows.map((r) => r.t)).size, 1, "one timestamp per scrape");
    assert.deepEqual(sink.metadata.get("reqs"), { type: "counter", help: "Requests.", unit: "" });
    const h = f.requests[0]!.headers;
    assert.equal(h.accept, acceptHeader(args({}).scrape_protocols, "underscores"));
    assert.match(String(h.accept), /^application\/openmetrics-text;version=1\.0\.0;escaping=underscores;q=0\.6,/);
    assert.equal(h["accept-encoding"], "gzip");
    assert.equal(h["x-prometheus-scrape-timeout-seconds"], "0.5");
  });

  test("URL from __scheme__/__address__/__metrics_path__/__param_*; job and instance from target labels; __ labels removed", async () => {
    const f = await fakeTarget("m 1\n");
    const sink = capture();
    const target = { __address__: f.address, __metrics_path__: "/custom", __param_module: "x", __meta_foo: "bar", job: "myjob", instance: "me" };
    await scrapeUntil(args({ targets: [target], params: { module: ["default"], extra: ["1", "2"] } }), sink, 1);
    assert.equal(f.requests[0]!.url, "/custom?extra=1&extra=2&module=x");
    assert.equal(sink.commits[0]![0]!.series, 'm{instance="me",job="myjob"}');
  });

  // Prometheus's resolveConflictingExposedLabels: `job` moves to exported_job, which the scraped
  // `exported_job` already holds, so it goes one prefix further.
  test("honor_labels=false renames clashing labels to exported_<name>; true keeps the scraped ones", async () => {
    const f = await fakeTarget('m{job="scraped",instance="x",exported_job="e"} 1\n');
    const base = { targets: [{ __address__: f.address, job: "j" }] };
    const off = capture();
    await scrapeUntil(args(base), off, 1);
    assert.equal(off.commits[0]![0]!.series, `m{exported_exported_job="scraped",exported_instance="x",exported_job="e",instance=${JSON.stringify(f.address)},job="j"}`);
    const on = capture();
    await scrapeUntil(args({ ...base, honor_labels: true }), on, 1);
    assert.equal(on.commits[0]![0]!.series, 'm{exported_job="e",instance="x",job="scraped"}');
  });

  test("honor_timestamps uses the exposed timestamp; false uses the scrape time", async () => {
    const f = await fakeTarget("m 1 1234\n");
    const on = capture();
    await scrapeUntil(args({ targets: [{ __address__: f.address }] }), on, 1);
    assert.equal(on.commits[0]![0]!.t, 1234);
    const off = capture();
    await scrapeUntil(args({ targets: [{ __address__: f.address }], honor_timestamps: false }), off, 1);
    assert.ok(off.commits[0]![0]!.t > 1_600_000_000_000);
  });

  test("a series that disappears gets a stale marker at the next scrape", async () => {
    const f = await fakeTarget("a 1\nb 2\n");
    const sink = capture();
    await scrapeUntil(args({ targets: [{ __address__: f.address, job: "j", instance: "i" }] }), sink, 2, () => void (f.body = "a 3\n"));
    const second = sink.commits[1]!;
    assert.deepEqual(
      second.filter((r) => !r.series.startsWith("scrape_") && !r.series.startsWith("up")).map((r) => [r.series, r.v]),
      [
        ['a{instance="i",job="j"}', 3],
        ['b{instance="i",job="j"}', "stale"],
      ],
    );
    assert.equal(values(second)['scrape_series_added{instance="i",job="j"}'], 0);
  });

  test("a failing target reports up=0 and marks every series stale", async () => {
    const f = await fakeTarget("a 1\n");
    const sink = capture();
    await scrapeUntil(args({ targets: [{ __address__: f.address, job: "j", instance: "i" }] }), sink, 2, () => void (f.status = 500));
    assert.deepEqual(values(sink.commits[1]!), {
      'a{instance="i",job="j"}': "stale",
      'up{instance="i",job="j"}': 0,
      'scrape_duration_seconds{instance="i",job="j"}': sink.commits[1]!.find((r) => r.series.startsWith("scrape_duration"))!.v,
      'scrape_samples_scraped{instance="i",job="j"}': 0,
      'scrape_samples_post_metric_relabeling{instance="i",job="j"}': 0,
      'scrape_series_added{instance="i",job="j"}': 0,
    });
  });

  test("an unparseable body fails the scrape", async () => {
    const f = await fakeTarget("a 1\nb{ 2\n");
    const sink = capture();
    const info = await scrapeUntil(args({ targets: [{ __address__: f.address, job: "j", instance: "i" }] }), sink, 1);
    assert.equal(values(sink.commits[0]!)['up{instance="i",job="j"}'], 0);
    assert.equal(sink.commits[0]!.some((r) => r.series.startsWith("a{")), false, "rolled back");
    assert.match(info[0]!.last_error, /^line 2: /);
  });

  test("gzip-encoded bodies and OpenMetrics with exemplars and timestamps in seconds", async () => {
    const f = await fakeTarget('# TYPE c counter\nc_total 7 1700000000.5 # {trace_id="abc"} 1\nc_created 1\n# EOF\n', "application/openmetrics-text; version=1.0.0; charset=utf-8");
    f.gzip = true;
    const sink = capture();
    await scrapeUntil(args({ targets: [{ __address__: f.address, job: "j", instance: "i" }] }), sink, 1);
    assert.deepEqual(sink.commits[0]![0], { series: 'c_total{instance="i",job="j"}', t: 1700000000500, v: 7 });
    assert.equal(values(sink.commits[0]!)['up{instance="i",job="j"}'], 1);
    assert.equal(values(sink.commits[0]!)['scrape_samples_scraped{instance="i",job="j"}'], 1);
  });

  test("sample_limit fails the scrape; extra_metrics adds the limit and body size", async () => {
    const f = await fakeTarget("a 1\nb 2\nc 3\n");
    const sink = capture();
    await scrapeUntil(args({ targets: [{ __address__: f.address, job: "j", instance: "i" }], sample_limit: 2, extra_metrics: true }), sink, 1);
    const v = values(sink.commits[0]!);
    assert.equal(v['up{instance="i",job="j"}'], 0);
    assert.equal(v['scrape_sample_limit{instance="i",job="j"}'], 2);
    assert.equal(v['scrape_timeout_seconds{instance="i",job="j"}'], 0.5);
    assert.equal(v['scrape_body_size_bytes{instance="i",job="j"}'], 12);
    assert.equal(sink.commits[0]!.some((r) => r.series.startsWith("a{")), false);
  });

  test("body_size_limit fails the scrape", async () => {
    const f = await fakeTarget("a 1\n".repeat(100));
    const sink = capture();
    const info = await scrapeUntil(args({ targets: [{ __address__: f.address, job: "j", instance: "i" }], body_size_limit: 50 }), sink, 1);
    assert.equal(values(sink.commits[0]!)['up{instance="i",job="j"}'], 0);
    assert.equal(info[0]!.last_error, "body size limit exceeded");
  });

  test("a target at the in-memory address is scraped through host.fetchInMemory", async () => {
    const seen: string[] = [];
    const host: Host = {
      memoryAddress: "alloy.internal:12345",
      fetchInMemory: async (req) => {
        seen.push(req.url);
        return new Response("self_metric 42\n", { headers: { "Content-Type": "text/plain; version=0.0.4" } });
      },
    };
    const sink = capture();
    const target = { __address__: "alloy.internal:12345", __metrics_path__: "/api/v0/component/prometheus.exporter.self.x/metrics", job: "integrations/self", instance: "h" };
    await scrapeUntil(args({ targets: [target] }), sink, 1, undefined, host);
    assert.deepEqual(seen, ["http://alloy.internal:12345/api/v0/component/prometheus.exporter.self.x/metrics"]);
    assert.deepEqual(sink.commits[0]![0], { series: 'self_metric{instance="h",job="integrations/self"}', t: sink.commits[0]![0]!.t, v: 42 });
  });

  test("basic_auth and bearer_token set the Authorization header", async () => {
    const f = await fakeTarget("a 1\n");
    const { Secret } = await import("../../../src/runtime/value.ts");
    await scrapeUntil(args({ targets: [{ __address__: f.address }], basic_auth: { username: "u", password: new Secret("p") } }), capture(), 1);
    assert.equal(f.requests.at(-1)!.headers.authorization, `Basic ${btoa("u:p")}`);
    await scrapeUntil(args({ targets: [{ __address__: f.address }], bearer_token: new Secret("tok") }), capture(), 1);
    assert.equal(f.requests.at(-1)!.headers.authorization, "Bearer tok");
  });

  test("update keeps unchanged targets' loops, stops removed ones with stale markers", async () => {
    const a = await fakeTarget("x 1\n");
    const b = await fakeTarget("y 1\n");
    const sink = capture();
    const scraper = new Scraper(options(), args({ forward_to: [sink], targets: [{ __address__: a.address, job: "j", instance: "a" }, { __address__: b.address, job: "j", instance: "b" }] }));
    const stop = new AbortController();
    const running = scraper.run(stop.signal);
    const until = async (ok: () => boolean) => {
      const deadline = Date.now() + 5_000;
      while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      assert.ok(ok());
    };
    // Both targets' first scrapes committed (a request seen is not yet a scrape appended).
    const committed = (series: string) => sink.commits.some((c) => c.some((r) => r.series === series && r.v !== "stale"));
    await until(() => committed('x{instance="a",job="j"}') && committed('y{instance="b",job="j"}'));
    const before = a.requests.length;
    const commitsBefore = sink.commits.length;
    await scraper.update(args({ forward_to: [sink], targets: [{ __address__: a.address, job: "j", instance: "a" }] }));
    // Target a's loop keeps committing meanwhile: pick the commit that carries the stale markers.
    const staleCommit = sink.commits.slice(commitsBefore).find((c) => c.some((r) => r.v === "stale"))!;
    assert.ok(staleCommit, "no stale markers committed for the removed target");
    assert.ok(staleCommit.every((r) => r.v === "stale" && r.series.includes('instance="b"')));
    assert.ok(staleCommit.some((r) => r.series === 'y{instance="b",job="j"}'));
    assert.ok(staleCommit.some((r) => r.series === 'up{instance="b",job="j"}'));
    const bCount = b.requests.length;
    await until(() => a.requests.length > before + 1);
    assert.equal(b.requests.length, bCount, "removed target no longer scraped");
    stop.abort();
    await running;
  });

  test("validation: scrape_timeout must not exceed scrape_interval; one auth method", () => {
    assert.deepEqual(validateScrapeArgs(args({ scrape_interval: 1000, scrape_timeout: 2000, job_name: "x" })), ['scrape_timeout (2s) greater than scrape_interval (1s) for scrape config with job name "x"']);
    assert.match(validateScrapeArgs(args({ bearer_token_file: "/x", basic_auth: { username: "u" } })).join(), /at most one of basic_auth/);
    assert.match(validateScrapeArgs(args({ scrape_protocols: ["Nope"] })).join(), /unknown scrape protocol Nope/);
    assert.equal(scrape.name, "prometheus.scrape");
  });
});
