// Secrets never appear in logs, the UI or the API. The real executable runs a configuration with
// a distinctive value in every secret-typed argument of every registered component that has one
// (and of the http block), at debug level, with data flowing, exports failing, auth refusing and
// a reload; then stdout/stderr, /metrics, the components API (list and every component), health
// and the UI's config view are searched for every secret. A guard test checks that the config
// really covers every secret-typed argument the registry declares, so a new one cannot be missed.
import { describe, test, after, before } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { builtinRegistry } from "../../src/components/all.ts";
import { CONFIG_BLOCKS } from "../../src/runtime/config_blocks.ts";
import type { Schema, Type } from "../../src/runtime/schema.ts";
import { adminRequest, statusOf } from "../helpers/admin_client.ts";
import { makeTestPki, type TestPki } from "../helpers/certs.ts";
import { closedPort } from "../helpers/otlp_sink.ts";
import { eventually, freePort, startSolder, type Running } from "../helpers/solder.ts";
import { tracesBytes } from "../otlp/fixtures.ts";

const dir = mkdtempSync(join(tmpdir(), "solder-e2e-secrets-"));
let pki: TestPki;
let running: Running | undefined;
before(() => {
  pki = makeTestPki();
});
after(async () => {
  await running?.stop("SIGKILL");
});

/** Every secret, by where it is written; the values are unlikely to occur by chance. */
const S = {
  httpPassword: "zq7-http-password",
  basicPassword: "zq7-basic-password",
  basicClientPassword: "zq7-basic-client-password",
  htpasswd: "zq7-htpasswd-inline",
  bearerToken: "zq7-bearer-token",
  headersValue: "zq7-headers-value",
  lbHeader: "zq7-lb-header",
  otlpHeader: "zq7-otlp-header",
  otlphttpHeader: "zq7-otlphttp-header",
  consulToken: "zq7-consul-token",
  openshiftToken: "zq7-openshift-token",
  rwHeader: "zq7-rw-header",
  rwHttpHeader: "zq7-rw-http-header",
  rwBearer: "zq7-rw-bearer",
  rwProxyHeader: "zq7-rw-proxy-header",
  rwBasicPassword: "zq7-rw-basic-password",
  rwCredentials: "zq7-rw-credentials",
  scrapeBearer: "zq7-scrape-bearer",
  scrapeHttpHeader: "zq7-scrape-http-header",
  scrapeProxyHeader: "zq7-scrape-proxy-header",
  scrapeBasicPassword: "zq7-scrape-basic-password",
  scrapeCredentials: "zq7-scrape-credentials",
  scrapeOauthSecret: "zq7-scrape-oauth-secret",
};

/** Where each secret-typed argument is written below (component or block name > path). */
const COVERED = new Set([
  "[http] auth > basic > password",
  "[http] tls > key_pem",
  "otelcol.auth.basic password",
  "otelcol.auth.basic client_auth > password",
  "otelcol.auth.basic htpasswd > inline",
  "otelcol.auth.bearer token",
  "otelcol.auth.headers header > value",
  "otelcol.exporter.loadbalancing protocol > otlp > client > headers",
  "otelcol.exporter.loadbalancing protocol > otlp > client > tls > key_pem",
  "otelcol.exporter.otlp client > headers",
  "otelcol.exporter.otlp client > tls > key_pem",
  "otelcol.exporter.otlphttp client > headers",
  "otelcol.exporter.otlphttp client > tls > key_pem",
  "otelcol.processor.resourcedetection consul > token",
  "otelcol.processor.resourcedetection openshift > token",
  "otelcol.processor.resourcedetection openshift > tls > key_pem",
  "otelcol.receiver.otlp grpc > tls > key_pem",
  "otelcol.receiver.otlp http > tls > key_pem",
  "prometheus.remote_write endpoint > headers",
  "prometheus.remote_write endpoint > http_headers",
  "prometheus.remote_write endpoint > bearer_token",
  "prometheus.remote_write endpoint > proxy_connect_header",
  "prometheus.remote_write endpoint > basic_auth > password",
  "prometheus.remote_write endpoint > authorization > credentials",
  "prometheus.remote_write endpoint > tls_config > key_pem",
  "prometheus.scrape bearer_token",
  "prometheus.scrape http_headers",
  "prometheus.scrape proxy_connect_header",
  "prometheus.scrape basic_auth > password",
  "prometheus.scrape authorization > credentials",
  "prometheus.scrape oauth2 > client_secret",
  "prometheus.scrape oauth2 > proxy_connect_header",
  "prometheus.scrape tls_config > key_pem",
]);

function holdsSecret(t: Type): boolean {
  if (t.kind === "secret") return true;
  return (t.kind === "list" || t.kind === "map" || t.kind === "located") && holdsSecret(t.of);
}

function secretPaths(s: Schema, prefix: string, out: string[]): string[] {
  for (const [n, a] of Object.entries(s.attrs ?? {})) if (holdsSecret(a.type)) out.push(prefix + n);
  for (const [n, b] of Object.entries(s.blocks ?? {})) secretPaths(b.schema, `${prefix}${n} > `, out);
  return out;
}

test("the configuration below covers every secret-typed argument of every registered component and block", () => {
  const reg = builtinRegistry();
  const declared = [
    ...reg.names().flatMap((name) => secretPaths(reg.get(name)!.args, "", []).map((p) => `${name} ${p}`)),
    ...Object.entries(CONFIG_BLOCKS).flatMap(([name, s]) => secretPaths(s, "", []).map((p) => `[${name}] ${p}`)),
  ].sort();
  assert.deepEqual(declared, [...COVERED].sort());
});

function pemBodyLines(pem: string): string[] {
  return pem.split("\n").filter((l) => l.length >= 40 && !l.startsWith("-----"));
}

describe("secrets never appear in logs, UI or API output", () => {
  test("debug logging, data flowing, failing exports and scrapes, refused requests, a reload", async () => {
    const serverCert = pki.read(pki.serverCertFile);
    const serverKey = pki.read(pki.serverKeyFile);
    const clientCert = pki.read(pki.clientCertFile);
    const clientKey = pki.read(pki.clientKeyFile);
    const q = JSON.stringify;
    const [rp1, rp2] = [await freePort(), await freePort()];
    const dead = await closedPort();
    const tlsPair = (cert: string, key: string) => `cert_pem = ${q(cert)}\n      key_pem = ${q(key)}`;
    const config = `
logging { level = "debug" }

http {
  auth {
    basic {
      username = "admin"
      password = ${q(S.httpPassword)}
    }
  }
  tls {
    ${tlsPair(serverCert, serverKey)}
  }
}

otelcol.auth.basic "b" {
  username = "legacy"
  password = ${q(S.basicPassword)}
  client_auth {
    username = "client"
    password = ${q(S.basicClientPassword)}
  }
  htpasswd { inline = ${q(`ingest:${S.htpasswd}`)} }
}
otelcol.auth.bearer "t" { token = ${q(S.bearerToken)} }
otelcol.auth.headers "h" {
  header {
    key   = "X-Api-Key"
    value = ${q(S.headersValue)}
  }
}

otelcol.receiver.otlp "r" {
  grpc {
    endpoint = "127.0.0.1:${rp1}"
    tls {
      ${tlsPair(serverCert, serverKey)}
    }
  }
  http {
    endpoint = "127.0.0.1:${rp2}"
    auth     = otelcol.auth.basic.b.handler
    tls {
      ${tlsPair(serverCert, serverKey)}
    }
  }
  output { traces = [otelcol.processor.resourcedetection.rd.input] }
}

otelcol.processor.resourcedetection "rd" {
  detectors = ["consul", "openshift"]
  timeout   = "1s"
  consul {
    address = "127.0.0.1:${dead}"
    token   = ${q(S.consulToken)}
  }
  openshift {
    address = "https://127.0.0.1:${dead}"
    token   = ${q(S.openshiftToken)}
    tls {
      ${tlsPair(clientCert, clientKey)}
    }
  }
  output { traces = [otelcol.exporter.otlphttp.e.input, otelcol.exporter.otlp.g.input, otelcol.exporter.loadbalancing.lb.input] }
}

otelcol.exporter.otlphttp "e" {
  client {
    endpoint = "https://127.0.0.1:${dead}"
    headers  = { "X-Otlphttp" = ${q(S.otlphttpHeader)} }
    auth     = otelcol.auth.bearer.t.handler
    tls {
      ${tlsPair(clientCert, clientKey)}
    }
  }
  sending_queue { enabled = false }
  retry_on_failure { enabled = false }
}
otelcol.exporter.otlp "g" {
  client {
    endpoint = "127.0.0.1:${dead}"
    headers  = { "x-otlp" = ${q(S.otlpHeader)} }
    auth     = otelcol.auth.headers.h.handler
    tls {
      ${tlsPair(clientCert, clientKey)}
    }
  }
  sending_queue { enabled = false }
  retry_on_failure { enabled = false }
}
otelcol.exporter.loadbalancing "lb" {
  protocol {
    otlp {
      client {
        headers = { "x-lb" = ${q(S.lbHeader)} }
        auth    = otelcol.auth.basic.b.handler
        tls {
          ${tlsPair(clientCert, clientKey)}
        }
      }
    }
  }
  resolver {
    static { hostnames = ["127.0.0.1:${dead}"] }
  }
}

prometheus.exporter.self "self" { }
prometheus.scrape "basic" {
  targets         = prometheus.exporter.self.self.targets
  forward_to      = [prometheus.remote_write.rw.receiver]
  scrape_interval = "1s"
  scrape_timeout  = "500ms"
  http_headers    = { "X-Scrape" = [${q(S.scrapeHttpHeader)}] }
  proxy_connect_header = { "X-Proxy" = [${q(S.scrapeProxyHeader)}] }
  basic_auth {
    username = "scraper"
    password = ${q(S.scrapeBasicPassword)}
  }
  tls_config {
    ${tlsPair(clientCert, clientKey)}
  }
}
prometheus.scrape "bearer" {
  targets         = [{ "__address__" = "127.0.0.1:${dead}" }]
  forward_to      = [prometheus.remote_write.rw.receiver]
  scrape_interval = "1s"
  scrape_timeout  = "500ms"
  bearer_token    = ${q(S.scrapeBearer)}
}
prometheus.scrape "authz" {
  targets         = [{ "__address__" = "127.0.0.1:${dead}" }]
  forward_to      = [prometheus.remote_write.rw.receiver]
  scrape_interval = "1s"
  scrape_timeout  = "500ms"
  authorization { credentials = ${q(S.scrapeCredentials)} }
}
prometheus.scrape "oauth" {
  targets         = [{ "__address__" = "127.0.0.1:${dead}" }]
  forward_to      = [prometheus.remote_write.rw.receiver]
  scrape_interval = "1s"
  scrape_timeout  = "500ms"
  oauth2 {
    client_id     = "id"
    client_secret = ${q(S.scrapeOauthSecret)}
    token_url     = "http://127.0.0.1:${dead}/token"
    proxy_connect_header = { "X-Proxy" = [${q(S.scrapeProxyHeader)}] }
  }
}

prometheus.remote_write "rw" {
  endpoint {
    url          = "http://127.0.0.1:${dead}/basic"
    headers      = { "X-Rw" = ${q(S.rwHeader)} }
    http_headers = { "X-Rw-Http" = [${q(S.rwHttpHeader)}] }
    proxy_connect_header = { "X-Proxy" = [${q(S.rwProxyHeader)}] }
    basic_auth {
      username = "writer"
      password = ${q(S.rwBasicPassword)}
    }
    tls_config {
      ${tlsPair(clientCert, clientKey)}
    }
    queue_config {
      batch_send_deadline = "500ms"
      min_backoff         = "100ms"
      max_backoff         = "200ms"
    }
  }
  endpoint {
    url          = "http://127.0.0.1:${dead}/bearer"
    bearer_token = ${q(S.rwBearer)}
  }
  endpoint {
    url = "http://127.0.0.1:${dead}/authz"
    authorization { credentials = ${q(S.rwCredentials)} }
  }
}
`;
    const path = join(dir, "secrets.alloy");
    writeFileSync(path, config);
    const r = await startSolder([`--storage.path=${join(dir, "data")}`, path], { waitReady: false });
    running = r;
    const ca = pki.read(pki.caFile);
    const admin = r.url.replace("http:", "https:");
    const asAdmin = { ca, basic: ["admin", S.httpPassword] as [string, string] };
    await eventually(async () => statusOf(await adminRequest(`${admin}/-/ready`, { ...asAdmin, timeoutMs: 2000 })) === 200 || r.proc.exitCode !== null, 30_000, "ready");
    assert.equal(r.proc.exitCode, null, r.stderr());

    // Traffic: refused (no or wrong credentials) and accepted (then failing to export everywhere).
    const { request } = await import("node:https");
    const post = (authorization?: string) =>
      new Promise<number>((resolve) => {
        const req = request(
          { host: "127.0.0.1", port: rp2, path: "/v1/traces", method: "POST", ca, servername: "localhost", headers: { "content-type": "application/x-protobuf", ...(authorization ? { authorization } : {}) } },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          },
        );
        req.on("error", () => resolve(-1));
        req.end(Buffer.from(tracesBytes()));
      });
    const basicOf = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`;
    assert.equal(await post(), 401);
    assert.equal(await post(basicOf("ingest", "wrong")), 401);
    // Accepted by auth; the exports behind it fail (every exporter points at a closed port), hence 503.
    assert.ok([200, 503].includes(await post(basicOf("ingest", S.htpasswd))));
    assert.equal(statusOf(await adminRequest(`${admin}/metrics`, { ca, basic: ["admin", "wrong"] })), 401);

    // Let scrapes, remote writes and exports fail a few times, then reload twice (one bad).
    const failed = (id: string) => new RegExp(`level=\\w+ msg="[^"]*[Ff]ail[^"]*" .*component_id=${id.replace(/\./g, "\\.")}`).test(r.stderr());
    const failing = ["otelcol.exporter.otlphttp.e", "otelcol.exporter.otlp.g", "otelcol.exporter.loadbalancing.lb", "prometheus.remote_write.rw", "prometheus.scrape.bearer"];
    await eventually(() => failing.every(failed), 40_000, "a failure logged by each of " + failing.join(", ")).catch((err) => {
      throw new Error(`${(err as Error).message}; none yet from ${failing.filter((id) => !failed(id)).join(", ")}\n${r.stderr().slice(-3000)}`);
    });
    assert.equal(statusOf(await adminRequest(`${admin}/-/reload`, { ...asAdmin, method: "POST" })), 200);
    writeFileSync(path, config.replace(`token = ${q(S.bearerToken)}`, `token = ${q(S.bearerToken)}\n  bogus = ${q(S.bearerToken)}`));
    const bad = await adminRequest(`${admin}/-/reload`, { ...asAdmin, method: "POST" });
    assert.equal(statusOf(bad), 400);
    writeFileSync(path, config);
    assert.equal(statusOf(await adminRequest(`${admin}/-/reload`, { ...asAdmin, method: "POST" })), 200);

    // Collect every output.
    const outputs: [string, string][] = [["stdout", r.stdout()], ["stderr", r.stderr()], ["bad reload reply", (bad as { body: string }).body]];
    const get = async (p: string) => {
      const got = await adminRequest(admin + p, asAdmin);
      assert.ok("status" in got, `${p}: ${JSON.stringify(got)}`);
      return got.body;
    };
    const list = await get("/api/v0/web/components");
    outputs.push(["/api/v0/web/components", list]);
    const ids = (JSON.parse(list) as { localID: string }[]).map((c) => c.localID);
    assert.ok(ids.length >= 14, ids.join(", "));
    for (const id of ids) {
      const body = await get(`/api/v0/web/components/${id}`);
      assert.ok(body.includes('"arguments"'), id);
      outputs.push([`/api/v0/web/components/${id}`, body]);
    }
    for (const p of ["/metrics", "/api/v0/web/config", "/-/healthy", "/api/v0/web/edges"]) outputs.push([p, await get(p)]);
    const configView = outputs.find(([n]) => n === "/api/v0/web/config")![1];
    assert.ok(configView.includes("(secret)") && configView.includes("otelcol.auth.bearer"), "the config view is the real one, masked");

    const needles: [string, string][] = [
      ...Object.entries(S),
      ...pemBodyLines(serverKey).map((l, i) => [`server key line ${i}`, l] as [string, string]),
      ...pemBodyLines(clientKey).map((l, i) => [`client key line ${i}`, l] as [string, string]),
      ["basic credentials (base64)", Buffer.from(`ingest:${S.htpasswd}`).toString("base64")],
      ["admin credentials (base64)", Buffer.from(`admin:${S.httpPassword}`).toString("base64")],
    ];
    if (process.env.SOLDER_DUMP) writeFileSync(process.env.SOLDER_DUMP, outputs.map(([n, t]) => `==== ${n}\n${t}`).join("\n"));
    const leaks: string[] = [];
    for (const [where, text] of outputs) for (const [name, value] of needles) if (text.includes(value)) leaks.push(`${name} in ${where}`);
    assert.deepEqual(leaks, []);
    // The search means something: the outputs are big, and failures were logged at debug level.
    assert.match(r.stderr(), /level=debug/);
    assert.match(r.stderr(), /config reloaded/);
  });
});
