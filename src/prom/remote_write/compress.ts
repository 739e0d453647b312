// Snappy block compression of request bodies into a reused buffer. snappyjs's compress()
// allocates a zero-filled buffer of the worst-case size per call and copies the result out of
// it; here the worst case is kept between calls and only the result is copied (the body must
// outlive the buffer: it is sent, and maybe retried, after later bodies were compressed).

import { SnappyCompressor } from "snappyjs/snappy_compressor.js";

let scratch = new Uint8Array(1 << 20);

/** The snappy block of `raw` (what snappyjs's compress() returns), in a new array of its own size. */
export function snappyCompress(raw: Uint8Array): Uint8Array {
  const compressor = new SnappyCompressor(raw);
  const max = compressor.maxCompressedLength();
  if (scratch.length < max) scratch = new Uint8Array(max);
  const out = scratch.slice(0, compressor.compressToBuffer(scratch));
  // Do not keep a huge buffer around after a one-off giant request.
  if (scratch.length > 64 << 20) scratch = new Uint8Array(1 << 20);
  return out;
}
