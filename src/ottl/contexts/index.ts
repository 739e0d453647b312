// The contexts statements run in (ottl.md §3.1): which levels each can reach, its enums, and the
// resolution of a path to a level's field. A context reads and writes its own item and every
// ancestor, never its descendants.

import type { Field } from "../ast.ts";
import type { ContextName } from "../tctx.ts";
import { resourceLevel, scopeLevel } from "./common.ts";
import type { Level } from "./level.ts";
import { logLevel } from "./logs.ts";
import { dataPointLevel, metricLevel } from "./metrics.ts";
import { spanEventLevel, spanLevel } from "./traces.ts";

export type { Level } from "./level.ts";

/** The signals a context belongs to. */
export type SignalName = "traces" | "metrics" | "logs";

/** One context: its own level, the levels it can reach (by prefix) and its enum symbols. */
export interface ContextDef {
  readonly name: ContextName;
  readonly own: Level;
  /** Reachable levels by path prefix (`instrumentation_scope` is an alias of `scope`). */
  readonly prefixes: ReadonlyMap<string, Level>;
  readonly enums: Readonly<Record<string, bigint>>;
  /** Ancestors first, the context itself last. */
  readonly chain: readonly ContextName[];
}

const LEVELS: Record<ContextName, Level> = {
  resource: resourceLevel,
  scope: scopeLevel,
  span: spanLevel,
  spanevent: spanEventLevel,
  metric: metricLevel,
  datapoint: dataPointLevel,
  log: logLevel,
};

const CHAINS: Record<ContextName, ContextName[]> = {
  resource: ["resource"],
  scope: ["resource", "scope"],
  span: ["resource", "scope", "span"],
  spanevent: ["resource", "scope", "span", "spanevent"],
  metric: ["resource", "scope", "metric"],
  datapoint: ["resource", "scope", "metric", "datapoint"],
  log: ["resource", "scope", "log"],
};

/** The contexts of each signal, ancestors first (ottl.md §3.1 table). */
export const SIGNAL_CONTEXTS: Readonly<Record<SignalName, readonly ContextName[]>> = {
  traces: ["resource", "scope", "span", "spanevent"],
  metrics: ["resource", "scope", "metric", "datapoint"],
  logs: ["resource", "scope", "log"],
};

/** Every name that can start a path as a context prefix. */
export const PREFIX_NAMES: ReadonlyMap<string, ContextName> = new Map<string, ContextName>([
  ["resource", "resource"],
  ["scope", "scope"],
  ["instrumentation_scope", "scope"],
  ["span", "span"],
  ["spanevent", "spanevent"],
  ["metric", "metric"],
  ["datapoint", "datapoint"],
  ["log", "log"],
]);

const defs = new Map<ContextName, ContextDef>();

/** The definition of a context. */
export function contextDef(name: ContextName): ContextDef {
  let def = defs.get(name);
  if (!def) {
    const chain = CHAINS[name];
    const prefixes = new Map<string, Level>();
    for (const [prefix, ctx] of PREFIX_NAMES) if (chain.includes(ctx)) prefixes.set(prefix, LEVELS[ctx]);
    const enums = Object.assign({}, ...chain.map((c) => LEVELS[c].enums ?? {})) as Record<string, bigint>;
    def = { name, own: LEVELS[name], prefixes, enums, chain };
    defs.set(name, def);
  }
  return def;
}

/** How a path's first fields split into a level and the fields below it. */
export interface PathTarget {
  level: Level;
  /** Whether the path named its level explicitly (`span.name` vs `name`). */
  prefixed: boolean;
  fields: Field[];
}

/**
 * Splits a path into its level and remaining fields: the first field is a context prefix only if
 * it names a context (§1.2 notes); otherwise the path belongs to the context's own level. Returns
 * an error message for a prefix this context cannot reach.
 */
export function splitPath(def: ContextDef, fields: Field[]): PathTarget | string {
  const first = fields[0]!;
  const ctx = PREFIX_NAMES.get(first.name);
  if (ctx === undefined) return { level: def.own, prefixed: false, fields };
  const level = def.prefixes.get(first.name);
  if (!level) {
    return `${first.name} paths cannot be used in the ${def.name} context, which can reach ${def.chain.join(", ")} (a context never sees its descendants individually)`;
  }
  if (first.keys.length > 0) return `${first.name} cannot be indexed; did you mean ${first.name}.attributes[…]?`;
  return { level, prefixed: true, fields: fields.slice(1) };
}
