// Auth and TLS against the real executable: the http block on the UI/API server (basic auth,
// filter, TLS, client certificates, reloads), the default bind address, and the two
// guarantees for receivers — a request without valid credentials never reaches a component,
// and a TLS receiver refuses plaintext. Certificates are made at test time with openssl.
import { describe, test, after, before } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { Code as GrpcCode, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { ExportTraceServiceRequestSchema, TraceService } from "../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { adminRequest, statusOf } from "../helpers/admin_client.ts";
import { makeTestPki, type TestPki } from "../helpers/certs.ts";
import { startHttpSink } from "../helpers/otlp_sink.ts";
import { eventually, freePort, solderCommand, startSolder, type Running } from "../helpers/solder.ts";
import { spawn } from "node:child_process";
import { tracesBytes } from "../otlp/fixtures.ts";

const dir = mkdtempSync(join(tmpdir(), "solder-e2e-authtls-"));
const running: Running[] = [];
let pki: TestPki;
before(() => {
  pki = makeTestPki();
});
after(async () => {
  for (const r of running) await r.stop("SIGKILL");
});

const USER = "operator";
const PASS = "ui-pass-3f9c1e";
const RIGHT: [string, string] = [USER, PASS];

/** Starts solder with `config`; waits until /-/ready answers 200 to a request made with `ready`. */
async function start(name: string, config: string, ready: Parameters<typeof adminRequest>[1] & { https?: boolean } = {}): Promise<{ r: Running; base: string; path: string }> {
  const path = join(dir, name);
  writeFileSync(path, config);
  const r = await startSolder([`--storage.path=${join(dir, "data")}`, path], { waitReady: false });
  running.push(r);
  const base = ready.https ? r.url.replace("http:", "https:") : r.url;
  await eventually(async () => statusOf(await adminRequest(`${base}/-/ready`, { ...ready, timeoutMs: 2000 })) === 200, 30_000, `solder ready\n${r.stderr()}`);
  return { r, base, path };
}

function httpBlock(inner: string): string {
  return `http {\n${inner}\n}\n`;
}

const basicAuth = `  auth {
    basic {
      username = "${USER}"
      password = "${PASS}"
    }
  }`;

const PROTECTED = ["/metrics", "/api/v0/web/components", "/api/v0/web/components/otelcol.exporter.debug.d", "/", "/graph", "/api/v0/web/config", "/-/ready", "/-/healthy"];
const DEBUG = `otelcol.exporter.debug "d" { }\n`;

describe("UI/API server: basic auth", () => {
  test("401 (empty body, Basic challenge) without or with wrong credentials everywhere; 200 with the right ones", async () => {
    const { r, base } = await start("auth.alloy", httpBlock(basicAuth) + DEBUG, { basic: RIGHT });
    for (const p of PROTECTED) {
      for (const basic of [undefined, [USER, "wrong"], ["other", PASS]] as ([string, string] | undefined)[]) {
        const got = await adminRequest(base + p, { basic });
        assert.ok("status" in got, `${p}: ${JSON.stringify(got)}`);
        assert.equal(got.status, 401, `${p} with ${JSON.stringify(basic)}`);
        assert.equal(got.body, "");
        assert.equal(got.headers["www-authenticate"], 'Basic realm="Restricted"');
      }
      assert.equal(statusOf(await adminRequest(base + p, { basic: RIGHT })), 200, p);
    }
    // /-/reload without credentials never reaches the reload (no log line), with them it does.
    for (const method of ["GET", "POST"]) assert.equal(statusOf(await adminRequest(`${base}/-/reload`, { method })), 401);
    assert.equal(statusOf(await adminRequest(`${base}/-/reload`, { method: "POST", basic: [USER, "nope"] })), 401);
    assert.doesNotMatch(r.stderr(), /reload requested/);
    const ok = await adminRequest(`${base}/-/reload`, { method: "POST", basic: RIGHT });
    assert.equal(statusOf(ok), 200);
    await eventually(() => /reload requested via \/-\/reload endpoint/.test(r.stderr()), 5000, "reload log line");
    assert.ok(!r.stderr().includes(PASS) && !r.stdout().includes(PASS), "the password is never logged");
  });

  test("filter: authenticate_matching_paths = false exempts the listed prefixes; true protects only them", async () => {
    const exempt = `  auth {
    basic {
      username = "${USER}"
      password = "${PASS}"
    }
    filter {
      paths = ["/metrics", "/-/"]
      authenticate_matching_paths = false
    }
  }`;
    const a = await start("exempt.alloy", httpBlock(exempt) + DEBUG);
    assert.equal(statusOf(await adminRequest(`${a.base}/metrics`)), 200);
    assert.equal(statusOf(await adminRequest(`${a.base}/-/healthy`)), 200);
    assert.equal(statusOf(await adminRequest(`${a.base}/api/v0/web/components`)), 401);
    assert.equal(statusOf(await adminRequest(`${a.base}/`)), 401);
    // A path that normalises into a protected one is judged by where it lands.
    assert.equal(statusOf(await adminRequest(`${a.base}/metrics/../api/v0/web/components`)), 401);
    assert.equal(statusOf(await adminRequest(`${a.base}/api/v0/web/components`, { basic: RIGHT })), 200);

    const only = exempt.replace("authenticate_matching_paths = false", "authenticate_matching_paths = true");
    const b = await start("only.alloy", httpBlock(only) + DEBUG, { basic: RIGHT });
    assert.equal(statusOf(await adminRequest(`${b.base}/metrics`)), 401);
    assert.equal(statusOf(await adminRequest(`${b.base}/-/reload`)), 401);
    assert.equal(statusOf(await adminRequest(`${b.base}/metrics`, { basic: RIGHT })), 200);
    assert.equal(statusOf(await adminRequest(`${b.base}/api/v0/web/components`)), 200);
    assert.equal(statusOf(await adminRequest(`${b.base}/`)), 200);
  });

  test("a reload applies a new password, and removing the block opens the server again", async () => {
    const { r, base, path } = await start("reload.alloy", httpBlock(basicAuth) + DEBUG, { basic: RIGHT });
    writeFileSync(path, httpBlock(basicAuth.replace(PASS, "second-pass-77")) + DEBUG);
    assert.equal(statusOf(await adminRequest(`${base}/-/reload`, { basic: RIGHT })), 200);
    assert.equal(statusOf(await adminRequest(`${base}/metrics`, { basic: RIGHT })), 401, "the old password stops working");
    assert.equal(statusOf(await adminRequest(`${base}/metrics`, { basic: [USER, "second-pass-77"] })), 200);
    // A broken http block fails the reload and keeps the last good settings.
    writeFileSync(path, httpBlock(`  auth {\n    basic { username = "x" }\n  }`) + DEBUG);
    const bad = await adminRequest(`${base}/-/reload`, { basic: [USER, "second-pass-77"] });
    assert.equal(statusOf(bad), 400);
    assert.match((bad as { body: string }).body, /missing required attribute "password"/);
    assert.equal(statusOf(await adminRequest(`${base}/metrics`)), 401);
    writeFileSync(path, DEBUG);
    assert.equal(statusOf(await adminRequest(`${base}/-/reload`, { basic: [USER, "second-pass-77"] })), 200);
    assert.equal(statusOf(await adminRequest(`${base}/metrics`)), 200);
    assert.ok(!r.stderr().includes("second-pass-77"));
  });

  test("a config error in the http block fails the first load with file:line:col and serves nothing", async () => {
    const path = join(dir, "broken.alloy");
    writeFileSync(path, `http {\n  tls {\n    cert_file = "x"\n  }\n}\n`);
    const r = await startSolder([`--storage.path=${join(dir, "data")}`, path], { waitReady: false });
    running.push(r);
    assert.equal(await r.exited, 1);
    assert.match(r.stderr(), /broken\.alloy:2:3/);
    assert.match(r.stderr(), /must specify either key_pem or key_file/);
  });
});

describe("UI/API server: TLS", () => {
  const tlsBlock = (extra = "") => `  tls {\n    cert_file = "${pki.serverCertFile}"\n    key_file  = "${pki.serverKeyFile}"\n${extra}  }`;

  test("serves HTTPS with auth, refuses plaintext; a reload switches TLS off and on for new connections", async () => {
    const ca = pki.read(pki.caFile);
    const { r, base, path } = await start("tls.alloy", httpBlock(basicAuth + "\n" + tlsBlock()) + DEBUG, { https: true, ca, basic: RIGHT });
    const plain = r.url;
    assert.equal(statusOf(await adminRequest(`${base}/metrics`, { ca, basic: RIGHT })), 200);
    assert.equal(statusOf(await adminRequest(`${base}/metrics`, { ca })), 401, "TLS does not replace auth");
    for (const p of ["/metrics", "/-/ready", "/"]) assert.equal(statusOf(await adminRequest(plain + p, { timeoutMs: 5000 })), -1, `plaintext ${p} refused`);
    // A client that does not trust the CA does not get in either.
    assert.equal(statusOf(await adminRequest(`${base}/metrics`, { ca: pki.read(pki.otherCaFile), basic: RIGHT })), -1);

    writeFileSync(path, httpBlock(basicAuth) + DEBUG);
    assert.equal(statusOf(await adminRequest(`${base}/-/reload`, { ca, basic: RIGHT })), 200);
    assert.equal(statusOf(await adminRequest(`${plain}/metrics`, { basic: RIGHT })), 200, "plain HTTP after TLS was removed");
    assert.equal(statusOf(await adminRequest(`${base}/metrics`, { ca, basic: RIGHT })), -1);

    writeFileSync(path, httpBlock(basicAuth + "\n" + tlsBlock(`    min_version = "TLS13"\n`)) + DEBUG);
    assert.equal(statusOf(await adminRequest(`${plain}/-/reload`, { basic: RIGHT })), 200);
    assert.equal(statusOf(await adminRequest(`${base}/metrics`, { ca, basic: RIGHT })), 200);
    assert.equal(statusOf(await adminRequest(`${plain}/metrics`, { basic: RIGHT, timeoutMs: 5000 })), -1);
    assert.match(r.stderr(), /new connections use TLS/);
    // An idle connection left open does not hold up a graceful stop.
    const { connect } = await import("node:tls");
    const idle = connect({ host: "127.0.0.1", port: Number(new URL(base).port), ca, servername: "localhost" });
    await new Promise((res, rej) => (idle.once("secureConnect", res), idle.once("error", rej)));
    assert.equal(await r.stop(), 0);
    idle.destroy();
  });

  test("client_auth_type = RequireAndVerifyClientCert: only certificates from client_ca_file get in", async () => {
    const ca = pki.read(pki.caFile);
    const extra = `    client_auth_type = "RequireAndVerifyClientCert"\n    client_ca_file   = "${pki.caFile}"\n`;
    const cert = pki.read(pki.clientCertFile);
    const key = pki.read(pki.clientKeyFile);
    const { base } = await start("mtls.alloy", httpBlock(tlsBlock(extra)) + DEBUG, { https: true, ca, cert, key });
    assert.equal(statusOf(await adminRequest(`${base}/metrics`, { ca, cert, key })), 200);
    assert.equal(statusOf(await adminRequest(`${base}/metrics`, { ca })), -1, "no client certificate");
    assert.equal(statusOf(await adminRequest(`${base}/metrics`, { ca, cert: pki.read(pki.strangerCertFile), key: pki.read(pki.strangerKeyFile) })), -1, "certificate from another CA");
  });

  test("key_pem inline: served, and masked in the UI's config view", async () => {
    const ca = pki.read(pki.caFile);
    const keyPem = pki.read(pki.serverKeyFile);
    const block = `  tls {\n    cert_pem = ${JSON.stringify(pki.read(pki.serverCertFile))}\n    key_pem  = ${JSON.stringify(keyPem)}\n  }`;
    const { base } = await start("pem.alloy", httpBlock(block) + DEBUG, { https: true, ca });
    const config = await adminRequest(`${base}/api/v0/web/config`, { ca });
    assert.equal(statusOf(config), 200);
    const body = (config as { body: string }).body;
    assert.match(body, /key_pem  = \(secret\)/);
    const keyLine = keyPem.split("\n")[1]!;
    assert.ok(keyLine.length > 20 && !body.includes(keyLine), "no part of the key in the config view");
  });
});

/** Listening TCP addresses of process `pid`, from /proc (Linux). */
function listeningAddresses(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // the fd closed meanwhile
    }
  }
  const out: string[] = [];
  for (const [file, v6] of [["/proc/net/tcp", false], ["/proc/net/tcp6", true]] as const) {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.trim().split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] !== "0A" || !inodes.has(f[9]!)) continue; // 0A = LISTEN
      const [hexAddr, hexPort] = f[1]!.split(":");
      const port = parseInt(hexPort!, 16);
      const addr = v6 ? (/^0+$/.test(hexAddr!) ? "::" : hexAddr!) : hexAddr!.match(/../g)!.reverse().map((b) => parseInt(b, 16)).join(".");
      out.push(`${addr}:${port}`);
    }
  }
  return out.sort();
}

function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

describe("default bind address", () => {
  test("without --server.http.listen-addr the UI/API listens on 127.0.0.1:12345 only", async (t) => {
    if (!(await portFree(12345, "0.0.0.0"))) {
      t.skip("port 12345 is taken on this machine");
      return;
    }
    const path = join(dir, "bind.alloy");
    writeFileSync(path, DEBUG);
    const [cmd, ...pre] = solderCommand();
    const proc = spawn(cmd!, [...pre, "run", `--storage.path=${join(dir, "data")}`, path], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    proc.stderr!.on("data", (d) => (err += d));
    try {
      await eventually(async () => statusOf(await adminRequest("http://127.0.0.1:12345/-/ready", { timeoutMs: 1000 })) === 200 || proc.exitCode !== null, 30_000, "ready");
      assert.equal(proc.exitCode, null, err);
      assert.deepEqual(listeningAddresses(proc.pid!), ["127.0.0.1:12345"]);
      assert.match(err, /starting server.*addr=127\.0\.0\.1:12345/);
    } finally {
      proc.kill("SIGKILL");
    }
  });
});

// ---- receivers ------------------------------------------------------------------------------

const RECEIVER_PASS = "recv-pass-91ab";
const basicHeader = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`;
const exportRequest = () => fromBinary(ExportTraceServiceRequestSchema, tracesBytes());

describe("receivers", () => {
  test("a request without valid credentials never reaches a component (HTTP 401, gRPC UNAUTHENTICATED, zero deliveries)", async () => {
    const sink = await startHttpSink();
    const [hp, gp] = [await freePort(), await freePort()];
    const config = `
otelcol.auth.basic "x" {
  htpasswd { inline = "ingest:${RECEIVER_PASS}" }
}
otelcol.receiver.otlp "r" {
  http {
    endpoint = "127.0.0.1:${hp}"
    auth     = otelcol.auth.basic.x.handler
  }
  grpc {
    endpoint = "127.0.0.1:${gp}"
    auth     = otelcol.auth.basic.x.handler
  }
  output { traces = [otelcol.exporter.otlphttp.out.input] }
}
otelcol.exporter.otlphttp "out" {
  client {
    endpoint    = "${sink.url}"
    compression = "none"
  }
  sending_queue { enabled = false }
  retry_on_failure { enabled = false }
}
`;
    try {
      const { r } = await start("recv_auth.alloy", config);
      const post = (headers: Record<string, string>) =>
        fetch(`http://127.0.0.1:${hp}/v1/traces`, { method: "POST", body: tracesBytes() as BodyInit, headers: { "content-type": "application/x-protobuf", ...headers } });
      for (const h of [{}, { authorization: basicHeader("ingest", "wrong") }, { authorization: basicHeader("other", RECEIVER_PASS) }, { authorization: `Bearer ${RECEIVER_PASS}` }] as Record<string, string>[]) {
        const res = await post(h);
        assert.equal(res.status, 401, JSON.stringify(h));
        await res.arrayBuffer();
      }
      const grpc = createClient(TraceService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${gp}` }));
      for (const headers of [{}, { authorization: basicHeader("ingest", "wrong") }] as Record<string, string>[]) {
        const err = await grpc.export(exportRequest(), { headers }).then(
          () => undefined,
          (e: unknown) => ConnectError.from(e),
        );
        assert.equal(err?.code, GrpcCode.Unauthenticated, JSON.stringify(headers));
      }
      // Nothing was delivered downstream, and the receiver counted nothing as accepted.
      await new Promise((res) => setTimeout(res, 300));
      assert.equal(sink.requests.length, 0);
      const metrics = await (await fetch(`${r.url}/metrics`)).text();
      assert.match(metrics, /^otelcol_receiver_accepted_spans_total\{[^}]*\} 0$/m, "the accepted-spans series exists");
      assert.doesNotMatch(metrics, /^otelcol_receiver_accepted_spans_total\{[^}]*\} [1-9]/m);

      // The same requests with credentials are delivered, so the zero above means something.
      assert.equal((await post({ authorization: basicHeader("ingest", RECEIVER_PASS) })).status, 200);
      await grpc.export(exportRequest(), { headers: { authorization: basicHeader("ingest", RECEIVER_PASS) } });
      await sink.waitForRequests(2, 10_000);
      assert.equal(sink.requests.length, 2);
      const after = await (await fetch(`${r.url}/metrics`)).text();
      assert.match(after, /^otelcol_receiver_accepted_spans_total\{[^}]*\} [1-9]/m);
    } finally {
      await sink.close();
    }
  });

  test("a TLS receiver refuses plaintext on HTTP and gRPC; TLS clients get through", async () => {
    const sink = await startHttpSink();
    const [hp, gp] = [await freePort(), await freePort()];
    const tls = `tls {\n      cert_file = "${pki.serverCertFile}"\n      key_file  = "${pki.serverKeyFile}"\n    }`;
    const config = `
otelcol.receiver.otlp "r" {
  http {
    endpoint = "127.0.0.1:${hp}"
    ${tls}
  }
  grpc {
    endpoint = "127.0.0.1:${gp}"
    ${tls}
  }
  output { traces = [otelcol.exporter.otlphttp.out.input] }
}
otelcol.exporter.otlphttp "out" {
  client {
    endpoint    = "${sink.url}"
    compression = "none"
  }
  sending_queue { enabled = false }
  retry_on_failure { enabled = false }
}
`;
    try {
      await start("recv_tls.alloy", config);
      const plainHttp = await adminRequest(`http://127.0.0.1:${hp}/v1/traces`, { method: "POST", timeoutMs: 5000 });
      assert.ok(statusOf(plainHttp) === -1 || statusOf(plainHttp) === 400, `plaintext HTTP refused: ${JSON.stringify(plainHttp)}`);
      const plainGrpc = createClient(TraceService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${gp}` }));
      const err = await plainGrpc.export(exportRequest(), { timeoutMs: 5000 }).then(
        () => undefined,
        (e: unknown) => ConnectError.from(e),
      );
      assert.ok(err, "plaintext gRPC refused");
      await new Promise((res) => setTimeout(res, 300));
      assert.equal(sink.requests.length, 0, "nothing delivered from plaintext clients");

      const ca = pki.read(pki.caFile);
      const secureGrpc = createClient(TraceService, createGrpcTransport({ baseUrl: `https://127.0.0.1:${gp}`, nodeOptions: { ca, servername: "localhost" } }));
      await secureGrpc.export(exportRequest());
      const { request } = await import("node:https");
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port: hp, path: "/v1/traces", method: "POST", ca, servername: "localhost", headers: { "content-type": "application/x-protobuf" } }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        });
        req.on("error", reject);
        req.end(Buffer.from(tracesBytes()));
      });
      assert.equal(status, 200);
      await sink.waitForRequests(2, 10_000);
    } finally {
      await sink.close();
    }
  });
  test("receiver mTLS and min_version, exporter client TLS (CA, client certificate), all with generated certificates", async () => {
    const sink = await startHttpSink();
    const [front, back] = [await freePort(), await freePort()];
    // front (plain) → exporter "hop" (TLS, client certificate) → back (mTLS, TLS 1.3 only) → sink.
    const config = `
otelcol.receiver.otlp "front" {
  http { endpoint = "127.0.0.1:${front}" }
  output { traces = [otelcol.exporter.otlphttp.hop.input] }
}
otelcol.exporter.otlphttp "hop" {
  client {
    endpoint    = "https://localhost:${back}"
    compression = "none"
    tls {
      ca_file   = "${pki.caFile}"
      cert_file = "${pki.clientCertFile}"
      key_file  = "${pki.clientKeyFile}"
    }
  }
  sending_queue { enabled = false }
  retry_on_failure { enabled = false }
}
otelcol.receiver.otlp "back" {
  http {
    endpoint = "127.0.0.1:${back}"
    tls {
      cert_file      = "${pki.serverCertFile}"
      key_file       = "${pki.serverKeyFile}"
      client_ca_file = "${pki.caFile}"
      min_version    = "1.3"
    }
  }
  output { traces = [otelcol.exporter.otlphttp.out.input] }
}
otelcol.exporter.otlphttp "out" {
  client {
    endpoint    = "${sink.url}"
    compression = "none"
  }
  sending_queue { enabled = false }
  retry_on_failure { enabled = false }
}
`;
    try {
      await start("recv_mtls.alloy", config);
      const ca = pki.read(pki.caFile);
      const cert = pki.read(pki.clientCertFile);
      const key = pki.read(pki.clientKeyFile);
      const { request } = await import("node:https");
      const postBack = (opts: Record<string, unknown>) =>
        new Promise<number>((resolve) => {
          const req = request({ host: "127.0.0.1", port: back, path: "/v1/traces", method: "POST", ca, servername: "localhost", agent: false, headers: { "content-type": "application/x-protobuf" }, ...opts }, (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          });
          req.on("error", () => resolve(-1));
          req.end(Buffer.from(tracesBytes()));
        });
      assert.equal(await postBack({}), -1, "no client certificate");
      assert.equal(await postBack({ cert: pki.read(pki.strangerCertFile), key: pki.read(pki.strangerKeyFile) }), -1, "client certificate from another CA");
      assert.equal(await postBack({ cert, key, maxVersion: "TLSv1.2" }), -1, "TLS 1.2 is below min_version");
      await new Promise((res) => setTimeout(res, 200));
      assert.equal(sink.requests.length, 0);
      assert.equal(await postBack({ cert, key }), 200);
      await sink.waitForRequests(1, 10_000);
      // Through the exporter: it verifies the server against ca_file and presents its certificate.
      const res = await fetch(`http://127.0.0.1:${front}/v1/traces`, { method: "POST", body: tracesBytes() as BodyInit, headers: { "content-type": "application/x-protobuf" } });
      assert.equal(res.status, 200);
      await sink.waitForRequests(2, 10_000);
    } finally {
      await sink.close();
    }
  });
});
