import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { nativeGzip, nativeServe, startGzipWorker } from "../../src/platform/index.ts";

const onBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

describe("platform: native fast paths", () => {
  test("nativeGzip: standard gzip, concurrent calls each get their own result, any zlib level", { skip: !onBun }, async () => {
    const gzip = nativeGzip();
    assert.ok(gzip, "Bun has libdeflate gzip");
    const inputs = Array.from({ length: 8 }, (_, i) => new TextEncoder().encode(`payload ${i} `.repeat(5000 + i * 100)));
    const outs = await Promise.all(inputs.map((b, i) => gzip(b, i % 10)));
    for (let i = 0; i < inputs.length; i++) {
      assert.deepEqual([outs[i]![0], outs[i]![1]], [0x1f, 0x8b]);
      assert.deepEqual(new Uint8Array(gunzipSync(outs[i]!)), inputs[i]);
    }
    // The caller keeps its input (copied to the worker, not transferred).
    assert.equal(inputs[0]!.byteLength > 0, true);
  });

  test("nativeGzip with owned input: the buffer moves to the worker and comes back for reuse; a view not at offset 0 is copied", { skip: !onBun }, async () => {
    const back: ArrayBuffer[] = [];
    const gzip = nativeGzip((b) => back.push(b))!;
    const text = new TextEncoder().encode("owned ".repeat(20_000));
    // A view from offset 0 of a larger buffer, as BufferPool hands out.
    const buf = new ArrayBuffer(text.length + 4096);
    const body = new Uint8Array(buf, 0, text.length);
    body.set(text);
    const out = await gzip(body, 6, true);
    assert.deepEqual(new Uint8Array(gunzipSync(out)), text, "only the view is compressed, not the rest of the buffer");
    assert.equal(body.byteLength, 0, "moved: the caller's view is detached");
    assert.equal(back.length, 1);
    assert.equal(back[0]!.byteLength, text.length + 4096, "the whole buffer comes back");
    assert.deepEqual(new Uint8Array(back[0]!, 0, text.length), text);
    // A view into the middle of a buffer must not take the rest of that buffer with it.
    const big = new Uint8Array(text.length + 10);
    big.set(text, 5);
    const view = big.subarray(5, 5 + text.length);
    const out2 = await gzip(view, 6, true);
    assert.deepEqual(new Uint8Array(gunzipSync(out2)), text);
    assert.equal(view.byteLength, text.length, "copied: the caller's buffer is intact");
    assert.equal(big[5], text[0]);
  });

  test("a gzip worker that dies rejects the calls it held and reports itself dead (no send hangs)", { skip: !onBun }, async () => {
    let dead = 0;
    // A worker whose handler throws outside any try: the error reaches onerror, as a crash would.
    const worker = startGzipWorker(() => dead++, "self.onmessage = () => { throw new Error('boom'); };");
    assert.ok(worker);
    const outcome = await Promise.race([
      worker.run(new Uint8Array(10), 6).then(
        () => "resolved",
        (err: Error) => err.message,
      ),
      new Promise<string>((r) => setTimeout(() => r("hung"), 5_000)),
    ]);
    assert.match(outcome, /the gzip worker failed/);
    assert.equal(dead, 1);
  });

  test("nativeServe: offered on Bun, withheld with SOLDER_NODE_HTTP=1", () => {
    const before = process.env.SOLDER_NODE_HTTP;
    try {
      delete process.env.SOLDER_NODE_HTTP;
      assert.equal(nativeServe() !== undefined, onBun);
      process.env.SOLDER_NODE_HTTP = "1";
      assert.equal(nativeServe(), undefined);
    } finally {
      if (before === undefined) delete process.env.SOLDER_NODE_HTTP;
      else process.env.SOLDER_NODE_HTTP = before;
    }
  });
});
