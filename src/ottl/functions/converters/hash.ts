// Hashes, identifiers and encodings (ottl.md §5.3 "Hashes and identifiers", "Strings"): SHA1,
// SHA256, SHA512, MD5, FNV, Murmur3Hash, Murmur3Hash128, TraceID, SpanID, UUID, UUIDv7, Hex,
// Base64Encode, Decode. Hash inputs are strings (nil or another type → error); like upstream,
// SHA*, MD5 and FNV return the empty string unchanged.

import { getRandomValues, randomUUID } from "node:crypto";
import { type OttlFunction, SpanID, TraceID, type Value, defineConverter, fail, typeName } from "../../function_api.ts";
import { BASE64_VARIANTS, type Base64Variant, base64ToBytes, bytesToBase64 } from "../lib/base64.ts";
import { type DigestName, fnv1a64, hexDigest, murmur3Hex128, murmur3Hex32 } from "../lib/hash.ts";
import { utf8Bytes } from "../lib/utf8.ts";

/** A converter hashing a string; `emptyAsIs` keeps upstream's `"" → ""` shortcut of SHA*, MD5 and FNV. */
function stringHash(name: string, hash: (s: string) => Value, emptyAsIs = true): OttlFunction {
  return defineConverter({
    name,
    params: { value: "StringGetter" },
    create: ({ value }) => (tctx) => {
      const s = value.get(tctx);
      return s === "" && emptyAsIs ? "" : hash(s);
    },
  });
}

const digest = (name: string, algo: DigestName): OttlFunction => stringHash(name, (s) => hexDigest(algo, s));

/** Lowercase hex of bytes. */
function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** Decodes exactly `n` bytes of hex, or undefined. */
function fromHex(s: string, n: number): Uint8Array | undefined {
  if (s.length !== 2 * n || !/^[0-9a-fA-F]*$/.test(s)) return undefined;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** The bytes of an id argument: exactly `n` bytes, or 2n hex characters. */
function idBytes(v: Value, n: number, what: string): Uint8Array {
  if (v instanceof Uint8Array) {
    if (v.length !== n) fail(`${what} must be exactly ${n} bytes, got ${v.length}`);
    return v.slice();
  }
  if ((v instanceof TraceID && n === 16) || (v instanceof SpanID && n === 8)) return v.bytes.slice();
  if (typeof v === "string") {
    const b = fromHex(v, n);
    if (b === undefined) fail(`${what} must be ${2 * n} hex characters, got ${JSON.stringify(v)}`);
    return b as Uint8Array;
  }
  return fail(`${what} must be bytes or a hex string, got ${typeName(v)}`);
}

/** TraceID(bytes|string): 16 bytes or 32 hex characters. */
export const traceId = defineConverter({
  name: "TraceID",
  params: { bytes: "Getter" },
  create: ({ bytes }) => (tctx) => new TraceID(idBytes(bytes.get(tctx), 16, "trace ids")),
});

/** SpanID(bytes|string): 8 bytes or 16 hex characters. */
export const spanId = defineConverter({
  name: "SpanID",
  params: { bytes: "Getter" },
  create: ({ bytes }) => (tctx) => new SpanID(idBytes(bytes.get(tctx), 8, "span ids")),
});

/** UUID(): a random version 4 UUID. */
export const uuid = defineConverter({ name: "UUID", params: {}, create: () => () => randomUUID() });

/** A version 7 UUID: 48-bit Unix milliseconds, then random bits (RFC 9562). */
export function uuidV7(nowMs: number = Date.now()): string {
  const b = getRandomValues(new Uint8Array(16));
  let ms = nowMs;
  for (let i = 5; i >= 0; i--) {
    b[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  b[6] = 0x70 | ((b[6] as number) & 0x0f);
  b[8] = 0x80 | ((b[8] as number) & 0x3f);
  const h = toHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** UUIDv7(): a time-ordered UUID. */
export const uuidv7 = defineConverter({ name: "UUIDv7", params: {}, create: () => () => uuidV7() });

/** Hex(value)'s bytes: strings as UTF-8, ints and floats as 8 big-endian bytes, bools as one byte. */
function hexInput(v: Value): Uint8Array | null {
  if (typeof v === "string") return utf8Bytes(v);
  if (v instanceof Uint8Array) return v;
  if (v instanceof TraceID || v instanceof SpanID) return v.bytes;
  const buf = new DataView(new ArrayBuffer(8));
  if (typeof v === "bigint") buf.setBigInt64(0, v);
  else if (typeof v === "number") buf.setFloat64(0, v);
  else if (typeof v === "boolean") return Uint8Array.of(v ? 1 : 0);
  else return null;
  return new Uint8Array(buf.buffer);
}

/** Hex(value): lowercase hex of the value's bytes; unsupported types → nil. */
export const hex = defineConverter({
  name: "Hex",
  params: { value: "Getter" },
  create: ({ value }) => (tctx) => {
    const b = hexInput(value.get(tctx));
    return b === null ? null : toHex(b);
  },
});

const variantSpec = { type: "string", optional: true, oneOf: BASE64_VARIANTS } as const;

/** Base64Encode(value, Optional[variant]): base64 of the string's UTF-8 bytes. */
export const base64Encode = defineConverter({
  name: "Base64Encode",
  params: { value: "StringGetter", variant: variantSpec },
  create: ({ value, variant }) => (tctx) => bytesToBase64(utf8Bytes(value.get(tctx)), (variant ?? "base64") as Base64Variant),
});

/** Decodes bytes in an IANA charset TextDecoder knows (utf-8, iso-8859-1, windows-1252, utf-16le, …). */
function decodeCharset(bytes: Uint8Array, encoding: string): string {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding, { fatal: false });
  } catch {
    return fail(`no charset defined for encoding '${encoding}'`);
  }
  return decoder.decode(bytes);
}

/** Decode(value, encoding): base64 variants or an IANA charset; invalid input → error. */
export const decode = defineConverter({
  name: "Decode",
  params: { value: "Getter", encoding: "StringGetter" },
  create: ({ value, encoding }) => (tctx) => {
    const v = value.get(tctx);
    const enc = encoding.get(tctx);
    if (typeof v !== "string" && !(v instanceof Uint8Array)) return fail(`Decode: unsupported type ${typeName(v)}`);
    if ((BASE64_VARIANTS as readonly string[]).includes(enc)) {
      const text = typeof v === "string" ? v : new TextDecoder().decode(v);
      const bytes = base64ToBytes(text, enc as Base64Variant);
      if (bytes === null) fail(`illegal base64 data in ${JSON.stringify(text)}`);
      return new TextDecoder().decode(bytes as Uint8Array);
    }
    return decodeCharset(typeof v === "string" ? utf8Bytes(v) : v, enc);
  },
});

/** Every converter of this file. */
export const HASH_CONVERTERS: readonly OttlFunction[] = [
  digest("SHA1", "sha1"),
  digest("SHA256", "sha256"),
  digest("SHA512", "sha512"),
  digest("MD5", "md5"),
  stringHash("FNV", fnv1a64),
  stringHash("Murmur3Hash", murmur3Hex32, false),
  stringHash("Murmur3Hash128", murmur3Hex128, false),
  traceId,
  spanId,
  uuid,
  uuidv7,
  hex,
  base64Encode,
  decode,
];
