// Types for the `snappyjs` package (snappy block format), which ships none.
declare module "snappyjs" {
  /** Decompresses a snappy block; throws on corrupt input or a declared length above maxLength. */
  function uncompress(compressed: Uint8Array, maxLength?: number): Uint8Array;
  /** Compresses into one snappy block. */
  function compress(uncompressed: Uint8Array): Uint8Array;
  const snappy: { uncompress: typeof uncompress; compress: typeof compress };
  export default snappy;
}
