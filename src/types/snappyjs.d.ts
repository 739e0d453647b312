// Types for the `snappyjs` package (snappy block format), which ships none.
declare module "snappyjs" {
  /** Decompresses a snappy block; throws on corrupt input or a declared length above maxLength. */
  function uncompress(compressed: Uint8Array, maxLength?: number): Uint8Array;
  /** Compresses into one snappy block. */
  function compress(uncompressed: Uint8Array): Uint8Array;
  const snappy: { uncompress: typeof uncompress; compress: typeof compress };
  export default snappy;
}

// The compressor itself, for compressing into a caller's buffer (src/prom/remote_write/compress.ts).
declare module "snappyjs/snappy_compressor.js" {
  export class SnappyCompressor {
    constructor(uncompressed: Uint8Array);
    /** Worst-case size of the compressed block. */
    maxCompressedLength(): number;
    /** Writes the block into `out` (at least maxCompressedLength() long); returns its length. */
    compressToBuffer(out: Uint8Array): number;
  }
}
