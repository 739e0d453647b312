import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { builtinRegistry } from "../../../../src/components/all.ts";
import { basicAuth, parseHtpasswd, verifyPassword } from "../../../../src/components/otelcol/auth/basic.ts";
import { bearerAuth } from "../../../../src/components/otelcol/auth/bearer.ts";
import { AuthHandler, HANDLER_TYPE, constantTimeEqual } from "../../../../src/components/otelcol/auth/handler.ts";
import { headersAuth } from "../../../../src/components/otelcol/auth/headers.ts";
import { otlpReceiver } from "../../../../src/components/otelcol/receiver/otlp.ts";
import { otlphttpExporter } from "../../../../src/components/otelcol/exporter/otlphttp.ts";
import type { Component, ComponentDefinition } from "../../../../src/runtime/component.ts";
import { createLogger, memorySink } from "../../../../src/runtime/logger.ts";
import { MetricsRegistry } from "../../../../src/runtime/metrics.ts";
import { decodeBody } from "../../../../src/runtime/decode.ts";
import type { EvalError } from "../../../../src/runtime/errors.ts";
import { Capsule } from "../../../../src/runtime/value.ts";
import { parseFile } from "../../../../src/syntax/parser.ts";
import { decode } from "../exporter/harness.ts";

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/** Builds an auth component from Alloy text; returns its handler and the running component. */
async function build<A>(def: ComponentDefinition<A>, text: string): Promise<{ handler: AuthHandler; component: Component<A>; logs: string[]; stop(): Promise<void> }> {
  const { args, errors } = decode(def, text);
  if (errors.length > 0) throw new Error(errors.join("; "));
  const sink = memorySink("debug");
  let capsule: Capsule | undefined;
  const component = await def.build(
    { id: `${def.name}.t`, dataPath: "/nonexistent", logger: createLogger(sink), metrics: new MetricsRegistry(), onStateChange: (e) => (capsule = e.handler as Capsule) },
    args,
  );
  assert.equal(capsule?.typeName, HANDLER_TYPE);
  const abort = new AbortController();
  const running = component.run(abort.signal);
  await new Promise((r) => setTimeout(r, 10));
  return {
    handler: capsule!.value as AuthHandler,
    component,
    logs: sink.lines,
    async stop() {
      abort.abort();
      await running;
    },
  };
}

const auth = (h: AuthHandler, headers: Record<string, string>) => h.authenticate(new Headers(headers));
const sent = (h: AuthHandler, init: Record<string, string> = {}, metadata?: Map<string, string[]>) => {
  const headers = new Headers(init);
  h.apply(headers, metadata);
  return Object.fromEntries(headers);
};

describe("otelcol.auth.*: registry and handler", () => {
  test("registered, exporting handler", () => {
    for (const def of [basicAuth, bearerAuth, headersAuth]) {
      assert.equal(builtinRegistry().get(def.name), def);
      assert.deepEqual(def.exports, ["handler"]);
    }
  });

  test("constant-time comparison works for any lengths", () => {
    assert.equal(constantTimeEqual("abc", "abc"), true);
    assert.equal(constantTimeEqual("abc", "abd"), false);
    assert.equal(constantTimeEqual("abc", "abcdef"), false);
    assert.equal(constantTimeEqual("", ""), true);
  });

  test("the handler shows only its id", () => {
    const h = new AuthHandler("otelcol.auth.bearer.x", () => undefined, () => undefined);
    assert.equal(JSON.stringify({ auth: h }), '{"auth":{"handler":"otelcol.auth.bearer.x"}}');
    assert.equal(String(h), "handler(otelcol.auth.bearer.x)");
  });
});

describe("otelcol.auth.basic", () => {
  test("arguments: at least one side; htpasswd problems name lines, never content", () => {
    assert.deepEqual(decode(basicAuth, "").errors, ["either client_auth or htpasswd must be set (or the deprecated username and password)"]);
    assert.deepEqual(decode(basicAuth, "htpasswd {}").errors, ["htpasswd: set file or inline"]);
    assert.deepEqual(decode(basicAuth, 'htpasswd { inline = "a:$apr1$x$y\\nnocolon" }').errors, [
      "htpasswd.inline: line 1: MD5 hashes are not supported (use bcrypt, {SHA}, {SSHA} or plain text)",
      "htpasswd.inline: line 2: want user:password",
    ]);
    assert.deepEqual(decode(basicAuth, 'client_auth {\n username = "u"\n}').errors.length, 1);
  });

  test("server: htpasswd inline plus the deprecated pair; Collector messages", async () => {
    const { handler, stop } = await build(basicAuth, 'htpasswd { inline = "alice:wonder\\n# comment\\n\\nbob:{SHA}" + "W6ph5Mm5Pz8GgiULbPgzG37mj9g=" }\nusername = "carol"\npassword = "pw"');
    try {
      assert.equal(handler.serverProblem(), undefined);
      assert.deepEqual(await auth(handler, { authorization: `Basic ${b64("alice:wonder")}` }), { ok: true });
      assert.deepEqual(await auth(handler, { authorization: `basic ${b64("bob:password")}` }), { ok: true });
      assert.deepEqual(await auth(handler, { authorization: `Basic ${b64("carol:pw")}` }), { ok: true });
      assert.deepEqual(await auth(handler, {}), { ok: false, message: "no basic auth provided" });
      assert.deepEqual(await auth(handler, { authorization: "Bearer x" }), { ok: false, message: "invalid authorization scheme prefix" });
      assert.deepEqual(await auth(handler, { authorization: "Basic !!!" }), { ok: false, message: "invalid authorization format" });
      assert.deepEqual(await auth(handler, { authorization: `Basic ${b64("alicewonder")}` }), { ok: false, message: "invalid authorization format" });
      assert.deepEqual(await auth(handler, { authorization: `Basic ${b64("alice:wrong")}` }), { ok: false, message: "invalid credentials" });
      assert.deepEqual(await auth(handler, { authorization: `Basic ${b64("mallory:wonder")}` }), { ok: false, message: "invalid credentials" });
      // The deprecated pair is also the client side (no client_auth).
      assert.deepEqual(sent(handler), { authorization: `Basic ${b64("carol:pw")}` });
      // gRPC metadata maps work too.
      assert.deepEqual(await handler.authenticate(new Map([["authorization", [`Basic ${b64("alice:wonder")}`]]])), { ok: true });
    } finally {
      await stop();
    }
  });

  test("hash formats: bcrypt ($2y$ too), {SHA}, {SSHA}, plain", async () => {
    const bcrypt = await Bun.password.hash("pw", { algorithm: "bcrypt", cost: 4 });
    assert.equal(await verifyPassword("pw", bcrypt), true);
    assert.equal(await verifyPassword("pw", bcrypt.replace(/^\$2b\$/, "$2y$")), true);
    assert.equal(await verifyPassword("nope", bcrypt), false);
    assert.equal(await verifyPassword("password", "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g="), true);
    const salt = Buffer.from("salt");
    const ssha = "{SSHA}" + Buffer.concat([new Bun.CryptoHasher("sha1").update(Buffer.concat([Buffer.from("pw"), salt])).digest(), salt]).toString("base64");
    assert.equal(await verifyPassword("pw", ssha), true);
    assert.equal(await verifyPassword("px", ssha), false);
    assert.equal(await verifyPassword("plain", "plain"), true);
    assert.deepEqual([...parseHtpasswd("a:b:c").entries], [["a", "b:c"]]);
  });

  test("client_auth wins over the deprecated pair; client-only handlers refuse servers", async () => {
    const { handler, stop } = await build(basicAuth, 'client_auth {\n username = "u"\n password = "p"\n}\nusername = "old"\npassword = "old"');
    assert.deepEqual(sent(handler, { authorization: "x" }), { authorization: `Basic ${b64("u:p")}` });
    await stop();
    const only = await build(basicAuth, 'client_auth {\n username = "u"\n password = "p"\n}');
    assert.equal(only.handler.serverProblem(), "otelcol.auth.basic.t does not support server authentication");
    assert.deepEqual(await auth(only.handler, { authorization: `Basic ${b64("u:p")}` }), { ok: false, message: "otelcol.auth.basic.t does not support server authentication" });
    await only.stop();
    const server = await build(basicAuth, 'htpasswd { inline = "u:p" }');
    assert.equal(server.handler.clientProblem(), "otelcol.auth.basic.t does not support client authentication");
    await server.stop();
  });

  test("htpasswd file: read at run, re-read on update; unreadable fails closed and is unhealthy", async () => {
    const dir = mkdtempSync(join(tmpdir(), "solder-auth-"));
    const file = join(dir, ".htpasswd");
    writeFileSync(file, "alice:one\n");
    const { handler, component, stop } = await build(basicAuth, `htpasswd { file = ${JSON.stringify(file)} }`);
    try {
      assert.deepEqual(await auth(handler, { authorization: `Basic ${b64("alice:one")}` }), { ok: true });
      writeFileSync(file, "alice:two\n");
      await component.update(decode(basicAuth, `htpasswd { file = ${JSON.stringify(file)} }`).args);
      assert.deepEqual(await auth(handler, { authorization: `Basic ${b64("alice:two")}` }), { ok: true });
      assert.equal((await auth(handler, { authorization: `Basic ${b64("alice:one")}` })).ok, false);
      assert.equal(component.health?.(), undefined);
      await component.update(decode(basicAuth, `htpasswd { file = ${JSON.stringify(join(dir, "missing"))} }`).args);
      assert.equal((await auth(handler, { authorization: `Basic ${b64("alice:two")}` })).ok, false);
      assert.equal(component.health?.()?.state, "unhealthy");
      assert.match(component.health!()!.message, /reading htpasswd file/);
    } finally {
      await stop();
    }
  });

  test("an update changes credentials in place (same handler)", async () => {
    const { handler, component, stop } = await build(basicAuth, 'htpasswd { inline = "u:a" }');
    await component.update(decode(basicAuth, 'htpasswd { inline = "u:b" }').args);
    assert.equal((await auth(handler, { authorization: `Basic ${b64("u:a")}` })).ok, false);
    assert.equal((await auth(handler, { authorization: `Basic ${b64("u:b")}` })).ok, true);
    await stop();
  });
});

describe("otelcol.auth.bearer", () => {
  test("defaults: Authorization: Bearer <token>, both sides", async () => {
    const { args } = decode(bearerAuth, 'token = "t0k"');
    assert.equal(args.scheme, "Bearer");
    assert.equal(args.header, "Authorization");
    assert.deepEqual(decode(bearerAuth, "").errors, ['missing required attribute "token"']);
    const { handler, stop } = await build(bearerAuth, 'token = "t0k"');
    assert.deepEqual(sent(handler), { authorization: "Bearer t0k" });
    assert.deepEqual(await auth(handler, { authorization: "Bearer t0k" }), { ok: true });
    assert.deepEqual(await auth(handler, { authorization: "Bearer nope" }), { ok: false, message: "scheme or token does not match" });
    assert.deepEqual(await auth(handler, { authorization: "t0k" }), { ok: false, message: "scheme or token does not match" });
    assert.deepEqual(await auth(handler, {}), { ok: false, message: "missing or empty authorization header" });
    await stop();
  });

  test("custom header and empty scheme", async () => {
    const { handler, stop } = await build(bearerAuth, 'token = "k"\nscheme = ""\nheader = "X-Api-Key"');
    assert.deepEqual(sent(handler), { "x-api-key": "k" });
    assert.deepEqual(await auth(handler, { "x-api-key": "k" }), { ok: true });
    assert.deepEqual(await auth(handler, { authorization: "Bearer k" }), { ok: false, message: "missing or empty x-api-key header" });
    await stop();
    assert.deepEqual(decode(bearerAuth, 'token = "k"\nheader = "bad header"').errors, ['invalid header name "bad header"']);
  });
});

describe("otelcol.auth.headers", () => {
  test("validation as headerssetter's", () => {
    const errs = (body: string) => decode(headersAuth, body).errors;
    assert.deepEqual(errs(""), ['missing required block "header"']);
    assert.deepEqual(errs('header { key = "X" }'), ['header "X": set value or from_context']);
    assert.deepEqual(errs('header {\n key = "X"\n value = "a"\n from_context = "b"\n}'), ['header "X": set either value or from_context, not both']);
    assert.deepEqual(errs('header {\n key = "X"\n action = "delete"\n}'), []);
    assert.equal(errs('header {\n key = "X"\n value = "a"\n action = "remove"\n}').length, 1);
    assert.deepEqual(errs('header {\n key = "X"\n from_attribute = "username"\n}'), ["from_attribute is not supported by solder (receivers do not pass authentication attributes on)"]);
  });

  test("actions and from_context; client side only", async () => {
    const { handler, stop } = await build(
      headersAuth,
      [
        'header {\n key = "X-Scope-OrgID"\n from_context = "tenant"\n}',
        'header {\n key = "X-Ins"\n value = "new"\n action = "insert"\n}',
        'header {\n key = "X-Upd"\n value = "new"\n action = "update"\n}',
        'header {\n key = "X-Ups"\n value = "new"\n}',
        'header {\n key = "X-Del"\n action = "delete"\n}',
      ].join("\n"),
    );
    assert.deepEqual(sent(handler, { "x-ins": "old", "x-del": "d" }, new Map([["tenant", ["acme"]]])), { "x-ins": "old", "x-scope-orgid": "acme", "x-ups": "new" });
    assert.deepEqual(sent(handler, { "x-upd": "old" }), { "x-ins": "new", "x-upd": "new", "x-ups": "new" });
    assert.equal(handler.serverProblem(), "otelcol.auth.headers.t does not support server authentication");
    await stop();
  });
});

describe("auth attribute checks", () => {
  test("a receiver refuses a client-only handler; an exporter a server-only one", async () => {
    const headers = await build(headersAuth, 'header {\n key = "X"\n value = "a"\n}');
    const server = await build(basicAuth, 'htpasswd { inline = "u:p" }');
    const scope = { h: new Capsule(HANDLER_TYPE, headers.handler), s: new Capsule(HANDLER_TYPE, server.handler) };
    const errors = (def: ComponentDefinition, text: string) => {
      const { file } = parseFile("t.alloy", text);
      const problems: EvalError[] = [];
      decodeBody(file.body, def.args, scope, file, problems);
      return problems.filter((p) => p.severity === "error").map((p) => p.message);
    };
    assert.deepEqual(errors(otlpReceiver, "http {\n auth = h\n}\noutput {}"), ["auth: otelcol.auth.headers.t does not support server authentication"]);
    assert.deepEqual(errors(otlpReceiver, "grpc {\n auth = s\n}\noutput {}"), []);
    assert.deepEqual(errors(otlphttpExporter, 'client {\n endpoint = "http://x"\n auth = s\n}'), ["auth: otelcol.auth.basic.t does not support client authentication"]);
    assert.deepEqual(errors(otlphttpExporter, 'client {\n endpoint = "http://x"\n auth = h\n}'), []);
    await headers.stop();
    await server.stop();
  });
});
