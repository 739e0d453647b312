// Reading a request body under a byte limit. Real OTLP clients stream bodies with
// `Transfer-Encoding: chunked` and no Content-Length (otlp.md §2), so the limit is enforced on
// the bytes as they arrive, and reading stops (the stream is cancelled) as soon as it is passed.

/** The body (raw or decompressed) passed `max_request_body_size`; Go's MaxBytesReader wording. */
export class BodyTooLargeError extends Error {
  constructor() {
    super("http: request body too large");
    this.name = "BodyTooLargeError";
  }
}

/** The body could not be read or decompressed; the message says why. */
export class BodyReadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BodyReadError";
  }
}

/** Where a LimitedBody comes from: a stream, or a request (whose body is read lazily). */
export type BodySource = ReadableStream<Uint8Array> | null | Pick<Request, "body" | "arrayBuffer">;

/**
 * A request body read chunk by chunk, failing once more than `limit` bytes have arrived.
 *
 * Given a request whose Content-Length is within the limit, the body is read in one piece
 * (`arrayBuffer()`) rather than through a stream: HTTP/1.1 framing bounds it, and on Bun the
 * stream machinery costs more than a fifth of an OTLP request's CPU. Bodies without a declared
 * length (chunked) stream as before, so the limit still stops them as soon as it is passed.
 */
export class LimitedBody {
  private reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  private readonly pending: Uint8Array[] = [];
  private received = 0;
  private finished = false;
  private started = false;

  constructor(
    private readonly source: BodySource,
    readonly limit: number,
    /** The declared Content-Length, if any: a body declared too large is refused unread. */
    private readonly declared?: number,
  ) {
    if (source === null) this.finished = true;
  }

  /** The stream reader, made on first use (undefined when there is no body). */
  private streamReader(): ReadableStreamDefaultReader<Uint8Array> | undefined {
    if (!this.started) {
      this.started = true;
      const stream = this.source instanceof ReadableStream || this.source === null ? this.source : this.source.body;
      this.reader = stream?.getReader();
      if (!this.reader) this.finished = true;
    }
    return this.reader;
  }

  /** True when the body can be read whole: a request with a declared length within the limit. */
  private readsWhole(): boolean {
    return !this.started && this.source !== null && !(this.source instanceof ReadableStream) && this.declared !== undefined && this.declared <= this.limit;
  }

  /** The next chunk, or undefined at the end of the body. */
  async next(): Promise<Uint8Array | undefined> {
    if (this.pending.length > 0) return this.pending.shift();
    return this.readChunk();
  }

  /** At least `n` bytes from the start of what is left (fewer at the end), without consuming them. */
  async peek(n: number): Promise<Uint8Array> {
    let have = this.pending.reduce((s, c) => s + c.byteLength, 0);
    while (have < n) {
      // A declared oversize body still has its first bytes looked at, as Go's readers do.
      const chunk = await this.readChunk(false);
      if (!chunk) break;
      this.pending.push(chunk);
      have += chunk.byteLength;
    }
    return concat(this.pending);
  }

  /** Everything that is left, as one buffer. */
  async readAll(): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    for (let c = await this.next(); c; c = await this.next()) chunks.push(c);
    return concat(chunks);
  }

  /** Iterates the remaining chunks. */
  async *chunks(): AsyncGenerator<Uint8Array> {
    for (let c = await this.next(); c; c = await this.next()) yield c;
  }

  /** Stops reading; the rest of the body is never received. */
  cancel(): void {
    if (this.finished) return;
    const reader = this.streamReader();
    this.finished = true;
    this.abandoned = true;
    reader?.cancel().catch(() => {});
  }

  /** True when reading stopped before the end of the body (the connection should not be reused). */
  abandoned = false;

  private async readChunk(checkDeclared = true): Promise<Uint8Array | undefined> {
    if (this.finished) return undefined;
    if (checkDeclared && this.declared !== undefined && this.declared > this.limit) this.fail(new BodyTooLargeError());
    if (this.readsWhole()) return this.readWhole();
    const reader = this.streamReader();
    if (this.finished || !reader) return undefined;
    let result: Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>["read"]>>;
    try {
      result = await reader.read();
    } catch (err) {
      this.fail(new BodyReadError(err instanceof Error ? err.message : String(err), { cause: err }));
    }
    if (result.done) {
      this.finished = true;
      return undefined;
    }
    this.received += result.value.byteLength;
    if (this.received > this.limit) this.fail(new BodyTooLargeError());
    return result.value;
  }

  /** The whole body in one read; the next read reports its end. */
  private async readWhole(): Promise<Uint8Array | undefined> {
    this.started = true;
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await (this.source as Pick<Request, "arrayBuffer">).arrayBuffer());
    } catch (err) {
      this.finished = true;
      this.abandoned = true;
      throw new BodyReadError(err instanceof Error ? err.message : String(err), { cause: err });
    }
    this.finished = true;
    this.received = bytes.byteLength;
    if (this.received > this.limit) this.fail(new BodyTooLargeError());
    return bytes.byteLength > 0 ? bytes : undefined;
  }

  private fail(err: Error): never {
    this.cancel();
    throw err;
  }
}

/** Joins chunks into one buffer (no copy for a single chunk). */
export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const total = chunks.reduce((s, c) => s + c.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Collects chunks from `source`, failing as soon as their total passes `limit`. */
export async function collectLimited(source: AsyncIterable<Uint8Array>, limit: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const c of source) {
    total += c.byteLength;
    if (total > limit) throw new BodyTooLargeError();
    chunks.push(c);
  }
  return concat(chunks);
}
