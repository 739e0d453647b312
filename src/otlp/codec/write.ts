// Sizing and writing primitives for the generated encoders (encode.ts). Encoding runs in two
// passes: the size pass validates every value (with protobuf-es's error texts) and records the
// length of each nested message, packed list and string; the write pass then fills a buffer
// of the exact size, so nothing is copied twice and no length prefix is ever moved.

/** Encoder state: the output (sized by the size pass), the write position and the cursor into the recorded lengths. */
export class Writer {
  readonly view: DataView;
  /** Next entry of the size pass's lengths to use. */
  i = 0;
  constructor(
    readonly buf: Uint8Array<ArrayBuffer>,
    public pos: number,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
}

/** Size of an unsigned 32-bit varint. */
export function vsz(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

function fail(field: string, message: string): never {
  throw new Error(`cannot encode field ${field} to binary: ${message}`);
}

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const UINT32_MAX = 0xffffffff;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** A 32-bit integer value as a number, or the error protobuf-es raises for it. */
function int(v: unknown, field: string, kind: string, min: number, max: number): number {
  let n: number;
  if (typeof v === "number") n = v;
  else if (typeof v === "string") n = Number(v);
  else fail(field, `invalid ${kind}: ${typeof v}`);
  if (!Number.isInteger(n) || n > max || n < min) fail(field, `invalid ${kind}: ${n}`);
  return n;
}

/** int32 (and enum): size; negative values take ten bytes. */
export function szI32(v: unknown, field: string): number {
  const n = typeof v === "number" && (v | 0) === v ? v : int(v, field, "int32", INT32_MIN, INT32_MAX);
  return n < 0 ? 10 : vsz(n);
}

/** uint32: size. */
export function szU32(v: unknown, field: string): number {
  return vsz(typeof v === "number" && v >>> 0 === v ? v : int(v, field, "uint32", 0, UINT32_MAX));
}

/** sint32: size. */
export function szS32(v: unknown, field: string): number {
  const n = int(v, field, "int32", INT32_MIN, INT32_MAX);
  return vsz(((n << 1) ^ (n >> 31)) >>> 0);
}

/** fixed32 / sfixed32: validates, 4 bytes. */
export function chk32(v: unknown, field: string, signed: boolean): number {
  if (signed) int(v, field, "int32", INT32_MIN, INT32_MAX);
  else int(v, field, "uint32", 0, UINT32_MAX);
  return 4;
}

/** float: validates (finite doubles must fit a float32), 4 bytes. */
export function szF32(v: unknown, field: string): number {
  let n: number;
  if (typeof v === "number") n = v;
  else if (typeof v === "string") {
    n = Number(v);
    if (Number.isNaN(n) && v !== "NaN") fail(field, `invalid float32: ${v}`);
  } else fail(field, `invalid float32: ${typeof v}`);
  if (!Number.isFinite(Math.fround(n)) && Number.isFinite(n)) fail(field, `invalid float32: ${n}`);
  return 4;
}

/** A 64-bit value (bigint, string or number) as a bigint in range, or protobuf-es's error. */
export function big(v: unknown, field: string, signed: boolean): bigint {
  let b: bigint;
  if (typeof v === "bigint") b = v;
  else {
    try {
      b = BigInt(v as string);
    } catch (err) {
      fail(field, (err as Error).message);
    }
  }
  if (signed ? b < INT64_MIN || b > INT64_MAX : b < 0n || b > UINT64_MAX) fail(field, `invalid ${signed ? "int64" : "uint64"}: ${v}`);
  return b;
}

/** Size of a 64-bit varint holding `b` (two's complement for negatives). */
function sz64(b: bigint): number {
  if (b >= 0n && b < 0x10000000n) return vsz(Number(b));
  if (b < 0n) return 10;
  let n = 4;
  for (let rest = b >> 28n; rest > 0n; rest >>= 7n) n++;
  return n;
}

/** int64: size. */
export function szI64(v: unknown, field: string): number {
  return sz64(typeof v === "bigint" && v >= 0n && v < 0x10000000n ? v : big(v, field, true));
}

/** uint64: size. */
export function szU64(v: unknown, field: string): number {
  return sz64(typeof v === "bigint" && v >= 0n && v < 0x10000000n ? v : big(v, field, false));
}

/** Zigzag encoding of a signed 64-bit value. */
export function zz64(b: bigint): bigint {
  return b >= 0n ? b << 1n : ((-b) << 1n) - 1n;
}

/** sint64: size. */
export function szS64(v: unknown, field: string): number {
  return sz64(zz64(big(v, field, true)));
}

/** fixed64 / sfixed64: validates, 8 bytes. */
export function chk64(v: unknown, field: string, signed: boolean): number {
  if (typeof v !== "bigint" || v < 0n || v > INT64_MAX) big(v, field, signed);
  return 8;
}

/** Records the UTF-8 length of a string in `sizes`; returns its encoded size, prefix included. */
export function szStr(v: unknown, sizes: number[]): number {
  const s = typeof v === "string" ? v : String(v);
  const len = s.length;
  let n = len;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < len && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a surrogate pair: 2 UTF-16 units, 4 UTF-8 bytes
      i++;
    } else n += 2; // 3 bytes; a lone surrogate becomes U+FFFD, also 3 bytes
  }
  sizes.push(n);
  return vsz(n) + n;
}

/** bytes: encoded size, prefix included. */
export function szBytes(v: Uint8Array): number {
  return vsz(v.byteLength) + v.byteLength;
}

/** Writes an unsigned 32-bit varint. */
export function wv(w: Writer, n: number): void {
  const buf = w.buf;
  while (n > 0x7f) {
    buf[w.pos++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buf[w.pos++] = n;
}

/** Writes an int32 (negatives sign-extended to ten bytes). */
export function wI32(w: Writer, v: unknown): void {
  let n = typeof v === "number" ? v : Number(v);
  if (n >= 0) return wv(w, n);
  const buf = w.buf;
  for (let i = 0; i < 9; i++) {
    buf[w.pos++] = (n & 0x7f) | 0x80;
    n >>= 7;
  }
  buf[w.pos++] = 1;
}

const scratch = new DataView(new ArrayBuffer(8));

/** Writes a 64-bit varint; `v` was validated by the size pass. */
export function w64(w: Writer, v: unknown): void {
  const b = typeof v === "bigint" ? v : BigInt(v as string);
  if (b >= 0n && b <= 0xffffffffn) return wv(w, Number(b));
  scratch.setBigUint64(0, BigInt.asUintN(64, b), true);
  let lo = scratch.getUint32(0, true);
  let hi = scratch.getUint32(4, true);
  const buf = w.buf;
  while (hi !== 0 || lo > 0x7f) {
    buf[w.pos++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  buf[w.pos++] = lo;
}

/** Writes a string whose UTF-8 length `n` the size pass recorded. */
export function wStr(w: Writer, v: unknown, n: number): void {
  const s = typeof v === "string" ? v : String(v);
  wv(w, n);
  const buf = w.buf;
  if (n === s.length && n < 64) {
    let p = w.pos;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    w.pos = p;
    return;
  }
  utf8.encodeInto(s, buf.subarray(w.pos, w.pos + n));
  w.pos += n;
}

const utf8 = new TextEncoder();

/** Writes a bytes value, length prefix included. */
export function wBytes(w: Writer, v: Uint8Array): void {
  wv(w, v.byteLength);
  w.buf.set(v, w.pos);
  w.pos += v.byteLength;
}
