// flatten(target, Optional[prefix], Optional[depth], Optional[resolve_conflicts]) — ottl.md §5.1.

import { PList, PMap, type Value, defineEditor } from "../../function_api.ts";

/**
 * Lifts nested maps into dotted keys (`a.b.c`) and list elements into `key.0`, `key.1`; `depth`
 * limits how many levels are lifted. With resolve_conflicts, list elements keep their key and
 * any key already taken gets the next free suffix `.0`, `.1`, … (upstream's documented output).
 */
export const flatten = defineEditor({
  name: "flatten",
  params: {
    target: "PMapGetter",
    prefix: { type: "string", optional: true },
    depth: { type: "int", optional: true },
    resolve_conflicts: { type: "bool", optional: true },
  },
  create({ target, prefix, depth, resolve_conflicts }, cx) {
    if (depth !== undefined && depth < 0n) cx.fail("depth", `invalid depth for flatten function, ${depth} cannot be negative`);
    const maxDepth = depth === undefined ? Infinity : Number(depth);
    return (tctx) => {
      const m = target.get(tctx);
      const out = new Flattened(resolve_conflicts === true);
      flattenMap(m, out, prefix ?? "", 0, maxDepth);
      m.replaceWith(PMap.of(out.entries));
    };
  },
});

class Flattened {
  readonly entries = new Map<string, Value>();
  private readonly counters = new Map<string, number>();
  constructor(readonly resolveConflicts: boolean) {}

  put(key: string, v: Value): void {
    if (this.resolveConflicts && this.entries.has(key)) {
      let n = this.counters.get(key) ?? 0;
      while (this.entries.has(`${key}.${n}`)) n++;
      this.counters.set(key, n + 1);
      key = `${key}.${n}`;
    }
    this.entries.set(key, v);
  }
}

function flattenMap(m: PMap, out: Flattened, prefix: string, depth: number, maxDepth: number): void {
  const p = prefix === "" ? "" : `${prefix}.`;
  for (const [k, v] of m.entries()) flattenValue(p + k, v, out, depth, maxDepth);
}

function flattenValue(key: string, v: Value, out: Flattened, depth: number, maxDepth: number): void {
  if (v instanceof PMap && depth < maxDepth) {
    flattenMap(v, out, key, depth + 1, maxDepth);
  } else if (v instanceof PList && depth < maxDepth) {
    const items = v.values();
    for (let i = 0; i < items.length; i++) {
      flattenValue(out.resolveConflicts ? key : `${key}.${i}`, items[i]!, out, depth + 1, maxDepth);
    }
  } else {
    out.put(key, v);
  }
}
