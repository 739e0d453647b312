import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { CLOSE_GRACE_MS, listenHttp } from "../../src/server/http.ts";

/** Sends one raw HTTP/1.1 request; resolves with what came back and whether the server closed the connection within `waitMs`. */
function rawRequest(address: string, request: string, waitMs: number): Promise<{ text: string; closed: boolean }> {
  const port = Number(address.slice(address.lastIndexOf(":") + 1));
  return new Promise((resolve) => {
    let text = "";
    const s = net.connect(port, "127.0.0.1", () => s.write(request));
    s.on("data", (c) => (text += c.toString()));
    s.on("error", () => {});
    const timer = setTimeout(() => (s.destroy(), resolve({ text, closed: false })), waitMs);
    s.on("close", () => (clearTimeout(timer), resolve({ text, closed: true })));
  });
}

describe("listenHttp with native: true (Bun.serve on Bun, node:http elsewhere)", () => {
  test("serves the handler's Response with the request's method, path and body; reports the bound port", async () => {
    const l = await listenHttp("127.0.0.1:0", async (req) => new Response(`${req.method} ${new URL(req.url).pathname} ${await req.text()}`), { native: true });
    try {
      assert.match(l.address, /^127\.0\.0\.1:\d+$/);
      assert.notEqual(l.address, "127.0.0.1:0");
      const res = await fetch(`http://${l.address}/v1/traces`, { method: "POST", body: "abc" });
      assert.equal(await res.text(), "POST /v1/traces abc");
    } finally {
      await l.close();
    }
    await assert.rejects(fetch(`http://${l.address}/`));
  });

  test("keep_alives_enabled = false: the response says Connection: close and the connection ends", async () => {
    const l = await listenHttp("127.0.0.1:0", () => new Response("ok"), { native: true, keepAlivesEnabled: false });
    try {
      const r = await rawRequest(l.address, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 3000);
      assert.match(r.text, /^HTTP\/1\.1 200/);
      assert.match(r.text, /connection: close/i);
      assert.equal(r.closed, true);
    } finally {
      await l.close();
    }
  });

  test("a handler that throws gives 500; a busy port is refused", async () => {
    const l = await listenHttp("127.0.0.1:0", () => {
      throw new Error("boom");
    }, { native: true });
    try {
      const res = await fetch(`http://${l.address}/`);
      assert.equal(res.status, 500);
      assert.match(await res.text(), /boom/);
      await assert.rejects(listenHttp(l.address, () => new Response("x"), { native: true }));
    } finally {
      await l.close();
    }
  });

  test("write_timeout: a handler that overruns loses its connection instead of answering late", async () => {
    const l = await listenHttp("127.0.0.1:0", async () => {
      await new Promise((r) => setTimeout(r, 8000));
      return new Response("late");
    }, { native: true, writeTimeoutMs: 200 });
    try {
      const r = await rawRequest(l.address, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 7000);
      assert.equal(r.closed, true);
      assert.equal(r.text, "");
    } finally {
      await l.close();
    }
  });
  test("close: a request in flight is answered, an idle keep-alive connection does not hold the close for the grace period", async () => {
    const l = await listenHttp("127.0.0.1:0", async (req) => {
      if (new URL(req.url).pathname === "/slow") await new Promise((r) => setTimeout(r, 800));
      return new Response("done");
    }, { native: true });
    const port = Number(l.address.slice(l.address.lastIndexOf(":") + 1));
    // A keep-alive connection that served one request and then stays idle.
    const idle = net.connect(port, "127.0.0.1");
    let idleText = "";
    idle.on("data", (c) => (idleText += c.toString()));
    idle.on("error", () => {});
    const idleClosed = new Promise<void>((resolve) => idle.on("close", () => resolve()));
    idle.write("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
    const deadline = Date.now() + 5000;
    while (!idleText.includes("done") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.match(idleText, /done/);
    const slow = rawRequest(l.address, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n", 8000);
    await new Promise((r) => setTimeout(r, 200)); // the slow request is in the handler
    const started = Date.now();
    await l.close();
    const took = Date.now() - started;
    const r = await slow;
    assert.match(r.text, /^HTTP\/1\.1 200/);
    assert.match(r.text, /done/);
    await idleClosed;
    assert.ok(took < CLOSE_GRACE_MS - 1000, `close waited ${took} ms: the idle connection held it`);
    await assert.rejects(fetch(`http://${l.address}/`));
  });
});

