// Basic auth for the UI/API server: filter semantics, header parsing, the 401 reply.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { authGate, needsAuth, parseBasic } from "../../src/server/admin_auth.ts";
import { Secret } from "../../src/runtime/value.ts";

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
const req = (path: string, authorization?: string) => new Request(`http://localhost${path}`, { headers: authorization ? { authorization } : {} });

describe("filter", () => {
  test("no filter: every path is authenticated", () => {
    for (const p of ["/", "/metrics", "/-/ready", "/api/v0/web/components", "/anything"]) assert.equal(needsAuth(p, undefined), true, p);
  });

  test("authenticate_matching_paths = true: only paths with a listed prefix", () => {
    const f = { paths: ["/metrics", "/api/v0/web"], authenticate_matching_paths: true };
    assert.equal(needsAuth("/metrics", f), true);
    assert.equal(needsAuth("/metricsfoo", f), true, "plain prefix match, as Alloy");
    assert.equal(needsAuth("/api/v0/web/components/x", f), true);
    assert.equal(needsAuth("/-/ready", f), false);
    assert.equal(needsAuth("/", f), false);
  });

  test("authenticate_matching_paths = false: listed prefixes are exempt, the rest authenticated", () => {
    const f = { paths: ["/metrics", "/-/"], authenticate_matching_paths: false };
    assert.equal(needsAuth("/metrics", f), false);
    assert.equal(needsAuth("/-/healthy", f), false);
    assert.equal(needsAuth("/api/v0/web/components", f), true);
    assert.equal(needsAuth("/", f), true);
  });

  test("an empty list: true authenticates nothing, false authenticates everything", () => {
    assert.equal(needsAuth("/metrics", { paths: [], authenticate_matching_paths: true }), false);
    assert.equal(needsAuth("/metrics", { paths: [], authenticate_matching_paths: false }), true);
  });

  test("percent-encoding neither dodges an authenticated prefix nor borrows an exempt one", () => {
    assert.equal(needsAuth("/%6Detrics", { paths: ["/metrics"], authenticate_matching_paths: true }), true);
    assert.equal(needsAuth("/%6Detrics", { paths: ["/metrics"], authenticate_matching_paths: false }), true);
    assert.equal(needsAuth("/%ZZ", { paths: ["/%ZZ"], authenticate_matching_paths: false }), false, "undecodable paths are taken as written");
  });
});

describe("basic credentials", () => {
  test("parsed as Go's Request.BasicAuth: case-insensitive scheme, split at the first colon", () => {
    assert.deepEqual(parseBasic(basic("u", "p:w")), { username: "u", password: "p:w" });
    assert.deepEqual(parseBasic("basic " + Buffer.from("u:").toString("base64")), { username: "u", password: "" });
    assert.equal(parseBasic(null), undefined);
    assert.equal(parseBasic("Bearer abc"), undefined);
    assert.equal(parseBasic("Basic !!!"), undefined);
    assert.equal(parseBasic("Basic " + Buffer.from("nocolon").toString("base64")), undefined);
  });

  const gate = authGate({ basic: { username: "admin", password: new Secret("s3cret") } });

  test("right credentials pass; missing, malformed or wrong ones get an empty 401 with Alloy's challenge", async () => {
    assert.equal(gate(req("/metrics", basic("admin", "s3cret"))), undefined);
    for (const auth of [undefined, "Basic", basic("admin", "wrong"), basic("Admin", "s3cret"), basic("admin", "s3cret "), "Bearer s3cret"]) {
      const r = gate(req("/metrics", auth));
      assert.ok(r, String(auth));
      assert.equal(r.status, 401);
      assert.equal(r.headers.get("www-authenticate"), 'Basic realm="Restricted"');
      assert.equal(await r.text(), "");
    }
  });

  test("without auth.basic nothing is authenticated, even with a filter", () => {
    const open = authGate({ filter: { paths: ["/"], authenticate_matching_paths: true } });
    assert.equal(open(req("/metrics")), undefined);
    assert.equal(authGate(undefined)(req("/")), undefined);
  });

  test("the filter decides which requests are asked", () => {
    const g = authGate({ basic: { username: "a", password: new Secret("b") }, filter: { paths: ["/metrics"], authenticate_matching_paths: false } });
    assert.equal(g(req("/metrics")), undefined);
    assert.equal(g(req("/api/v0/web/components"))?.status, 401);
  });
});
