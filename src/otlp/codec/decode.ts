// Generates the decoder of a message type: one JS function per reachable type, with a switch on
// the field number and the value reads written out per field, so nothing is looked up per field
// at run time. Semantics follow protobuf-es's fromBinary: fields are dispatched by number alone
// (a wrong wire type is read as the field's type, as protobuf-es does), a repeated singular
// message merges, packed and unpacked repeated scalars are both accepted, and unknown fields are
// kept in $unknown as { no, wireType, data } with data a view of the field's value bytes.

import { type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import { emptySource, is64, longAsString, prop, scalarOf } from "./plan.ts";

/** Recursion limit of protobuf-es's fromBinary (its default readOptions). */
export const RECURSION_LIMIT = 100;

/** JS expression reading one value of scalar type `t` from reader `r`. */
function readExpr(t: ScalarType, f: DescField): string {
  const str = is64(t) && longAsString(f);
  const wrap = (e: string) => (str ? `String(${e})` : e);
  switch (t) {
    case ScalarType.STRING:
      return `str(r, ${(f as { utf8Validation?: boolean }).utf8Validation === true})`;
    case ScalarType.BOOL:
      return "bool(r)";
    case ScalarType.DOUBLE:
      return "r.view.getFloat64((r.pos += 8) - 8, true)";
    case ScalarType.FLOAT:
      return "r.view.getFloat32((r.pos += 4) - 4, true)";
    case ScalarType.INT32:
      return "(u32(r) | 0)";
    case ScalarType.UINT32:
      return "u32(r)";
    case ScalarType.SINT32:
      return "sint32(r)";
    case ScalarType.FIXED32:
      return "r.view.getUint32((r.pos += 4) - 4, true)";
    case ScalarType.SFIXED32:
      return "r.view.getInt32((r.pos += 4) - 4, true)";
    case ScalarType.INT64:
      return wrap("i64(r)");
    case ScalarType.UINT64:
      return wrap("u64(r)");
    case ScalarType.SINT64:
      return wrap("s64(r)");
    case ScalarType.FIXED64:
      return wrap("r.view.getBigUint64((r.pos += 8) - 8, true)");
    case ScalarType.SFIXED64:
      return wrap("r.view.getBigInt64((r.pos += 8) - 8, true)");
    case ScalarType.BYTES:
      return "bytes(r)";
  }
}

/** The `case` of one field in the decoder's switch. */
function fieldCase(f: DescField, fn: (d: DescMessage) => string): string {
  const key = f.localName;
  const oneof = f.oneof?.localName;
  if (f.fieldKind === "message") {
    const child = fn(f.message);
    if (oneof) {
      return `{ const l = u32(r); const o = ${prop("m", oneof)}; ${prop("m", oneof)} = { case: ${JSON.stringify(key)}, value: ${child}(r, r.pos + l, depth, o.case === ${JSON.stringify(key)} ? o.value : undefined) }; break; }`;
    }
    return `{ const l = u32(r); ${prop("m", key)} = ${child}(r, r.pos + l, depth, ${prop("m", key)}); break; }`;
  }
  if (f.fieldKind === "list") {
    if (f.listKind === "message") return `{ const l = u32(r); ${prop("m", key)}.push(${fn(f.message)}(r, r.pos + l, depth, undefined)); break; }`;
    const t = scalarOf(f);
    const read = readExpr(t, f);
    if (t === ScalarType.STRING || t === ScalarType.BYTES) return `${prop("m", key)}.push(${read}); break;`;
    return `{ const a = ${prop("m", key)}; if ((t & 7) === 2) { const e = u32(r) + r.pos; while (r.pos < e) a.push(${read}); } else a.push(${read}); break; }`;
  }
  if (f.fieldKind === "map") throw new Error(`map field ${f.name} is not compiled`);
  const read = readExpr(scalarOf(f), f);
  if (oneof) return `${prop("m", oneof)} = { case: ${JSON.stringify(key)}, value: ${read} }; break;`;
  return `${prop("m", key)} = ${read}; break;`;
}

/**
 * Source of `function name(r, end, depth, m)`: reads fields until `end` into `m` (a fresh
 * message when undefined) and returns it. `fn` names the decoder of another type.
 */
export function decoderSource(desc: DescMessage, name: string, fn: (d: DescMessage) => string): string {
  const cases = desc.fields.map((f) => `      case ${f.number}: ${fieldCase(f, fn)}`).join("\n");
  const tooDeep = `cannot decode ${String(desc)} from binary: maximum recursion depth of ${RECURSION_LIMIT} reached`;
  return `function ${name}(r, end, depth, m) {
  if (++depth > ${RECURSION_LIMIT}) throw new Error(${JSON.stringify(tooDeep)});
  let u;
  if (m === undefined) m = ${emptySource(desc)};
  else u = m.$unknown;
  while (r.pos < end) {
    const t = tag(r);
    switch (t >>> 3) {
${cases}
      default:
        (u ??= []).push({ no: t >>> 3, wireType: t & 7, data: skip(r, t & 7, t >>> 3, ${RECURSION_LIMIT} - depth) });
    }
  }
  if (u !== undefined && u.length > 0) m.$unknown = u;
  return m;
}`;
}
