// Snappy request bodies, as the Collector's confighttp decodes them: `Content-Encoding: snappy`
// is the block format, but a body that starts with the framing-format stream identifier is read
// as framed (older Collectors sent framed data under that name); `x-snappy-framed` is always
// framed. Block decoding uses snappyjs; the framing layer (chunk types, masked CRC-32C) is here.
// Framing format: https://github.com/google/snappy/blob/main/framing_format.txt

import snappyjs from "snappyjs";
import { BodyReadError, BodyTooLargeError, concat } from "./body.ts";

/** The first ten bytes of every framed stream: a stream-identifier chunk holding "sNaPpY". */
const STREAM_IDENTIFIER = [0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59];

const CORRUPT = "snappy: corrupt input";

/** True when `head` starts with the framing-format stream identifier. */
export function isFramedSnappy(head: Uint8Array): boolean {
  return head.byteLength >= STREAM_IDENTIFIER.length && STREAM_IDENTIFIER.every((b, i) => head[i] === b);
}

/** Decodes a snappy block; a declared length past `limit` fails before anything is allocated. */
export function decodeSnappyBlock(block: Uint8Array, limit: number): Uint8Array {
  const declared = blockLength(block);
  if (declared === undefined) throw new BodyReadError(CORRUPT);
  if (declared > limit) throw new BodyTooLargeError();
  try {
    return snappyjs.uncompress(block);
  } catch {
    throw new BodyReadError(CORRUPT);
  }
}

/** Decodes a framed snappy stream, checking each chunk's CRC and stopping at `limit` bytes. */
export function decodeSnappyFramed(data: Uint8Array, limit: number): Uint8Array {
  const out: Uint8Array[] = [];
  let total = 0;
  let pos = 0;
  let sawIdentifier = false;
  while (pos < data.byteLength) {
    if (pos + 4 > data.byteLength) throw new BodyReadError("unexpected EOF");
    const type = data[pos]!;
    const len = data[pos + 1]! | (data[pos + 2]! << 8) | (data[pos + 3]! << 16);
    const body = data.subarray(pos + 4, pos + 4 + len);
    if (body.byteLength < len) throw new BodyReadError("unexpected EOF");
    pos += 4 + len;
    if (type === 0xff) {
      if (!isFramedSnappy(data.subarray(pos - 4 - len, pos)) || len !== 6) throw new BodyReadError(CORRUPT);
      sawIdentifier = true;
      continue;
    }
    // Go's reader insists on the identifier before any other chunk.
    if (!sawIdentifier) throw new BodyReadError(CORRUPT);
    if (type === 0x00 || type === 0x01) {
      if (len < 4) throw new BodyReadError(CORRUPT);
      const chunk = type === 0x00 ? decodeSnappyBlock(body.subarray(4), limit - total) : body.subarray(4);
      if (maskedCrc32c(chunk) !== readUint32(body)) throw new BodyReadError(CORRUPT);
      total += chunk.byteLength;
      if (total > limit) throw new BodyTooLargeError();
      out.push(chunk);
    } else if (type < 0x80) {
      // Reserved unskippable chunk types.
      throw new BodyReadError("snappy: unsupported input");
    }
    // 0x80–0xfe: skippable (padding and reserved) chunks.
  }
  return concat(out);
}

/** The uncompressed length a snappy block declares (a uvarint prefix). */
function blockLength(block: Uint8Array): number | undefined {
  let value = 0;
  for (let i = 0, shift = 0; i < 5 && i < block.byteLength; i++, shift += 7) {
    const b = block[i]!;
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return value;
  }
  return undefined;
}

function readUint32(b: Uint8Array): number {
  return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
}

const CRC32C_TABLE = makeCrcTable(0x82f63b78);

function makeCrcTable(poly: number): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? poly ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** CRC-32C (Castagnoli), masked as the framing format stores it. */
export function maskedCrc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.byteLength; i++) crc = CRC32C_TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  crc = (crc ^ 0xffffffff) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** Encodes `data` in the framing format (uncompressed chunks); for tests and clients. */
export function encodeSnappyFramed(data: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [Uint8Array.from(STREAM_IDENTIFIER)];
  for (let at = 0; at < data.byteLength || at === 0; at += 65536) {
    const piece = data.subarray(at, at + 65536);
    const block = snappyjs.compress(piece);
    const header = new Uint8Array(8);
    const len = block.byteLength + 4;
    header.set([0x00, len & 0xff, (len >> 8) & 0xff, (len >> 16) & 0xff]);
    new DataView(header.buffer).setUint32(4, maskedCrc32c(piece), true);
    parts.push(header, block);
    if (data.byteLength === 0) break;
  }
  return concat(parts);
}
