// The component contract, tested once for every registered component (style: the Collector's
// generated lifecycle tests): build without side effects, run, update with the same and with
// changed arguments, stop — twice, and before ever starting.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { builtinRegistry } from "../../src/components/all.ts";
import { Controller } from "../../src/runtime/controller.ts";
import { createLogger, memorySink } from "../../src/runtime/logger.ts";
import { MetricsRegistry } from "../../src/runtime/metrics.ts";
import { stdlib } from "../../src/runtime/stdlib/index.ts";
import { formatShort } from "../../src/syntax/diag.ts";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A minimal valid body for each component, and a changed one for the update. Every registered
 * component must have an entry: adding a component means adding it here.
 */
const BODIES: Record<string, { first: string; changed: string }> = {
  "otelcol.receiver.otlp": {
    first: `grpc { endpoint = "127.0.0.1:0" }\nhttp { endpoint = "127.0.0.1:0" }\noutput { traces = [otelcol.exporter.debug.sink.input] }`,
    changed: `http { endpoint = "127.0.0.1:0" }\noutput { logs = [otelcol.exporter.debug.sink.input] }`,
  },
  "otelcol.processor.batch": {
    first: `output { traces = [otelcol.exporter.debug.sink.input] }`,
    changed: `timeout = "1s"\noutput { metrics = [otelcol.exporter.debug.sink.input] }`,
  },
  "otelcol.connector.host_info": {
    first: `output { metrics = [otelcol.exporter.debug.sink.input] }`,
    changed: `host_identifiers = ["host.id", "host.name"]\nmetrics_flush_interval = "1s"\noutput { metrics = [otelcol.exporter.debug.sink.input] }`,
  },
  "otelcol.processor.resourcedetection": {
    first: `detectors = ["env"]\noutput { traces = [otelcol.exporter.debug.sink.input] }`,
    changed: `detectors = ["env"]\ntimeout = "1s"\noverride = false\noutput { logs = [otelcol.exporter.debug.sink.input] }`,
  },
  "otelcol.processor.transform": {
    first: 'error_mode = "ignore"\nmetric_statements {\n context = "datapoint"\n statements = [`set(attributes["a"], "b")`]\n}\noutput { metrics = [otelcol.exporter.debug.sink.input] }',
    changed: 'statements { log = [`set(log.attributes["a"], "b")`] }\noutput { logs = [otelcol.exporter.debug.sink.input] }',
  },
  "otelcol.processor.filter": {
    first: 'traces { span = [`attributes["drop"] == true`] }\noutput { traces = [otelcol.exporter.debug.sink.input] }',
    changed: 'error_mode = "ignore"\nlogs { log_record = [`severity_number < SEVERITY_NUMBER_WARN`] }\noutput { logs = [otelcol.exporter.debug.sink.input] }',
  },
  "otelcol.processor.memory_limiter": {
    first: `check_interval = "1s"\nlimit = "4GiB"\noutput { traces = [otelcol.exporter.debug.sink.input] }`,
    changed: `check_interval = "2s"\nlimit_percentage = 90\nspike_limit_percentage = 20\noutput { logs = [otelcol.exporter.debug.sink.input] }`,
  },
  "otelcol.auth.basic": {
    first: `client_auth {\n username = "u"\n password = "p"\n}`,
    changed: `htpasswd { inline = "u:p" }\nusername = "u"\npassword = "p2"`,
  },
  "otelcol.auth.bearer": { first: `token = "t"`, changed: `token = "t2"\nscheme = "Token"\nheader = "X-Api-Key"` },
  "otelcol.auth.headers": {
    first: `header {\n key = "X-Scope-OrgID"\n value = "a"\n}`,
    changed: `header {\n key = "X-Scope-OrgID"\n from_context = "tenant"\n action = "insert"\n}`,
  },
  "otelcol.exporter.debug": { first: ``, changed: `verbosity = "detailed"` },
  "otelcol.exporter.prometheus": {
    first: `forward_to = [prometheus.remote_write.sink.receiver]`,
    changed: `forward_to = []\nadd_metric_suffixes = false\ngc_frequency = "1m"`,
  },
  "otelcol.storage.file": { first: ``, changed: `fsync = true\ncompaction { on_start = true }` },
  "otelcol.exporter.otlphttp": {
    first: `client { endpoint = "http://127.0.0.1:9" }`,
    changed: `client { endpoint = "http://127.0.0.1:9/otlp" }\nencoding = "json"`,
  },
  "otelcol.exporter.otlp": {
    first: `client {\n endpoint = "127.0.0.1:9"\n tls { insecure = true }\n}`,
    changed: `client {\n endpoint = "127.0.0.1:9"\n compression = "none"\n tls { insecure = true }\n}`,
  },
  "otelcol.exporter.loadbalancing": {
    first: `resolver {\n static { hostnames = ["127.0.0.1:9"] }\n}\nprotocol {\n otlp {\n  client {\n   tls { insecure = true }\n  }\n }\n}`,
    changed: `routing_key = "service"\nresolver {\n static { hostnames = ["127.0.0.1:9"] }\n}\nprotocol {\n otlp {\n  client {\n   compression = "none"\n   tls { insecure = true }\n  }\n }\n}`,
  },
  "prometheus.scrape": {
    first: `targets = [{ __address__ = "127.0.0.1:9" }]\nforward_to = [prometheus.remote_write.sink.receiver]\nscrape_interval = "1s"\nscrape_timeout = "500ms"`,
    changed: `targets = []\nforward_to = []\nhonor_labels = true`,
  },
  "prometheus.remote_write": {
    first: `endpoint { url = "http://127.0.0.1:9/api/v1/write" }`,
    changed: `external_labels = { cluster = "c1" }\nendpoint {\n url = "http://127.0.0.1:9/api/v1/write"\n queue_config { max_shards = 2 }\n}`,
  },
  "discovery.relabel": {
    first: `targets = [{ __address__ = "127.0.0.1:9", job = "a" }]`,
    changed: `targets = [{ __address__ = "127.0.0.1:9", job = "a" }]\nrule {\n source_labels = ["job"]\n target_label = "team"\n}`,
  },
  "prometheus.relabel": {
    first: `forward_to = []`,
    changed: `forward_to = []\nmax_cache_size = 10\nrule {\n source_labels = ["__name__"]\n regex = "up|x"\n action = "keep"\n}`,
  },
  "prometheus.exporter.self": { first: ``, changed: `` },
};

function config(name: string, body: string): string {
  const sink = name === "otelcol.exporter.debug" ? "" : `otelcol.exporter.debug "sink" { }\n`;
  // Somewhere for Prometheus samples to go: without endpoints remote_write only keeps its WAL.
  const receiver = name === "otelcol.exporter.prometheus" || name === "prometheus.scrape" ? `prometheus.remote_write "sink" { }\n` : "";
  return `${sink}${receiver}${name} "under_test" {\n${body}\n}\n`;
}

function controller(): Controller {
  return new Controller({
    registry: builtinRegistry(),
    logger: createLogger(memorySink("error")),
    metrics: new MetricsRegistry(),
    storagePath: mkdtempSync(join(tmpdir(), "solder-lifecycle-")),
    stability: "experimental",
    globals: stdlib({ version: "test", stability: "experimental" }),
    shutdownDeadlineMs: 10_000,
  });
}

const load = async (c: Controller, text: string) => (await c.load([{ name: "t.alloy", text }])).filter((d) => d.severity === "error").map(formatShort);

describe("every registered component follows the lifecycle contract", () => {
  test("each registered component has a lifecycle case", () => {
    assert.deepEqual(builtinRegistry().names(), Object.keys(BODIES).sort());
  });

  for (const name of builtinRegistry().names()) {
    test(name, async () => {
      const body = BODIES[name]!;
      const id = `${name}.under_test`;
      // Stop before start is safe.
      const idle = controller();
      assert.deepEqual(await load(idle, config(name, body.first)), []);
      await idle.stop();

      const c = controller();
      assert.deepEqual(await load(c, config(name, body.first)), []);
      const entry = c.get(id)!;
      assert.ok(entry.component, "built");
      c.start();
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(c.healthOf(entry).state, "healthy", c.healthOf(entry).message);

      // Same arguments, then changed ones: the same instance is updated in place.
      const instance = entry.component;
      assert.deepEqual(await load(c, config(name, body.first)), []);
      assert.deepEqual(await load(c, config(name, body.changed)), []);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(c.get(id)?.component, instance);
      assert.equal(c.healthOf(entry).state, "healthy", c.healthOf(entry).message);

      const started = Date.now();
      await c.stop();
      await c.stop();
      assert.ok(Date.now() - started < 10_000, "stops promptly");
      assert.equal(c.healthOf(entry).state, "exited");
      assert.match(c.healthOf(entry).message, /^component shut down cleanly$/);
    });
  }
});
