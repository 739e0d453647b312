// The batch that flows between otelcol components (design.md "The batch that flows"). It starts
// lite: resources decoded, scope entries kept as the raw bytes that arrived, so the common path
// (enrich resources, concatenate, split, re-encode) never builds span, data point or log record
// objects. full() upgrades it once, for the processors that need items.

import { create } from "@bufbuild/protobuf";
import type { ResourceLogs } from "../../gen/opentelemetry/proto/logs/v1/logs_pb.ts";
import type { ResourceMetrics } from "../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import type { Resource } from "../../gen/opentelemetry/proto/resource/v1/resource_pb.ts";
import type { ResourceSpans } from "../../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import { type Alloc, type Entry, LiteEntry, cloneEntry, encodeEntries, fullOf, itemsOf, liteEntry, resourceOf, sizeOf, splitEntry } from "./batch_entry.ts";
import { type Route, partitionEntries } from "./batch_partition.ts";
import { scan } from "./batch_scan.ts";
import { decode } from "./codec.ts";
import { type Codec, type EntryMsg, type Signal, codecs, listOf } from "./batch_signals.ts";
import { formatOtlpJson, parseOtlpJson } from "./json.ts";
import { BatchDecodeError } from "./wire.ts";

export type { Signal } from "./batch_signals.ts";
export type { Route } from "./batch_partition.ts";
export { BatchDecodeError } from "./wire.ts";
export { decodeResponse, encodeResponse, type PartialSuccess } from "./response.ts";

/** Client metadata (HTTP headers / gRPC metadata), keys lowercase. */
export type ClientMetadata = ReadonlyMap<string, readonly string[]>;

/** Fully decoded resource entries of a signal. */
export type FullResources<S extends Signal> = S extends "traces" ? ResourceSpans[] : S extends "metrics" ? ResourceMetrics[] : ResourceLogs[];

const NO_METADATA: ClientMetadata = new Map();

/** SOLDER_FULL_DECODE=1 turns lite batches off: decode() upgrades to full at once (for `make bench` comparisons). */
const FULL_DECODE = process.env.SOLDER_FULL_DECODE === "1";

/** OTLP data of one signal, lite (raw scope bytes) or full (generated messages), as components pass it on. */
export class Batch<S extends Signal> {
  /** Client metadata; shared between clones because it is never mutated. */
  metadata: ClientMetadata;
  private readonly codec: Codec;

  private constructor(
    readonly signal: S,
    /** Lite entries and full messages; once all are full, full() hands out this very array. */
    private entries: Entry[],
    metadata: ClientMetadata | undefined,
  ) {
    this.codec = codecs[signal];
    this.metadata = metadata ?? NO_METADATA;
  }

  /**
   * Decodes an Export*ServiceRequest into a lite batch. The whole request is validated first (see
   * batch_scan.ts), so later upgrades cannot fail. Keeps views into `bytes`: don't modify it after.
   */
  static decode<S extends Signal>(signal: S, bytes: Uint8Array, metadata?: ClientMetadata): Batch<S> {
    const codec = codecs[signal];
    const found = scan(bytes, codec.shape);
    let req;
    try {
      req = decode(codec.liteRequest, bytes);
    } catch (err) {
      // Unreachable for scanned input; kept so a decoder disagreement surfaces as bad input.
      throw new BatchDecodeError(`invalid ${codec.fullRequest.typeName}: ${(err as Error).message}`, { cause: err });
    }
    const msgs = listOf<EntryMsg>(req, codec.entriesKey);
    const entries: Entry[] = new Array(msgs.length);
    let scope = 0;
    for (let i = 0; i < msgs.length; i++) {
      const n = listOf<Uint8Array>(msgs[i]!, codec.scopesKey).length;
      entries[i] = liteEntry(codec, msgs[i]!, found.scopeCounts.slice(scope, scope + n), found.entrySizes[i]!);
      scope += n;
    }
    const batch = new Batch(signal, entries, metadata);
    if (FULL_DECODE) batch.full();
    return batch;
  }

  /** Decodes OTLP/JSON (hex ids, enum names or numbers, 64-bit ints as strings or numbers) into a full batch. */
  static fromJson<S extends Signal>(signal: S, text: string, metadata?: ClientMetadata): Batch<S> {
    const codec = codecs[signal];
    const req = parseOtlpJson(codec.fullRequest, text);
    return new Batch(signal, listOf<EntryMsg>(req, codec.entriesKey), metadata);
  }

  /** Wraps fully decoded resource entries; the batch takes ownership of the array. */
  static fromResources<S extends Signal>(signal: S, resources: FullResources<S>, metadata?: ClientMetadata): Batch<S> {
    return new Batch(signal, resources as unknown as EntryMsg[], metadata);
  }

  /** An empty batch. */
  static empty<S extends Signal>(signal: S, metadata?: ClientMetadata): Batch<S> {
    return new Batch(signal, [], metadata);
  }

  /** Spans / data points / log records, without decoding a lite batch. */
  itemCount(): number {
    let n = 0;
    for (const e of this.entries) n += itemsOf(this.codec, e);
    return n;
  }

  /** Number of resource entries. */
  resourceCount(): number {
    return this.entries.length;
  }

  /** The Resource of every entry, mutable in place; never upgrades. An absent resource is created. */
  resources(): Resource[] {
    return this.entries.map(resourceOf);
  }

  /** Scope entries (ScopeSpans, …) of every resource entry, parallel to resources(); never upgrades. */
  scopesPerResource(): number[] {
    return this.entries.map((e) => listOf<unknown>(e instanceof LiteEntry ? e.msg : e, this.codec.scopesKey).length);
  }

  /** Sets the entry-level schema URL of every entry that has none (resourcedetection §2.2); never upgrades. */
  setSchemaUrlIfEmpty(url: string): void {
    for (const e of this.entries) {
      const msg = e instanceof LiteEntry ? e.msg : e;
      if (msg.schemaUrl === "") msg.schemaUrl = url;
    }
  }

  /** True while no entry has been decoded fully (an empty batch is lite). */
  isLite(): boolean {
    return this.entries.every((e) => e instanceof LiteEntry);
  }

  /** Full messages; upgrades lite entries once. The array is live until the next append/splitFirst. */
  full(): FullResources<S> {
    if (this.entries.some((e) => e instanceof LiteEntry)) {
      this.entries = this.entries.map((e) => fullOf(this.codec, e));
    }
    return this.entries as unknown as FullResources<S>;
  }

  /**
   * The Export*ServiceRequest bytes; untouched scope entries are byte-exact with the input. Always
   * a buffer of the caller's own (fresh, or from `alloc`), never a view into a request.
   */
  toBinary(alloc?: Alloc): Uint8Array<ArrayBuffer> {
    return encodeEntries(this.codec, this.entries, alloc);
  }

  /** OTLP/JSON (hex ids, integer enums, camelCase); a lite batch stays lite. */
  toJson(): string {
    const req = create(this.codec.fullRequest);
    (req as unknown as Record<string, EntryMsg[]>)[this.codec.entriesKey] = this.entries.map((e) => fullOf(this.codec, e));
    return formatOtlpJson(this.codec.fullRequest, req);
  }

  /** Approximate encoded size in bytes: exact for a fresh decode, estimated after changes. */
  byteSize(): number {
    let n = 0;
    for (const e of this.entries) n += sizeOf(this.codec, e);
    return n;
  }

  /** A deep copy; metadata is shared (immutable), raw scope bytes are shared (never written). */
  clone(): Batch<S> {
    return new Batch(
      this.signal,
      this.entries.map((e) => cloneEntry(this.codec, e)),
      this.metadata,
    );
  }

  /** Appends other's resource entries (plain concatenation); `other` is left empty and must not be used. */
  append(other: Batch<S>): void {
    if (other === this) throw new Error("cannot append a batch to itself");
    if (other.signal !== this.signal) throw new Error(`cannot append ${other.signal} to ${this.signal}`);
    this.entries = this.entries.concat(other.entries);
    other.entries = [];
  }

  /**
   * Splits the batch into `n` batches (some possibly empty) by `route`: whole resource entries by
   * their resource, or spans / log records by trace id, read from raw bytes so lite stays lite.
   * Resource and scope grouping is kept. This batch is left empty and must not be used.
   */
  partition(n: number, route: Route): Batch<S>[] {
    const parts = partitionEntries(this.codec, this.entries, n, route);
    this.entries = [];
    return parts.map((entries) => new Batch(this.signal, entries, this.metadata));
  }

  /**
   * Removes and returns the first `max` items as a new batch; an entry or scope entry that
   * straddles the cut is split, its resource and scope duplicated into both halves. Works on
   * raw bytes for lite entries. Empty entries before the cut go with the head.
   */
  splitFirst(max: number): Batch<S> {
    if (!Number.isInteger(max) || max < 0) throw new RangeError(`splitFirst: max must be a non-negative integer, got ${max}`);
    const entries = this.entries;
    if (max >= this.itemCount()) {
      this.entries = [];
      return new Batch(this.signal, entries, this.metadata);
    }
    const head: Entry[] = [];
    let left = max;
    let i = 0;
    for (; i < entries.length && left > 0; i++) {
      const n = itemsOf(this.codec, entries[i]!);
      if (n > left) {
        head.push(splitEntry(this.codec, entries[i]!, left));
        break;
      }
      head.push(entries[i]!);
      left -= n;
    }
    this.entries = entries.slice(i);
    return new Batch(this.signal, head, this.metadata);
  }
}

/** Batch of spans. */
export type TracesBatch = Batch<"traces">;
/** Batch of metric data points. */
export type MetricsBatch = Batch<"metrics">;
/** Batch of log records. */
export type LogsBatch = Batch<"logs">;
