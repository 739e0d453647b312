import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { BufferPool } from "../../src/otlp/buffer_pool.ts";

describe("BufferPool: reusable buffers for encoded bodies", () => {
  test("take gives a view of exactly the size asked, over a buffer rounded up; a buffer given back is reused", () => {
    const pool = new BufferPool();
    const a = pool.take(100_000);
    assert.equal(a.byteLength, 100_000);
    assert.equal(a.byteOffset, 0);
    assert.equal(a.buffer.byteLength % (64 * 1024), 0);
    pool.give(a.buffer);
    const b = pool.take(120_000);
    assert.equal(b.buffer, a.buffer, "the kept buffer is large enough and not more than twice the size: reused");
    assert.equal(b.byteLength, 120_000);
    assert.equal(pool.size, 0);
  });

  test("a small body does not take a buffer far larger than it needs; a larger one gets a new buffer", () => {
    const pool = new BufferPool();
    const big = new ArrayBuffer(8 << 20);
    pool.give(big);
    assert.notEqual(pool.take(10_000).buffer, big);
    assert.notEqual(pool.take((8 << 20) + 1).buffer, big);
    assert.equal(pool.take(5 << 20).buffer, big);
  });

  test("keeps at most `max` buffers (dropping the smallest), never detached or oversized ones", () => {
    const pool = new BufferPool(2, 1 << 20);
    const sizes = [64 << 10, 256 << 10, 128 << 10];
    const bufs = sizes.map((n) => new ArrayBuffer(n));
    for (const b of bufs) pool.give(b);
    assert.equal(pool.size, 2);
    assert.equal(pool.take(200 << 10).buffer, bufs[1], "the 256 KiB buffer was kept");
    assert.equal(pool.take(100 << 10).buffer, bufs[2], "the 128 KiB buffer was kept, the 64 KiB one dropped");
    pool.give(new ArrayBuffer(2 << 20));
    const detached = new ArrayBuffer(1024);
    structuredClone(detached, { transfer: [detached] });
    pool.give(detached);
    assert.equal(pool.size, 0);
  });
});
