// Generates the deep copy of a message type: what protobuf-es's clone() returns (a fresh message
// with every set field copied, bytes sliced, sub-messages copied, the $unknown list copied but
// its entries shared) without going through the reflection API.

import { type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import { emptySource, implicit, prop, scalarOf, zeroSource } from "./plan.ts";

/** JS expression copying scalar value `x`: bytes are sliced, everything else is immutable. */
function scalarCopy(t: ScalarType, x: string): string {
  return t === ScalarType.BYTES ? `${x}.slice()` : x;
}

/** JS expression for an implicit-presence field's copy: an unset (zero) value becomes create()'s zero. */
function implicitCopy(f: DescField, x: string): string {
  const t = scalarOf(f);
  if (f.fieldKind === "enum" || t === ScalarType.STRING || t === ScalarType.BOOL) return x;
  if (t === ScalarType.BYTES) return `${x}.slice()`;
  if (t === ScalarType.DOUBLE || t === ScalarType.FLOAT) return `(Object.is(${x}, 0) ? 0 : ${x})`;
  return `(${x} == 0 ? ${zeroSource(f)} : ${x})`; // 0, 0n and "0" are unset
}

/** Source of `function name(m)` returning a deep copy of m; `fn` names another type's copy. */
export function copierSource(desc: DescMessage, name: string, fn: (d: DescMessage) => string): string {
  const lines: string[] = [];
  for (const member of desc.members) {
    const key = member.localName;
    if (member.kind === "oneof") {
      const cases = member.fields.map((f) => {
        const value = f.fieldKind === "message" ? `${fn(f.message)}(v.value)` : scalarCopy(scalarOf(f), "v.value");
        return `if (v.case === ${JSON.stringify(f.localName)}) ${prop("o", key)} = { case: v.case, value: ${value} };`;
      });
      lines.push(`{ const v = ${prop("m", key)}; ${cases.join(" else ")} }`);
      continue;
    }
    const f = member;
    const v = prop("m", key);
    if (f.fieldKind === "message") lines.push(`if (${v} !== undefined) ${prop("o", key)} = ${fn(f.message)}(${v});`);
    else if (f.fieldKind === "list") {
      const item = f.listKind === "message" ? `${fn(f.message)}(a[i])` : scalarCopy(scalarOf(f), "a[i]");
      if (item === "a[i]") lines.push(`${prop("o", key)} = ${v}.slice();`);
      else lines.push(`{ const a = ${v}; const c = ${prop("o", key)}; for (let i = 0; i < a.length; i++) c.push(${item}); }`);
    } else if (f.fieldKind === "map") throw new Error(`map field ${f.name} is not compiled`);
    else if (implicit(f)) lines.push(`${prop("o", key)} = ${implicitCopy(f, v)};`);
    else lines.push(`if (${v} !== undefined) ${prop("o", key)} = ${scalarCopy(scalarOf(f), v)};`);
  }
  return `function ${name}(m) {
  const o = ${emptySource(desc)};
  ${lines.join("\n  ")}
  const u = m.$unknown;
  if (u !== undefined && u.length > 0) o.$unknown = u.slice();
  return o;
}`;
}
