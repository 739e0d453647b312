// Generates the two encoder passes of a message type (see write.ts): `sizeN(m)` returns the
// encoded size of m's fields and records nested lengths in S, `writeN(m, w)` writes them. Both
// visit fields in the same order as protobuf-es's toBinary (by field number, unknown fields
// last) with the same presence rules, so the bytes are identical.

import { type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import { emptySource, implicit, prop, scalarOf, zeroSource } from "./plan.ts";

/** JS statements writing the bytes of tag (no, wireType), precomputed. */
function tagBytes(no: number, wt: number): string {
  let t = ((no << 3) | wt) >>> 0;
  const out: string[] = [];
  while (t > 0x7f) {
    out.push(`buf[w.pos++] = ${(t & 0x7f) | 0x80};`);
    t >>>= 7;
  }
  out.push(`buf[w.pos++] = ${t};`);
  return out.join(" ");
}

function tagSize(no: number, wt: number): number {
  const t = ((no << 3) | wt) >>> 0;
  return t < 0x80 ? 1 : t < 0x4000 ? 2 : t < 0x200000 ? 3 : t < 0x10000000 ? 4 : 5;
}

/** Wire type of a scalar type. */
function wireType(t: ScalarType): number {
  switch (t) {
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return 1;
    case ScalarType.FLOAT:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      return 5;
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return 2;
    default:
      return 0;
  }
}

/** JS expression: encoded size of value `x` (length prefix included, tag excluded). */
function sizeExpr(t: ScalarType, x: string, f: string): string {
  switch (t) {
    case ScalarType.STRING:
      return `szStr(${x}, S)`;
    case ScalarType.BOOL:
      return "1";
    case ScalarType.DOUBLE:
      return "8";
    case ScalarType.FLOAT:
      return `szF32(${x}, ${f})`;
    case ScalarType.INT32:
      return `szI32(${x}, ${f})`;
    case ScalarType.UINT32:
      return `szU32(${x}, ${f})`;
    case ScalarType.SINT32:
      return `szS32(${x}, ${f})`;
    case ScalarType.FIXED32:
      return `chk32(${x}, ${f}, false)`;
    case ScalarType.SFIXED32:
      return `chk32(${x}, ${f}, true)`;
    case ScalarType.INT64:
      return `szI64(${x}, ${f})`;
    case ScalarType.UINT64:
      return `szU64(${x}, ${f})`;
    case ScalarType.SINT64:
      return `szS64(${x}, ${f})`;
    case ScalarType.FIXED64:
      return `chk64(${x}, ${f}, false)`;
    case ScalarType.SFIXED64:
      return `chk64(${x}, ${f}, true)`;
    case ScalarType.BYTES:
      return `szBytes(${x})`;
  }
}

/** JS statement writing value `x` (no tag). */
function writeStmt(t: ScalarType, x: string): string {
  switch (t) {
    case ScalarType.STRING:
      return `wStr(w, ${x}, S[w.i++]);`;
    case ScalarType.BOOL:
      return `buf[w.pos++] = ${x} ? 1 : 0;`;
    case ScalarType.DOUBLE:
      return `w.view.setFloat64(w.pos, ${x}, true); w.pos += 8;`;
    case ScalarType.FLOAT:
      return `w.view.setFloat32(w.pos, ${x}, true); w.pos += 4;`;
    case ScalarType.INT32:
      return `wI32(w, ${x});`;
    case ScalarType.UINT32:
      return `wv(w, +${x});`;
    case ScalarType.SINT32:
      return `{ const z = +${x}; wv(w, ((z << 1) ^ (z >> 31)) >>> 0); }`;
    case ScalarType.FIXED32:
      return `w.view.setUint32(w.pos, +${x}, true); w.pos += 4;`;
    case ScalarType.SFIXED32:
      return `w.view.setInt32(w.pos, +${x}, true); w.pos += 4;`;
    case ScalarType.INT64:
    case ScalarType.UINT64:
      return `w64(w, ${x});`;
    case ScalarType.SINT64:
      return `w64(w, zz64(typeof ${x} === "bigint" ? ${x} : BigInt(${x})));`;
    case ScalarType.FIXED64:
      return `w.view.setBigUint64(w.pos, typeof ${x} === "bigint" ? ${x} : BigInt(${x}), true); w.pos += 8;`;
    case ScalarType.SFIXED64:
      return `w.view.setBigInt64(w.pos, typeof ${x} === "bigint" ? ${x} : BigInt(${x}), true); w.pos += 8;`;
    case ScalarType.BYTES:
      return `wBytes(w, ${x});`;
  }
}

/** JS condition: an implicit-presence field with value `v` is set (toBinary's zero checks). */
function setCond(f: DescField): string {
  if (f.fieldKind === "enum") return `v !== ${zeroSource(f)}`;
  switch (scalarOf(f)) {
    case ScalarType.BOOL:
      return "v !== false";
    case ScalarType.STRING:
      return 'v !== ""';
    case ScalarType.BYTES:
      return "(!(v instanceof Uint8Array) || v.byteLength > 0)";
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return "(v !== 0 || 1 / v < 0)"; // not +0 (-0 is written)
    default:
      return "v != 0"; // loose: 0, 0n and "0"
  }
}

/** [size statements, write statements] for one field; `fn(d, "size" | "write")` names another type's pass. */
function fieldCode(f: DescField, fn: (d: DescMessage, pass: "size" | "write") => string): [string, string] {
  const key = f.localName;
  const fname = JSON.stringify(`${f.parent.typeName}.${f.name}`);
  const get = f.oneof ? `{ const o = ${prop("m", f.oneof.localName)}; if (o.case === ${JSON.stringify(key)}) { const v = o.value;` : `{ const v = ${prop("m", key)};`;
  const end = f.oneof ? "} }" : "}";
  if (f.fieldKind === "message" || (f.fieldKind === "list" && f.listKind === "message")) {
    const ts = tagSize(f.number, 2);
    // A missing list item or oneof value is written as an empty message, as toBinary does.
    const empty = `(${emptySource(f.message)})`;
    const size = `{ const k = S.length; S.push(0); const l = ${fn(f.message, "size")}(x); S[k] = l; n += ${ts} + vsz(l) + l; }`;
    const write = `{ ${tagBytes(f.number, 2)} wv(w, S[w.i++]); ${fn(f.message, "write")}(x, w); }`;
    if (f.fieldKind === "list") {
      return [`{ const v = ${prop("m", key)}; for (let i = 0; i < v.length; i++) { const x = v[i] ?? ${empty}; ${size} } }`, `{ const v = ${prop("m", key)}; for (let i = 0; i < v.length; i++) { const x = v[i] ?? ${empty}; ${write} } }`];
    }
    const cond = f.oneof ? "" : "if (v !== undefined) ";
    return [`${get} ${cond}{ const x = v ?? ${empty}; ${size} } ${end}`, `${get} ${cond}{ const x = v ?? ${empty}; ${write} } ${end}`];
  }
  if (f.fieldKind === "map") throw new Error(`map field ${f.name} is not compiled`);
  const t = scalarOf(f);
  if (f.fieldKind === "list") {
    if (f.packed) {
      const fixed = wireType(t) === 1 ? 8 : wireType(t) === 5 ? 4 : 0;
      const body = fixed
        ? `let b = v.length * ${fixed};${t === ScalarType.DOUBLE ? "" : ` for (let i = 0; i < v.length; i++) ${sizeExpr(t, "v[i]", fname)};`}`
        : `let b = 0; for (let i = 0; i < v.length; i++) b += ${sizeExpr(t, "v[i]", fname)};`;
      return [
        `{ const v = ${prop("m", key)}; if (v.length > 0) { ${body} S.push(b); n += ${tagSize(f.number, 2)} + vsz(b) + b; } }`,
        `{ const v = ${prop("m", key)}; if (v.length > 0) { ${tagBytes(f.number, 2)} wv(w, S[w.i++]); for (let i = 0; i < v.length; i++) { ${writeStmt(t, "v[i]")} } } }`,
      ];
    }
    const ts = tagSize(f.number, wireType(t));
    return [
      `{ const v = ${prop("m", key)}; for (let i = 0; i < v.length; i++) n += ${ts} + ${sizeExpr(t, "v[i]", fname)}; }`,
      `{ const v = ${prop("m", key)}; for (let i = 0; i < v.length; i++) { ${tagBytes(f.number, wireType(t))} ${writeStmt(t, "v[i]")} } }`,
    ];
  }
  const cond = f.oneof ? "" : implicit(f) ? `if (${setCond(f)}) ` : "if (v !== undefined) ";
  const ts = tagSize(f.number, wireType(t));
  return [`${get} ${cond}n += ${ts} + ${sizeExpr(t, "v", fname)}; ${end}`, `${get} ${cond}{ ${tagBytes(f.number, wireType(t))} ${writeStmt(t, "v")} } ${end}`];
}

/**
 * Source of `function sizeName(m)` and `function writeName(m, w)` for `desc`. `foreign` is
 * the index of the type's first field in the shared table for toBinary's ForeignFieldError.
 */
export function encoderSource(desc: DescMessage, size: string, write: string, foreign: number, fn: (d: DescMessage, pass: "size" | "write") => string): string {
  const fields = desc.fields.concat().sort((a, b) => a.number - b.number);
  const code = fields.map((f) => fieldCode(f, fn));
  const check = fields.length > 0 ? `if (m.$typeName !== ${JSON.stringify(desc.typeName)}) foreign(${foreign}, m);` : "";
  return `function ${size}(m) {
  ${check}
  let n = 0;
  ${code.map((c) => c[0]).join("\n  ")}
  const u = m.$unknown;
  if (u !== undefined) for (let i = 0; i < u.length; i++) n += vsz(((u[i].no << 3) | u[i].wireType) >>> 0) + u[i].data.length;
  return n;
}
function ${write}(m, w) {
  const buf = w.buf;
  ${code.map((c) => c[1]).join("\n  ")}
  const u = m.$unknown;
  if (u !== undefined) for (let i = 0; i < u.length; i++) { const x = u[i]; wv(w, ((x.no << 3) | x.wireType) >>> 0); buf.set(x.data, w.pos); w.pos += x.data.length; }
}`;
}
