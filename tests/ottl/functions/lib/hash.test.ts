// Hash helpers against published vectors (ottl.md §5.3 "Hashes").
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { fnv1a64, hexDigest, murmur3Hex128, murmur3Hex32, murmur3x64_128, murmur3x86_32 } from "../../../../src/ottl/functions/lib/hash.ts";

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("digests", () => {
  test("sha256/sha1/md5/sha512 of abc", () => {
    assert.equal(hexDigest("sha256", "abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert.equal(hexDigest("sha1", "abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert.equal(hexDigest("md5", "abc"), "900150983cd24fb0d6963f7d28e17f72");
    assert.ok(hexDigest("sha512", "abc").startsWith("ddaf35a193617aba"));
  });
  test("strings are hashed as UTF-8", () => {
    assert.equal(hexDigest("md5", "é"), hexDigest("md5", "\u00e9"));
  });
});

describe("fnv1a64", () => {
  test("known values, as signed int64", () => {
    assert.equal(fnv1a64(""), -3750763034362895579n); // 0xcbf29ce484222325
    assert.equal(BigInt.asUintN(64, fnv1a64("a")), 0xaf63dc4c8601ec8cn);
    assert.equal(BigInt.asUintN(64, fnv1a64("foobar")), 0x85944171f73967e8n);
  });
});

describe("murmur3", () => {
  test("x86_32 vectors", () => {
    assert.equal(murmur3x86_32(bytes("")), 0);
    assert.equal(murmur3x86_32(bytes("hello")), 0x248bfa47);
    assert.equal(murmur3x86_32(bytes("Hello, world!")), 0xc0363e43);
    assert.equal(murmur3x86_32(bytes(""), 1), 0x514e28b7);
  });
  test("x64_128 vectors (Guava)", () => {
    assert.deepEqual(murmur3x64_128(bytes("hell")), [0x629942693e10f867n, 0x92db0b82baeb5347n]);
    assert.deepEqual(murmur3x64_128(bytes("The quick brown fox jumps over the lazy dog")), [0xe34bbc7bbc071b6cn, 0x7a433ca9c49a9347n]);
  });
  test("hex output is little-endian", () => {
    assert.equal(murmur3Hex32("hello"), "47fa8b24");
    assert.equal(murmur3Hex32(""), "00000000");
    assert.equal(murmur3Hex128("hell"), "67f8103e69429962" + "4753ebba820bdb92");
  });
});
