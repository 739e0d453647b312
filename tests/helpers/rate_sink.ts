// An OTLP/HTTP backend that processes at a fixed rate, for overload tests: every request is
// decoded, and answered 200 only once the items before it and its own have "taken" 1/rate s
// each, one request after another, however many arrive at once. It counts the items it
// acknowledged and keeps no bodies, so long runs stay small. Listens on 127.0.0.1.

import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { Batch, type Signal } from "../../src/otlp/batch.ts";

export interface RateSink {
  /** Base URL, e.g. `http://127.0.0.1:39123`. */
  readonly url: string;
  /** Items answered with 200. */
  readonly arrived: number;
  /** Requests answered with 200. */
  readonly requests: number;
  /** Requests whose body did not decode (answered 400). */
  readonly bad: number;
  /** Requests received but not answered yet. */
  readonly waiting: number;
  close(): Promise<void>;
}

/** Starts a sink that passes `itemsPerSecond` items per second. */
export async function startRateSink(itemsPerSecond: number): Promise<RateSink> {
  let arrived = 0;
  let requests = 0;
  let bad = 0;
  let waiting = 0;
  /** When the sink is free again (ms, performance.now()). */
  let freeAt = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    waiting++;
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const signal = (["traces", "metrics", "logs"] as Signal[]).find((s) => (req.url ?? "").endsWith(`/v1/${s}`));
      let items: number;
      try {
        if (!signal || (req.headers["content-encoding"] ?? "") !== "") throw new Error("want an uncompressed OTLP/HTTP request");
        items = Batch.decode(signal, new Uint8Array(Buffer.concat(chunks))).itemCount();
      } catch (err) {
        waiting--;
        bad++;
        res.writeHead(400, { "content-type": "text/plain" }).end((err as Error).message);
        return;
      }
      const now = performance.now();
      freeAt = Math.max(now, freeAt) + (items * 1000) / itemsPerSecond;
      setTimeout(() => {
        waiting--;
        arrived += items;
        requests++;
        // An empty Export*ServiceResponse is zero bytes of protobuf.
        res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
      }, freeAt - now);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get arrived() {
      return arrived;
    },
    get requests() {
      return requests;
    },
    get bad() {
      return bad;
    },
    get waiting() {
      return waiting;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
