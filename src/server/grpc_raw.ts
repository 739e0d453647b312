// How the gRPC server gets the request bytes for Batch.decode. Connect parses every request
// with the method's input schema before the implementation runs and offers no raw-bytes hook,
// so the methods are served with a stand-in input type that is wire-compatible with every
// Export*ServiceRequest: `repeated bytes entries = 1`. Parsing it only walks the top-level tags
// (each ResourceSpans/ResourceMetrics/ResourceLogs stays an undecoded slice); the request is
// then re-framed with one copy and decoded once, lite, by Batch.decode, which also validates it.
// Decoding the lite request in Connect instead would decode every resource twice.

import { create, createFileRegistry } from "@bufbuild/protobuf";
import type { DescMessage, DescMethod, Message } from "@bufbuild/protobuf";
import { FieldDescriptorProto_Label, FieldDescriptorProto_Type, FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { ByteBuilder } from "../otlp/wire.ts";

/** The stand-in request message: the resource entries of any Export*ServiceRequest, undecoded. */
export type RawExportRequest = Message<"solder.otlp.RawExportRequest"> & { entries: Uint8Array[] };

const file = create(FileDescriptorProtoSchema, {
  name: "solder/otlp_raw.proto",
  package: "solder.otlp",
  syntax: "proto3",
  messageType: [
    {
      name: "RawExportRequest",
      field: [{ name: "entries", jsonName: "entries", number: 1, label: FieldDescriptorProto_Label.REPEATED, type: FieldDescriptorProto_Type.BYTES }],
    },
  ],
});

/** Schema of RawExportRequest. */
export const RawExportRequestSchema: DescMessage = createFileRegistry(file, () => undefined).getMessage("solder.otlp.RawExportRequest")!;

/** The Export method of an OTLP service (lite descriptors), with the stand-in input type. */
export function rawExportMethod(method: DescMethod): DescMethod {
  return { ...method, input: RawExportRequestSchema } as DescMethod;
}

/** The Export*ServiceRequest bytes again: each entry framed as field 1. */
export function joinEntries(entries: readonly Uint8Array[]): Uint8Array {
  const b = new ByteBuilder();
  for (const e of entries) b.pushField(1, e);
  return b.finish();
}
