// Compiled protobuf codecs for the OTLP data path: decode / encode / copy give what protobuf-es's
// fromBinary / toBinary / clone give (same objects, same bytes, same errors), from JS source
// generated once per message type on first use (codec/decode.ts, encode.ts, copy.ts) and compiled
// with new Function, so no descriptor is walked per message. A type the generators do not cover
// (codec/plan.ts `unsupported`) falls back to protobuf-es itself. SOLDER_PROTOBUF_ES_CODEC=1
// turns the compiled codecs off everywhere, for A/B profiling.

import { type DescField, type DescMessage, type MessageShape, clone, fromBinary, toBinary } from "@bufbuild/protobuf";
import { copierSource } from "./codec/copy.ts";
import { decoderSource } from "./codec/decode.ts";
import { encoderSource } from "./codec/encode.ts";
import { reachable, unsupported } from "./codec/plan.ts";
import * as read from "./codec/read.ts";
import * as write from "./codec/write.ts";

interface Compiled {
  decode(bytes: Uint8Array): unknown;
  encode(msg: unknown): Uint8Array<ArrayBuffer>;
  measure(msg: unknown): Measured;
  copy(msg: unknown): unknown;
}

/** A message sized for encoding, for callers that place its bytes in a buffer of their own. */
export interface Measured {
  /** Encoded size in bytes. */
  readonly size: number;
  /** Writes exactly `size` bytes (what encode() returns) at `pos` of `buf`; the message must not change in between. */
  writeTo(buf: Uint8Array<ArrayBuffer>, pos: number): void;
}

const REFLECT = process.env.SOLDER_PROTOBUF_ES_CODEC === "1";

const compiled = new WeakMap<DescMessage, Compiled>();

/** Parses `bytes` as `schema`, like fromBinary(schema, bytes); throws on invalid input. Keeps views into `bytes` for bytes fields. */
export function decode<Desc extends DescMessage>(schema: Desc, bytes: Uint8Array): MessageShape<Desc> {
  return codecOf(schema).decode(bytes) as MessageShape<Desc>;
}

/** Serializes `msg`, byte-identical to toBinary(schema, msg). */
export function encode<Desc extends DescMessage>(schema: Desc, msg: MessageShape<Desc>): Uint8Array<ArrayBuffer> {
  return codecOf(schema).encode(msg);
}

/** Sizes `msg` for writing into a caller's buffer: no allocation or copy of its own bytes. */
export function measure<Desc extends DescMessage>(schema: Desc, msg: MessageShape<Desc>): Measured {
  return codecOf(schema).measure(msg);
}

/** A deep copy of `msg`, equal to clone(schema, msg). */
export function copy<Desc extends DescMessage>(schema: Desc, msg: MessageShape<Desc>): MessageShape<Desc> {
  return codecOf(schema).copy(msg) as MessageShape<Desc>;
}

/** Whether `schema` gets a compiled codec (false: protobuf-es's functions are used). */
export function isCompiled(schema: DescMessage): boolean {
  return !REFLECT && reachable(schema).every((d) => unsupported(d) === undefined);
}

function codecOf(schema: DescMessage): Compiled {
  let c = compiled.get(schema);
  if (c === undefined) {
    c = isCompiled(schema) ? compile(schema) : reflective(schema);
    compiled.set(schema, c);
  }
  return c;
}

function reflective(schema: DescMessage): Compiled {
  return {
    decode: (bytes) => fromBinary(schema, bytes),
    encode: (msg) => toBinary(schema, msg as never),
    measure: (msg) => {
      const bytes = toBinary(schema, msg as never);
      return { size: bytes.length, writeTo: (buf, pos) => buf.set(bytes, pos) };
    },
    copy: (msg) => clone(schema, msg as never),
  };
}

/** toBinary's error for a message of another type in a field. */
class ForeignFieldError extends Error {
  override name = "ForeignFieldError";
  constructor(
    private readonly f: DescField,
    typeName: string,
  ) {
    super(`cannot use ${String(f)} with message ${typeName}`);
  }
  field(): DescField {
    return this.f;
  }
}

/** Generates and compiles the three functions of every type reachable from `root`, as one unit. */
function compile(root: DescMessage): Compiled {
  const types = reachable(root);
  const index = new Map(types.map((t, i) => [t, i]));
  const firstFields = types.map((t) => t.fields.concat().sort((a, b) => a.number - b.number)[0]!);
  const n = (d: DescMessage) => index.get(d)!;
  const src = [
    '"use strict";',
    "const { Reader, tag, u32, i64, u64, s64, sint32, bool, bytes, str, skip } = h.read;",
    "const { Writer, vsz, szI32, szU32, szS32, chk32, szF32, szI64, szU64, szS64, chk64, szStr, szBytes, zz64, wv, wI32, w64, wStr, wBytes } = h.write;",
    "const foreign = h.foreign;",
    "let S = [];",
    ...types.map((t, i) => decoderSource(t, `d${i}`, (d) => `d${n(d)}`)),
    ...types.map((t, i) => encoderSource(t, `s${i}`, `w${i}`, i, (d, pass) => `${pass === "size" ? "s" : "w"}${n(d)}`)),
    ...types.map((t, i) => copierSource(t, `c${i}`, (d) => `c${n(d)}`)),
    `return {
  decode(bytes) { const r = new Reader(bytes); return d0(r, r.len, 0, undefined); },
  encode(m) { S.length = 0; const size = s0(m); const w = new Writer(new Uint8Array(size), 0); w0(m, w); return w.buf; },
  measure(m) {
    // Lengths of its own: other encodings may run before writeTo.
    const shared = S;
    const mine = (S = []);
    let size;
    try {
      size = s0(m);
    } finally {
      S = shared;
    }
    return { size, writeTo(buf, pos) { const saved = S; S = mine; try { w0(m, new Writer(buf, pos)); } finally { S = saved; } } };
  },
  copy: c0,
};`,
  ].join("\n");
  const foreign = (i: number, m: { $typeName: string }) => {
    throw new ForeignFieldError(firstFields[i]!, m.$typeName);
  };
  return new Function("h", src)({ read, write, foreign }) as Compiled;
}
