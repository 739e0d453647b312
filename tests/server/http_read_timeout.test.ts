import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { listenHttp } from "../../src/server/http.ts";
import { createOtlpHttpHandler } from "../../src/server/otlp_http.ts";

/** Sends the head of a request and part of its body, then goes silent; resolves with what came back within `waitMs`. */
function stall(address: string, head: string, waitMs: number): Promise<string> {
  const port = Number(address.slice(address.lastIndexOf(":") + 1));
  return new Promise((resolve) => {
    let text = "";
    const s = net.connect(port, "127.0.0.1", () => s.write(head));
    s.on("data", (c) => (text += c.toString()));
    s.on("error", () => {});
    const timer = setTimeout(() => (s.destroy(), resolve(text)), waitMs);
    s.on("close", () => (clearTimeout(timer), resolve(text)));
  });
}

const handler = createOtlpHttpHandler(
  { paths: { traces: "/v1/traces", metrics: "/v1/metrics", logs: "/v1/logs" }, maxRequestBodySize: 1 << 20, compressionAlgorithms: [""], includeMetadata: false },
  { accepts: () => true, export: async () => undefined },
);

// Go's ReadTimeout: a body still incomplete when it passes makes the handler's read fail, so the
// OTLP handler answers 400 instead of waiting for the client for ever. Both listener paths: the
// native one (Bun.serve on Bun) and node:http (TLS listeners, other runtimes, SOLDER_NODE_HTTP=1).
describe("listenHttp readTimeoutMs (the receiver's read_timeout)", () => {
  for (const native of [true, false]) {
    for (const framing of ["content-length", "chunked"] as const) {
      test(`${native ? "native" : "node:http"}, ${framing}: a body that stalls gets 400 (i/o timeout) soon after the deadline`, async () => {
        const l = await listenHttp("127.0.0.1:0", handler, { native, readTimeoutMs: 300 });
        try {
          const head =
            framing === "content-length"
              ? "POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: 10\r\n\r\nabcde"
              : "POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n";
          const text = await stall(l.address, head, 5000);
          assert.match(text, /^HTTP\/1\.1 400/);
          assert.match(text, /timeout/);
        } finally {
          await l.close();
        }
      });
    }
  }
});

// Go's WriteTimeout: a handler that overruns loses its connection; the client must never see a
// success it was not given (an OTLP client would drop data the pipeline may still refuse).
describe("listenHttp writeTimeoutMs (the receiver's write_timeout)", () => {
  for (const native of [true, false]) {
    test(`${native ? "native" : "node:http"}: a handler that overruns answers nothing, the connection closes`, async () => {
      const l = await listenHttp("127.0.0.1:0", async () => {
        await new Promise((r) => setTimeout(r, 8000));
        return new Response("late");
      }, { native, writeTimeoutMs: 200 });
      try {
        const text = await stall(l.address, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 7000);
        assert.equal(text, "");
      } finally {
        await l.close();
      }
    });
  }
});
