// A minimal protobuf wire reader and writer, just enough to validate, count and split raw OTLP
// scope bytes without materialising messages. Every read is bounded by an explicit `end`, so a
// nested length can never reach past its parent, and every failure is a BatchDecodeError.
// Wire format: https://protobuf.dev/programming-guides/encoding/

import { isUtf8 as nativeIsUtf8 } from "node:buffer";

/** Malformed OTLP input (protobuf or JSON); the message says what is wrong. */
export class BatchDecodeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BatchDecodeError";
  }
}

/** Wire types; 3 and 4 (groups) are deliberately absent: OTLP has no groups and we reject them. */
export const WT_VARINT = 0;
export const WT_I64 = 1;
export const WT_LEN = 2;
export const WT_I32 = 5;

/** A cursor over one buffer; `pos` moves forward as fields are read. */
export class WireReader {
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    pos = 0,
  ) {
    this.pos = pos;
  }

  /** Throws a BatchDecodeError that names the byte offset. */
  fail(what: string): never {
    throw new BatchDecodeError(`invalid protobuf at byte ${this.pos}: ${what}`);
  }

  /** Reads a tag (field number << 3 | wire type); field number 0 and 5+-byte overflows are errors. */
  tag(end: number): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos < end && buf[pos]! < 0x80) {
      // One-byte tags are all OTLP uses for known fields.
      const t = buf[pos]!;
      if (t < 8) this.fail(`field number 0 (tag ${t})`);
      this.pos = pos + 1;
      return t;
    }
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= end) this.fail("truncated tag");
      const b = buf[pos++]!;
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) {
        if (value > 0xffffffff) this.fail("tag overflows 32 bits");
        if (value < 8) this.fail("field number 0");
        this.pos = pos;
        return value >>> 0;
      }
    }
    return this.fail("tag varint longer than 5 bytes");
  }

  /** Reads an unsigned varint of up to 10 bytes as a number (exact up to 2^53, enough for lengths). */
  varint(end: number): number {
    const buf = this.buf;
    let pos = this.pos;
    let value = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (pos >= end) this.fail("truncated varint");
      const b = buf[pos++]!;
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) {
        this.pos = pos;
        return value;
      }
    }
    return this.fail("varint longer than 10 bytes");
  }

  /** Skips a varint, checking that it terminates within 10 bytes and before `end`. */
  skipVarint(end: number): void {
    const buf = this.buf;
    const limit = Math.min(end, this.pos + 10);
    for (let pos = this.pos; pos < limit; pos++) {
      if (buf[pos]! < 0x80) {
        this.pos = pos + 1;
        return;
      }
    }
    this.fail(limit === end ? "truncated varint" : "varint longer than 10 bytes");
  }

  /** Reads the length prefix of a length-delimited field and checks that the payload fits. */
  length(end: number): number {
    const len = this.varint(end);
    if (len > end - this.pos) this.fail(`length ${len} exceeds the ${end - this.pos} bytes left`);
    return len;
  }

  /** Advances over `n` fixed bytes. */
  skipFixed(n: number, end: number): void {
    if (n > end - this.pos) this.fail(`truncated ${n * 8}-bit field`);
    this.pos += n;
  }

  /** Skips the value of a field with the given wire type. */
  skip(wireType: number, end: number): void {
    switch (wireType) {
      case WT_VARINT:
        return this.skipVarint(end);
      case WT_I64:
        return this.skipFixed(8, end);
      case WT_LEN: {
        const len = this.length(end); // read before `pos` is, since length() moves it
        this.pos += len;
        return;
      }
      case WT_I32:
        return this.skipFixed(4, end);
      case 3:
      case 4:
        return this.fail(`group wire type ${wireType} is not supported`);
      default:
        return this.fail(`invalid wire type ${wireType}`);
    }
  }
}

/** Collects byte slices and varints, then concatenates them with a single allocation. */
export class ByteBuilder {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  /** Appends a slice (not copied until finish()). */
  push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.size += bytes.length;
  }

  /** Appends an unsigned varint (values up to 2^53). */
  pushVarint(value: number): void {
    this.push(encodeVarint(value));
  }

  /** Appends one length-delimited field: tag, length, payload. */
  pushField(fieldNo: number, payload: Uint8Array): void {
    this.pushVarint(fieldNo * 8 + WT_LEN);
    this.pushVarint(payload.length);
    this.push(payload);
  }

  /** The bytes written so far, as one new array. */
  finish(): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(this.size);
    let pos = 0;
    for (const p of this.parts) {
      out.set(p, pos);
      pos += p.length;
    }
    return out;
  }
}

/** Encodes an unsigned varint. */
export function encodeVarint(value: number): Uint8Array {
  const bytes: number[] = [];
  while (value >= 0x80) {
    bytes.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  bytes.push(value);
  return Uint8Array.from(bytes);
}

/** The encoded size of an unsigned varint. */
export function varintSize(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    n++;
  }
  return n;
}

/** Strings at least this long are checked by node:buffer's isUtf8 (measured break-even ≈ 100–200 bytes). */
const NATIVE_UTF8_MIN = 160;

/**
 * Whether buf[start, end) is well-formed UTF-8 by the WHATWG rules that TextDecoder's `fatal`
 * mode (and so protobuf-es) applies: no overlongs, no surrogates, nothing above U+10FFFF.
 */
export function isUtf8(buf: Uint8Array, start: number, end: number): boolean {
  // The native check (simdutf in Bun) wins once a string is long enough to pay for the call.
  if (end - start >= NATIVE_UTF8_MIN) return nativeIsUtf8(buf.subarray(start, end));
  let i = start;
  while (i < end) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    if (b < 0xc2 || b > 0xf4) return false;
    const need = b < 0xe0 ? 1 : b < 0xf0 ? 2 : 3;
    if (i + need >= end) return false;
    // The second byte has a narrower range after E0, ED, F0 and F4.
    const b1 = buf[i + 1]!;
    const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    if (b1 < lo || b1 > hi) return false;
    for (let k = 2; k <= need; k++) {
      if ((buf[i + k]! & 0xc0) !== 0x80) return false;
    }
    i += need + 1;
  }
  return true;
}
