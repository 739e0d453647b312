// prometheus.exporter.self (alloy-components.md §13): exactly one target with exactly these
// labels; its handler serves the whole process registry in the text format.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { hostname } from "node:os";
import { env } from "node:process";
import { instanceName, selfExporter } from "../../../../src/components/prometheus/exporter/self.ts";
import type { Component, Host } from "../../../../src/runtime/component.ts";
import { createLogger, memorySink } from "../../../../src/runtime/logger.ts";
import { MetricsRegistry } from "../../../../src/runtime/metrics.ts";
import type { ObjectValue } from "../../../../src/runtime/value.ts";
import { builtinRegistry } from "../../../../src/components/all.ts";
import { Controller } from "../../../../src/runtime/controller.ts";
import { stdlib } from "../../../../src/runtime/stdlib/index.ts";
import { adminHandler } from "../../../../src/server/admin.ts";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ID = "prometheus.exporter.self.default";

async function build(root: MetricsRegistry, host?: Host): Promise<{ component: Component<Record<string, never>>; exports: ObjectValue }> {
  let exports: ObjectValue = {};
  const component = await selfExporter.build(
    { id: ID, dataPath: "/nonexistent", logger: createLogger(memorySink("error")), metrics: root.with({ component_id: ID }), host, onStateChange: (e) => (exports = e) },
    {},
  );
  return { component, exports };
}

describe("prometheus.exporter.self", () => {
  test("exports exactly one target with exactly the §13 labels", async () => {
    const { exports } = await build(new MetricsRegistry());
    assert.deepEqual(exports, {
      targets: [
        {
          __address__: "alloy.internal:12345",
          __scheme__: "http",
          __metrics_path__: "/api/v0/component/prometheus.exporter.self.default/metrics",
          job: "integrations/self",
          instance: instanceName(),
          __meta_component_name: "prometheus.exporter.self",
          __meta_component_id: ID,
        },
      ],
    });
  });
  test("__address__ is the host's in-memory address", async () => {
    const host: Host = { memoryAddress: "mem.internal:1", fetchInMemory: async () => new Response() };
    const { exports } = await build(new MetricsRegistry(), host);
    assert.equal((exports.targets as Array<Record<string, string>>)[0]!.__address__, "mem.internal:1");
  });
  test("instance: env HOSTNAME, else the OS hostname", () => {
    const saved = env.HOSTNAME;
    try {
      env.HOSTNAME = "from-env";
      assert.equal(instanceName(), "from-env");
      delete env.HOSTNAME;
      assert.equal(instanceName(), hostname() || "unknown");
    } finally {
      if (saved === undefined) delete env.HOSTNAME;
      else env.HOSTNAME = saved;
    }
  });
  test("the handler serves the whole process registry at /metrics", async () => {
    const root = new MetricsRegistry();
    root.with({ component_id: "otelcol.receiver.otlp.x" }).counter("otelcol_test_total", "A test counter.").inc({}, 3);
    root.gauge("alloy_test_gauge", "A test gauge.").set({}, 7);
    const { component } = await build(root);
    const res = await component.handle!(new Request(`http://alloy.internal:12345/api/v0/component/${ID}/metrics`), "/metrics");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    const body = await res.text();
    assert.equal(body, root.expose());
    assert.match(body, /^# TYPE otelcol_test_total counter$/m);
    assert.match(body, /^otelcol_test_total\{component_id="otelcol.receiver.otlp.x"\} 3$/m);
    assert.match(body, /^alloy_test_gauge 7$/m);
  });
  test("other paths are 404", async () => {
    const { component } = await build(new MetricsRegistry());
    const res = await component.handle!(new Request("http://x/"), "/other");
    assert.equal(res.status, 404);
    await res.text();
  });
  test("run resolves when cancelled; update is a no-op", async () => {
    const { component } = await build(new MetricsRegistry());
    const abort = new AbortController();
    const running = component.run(abort.signal);
    await component.update({});
    abort.abort();
    await running;
  });

  test("served through the admin API under the component's id; discovery.relabel sees the target", async () => {
    const metrics = new MetricsRegistry();
    metrics.counter("alloy_self_test_total", "Registered by the test.").inc();
    const c = new Controller({
      registry: builtinRegistry(),
      logger: createLogger(memorySink("error")),
      metrics,
      storagePath: mkdtempSync(join(tmpdir(), "solder-self-")),
      stability: "experimental",
      globals: stdlib({ version: "test", stability: "experimental" }),
      shutdownDeadlineMs: 10_000,
    });
    const text = `prometheus.exporter.self "default" { }
discovery.relabel "self" {
  targets = prometheus.exporter.self.default.targets
  rule {
    target_label = "instance"
    replacement = "me"
  }
}
`;
    const errors = (await c.load([{ name: "t.alloy", text }])).filter((d) => d.severity === "error");
    assert.deepEqual(errors.map((d) => d.message), []);
    c.start();
    try {
      const handler = adminHandler({ controller: c, metrics, isReady: () => true, reload: async () => ({ ok: true, message: "" }) });
      const res = await handler(new Request(`http://alloy.internal:12345/api/v0/component/${ID}/metrics`));
      assert.equal(res.status, 200);
      assert.match(await res.text(), /^alloy_self_test_total 1$/m);
      const output = c.get("discovery.relabel.self")!.exports.output as Array<Record<string, string>>;
      assert.equal(output.length, 1);
      assert.equal(output[0]!.instance, "me");
      assert.equal(output[0]!.__metrics_path__, `/api/v0/component/${ID}/metrics`);
    } finally {
      await c.stop();
    }
  });
});
