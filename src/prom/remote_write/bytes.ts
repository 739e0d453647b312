// Low-level byte helpers shared by the remote-write encoders and the WAL codec: protobuf-style
// varints, zig-zag, little-endian floats, UTF-8 strings, CRC-32C. Millisecond timestamps exceed
// 2^31, so varints use arithmetic, never JS bitwise operators (spec: prometheus.md §5.1).

const TWO_64 = 1n << 64n;

/** Bytes a non-negative integer (≤ 2^53) takes as a varint. */
export function varintSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  let size = 4;
  n = Math.floor(n / 0x10000000);
  while (n > 0) {
    size++;
    n = Math.floor(n / 0x80);
  }
  return size;
}

/** Bytes an int64 takes as a plain (non-zig-zag) varint: negatives take ten. */
export function int64Size(n: number): number {
  return n < 0 ? 10 : varintSize(n);
}

/** Zig-zag mapping of a signed integer (|n| ≤ 2^52) to a non-negative one. */
export function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

/** Inverse of zigzag. */
export function unzigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/** UTF-8 length of a string, without encoding it. */
export function utf8Size(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2;
        i++;
        continue;
      }
      n += 2;
    } else n += 2;
  }
  return n;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// f64 goes through this scratch pair: cheaper than a DataView per buffer.
const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Writes into a preallocated (or growing) buffer; every write advances `pos`. */
export class ByteWriter {
  buf: Uint8Array;
  pos = 0;

  constructor(size = 256) {
    this.buf = new Uint8Array(size);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = Math.max(64, this.buf.length * 2);
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  byte(b: number): void {
    this.buf[this.pos++] = b;
  }

  /** A non-negative integer ≤ 2^53 as a varint. */
  varint(n: number): void {
    const buf = this.buf;
    while (n >= 0x80) {
      buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    buf[this.pos++] = n;
  }

  /** An int64 as protobuf writes it: negatives in ten bytes of two's complement. */
  int64(n: number): void {
    if (n >= 0) return this.varint(n);
    let v = BigInt.asUintN(64, BigInt(n) + TWO_64);
    while (v >= 0x80n) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  /** An IEEE 754 double, little-endian. */
  f64(x: number): void {
    F64[0] = x;
    const b = this.buf;
    const p = this.pos;
    if (LITTLE_ENDIAN) for (let i = 0; i < 8; i++) b[p + i] = F64_BYTES[i]!;
    else for (let i = 0; i < 8; i++) b[p + i] = F64_BYTES[7 - i]!;
    this.pos = p + 8;
  }

  /** A string's UTF-8 bytes, `size` being its utf8Size. */
  utf8(s: string, size: number): void {
    if (size === s.length) {
      const buf = this.buf;
      for (let i = 0; i < s.length; i++) buf[this.pos + i] = s.charCodeAt(i);
    } else encoder.encodeInto(s, this.buf.subarray(this.pos, this.pos + size));
    this.pos += size;
  }

  /** A varint length, then the string (ensures room itself). */
  string(s: string): void {
    const size = utf8Size(s);
    this.ensure(varintSize(size) + size);
    this.varint(size);
    this.utf8(s, size);
  }

  bytes(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** The bytes written so far (a view, not a copy). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

/** Reads what ByteWriter wrote; throws RangeError past the end. */
export class ByteReader {
  pos: number;
  private readonly view: DataView;

  constructor(readonly buf: Uint8Array, pos = 0, readonly end = buf.length) {
    this.pos = pos;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  byte(): number {
    if (this.pos >= this.end) throw new RangeError("unexpected end of record");
    return this.buf[this.pos++]!;
  }

  varint(): number {
    let n = 0;
    let mul = 1;
    for (;;) {
      const b = this.byte();
      n += (b & 0x7f) * mul;
      if (b < 0x80) return n;
      mul *= 0x80;
      if (mul > 2 ** 63) throw new RangeError("varint too long");
    }
  }

  f64(): number {
    if (this.pos + 8 > this.end) throw new RangeError("unexpected end of record");
    const x = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return x;
  }

  string(): string {
    const n = this.varint();
    if (this.pos + n > this.end) throw new RangeError("unexpected end of record");
    const s = decodeUtf8(this.buf, this.pos, n);
    this.pos += n;
    return s;
  }
}

/** Decodes UTF-8, with a fast path for short ASCII (label names and most values). */
function decodeUtf8(buf: Uint8Array, at: number, n: number): string {
  if (n < 64) {
    let ascii = true;
    for (let i = 0; i < n; i++) if (buf[at + i]! >= 0x80) ascii = false;
    if (ascii) return String.fromCharCode.apply(null, buf.subarray(at, at + n) as unknown as number[]);
  }
  return decoder.decode(buf.subarray(at, at + n));
}

// ---- CRC-32C (Castagnoli), slicing by 4 ----------------------------------------------------------

const CRC_TABLES = makeCrcTables();

function makeCrcTables(): Uint32Array[] {
  const tables = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    tables[0]![i] = c >>> 0;
  }
  for (let i = 0; i < 256; i++) {
    for (let t = 1; t < 4; t++) tables[t]![i] = (tables[0]![tables[t - 1]![i]! & 0xff]! ^ (tables[t - 1]![i]! >>> 8)) >>> 0;
  }
  return tables;
}

/** CRC-32C of `data[start, end)`, continuing from `crc` (0 to start). */
export function crc32c(data: Uint8Array, start = 0, end = data.length, crc = 0): number {
  const [t0, t1, t2, t3] = CRC_TABLES as [Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  let c = ~crc >>> 0;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    c ^= data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    c = t3[c & 0xff]! ^ t2[(c >>> 8) & 0xff]! ^ t1[(c >>> 16) & 0xff]! ^ t0[c >>> 24]!;
  }
  for (; i < end; i++) c = t0[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
