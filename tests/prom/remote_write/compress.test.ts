// The reused-buffer snappy compression gives what snappyjs's compress() gives, and every body
// keeps its bytes when later ones are compressed (they are sent and retried afterwards).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import snappy from "snappyjs";
import { snappyCompress } from "../../../src/prom/remote_write/compress.ts";

function body(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed;
  // Some repetition (like label text) and some noise.
  for (let i = 0; i < n; i++) b[i] = i % 97 < 60 ? (i * 7) & 0xff : (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
  return b;
}

describe("snappyCompress", () => {
  test("same block as snappyjs, for small, empty and multi-fragment bodies; earlier results stay intact", () => {
    const inputs = [body(0, 1), body(10, 2), body(5000, 3), body(200_000, 4), body(3 << 20, 5), body(100, 6)];
    const outputs = inputs.map((raw) => snappyCompress(raw));
    inputs.forEach((raw, i) => {
      assert.deepEqual(outputs[i], snappy.compress(raw), `body ${i}`);
      assert.deepEqual(snappy.uncompress(outputs[i]!), raw, `body ${i} round trip`);
    });
  });
});
