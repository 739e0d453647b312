import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRetryAfter, readLimited } from "../../src/runtime/http_response.ts";

test("Retry-After: delay-seconds, HTTP dates, nonsense", () => {
  assert.equal(parseRetryAfter("3"), 3000);
  assert.equal(parseRetryAfter(" 0 "), 0);
  assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6000);
  assert.equal(parseRetryAfter(new Date(1_000).toUTCString(), 4_000), 0, "a date in the past means now");
  assert.equal(parseRetryAfter("soon"), undefined);
  assert.equal(parseRetryAfter(null), undefined);
});

test("readLimited keeps at most max bytes of a body that arrives in pieces", async () => {
  const pieces = [new Uint8Array([1, 2, 3]), new Uint8Array([4, 5, 6]), new Uint8Array([7, 8, 9])];
  const body = new ReadableStream<Uint8Array>({ start: (c) => (pieces.forEach((p) => c.enqueue(p)), c.close()) });
  assert.deepEqual([...(await readLimited(new Response(body), 5))], [1, 2, 3, 4, 5]);
  assert.deepEqual([...(await readLimited(new Response(new Uint8Array([1, 2])), 5))], [1, 2]);
  assert.deepEqual([...(await readLimited(new Response(null), 5))], []);
});
