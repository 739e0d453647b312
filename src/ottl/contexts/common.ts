// The resource and scope levels (ottl.md §3.2, §3.3).

import { create } from "@bufbuild/protobuf";
import { type InstrumentationScope, InstrumentationScopeSchema } from "../../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import { fail } from "../errors.ts";
import { int32Field, mapPath, opaquePath, stringField } from "../paths.ts";
import type { TransformContext } from "../tctx.ts";
import { Opaque, PMap } from "../values.ts";
import type { Level } from "./level.ts";

/** The resource level. */
export const resourceLevel: Level = {
  name: "resource",
  self: opaquePath((tctx) => new Opaque("resource", tctx.resource), "the whole resource cannot be replaced; set its fields"),
  fields: {
    attributes: mapPath((tctx) => new PMap(tctx.resource.attributes), "resource.attributes"),
    dropped_attributes_count: int32Field(
      (tctx) => tctx.resource.droppedAttributesCount,
      (tctx, v) => (tctx.resource.droppedAttributesCount = v),
      "resource.dropped_attributes_count",
      true,
    ),
    schema_url: stringField(
      (tctx) => tctx.resourceHolder?.schemaUrl ?? "",
      (tctx, v) => {
        if (!tctx.resourceHolder) fail("resource.schema_url is not available here");
        tctx.resourceHolder.schemaUrl = v;
      },
      "resource.schema_url",
    ),
  },
};

const EMPTY_SCOPE: InstrumentationScope = create(InstrumentationScopeSchema);

/** The scope for reading: an empty one when the entry has none (never written to). */
function readScope(tctx: TransformContext): InstrumentationScope {
  return tctx.scopeHolder?.scope ?? tctx.scope ?? EMPTY_SCOPE;
}

/** The scope for writing: created on the entry when missing. */
function writeScope(tctx: TransformContext): InstrumentationScope {
  const holder = tctx.scopeHolder;
  if (holder) return (holder.scope ??= create(InstrumentationScopeSchema));
  if (tctx.scope) return tctx.scope;
  fail("the instrumentation scope is not available here");
}

/** The scope level (`scope.*` and `instrumentation_scope.*`). */
export const scopeLevel: Level = {
  name: "scope",
  self: opaquePath((tctx) => new Opaque("instrumentation_scope", readScope(tctx)), "the whole scope cannot be replaced; set its fields"),
  fields: {
    name: stringField((tctx) => readScope(tctx).name, (tctx, v) => (writeScope(tctx).name = v), "scope.name"),
    version: stringField((tctx) => readScope(tctx).version, (tctx, v) => (writeScope(tctx).version = v), "scope.version"),
    attributes: mapPath((tctx) => new PMap(tctx.scopeHolder?.scope || tctx.scope ? readScope(tctx).attributes : writeScope(tctx).attributes), "scope.attributes"),
    dropped_attributes_count: int32Field(
      (tctx) => readScope(tctx).droppedAttributesCount,
      (tctx, v) => (writeScope(tctx).droppedAttributesCount = v),
      "scope.dropped_attributes_count",
      true,
    ),
    schema_url: stringField(
      (tctx) => tctx.scopeHolder?.schemaUrl ?? "",
      (tctx, v) => {
        if (!tctx.scopeHolder) fail("scope.schema_url is not available here");
        tctx.scopeHolder.schemaUrl = v;
      },
      "scope.schema_url",
    ),
  },
};
