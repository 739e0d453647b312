// UTF-8 byte views of JS strings. OTTL strings are Go strings, so lengths and offsets count bytes
// (ottl.md §5.3 Len, Substring; §7.1 item 16), while JS strings count UTF-16 code units.

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8");

/** True when every code unit is ASCII, so byte offsets equal string offsets. */
export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) >= 0x80) return false;
  }
  return true;
}

/** The UTF-8 encoding of a string (lone surrogates become U+FFFD, as Go would store them). */
export function utf8Bytes(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Decodes UTF-8; invalid sequences become U+FFFD (a JS string cannot hold raw bytes). */
export function utf8Decode(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** True when byte `i` of an encoding starts a character (or is the end). */
export function isCharBoundary(bytes: Uint8Array, i: number): boolean {
  return i >= bytes.length || ((bytes[i] as number) & 0xc0) !== 0x80;
}
