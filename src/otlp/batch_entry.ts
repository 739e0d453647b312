// Resource entries, the unit a batch is made of. An entry is either lite (a LiteEntry wrapping
// the generated *Lite message: resource decoded, scope entries raw bytes with cached item
// counts) or full (the generated ResourceSpans / ResourceMetrics / ResourceLogs message itself).
// Raw scope bytes are never written to after decoding, so clones and split halves share them.

import { create } from "@bufbuild/protobuf";
import type { UnknownField } from "@bufbuild/protobuf";
import { ResourceSchema } from "../../gen/opentelemetry/proto/resource/v1/resource_pb.ts";
import type { Resource } from "../../gen/opentelemetry/proto/resource/v1/resource_pb.ts";
import { type Codec, type EntryMsg, type ScopeMsg, countEntry, countScope, listOf, setList } from "./batch_signals.ts";
import { splitFullScope, splitScopeBytes } from "./batch_split.ts";
import { copy, decode, encode, measure } from "./codec.ts";
import { BatchDecodeError, WT_LEN, varintSize } from "./wire.ts";

/** A lite resource entry with its cached counts. */
export class LiteEntry {
  constructor(
    /** The generated *Lite message; its scope list holds the raw scope bytes. */
    readonly msg: EntryMsg,
    /** Items per scope entry, parallel to the scope list; replaced, never mutated. */
    public counts: number[],
    /** Encoded size of everything but the scope entries (approximate once the resource changes). */
    public base: number,
  ) {}

  /** Total items, cached. */
  items = -1;
}

/** A resource entry in either view. */
export type Entry = LiteEntry | EntryMsg;

/** Approximate encoded sizes of full entries, computed at most once per message. */
const fullSizes = new WeakMap<EntryMsg, number>();

/** Resources that resources() made up for entries that had none; encoded only once changed. */
const madeUp = new WeakSet<Resource>();

/** Encoded size of a length-delimited field with an n-byte payload. */
function framed(n: number): number {
  return 1 + varintSize(n) + n;
}

/** Wraps a freshly decoded lite message; `counts` and `size` come from the scan. */
export function liteEntry(codec: Codec, msg: EntryMsg, counts: number[], size: number): LiteEntry {
  let scopeBytes = 0;
  for (const s of listOf<Uint8Array>(msg, codec.scopesKey)) scopeBytes += framed(s.length);
  return new LiteEntry(msg, counts, size - scopeBytes);
}

/** Items of an entry (cached for lite entries, counted for full ones, which callers may change). */
export function itemsOf(codec: Codec, e: Entry): number {
  if (!(e instanceof LiteEntry)) return countEntry(codec, e);
  if (e.items < 0) e.items = e.counts.reduce((a, b) => a + b, 0);
  return e.items;
}

/** Approximate encoded size of an entry, tag and length included. */
export function sizeOf(codec: Codec, e: Entry): number {
  if (e instanceof LiteEntry) {
    let n = e.base;
    for (const s of listOf<Uint8Array>(e.msg, codec.scopesKey)) n += framed(s.length);
    return n;
  }
  let n = fullSizes.get(e);
  if (n === undefined) {
    n = framed(measure(codec.fullEntry, e).size); // the size pass only, nothing written
    fullSizes.set(e, n);
  }
  return n;
}

/** The entry's Resource, created (and remembered as made up) when the entry has none. */
export function resourceOf(e: Entry): Resource {
  const msg = e instanceof LiteEntry ? e.msg : e;
  if (msg.resource) return msg.resource;
  const r = create(ResourceSchema);
  madeUp.add(r);
  msg.resource = r;
  return r;
}

/** Whether msg's resource was made up by resourceOf() and is still empty (so it is not encoded). */
function unusedResource(msg: EntryMsg): boolean {
  const r = msg.resource;
  return r !== undefined && madeUp.has(r) && r.attributes.length === 0 && r.droppedAttributesCount === 0 && r.entityRefs.length === 0 && !r.$unknown;
}

/** The entry as a full message; for a lite entry, a new message sharing the Resource. */
export function fullOf(codec: Codec, e: Entry): EntryMsg {
  if (!(e instanceof LiteEntry)) return e;
  const full = create(codec.fullEntry) as EntryMsg;
  if (e.msg.resource) full.resource = e.msg.resource;
  full.schemaUrl = e.msg.schemaUrl;
  if (e.msg.$unknown) full.$unknown = e.msg.$unknown;
  setList(full, codec.scopesKey, listOf<Uint8Array>(e.msg, codec.scopesKey).map((b) => decodeScope(codec, b)));
  fullSizes.set(full, sizeOf(codec, e));
  return full;
}

function decodeScope(codec: Codec, bytes: Uint8Array): ScopeMsg {
  try {
    return decode(codec.scope, bytes) as ScopeMsg;
  } catch (err) {
    // Unreachable for scanned input; kept so a decoder disagreement surfaces as bad input.
    throw new BatchDecodeError(`cannot decode ${codec.scope.typeName}: ${(err as Error).message}`, { cause: err });
  }
}

/** A deep copy; raw scope bytes are shared (immutable), everything mutable is copied. */
export function cloneEntry(codec: Codec, e: Entry): Entry {
  if (!(e instanceof LiteEntry)) {
    const c = cloneFull(codec, e);
    const size = fullSizes.get(e);
    if (size !== undefined) fullSizes.set(c, size);
    return c;
  }
  const c = new LiteEntry(liteShell(codec, e.msg), e.counts, e.base);
  c.items = e.items;
  setList(c.msg, codec.scopesKey, listOf<Uint8Array>(e.msg, codec.scopesKey).slice());
  return c;
}

/** A deep copy (codec.ts copy(), what clone() gives), keeping track of a made-up resource. */
function cloneFull(codec: Codec, e: EntryMsg): EntryMsg {
  const c = copy(codec.fullEntry, e) as EntryMsg;
  if (e.resource && c.resource && madeUp.has(e.resource)) madeUp.add(c.resource);
  return c;
}

/** A new lite message with a copy of msg's resource, schema URL and unknown fields, and no scopes. */
function liteShell(codec: Codec, msg: EntryMsg): EntryMsg {
  const shell = create(codec.liteEntry) as EntryMsg;
  if (msg.resource) {
    shell.resource = copy(ResourceSchema, msg.resource);
    if (madeUp.has(msg.resource)) madeUp.add(shell.resource);
  }
  shell.schemaUrl = msg.schemaUrl;
  if (msg.$unknown) shell.$unknown = msg.$unknown.map((u): UnknownField => ({ ...u }));
  return shell;
}

/** Cuts an entry in two (0 < k < items): returns the head with the first `k` items; `e` keeps the rest. */
export function splitEntry(codec: Codec, e: Entry, k: number): Entry {
  return e instanceof LiteEntry ? splitLite(codec, e, k) : splitFull(codec, e, k);
}

function splitLite(codec: Codec, e: LiteEntry, k: number): LiteEntry {
  const scopes = listOf<Uint8Array>(e.msg, codec.scopesKey);
  const counts = e.counts;
  const total = itemsOf(codec, e);
  let i = 0;
  let taken = 0;
  while (i < scopes.length && taken < k && taken + counts[i]! <= k) taken += counts[i++]!;
  const headScopes = scopes.slice(0, i);
  const headCounts = counts.slice(0, i);
  const tailScopes = scopes.slice(i);
  const tailCounts = counts.slice(i);
  if (taken < k) {
    const [head, tail] = splitScopeBytes(codec, scopes[i]!, k - taken);
    headScopes.push(head);
    headCounts.push(k - taken);
    tailScopes[0] = tail;
    tailCounts[0] = counts[i]! - (k - taken);
  }
  const first = new LiteEntry(liteShell(codec, e.msg), headCounts, e.base);
  first.items = k;
  setList(first.msg, codec.scopesKey, headScopes);
  setList(e.msg, codec.scopesKey, tailScopes);
  e.counts = tailCounts;
  e.items = total - k;
  return first;
}

function splitFull(codec: Codec, e: EntryMsg, k: number): EntryMsg {
  const size = fullSizes.get(e);
  const total = countEntry(codec, e);
  const scopes = listOf<ScopeMsg>(e, codec.scopesKey);
  setList(e, codec.scopesKey, []); // detached so copy() copies only the resource part
  const head = cloneFull(codec, e);
  const moved: ScopeMsg[] = [];
  let taken = 0;
  let i = 0;
  for (; i < scopes.length && taken < k; i++) {
    const n = countScope(codec, scopes[i]!);
    if (taken + n > k) {
      moved.push(splitFullScope(codec, scopes[i]!, k - taken));
      taken = k;
      break;
    }
    moved.push(scopes[i]!);
    taken += n;
  }
  setList(head, codec.scopesKey, moved);
  setList(e, codec.scopesKey, scopes.slice(i));
  if (size !== undefined) {
    // Sizes of full entries are estimates anyway; share them out by item count.
    const headSize = Math.round((size * k) / total);
    fullSizes.set(head, headSize);
    fullSizes.set(e, size - headSize);
  }
  return head;
}

/** Where an encoding is written: a view of exactly `size` bytes (the default allocates one). */
export type Alloc = (size: number) => Uint8Array<ArrayBuffer>;

/** Encodes resource entries as an Export*ServiceRequest, into a buffer from `alloc` when given. */
export function encodeEntries(codec: Codec, entries: readonly Entry[], alloc?: Alloc): Uint8Array<ArrayBuffer> {
  const msgs = entries.map((e) => (e instanceof LiteEntry ? e.msg : e));
  // A made-up, untouched resource is left out for the call, so input without a resource
  // re-encodes byte for byte; it is put back because callers may still hold and change it.
  const hidden: [EntryMsg, Resource][] = [];
  for (const m of msgs) {
    if (unusedResource(m)) {
      hidden.push([m, m.resource!]);
      m.resource = undefined;
    }
  }
  try {
    return encodeMsgs(codec, entries, msgs, alloc);
  } finally {
    for (const [m, r] of hidden) m.resource = r;
  }
}

function encodeMsgs(codec: Codec, entries: readonly Entry[], msgs: EntryMsg[], alloc?: Alloc): Uint8Array<ArrayBuffer> {
  const lite = entries.filter((e) => e instanceof LiteEntry).length;
  if (lite === entries.length || lite === 0) {
    // The common, uniform case: one encode call. For lite entries that is the resource, the raw
    // scope bytes (copied once, into a buffer of the exact size) and the schema URL.
    const schema = lite === 0 ? codec.fullRequest : codec.liteRequest;
    const req = create(schema);
    setList(req, codec.entriesKey, msgs);
    if (!alloc) return encode(schema, req);
    const m = measure(schema, req);
    const buf = alloc(m.size);
    m.writeTo(buf, 0);
    return buf;
  }
  // Mixed: both views are wire-identical, so each entry is sized with its own schema and
  // written in place.
  const tag = codec.fullRequest.field[codec.entriesKey]!.number * 8 + WT_LEN;
  const parts = entries.map((e, i) => measure(e instanceof LiteEntry ? codec.liteEntry : codec.fullEntry, msgs[i]!));
  let total = 0;
  for (const p of parts) total += varintSize(tag) + varintSize(p.size) + p.size;
  const buf = alloc ? alloc(total) : new Uint8Array(total);
  let pos = 0;
  for (const p of parts) {
    pos = putVarint(buf, pos, tag);
    pos = putVarint(buf, pos, p.size);
    p.writeTo(buf, pos);
    pos += p.size;
  }
  return buf;
}

function putVarint(buf: Uint8Array, pos: number, v: number): number {
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}
