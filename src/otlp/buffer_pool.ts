// Reusable buffers for encoded export requests. An exporter's body (a 2000-span batch is ~1.2 MB)
// used to be a fresh allocation per batch: the allocator returned the pages to the kernel after
// each send and the next batch faulted them in again, so copying into a fresh buffer cost 5–7×
// copying into a warm one. A buffer comes back only from a place that owned it outright (the gzip
// worker hands the body it compressed back), so no buffer is handed out twice.

/** Sizes are rounded up to this, so batches of slightly different sizes reuse each other's buffers. */
const GRAIN = 64 * 1024;

export class BufferPool {
  private free: ArrayBuffer[] = [];

  constructor(
    /** Buffers kept at most. */
    private readonly max = 4,
    /** Larger buffers are never kept (an outsized batch should not pin its memory). */
    private readonly maxBytes = 16 * 1024 * 1024,
  ) {}

  /** A view of exactly `size` bytes (contents undefined) over a kept or new buffer; the caller owns the whole buffer. */
  take = (size: number): Uint8Array<ArrayBuffer> => {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const n = this.free[i]!.byteLength;
      // Not more than twice what is needed: a small batch must not take the big buffer a big one needs.
      if (n >= size && n <= 2 * size + GRAIN && (best < 0 || n < this.free[best]!.byteLength)) best = i;
    }
    if (best >= 0) return new Uint8Array(this.free.splice(best, 1)[0]!, 0, size);
    return new Uint8Array(new ArrayBuffer(Math.ceil(Math.max(size, 1) / GRAIN) * GRAIN), 0, size);
  };

  /** Hands a buffer back; kept while there is room, the smallest dropped first. */
  give = (buf: ArrayBuffer): void => {
    if (buf.byteLength === 0 || buf.byteLength > this.maxBytes) return; // detached, or too big to keep
    this.free.push(buf);
    if (this.free.length > this.max) {
      let smallest = 0;
      for (let i = 1; i < this.free.length; i++) if (this.free[i]!.byteLength < this.free[smallest]!.byteLength) smallest = i;
      this.free.splice(smallest, 1);
    }
  };

  /** Buffers kept now. */
  get size(): number {
    return this.free.length;
  }
}
