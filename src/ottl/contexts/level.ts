// What one level of the telemetry hierarchy offers to paths: its fields, its whole-object path,
// and the enum symbols it defines (ottl.md §3).

import type { PathDef } from "../paths.ts";
import type { ContextName } from "../tctx.ts";

/** One level (resource, scope, span, …): the fields reachable as `<level>.<field>`. */
export interface Level {
  readonly name: ContextName;
  readonly fields: Readonly<Record<string, PathDef>>;
  /** The bare `<level>` path (whole object), when it exists. */
  readonly self?: PathDef;
  /** Enum symbols this level defines. */
  readonly enums?: Readonly<Record<string, bigint>>;
}
