// The scope expressions are evaluated in: the standard library, plus every component's exports
// placed at the path its id spells (`otelcol.processor.batch.default` → scope.otelcol.processor
// .batch.default), so that `a.b.c.input` is plain field access.

import { type ObjectValue, type Value, isObject } from "./value.ts";

/** Builds the evaluation scope from the globals and the exports of `entries`. */
export function buildScope(globals: ObjectValue, entries: Map<string, { exports: ObjectValue; node: { kind: string } }>): ObjectValue {
  const root: ObjectValue = { ...globals };
  for (const [id, e] of entries) {
    if (e.node.kind !== "component") continue;
    place(root, id.split("."), e.exports);
  }
  return root;
}

function place(root: ObjectValue, path: string[], value: ObjectValue): void {
  let at = root;
  for (const part of path.slice(0, -1)) {
    const existing: Value | undefined = at[part];
    // Copy rather than mutate: a component id may share a prefix with a stdlib namespace.
    const next: ObjectValue = existing !== undefined && isObject(existing) ? { ...existing } : {};
    at[part] = next;
    at = next;
  }
  at[path[path.length - 1]!] = value;
}
