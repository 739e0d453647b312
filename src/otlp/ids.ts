// Trace and span ids as hex, the way OTLP/JSON writes them (otlp.md §3.1): lowercase on output,
// either case on input, 32 hex characters for a trace id and 16 for a span id, or empty.

import { base64Decode, base64Encode } from "@bufbuild/protobuf/wire";

/** Bytes in a trace id. */
export const TRACE_ID_BYTES = 16;
/** Bytes in a span id. */
export const SPAN_ID_BYTES = 8;

const HEX = "0123456789abcdef";
const HEX_PAIRS: string[] = Array.from({ length: 256 }, (_, i) => HEX[i >> 4]! + HEX[i & 15]!);

/** Lowercase hex of the bytes. */
export function bytesToHex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += HEX_PAIRS[bytes[i]!]!;
  return out;
}

/** Value of one hex digit (either case), or -1. */
function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Decodes hex (either case); undefined when the text is not an even number of hex digits. */
export function hexToBytes(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(hex.charCodeAt(2 * i));
    const lo = nibble(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** Whether the bytes are a valid trace id: 16 bytes, not all zero. */
export function isValidTraceId(id: Uint8Array): boolean {
  return id.length === TRACE_ID_BYTES && id.some((b) => b !== 0);
}

/** Whether the bytes are a valid span id: 8 bytes, not all zero. */
export function isValidSpanId(id: Uint8Array): boolean {
  return id.length === SPAN_ID_BYTES && id.some((b) => b !== 0);
}

/**
 * Decodes an OTLP/JSON id: empty, or exactly 2 × `size` hex digits. Returns undefined otherwise,
 * so the caller can name the field in its error.
 */
export function parseHexId(hex: string, size: number): Uint8Array | undefined {
  if (hex === "") return new Uint8Array(0);
  return hex.length === 2 * size ? hexToBytes(hex) : undefined;
}

/** Hex id → the base64 text protobuf-es' JSON reader expects for bytes; undefined when invalid. */
export function hexIdToBase64(hex: string, size: number): string | undefined {
  const bytes = parseHexId(hex, size);
  return bytes && base64Encode(bytes, "std");
}

/** Base64 text from protobuf-es' JSON writer → lowercase hex. */
export function base64ToHex(b64: string): string {
  return bytesToHex(base64Decode(b64));
}
