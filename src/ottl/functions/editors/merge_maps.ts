// merge_maps(target, source, strategy) — ottl.md §5.1.

import { type PMap, type Value, defineEditor } from "../../function_api.ts";

/** Merges `source` into `target`: insert = only new keys, update = only existing, upsert = both. */
export const mergeMaps = defineEditor({
  name: "merge_maps",
  params: {
    target: "PMapGetter",
    source: "PMapGetter",
    strategy: { type: "string", oneOf: ["insert", "update", "upsert"] },
  },
  create({ target, source, strategy }) {
    return (tctx) => {
      const into = target.get(tctx);
      // Snapshot first: merging a map into itself (or a sub-map) must not see its own writes.
      merge(into, source.get(tctx).entries(), strategy);
    };
  },
});

function merge(into: PMap, from: ReadonlyArray<[string, Value]>, strategy: string): void {
  for (const [k, v] of from) {
    const exists = into.has(k);
    if (strategy === "upsert" || (strategy === "insert" && !exists) || (strategy === "update" && exists)) into.set(k, v);
  }
}
