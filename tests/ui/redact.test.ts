// The UI never shows a secret: the loaded configuration is masked (src/ui/redact.ts), the
// component JSON shows `(secret)`, and the prefix helpers route correctly.

import { expect, test } from "bun:test";
import { builtinRegistry } from "../../src/components/all.ts";
import { Controller } from "../../src/runtime/controller.ts";
import { createLogger } from "../../src/runtime/logger.ts";
import { MetricsRegistry } from "../../src/runtime/metrics.ts";
import { stdlib } from "../../src/runtime/stdlib/index.ts";
import { adminHandler } from "../../src/server/admin.ts";
import { normalizePrefix, underPrefix } from "../../src/server/ui.ts";
import { redactSources } from "../../src/ui/redact.ts";

const CONFIG = `otelcol.exporter.otlphttp "sink" {
	client {
		endpoint = "http://127.0.0.1:1"
		headers  = { "Authorization" = "Bearer sekret", "X-Other" = "topsecretvalue" }
	}
}

otelcol.processor.batch "b" {
	output {
		traces = [otelcol.exporter.otlphttp.sink.input]
	}
}
`;

async function controller(): Promise<Controller> {
  const c = new Controller({
    registry: builtinRegistry(),
    logger: createLogger({ write() {}, level: "error", format: "logfmt" } as never),
    metrics: new MetricsRegistry(),
    storagePath: "/tmp/solder-ui-test",
    stability: "generally-available",
    globals: stdlib({ version: "0", stability: "generally-available" }),
  });
  const diags = await c.load([{ name: "c.alloy", text: CONFIG }]);
  expect(diags.filter((d) => d.severity === "error")).toEqual([]);
  return c;
}

test("secret-typed arguments are masked in the configuration text", async () => {
  const c = await controller();
  const [file] = redactSources(c.sourceTexts(), c.list());
  expect(file!.text).not.toContain("sekret");
  expect(file!.text).not.toContain("topsecretvalue");
  expect(file!.text).toContain("headers  = (secret)");
  expect(file!.text).toContain('endpoint = "http://127.0.0.1:1"');
});

test("no web API response contains the secret", async () => {
  const c = await controller();
  const handler = adminHandler({ controller: c, metrics: new MetricsRegistry(), isReady: () => true, reload: async () => ({ ok: true, message: "" }), uiPrefix: "/p/" });
  for (const path of ["/api/v0/web/components", "/api/v0/web/components/otelcol.exporter.otlphttp.sink", "/p/api/v0/web/config", "/p/api/v0/web/components/otelcol.exporter.otlphttp.sink", "/p/api/v0/web/edges"]) {
    const r = await handler(new Request(`http://localhost${path}`));
    expect(r.status).toBe(200);
    const body = await r.text();
    expect(body).not.toContain("sekret");
  }
  const page = await handler(new Request("http://localhost/p/graph"));
  expect(await page.text()).toContain('<base href="/p/">');
  expect((await handler(new Request("http://localhost/p"))).status).toBe(302);
  expect((await handler(new Request("http://localhost/elsewhere"))).status).toBe(404);
  expect((await handler(new Request("http://localhost/p/api/v0/web/nope"))).status).toBe(404);
  await c.stop();
});

test("prefix normalisation", () => {
  expect(normalizePrefix("/")).toBe("");
  expect(normalizePrefix("ui/")).toBe("/ui");
  expect(normalizePrefix("/a//b/")).toBe("/a/b");
  expect(underPrefix("/ui/x", "/ui")).toBe("/x");
  expect(underPrefix("/uix", "/ui")).toBeUndefined();
  expect(underPrefix("/x", "")).toBe("/x");
});
