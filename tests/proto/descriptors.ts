// Flattens generated descriptors into the line format of shared/spec/otlp-wire/*.txt, so the
// tests can compare our schemas with the upstream wire tables line by line.
import { readFileSync } from "node:fs";
import { ScalarType } from "@bufbuild/protobuf";
import type { DescEnum, DescField, DescFile, DescMessage } from "@bufbuild/protobuf";

/** The four wire tables, as sets of lines. */
export interface WireLines {
  fields: string[];
  reserved: string[];
  enums: string[];
  services: string[];
}

/** Reads one wire table: non-empty lines, trimmed. */
export function readWireTable(name: string): string[] {
  const url = new URL(`../../../shared/spec/otlp-wire/${name}`, import.meta.url);
  return readFileSync(url, "utf8")
    .split("\n")
    .map((line) => line.trim().replace(/\s+/g, " "))
    .filter((line) => line !== "" && !line.startsWith("#"));
}

/** Reads all four wire tables. */
export function readWireTables(): WireLines {
  return {
    fields: readWireTable("otlp-fields.txt"),
    reserved: readWireTable("otlp-reserved.txt"),
    enums: readWireTable("otlp-enums.txt"),
    services: readWireTable("otlp-services.txt"),
  };
}

/** Every message of the files, depth first, parents before their nested messages. */
export function allMessages(files: readonly DescFile[]): DescMessage[] {
  const out: DescMessage[] = [];
  const visit = (m: DescMessage): void => {
    out.push(m);
    m.nestedMessages.forEach(visit);
  };
  files.forEach((f) => f.messages.forEach(visit));
  return out;
}

/** Every enum of the files, top-level and nested. */
export function allEnums(files: readonly DescFile[]): DescEnum[] {
  return [...files.flatMap((f) => f.enums), ...allMessages(files).flatMap((m) => m.nestedEnums)];
}

/** The wire type of a field: a scalar name or a fully-qualified message/enum name. */
export function fieldType(f: DescField): string {
  switch (f.fieldKind) {
    case "scalar":
      return ScalarType[f.scalar].toLowerCase();
    case "enum":
      return f.enum.typeName;
    case "message":
      return f.message.typeName;
    case "list":
      if (f.listKind === "scalar") return ScalarType[f.scalar].toLowerCase();
      return f.listKind === "enum" ? f.enum.typeName : f.message.typeName;
    case "map":
      return `map<${ScalarType[f.mapKey].toLowerCase()},${mapValueType(f)}>`;
  }
}

/** The label column: singular, optional (proto3 explicit presence), repeated or oneof:NAME. */
export function fieldLabel(f: DescField): string {
  if (f.fieldKind === "list" || f.fieldKind === "map") return "repeated";
  if (f.oneof !== undefined) return `oneof:${f.oneof.name}`;
  return f.proto.proto3Optional ? "optional" : "singular";
}

/** Flattens files into wire-table lines (fields in declaration order). */
export function wireLinesOf(files: readonly DescFile[]): WireLines {
  const messages = allMessages(files);
  const fields = messages.flatMap((m) =>
    m.fields.map((f) => `${m.typeName}.${f.name} ${f.number} ${fieldType(f)} ${fieldLabel(f)}`),
  );
  const reserved = messages.flatMap((m) =>
    m.proto.reservedRange.flatMap((r) => {
      const nums: string[] = [];
      for (let n = r.start; n < r.end; n++) nums.push(`${m.typeName} reserved ${n}`);
      return nums;
    }),
  );
  const enums = allEnums(files).flatMap((e) =>
    e.values.map((v) => `${e.typeName}.${v.name} ${v.number}`),
  );
  const services = files.flatMap((f) =>
    f.services.flatMap((s) =>
      s.methods.map(
        (m) =>
          `${s.typeName}.${m.name} ${m.input.typeName} ${m.output.typeName} /${s.typeName}/${m.name}`,
      ),
    ),
  );
  return { fields, reserved, enums, services };
}

/** Lines only in `want` and only in `got`, for an assertion with a readable diff. */
export function lineDiff(got: readonly string[], want: readonly string[]): { missing: string[]; extra: string[] } {
  const g = new Set(got);
  const w = new Set(want);
  return {
    missing: want.filter((l) => !g.has(l)),
    extra: got.filter((l) => !w.has(l)),
  };
}

function mapValueType(f: DescField & { fieldKind: "map" }): string {
  if (f.mapKind === "scalar") return ScalarType[f.scalar].toLowerCase();
  return f.mapKind === "enum" ? f.enum.typeName : f.message.typeName;
}
