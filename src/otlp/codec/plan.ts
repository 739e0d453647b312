// What the code generators need to know about a message type, and which types they can compile.
// A type that needs a protobuf-es feature the generators leave out (maps, groups, closed enums,
// proto2 defaults and presence, wrapper / Struct fields) is not compiled: codec.ts hands it,
// and every type that contains it, to protobuf-es's own functions.

import { type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import { protoInt64 } from "@bufbuild/protobuf";

const EDITION_PROTO3 = 999;
const IMPLICIT = 2;

/** Every message type reachable from `root` through message fields, root first. */
export function reachable(root: DescMessage): DescMessage[] {
  const out = [root];
  const seen = new Set(out);
  for (let i = 0; i < out.length; i++) {
    for (const f of out[i]!.fields) {
      const m = f.message;
      if (m && !seen.has(m)) {
        seen.add(m);
        out.push(m);
      }
    }
  }
  return out;
}

const WRAPPERS = new Set(["DoubleValue", "FloatValue", "Int64Value", "UInt64Value", "Int32Value", "UInt32Value", "BoolValue", "StringValue", "BytesValue"].map((n) => `google.protobuf.${n}`));

/** Why the generators cannot compile `desc` on its own, or undefined when they can. */
export function unsupported(desc: DescMessage): string | undefined {
  if (!protoInt64.supported) return "64-bit integers without BigInt";
  if (desc.file.edition !== EDITION_PROTO3) return "not proto3";
  for (const f of desc.fields) {
    if (f.fieldKind === "map") return `map field ${f.name}`;
    if ((f as { delimitedEncoding?: boolean }).delimitedEncoding) return `group field ${f.name}`;
    if (f.fieldKind === "message" && !f.oneof && (WRAPPERS.has(f.message.typeName) || f.message.typeName === "google.protobuf.Struct")) return `wrapper field ${f.name}`;
    if (f.fieldKind === "list" && f.listKind === "message" && f.message.typeName === "google.protobuf.Struct") return `Struct field ${f.name}`;
    if ((f.fieldKind === "enum" || (f.fieldKind === "list" && f.listKind === "enum")) && !f.enum!.open) return `closed enum field ${f.name}`;
    if ((f.fieldKind === "scalar" || f.fieldKind === "enum") && f.getDefaultValue() !== undefined) return `default value on ${f.name}`;
  }
  return undefined;
}

/** The scalar type a field's values are encoded with (enums are int32). */
export function scalarOf(f: DescField): ScalarType {
  if (f.fieldKind === "enum" || (f.fieldKind === "list" && f.listKind === "enum")) return ScalarType.INT32;
  return (f as { scalar: ScalarType }).scalar;
}

/** Whether a scalar / enum field without oneof has implicit presence (set means non-zero). */
export function implicit(f: DescField): boolean {
  return f.presence === IMPLICIT;
}

/** Whether 64-bit values of the field are strings (jstype = JS_STRING). */
export function longAsString(f: DescField): boolean {
  return (f as { longAsString?: boolean }).longAsString === true;
}

/** Whether the scalar type is 64 bits wide (bigint or string locally). */
export function is64(t: ScalarType): boolean {
  return t === ScalarType.INT64 || t === ScalarType.UINT64 || t === ScalarType.SINT64 || t === ScalarType.FIXED64 || t === ScalarType.SFIXED64;
}

/** JS source of a field's zero value as create() sets it. */
export function zeroSource(f: DescField): string {
  if (f.fieldKind === "enum") return String(f.enum.values[0]!.number);
  const t = scalarOf(f);
  if (is64(t)) return longAsString(f) ? '"0"' : "0n";
  switch (t) {
    case ScalarType.STRING:
      return '""';
    case ScalarType.BOOL:
      return "false";
    case ScalarType.BYTES:
      return "new Uint8Array(0)";
    default:
      return "0";
  }
}

/** JS source of a fresh message as create(desc) returns it: members in declaration order. */
export function emptySource(desc: DescMessage): string {
  const parts = [`$typeName: ${JSON.stringify(desc.typeName)}`];
  for (const m of desc.members) {
    const key = JSON.stringify(m.localName);
    if (m.kind === "oneof") parts.push(`${key}: { case: undefined }`);
    else if (m.fieldKind === "list") parts.push(`${key}: []`);
    else if (m.fieldKind === "map") parts.push(`${key}: {}`);
    else if (m.fieldKind !== "message" && implicit(m)) parts.push(`${key}: ${zeroSource(m)}`);
  }
  return `{ ${parts.join(", ")} }`;
}

/** A property access in generated code. */
export function prop(obj: string, key: string): string {
  return `${obj}[${JSON.stringify(key)}]`;
}
