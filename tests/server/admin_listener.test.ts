// The UI/API listener with the http block applied, in process: connections held until the
// first load decides, client certificate policies, certificate rotation without reload, and
// load-time errors that never quote a key.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { connect } from "node:tls";
import type { HttpBlockArgs, HttpTlsArgs } from "../../src/runtime/http_block.ts";
import { createLogger, memorySink } from "../../src/runtime/logger.ts";
import { Secret } from "../../src/runtime/value.ts";
import { AdminListener, clientCertAcceptable } from "../../src/server/admin_listener.ts";
import { adminRequest, statusOf } from "../helpers/admin_client.ts";
import { makeTestPki, type TestPki } from "../helpers/certs.ts";

let pki: TestPki;
const open: AdminListener[] = [];
before(() => {
  pki = makeTestPki();
});
after(async () => {
  for (const l of open) await l.close();
});

const logs = memorySink("debug");
async function listener(): Promise<AdminListener> {
  const l = await AdminListener.listen("127.0.0.1:0", () => new Response("ok\n"), createLogger(logs));
  open.push(l);
  return l;
}

function tlsArgs(extra: Partial<HttpTlsArgs> = {}): HttpTlsArgs {
  return {
    cert_pem: "",
    cert_file: pki.serverCertFile,
    key_file: pki.serverKeyFile,
    client_ca_pem: "",
    client_ca_file: "",
    client_auth_type: "NoClientCert",
    cipher_suites: [],
    curve_preferences: [],
    min_version: "",
    max_version: "",
    ...extra,
  };
}

const auth: HttpBlockArgs["auth"] = { basic: { username: "u", password: new Secret("p") } };

/** The SHA-256 fingerprint of the certificate the server presents. */
function presented(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port, rejectUnauthorized: false }, () => {
      resolve(s.getPeerCertificate().fingerprint256);
      s.destroy();
    });
    s.on("error", reject);
  });
}

describe("AdminListener", () => {
  test("a connection made before the first load waits for it and gets its settings", async () => {
    const l = await listener();
    const url = `http://${l.address}/metrics`;
    const early = adminRequest(url);
    await new Promise((r) => setTimeout(r, 150));
    await l.apply({ auth });
    assert.equal(statusOf(await early), 401, "answered only after the load, with its auth");
    assert.equal(statusOf(await adminRequest(url, { basic: ["u", "p"] })), 200);
  });

  test("settle() without an http block serves plainly; close() drops connections still held", async () => {
    const a = await listener();
    const waiting = adminRequest(`http://${a.address}/`);
    await new Promise((r) => setTimeout(r, 100));
    a.settle();
    assert.equal(statusOf(await waiting), 200);

    const b = await listener();
    const held = adminRequest(`http://${b.address}/`);
    await new Promise((r) => setTimeout(r, 100));
    await b.close();
    assert.equal(statusOf(await held), -1, "a failed first load answers nothing");
  });

  test("client_auth_type policies", async () => {
    const ca = pki.read(pki.caFile);
    const client = { cert: pki.read(pki.clientCertFile), key: pki.read(pki.clientKeyFile) };
    const stranger = { cert: pki.read(pki.strangerCertFile), key: pki.read(pki.strangerKeyFile) };
    const want: Record<HttpTlsArgs["client_auth_type"], [none: boolean, valid: boolean, foreign: boolean]> = {
      NoClientCert: [true, true, true],
      RequestClientCert: [true, true, true],
      RequireAnyClientCert: [false, true, true],
      VerifyClientCertIfGiven: [true, true, false],
      RequireAndVerifyClientCert: [false, true, false],
    };
    for (const [mode, [none, valid, foreign]] of Object.entries(want) as [HttpTlsArgs["client_auth_type"], boolean[]][]) {
      const l = await listener();
      await l.apply({ tls: tlsArgs({ client_auth_type: mode, client_ca_file: mode === "NoClientCert" ? "" : pki.caFile }) });
      const url = `https://${l.address}/`;
      const ok = async (c: object) => statusOf(await adminRequest(url, { ca, ...c })) === 200;
      assert.deepEqual([await ok({}), await ok(client), await ok(stranger)], [none, valid, foreign], mode);
      await l.close();
    }
    assert.equal(clientCertAcceptable("VerifyClientCertIfGiven", true, false), false);
  });

  test("certificate files are re-read per connection: rotation needs no reload", async () => {
    const dir = pki.dir;
    const cert = join(dir, "rotating.pem");
    const key = join(dir, "rotating.key");
    copyFileSync(pki.serverCertFile, cert);
    copyFileSync(pki.serverKeyFile, key);
    const l = await listener();
    await l.apply({ tls: tlsArgs({ cert_file: cert, key_file: key }) });
    const port = Number(l.address.split(":")[1]);
    const first = await presented(port);
    copyFileSync(pki.clientCertFile, cert);
    copyFileSync(pki.clientKeyFile, key);
    const second = await presented(port);
    assert.notEqual(first, second);
  });

  test("files that do not load fail apply() with a reason, never the key, and keep the old settings", async () => {
    const l = await listener();
    await l.apply({ auth });
    await assert.rejects(l.apply({ tls: tlsArgs({ cert_file: join(pki.dir, "missing.pem") }) }), /failed to read cert_file: .*ENOENT/);
    const keyPem = pki.read(pki.clientKeyFile); // does not match the server certificate
    const err = await l.apply({ tls: tlsArgs({ key_file: "", key_pem: new Secret(keyPem) }) }).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(err);
    assert.match(err.message, /^failed to load the TLS certificate and key: /);
    assert.ok(!err.message.includes(keyPem.split("\n")[1]!));
    assert.equal(l.tlsEnabled, false);
    assert.equal(statusOf(await adminRequest(`http://${l.address}/`)), 401, "still plain HTTP with the previous auth");
  });
});
