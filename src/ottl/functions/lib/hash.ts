// Hash helpers for SHA1/SHA256/SHA512/MD5/FNV/Murmur3Hash/Murmur3Hash128 (ottl.md §5.3 "Hashes").
// Strings are hashed as their UTF-8 bytes, like Go's []byte(s). Digests come from node:crypto,
// which Bun and Deno both provide; FNV-1a and Murmur3 are small enough to write here.

import { createHash } from "node:crypto";
import { utf8Bytes } from "./utf8.ts";

/** The digests node:crypto computes for us. */
export type DigestName = "md5" | "sha1" | "sha256" | "sha512";

/** Lowercase hex digest of the UTF-8 bytes of `s`. */
export function hexDigest(name: DigestName, s: string): string {
  return createHash(name).update(utf8Bytes(s)).digest("hex");
}

const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;

/** 64-bit FNV-1a of the UTF-8 bytes of `s`, reinterpreted as a signed int64 (Go `int64(h.Sum64())`). */
export function fnv1a64(s: string): bigint {
  let h = FNV64_OFFSET;
  for (const b of utf8Bytes(s)) {
    h = BigInt.asUintN(64, (h ^ BigInt(b)) * FNV64_PRIME);
  }
  return BigInt.asIntN(64, h);
}

/** MurmurHash3 x86_32 with seed 0. */
export function murmur3x86_32(data: Uint8Array, seed = 0): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed >>> 0;
  const blocks = data.length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k = (data[i] as number) | ((data[i + 1] as number) << 8) | ((data[i + 2] as number) << 16) | ((data[i + 3] as number) << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = data.length & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= (data[blocks + 2] as number) << 16;
    if (tail >= 2) k ^= (data[blocks + 1] as number) << 8;
    k ^= data[blocks] as number;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= data.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const M64 = 0xffffffffffffffffn;
const C1_128 = 0x87c37b91114253d5n;
const C2_128 = 0x4cf5ad432745937fn;

function rotl64(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & M64;
}

function fmix64(k: bigint): bigint {
  k ^= k >> 33n;
  k = (k * 0xff51afd7ed558ccdn) & M64;
  k ^= k >> 33n;
  k = (k * 0xc4ceb9fe1a85ec53n) & M64;
  k ^= k >> 33n;
  return k;
}

function readU64LE(data: Uint8Array, at: number, n = 8): bigint {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(data[at + i] as number);
  return v;
}

/** MurmurHash3 x64_128 with seed 0, as the pair [h1, h2] of unsigned 64-bit values. */
export function murmur3x64_128(data: Uint8Array, seed = 0n): [bigint, bigint] {
  let h1 = seed & M64;
  let h2 = seed & M64;
  const blocks = data.length - (data.length % 16);
  for (let i = 0; i < blocks; i += 16) {
    let k1 = readU64LE(data, i);
    let k2 = readU64LE(data, i + 8);
    k1 = (rotl64((k1 * C1_128) & M64, 31n) * C2_128) & M64;
    h1 ^= k1;
    h1 = (((rotl64(h1, 27n) + h2) & M64) * 5n + 0x52dce729n) & M64;
    k2 = (rotl64((k2 * C2_128) & M64, 33n) * C1_128) & M64;
    h2 ^= k2;
    h2 = (((rotl64(h2, 31n) + h1) & M64) * 5n + 0x38495ab5n) & M64;
  }
  const rest = data.length - blocks;
  if (rest > 8) {
    let k2 = readU64LE(data, blocks + 8, rest - 8);
    k2 = (rotl64((k2 * C2_128) & M64, 33n) * C1_128) & M64;
    h2 ^= k2;
  }
  if (rest > 0) {
    let k1 = readU64LE(data, blocks, Math.min(rest, 8));
    k1 = (rotl64((k1 * C1_128) & M64, 31n) * C2_128) & M64;
    h1 ^= k1;
  }
  const len = BigInt(data.length);
  h1 ^= len;
  h2 ^= len;
  h1 = (h1 + h2) & M64;
  h2 = (h2 + h1) & M64;
  h1 = fmix64(h1);
  h2 = fmix64(h2);
  h1 = (h1 + h2) & M64;
  h2 = (h2 + h1) & M64;
  return [h1, h2];
}

function hexLE(v: bigint, bytes: number): string {
  let out = "";
  for (let i = 0; i < bytes; i++) {
    out += Number((v >> BigInt(8 * i)) & 0xffn).toString(16).padStart(2, "0");
  }
  return out;
}

/** Murmur3Hash: the 32-bit hash of the UTF-8 bytes as little-endian hex (8 characters). */
export function murmur3Hex32(s: string): string {
  return hexLE(BigInt(murmur3x86_32(utf8Bytes(s))), 4);
}

/** Murmur3Hash128: h1 then h2, each as little-endian hex (32 characters). */
export function murmur3Hex128(s: string): string {
  const [h1, h2] = murmur3x64_128(utf8Bytes(s));
  return hexLE(h1, 8) + hexLE(h2, 8);
}
