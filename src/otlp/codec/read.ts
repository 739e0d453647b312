// Wire-format reading primitives for the generated decoders (decode.ts). Each one fails the
// way protobuf-es's BinaryReader fails on the same bytes (same error class and text), so a
// caller that reports "parse binary: …" reads the same whether this codec or fromBinary ran.

/** Decoder state: the input, the read position, and a view for fixed-width values. */
export class Reader {
  pos = 0;
  readonly len: number;
  readonly view: DataView;
  constructor(readonly buf: Uint8Array) {
    this.len = buf.length;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
}

function eof(): never {
  throw new RangeError("premature EOF");
}

/** An unsigned 32-bit varint; longer encodings (negative int32 values) keep their low 32 bits. */
export function u32(r: Reader): number {
  const buf = r.buf;
  // Reading past the end yields undefined, which ends the varint; the bounds check catches it.
  let b = buf[r.pos++]!;
  if (b < 0x80) {
    if (r.pos > r.len) eof();
    return b;
  }
  let v = b & 0x7f;
  for (let shift = 7; shift < 28; shift += 7) {
    b = buf[r.pos++]!;
    v |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) {
      if (r.pos > r.len) eof();
      return v;
    }
  }
  b = buf[r.pos++]!;
  v |= (b & 0x0f) << 28;
  for (let n = 5; (b & 0x80) !== 0 && n < 10; n++) b = buf[r.pos++]!;
  if ((b & 0x80) !== 0) throw new Error("invalid varint");
  if (r.pos > r.len) eof();
  return v >>> 0;
}

/** A field tag (number << 3 | wire type), validated. */
export function tag(r: Reader): number {
  const b = r.buf[r.pos]!;
  if (b < 0x80 && b >= 8 && (b & 7) <= 5) {
    r.pos++;
    return b;
  }
  const start = r.pos;
  const t = u32(r);
  const n = r.pos - start;
  if (n > 5 || (n === 5 && r.buf[r.pos - 1]! > 0x0f)) throw new Error("illegal tag: varint overflows uint32");
  const no = t >>> 3;
  const wt = t & 7;
  if (no <= 0 || wt > 5) throw new Error(`illegal tag: field no ${no} wire type ${wt}`);
  return t;
}

// The two halves of the last 64-bit varint read (avoids an allocation per value).
let lo = 0;
let hi = 0;
const scratch = new DataView(new ArrayBuffer(8));

function v64(r: Reader): void {
  const buf = r.buf;
  let pos = r.pos;
  let l = 0;
  let h = 0;
  let b: number;
  let done = false;
  for (let shift = 0; shift < 28 && !done; shift += 7) {
    b = buf[pos++]!;
    l |= (b & 0x7f) << shift;
    done = (b & 0x80) === 0;
  }
  if (!done) {
    b = buf[pos++]!;
    l |= (b & 0x0f) << 28;
    h = (b & 0x70) >> 4;
    done = (b & 0x80) === 0;
    for (let shift = 3; shift <= 31 && !done; shift += 7) {
      b = buf[pos++]!;
      h |= (b & 0x7f) << shift;
      done = (b & 0x80) === 0;
    }
    if (!done) throw new Error("invalid varint");
  }
  r.pos = pos;
  if (pos > r.len) eof();
  lo = l;
  hi = h;
}

/** int64 as bigint. */
export function i64(r: Reader): bigint {
  v64(r);
  if (hi === 0) return BigInt(lo >>> 0);
  scratch.setInt32(0, lo, true);
  scratch.setInt32(4, hi, true);
  return scratch.getBigInt64(0, true);
}

/** uint64 as bigint. */
export function u64(r: Reader): bigint {
  v64(r);
  if (hi === 0) return BigInt(lo >>> 0);
  scratch.setInt32(0, lo, true);
  scratch.setInt32(4, hi, true);
  return scratch.getBigUint64(0, true);
}

/** sint64 (zigzag) as bigint. */
export function s64(r: Reader): bigint {
  v64(r);
  const s = -(lo & 1);
  const l = ((lo >>> 1) | ((hi & 1) << 31)) ^ s;
  const h = (hi >>> 1) ^ s;
  scratch.setInt32(0, l, true);
  scratch.setInt32(4, h, true);
  return scratch.getBigInt64(0, true);
}

/** bool: any non-zero varint is true. */
export function bool(r: Reader): boolean {
  const b = r.buf[r.pos]!;
  if (b < 0x80) {
    r.pos++;
    return b !== 0;
  }
  v64(r);
  return lo !== 0 || hi !== 0;
}

/** bytes: a view into the input, as protobuf-es returns it (no copy). */
export function bytes(r: Reader): Uint8Array {
  const n = u32(r);
  const start = r.pos;
  r.pos += n;
  if (r.pos > r.len) eof();
  return r.buf.subarray(start, start + n);
}

const lenient = new TextDecoder("utf-8", { ignoreBOM: true });
const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

const CACHE_MASK = 4095;
const cache: (string | undefined)[] = new Array(CACHE_MASK + 1).fill(undefined);

/** string; `verify` rejects invalid UTF-8 (proto3's default), otherwise it becomes U+FFFD. */
export function str(r: Reader, verify: boolean): string {
  const n = u32(r);
  const start = r.pos;
  const end = start + n;
  r.pos = end;
  if (end > r.len) eof();
  const buf = r.buf;
  if (n <= 32) {
    // Short ASCII strings (attribute keys, names, common values) repeat: a hit in the cache
    // returns the string seen before without allocating. On a miss TextDecoder beats building
    // the string char by char on Bun (the rope that builds is flattened later, at a cost).
    let h = n;
    let i = start;
    for (; i < end; i++) {
      const c = buf[i]!;
      if (c > 0x7f) break;
      h = (Math.imul(h, 31) + c) | 0;
    }
    if (i === end) {
      const slot = (h ^ (h >>> 13)) & CACHE_MASK;
      const hit = cache[slot];
      if (hit !== undefined && hit.length === n) {
        let j = 0;
        while (j < n && hit.charCodeAt(j) === buf[start + j]) j++;
        if (j === n) return hit;
      }
      const s = lenient.decode(buf.subarray(start, end));
      cache[slot] = s;
      return s;
    }
  }
  return (verify ? strict : lenient).decode(buf.subarray(start, end));
}

/** Skips one value of wire type `wt` and returns its bytes (an unknown field's data). */
export function skip(r: Reader, wt: number, no: number, limit: number): Uint8Array {
  const start = r.pos;
  switch (wt) {
    case 0:
      while (r.buf[r.pos++]! & 0x80);
      break;
    case 1:
      r.pos += 8;
      break;
    case 5:
      r.pos += 4;
      break;
    case 2: {
      const n = u32(r);
      r.pos += n;
      break;
    }
    case 3:
      if (limit <= 0) throw new Error("maximum recursion depth reached");
      for (;;) {
        const t = tag(r);
        if ((t & 7) === 4) {
          if (t >>> 3 !== no) throw new Error("invalid end group tag");
          break;
        }
        skip(r, t & 7, t >>> 3, limit - 1);
      }
      break;
    default:
      throw new Error(`cant skip wire type ${wt}`);
  }
  if (r.pos > r.len) eof();
  return r.buf.subarray(start, r.pos);
}

/** sint32 (zigzag). */
export function sint32(r: Reader): number {
  const z = u32(r);
  return (z >>> 1) ^ -(z & 1);
}
