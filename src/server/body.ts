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

/** A request body read chunk by chunk, failing once more than `limit` bytes have arrived. */
export class LimitedBody {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  private readonly pending: Uint8Array[] = [];
  private received = 0;
  private finished = false;

  constructor(
    stream: ReadableStream<Uint8Array> | null,
    readonly limit: number,
    /** The declared Content-Length, if any: a body declared too large is refused unread. */
    private readonly declared?: number,
  ) {
    this.reader = stream?.getReader();
    if (!this.reader) this.finished = true;
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
    this.finished = true;
    this.abandoned = true;
    this.reader?.cancel().catch(() => {});
  }

  /** True when reading stopped before the end of the body (the connection should not be reused). */
  abandoned = false;

  private async readChunk(checkDeclared = true): Promise<Uint8Array | undefined> {
    if (this.finished || !this.reader) return undefined;
    if (checkDeclared && this.declared !== undefined && this.declared > this.limit) this.fail(new BodyTooLargeError());
    let result: Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>["read"]>>;
    try {
      result = await this.reader.read();
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
