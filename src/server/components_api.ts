// JSON for /api/v0/web/components[/{id}], shaped like Alloy's (spec: alloy-runtime.md §3.1).

import type { Controller, Entry } from "../runtime/controller.ts";
import { formatDuration } from "../runtime/duration.ts";
import { resolveChain, forEachExpr } from "../runtime/graph.ts";
import { walkChains } from "../runtime/eval.ts";
import type { Schema, Type } from "../runtime/schema.ts";
import { Capsule, Func, Secret, type ObjectValue, type Value, isObject } from "../runtime/value.ts";

export type JsonValue = { type: string; value?: unknown };
export type JsonStmt =
  | { name: string; type: "attr"; value: JsonValue }
  | { name: string; type: "block"; label?: string; body: JsonStmt[] };

/** The list entry for one component (no arguments or exports). */
export function componentSummary(c: Controller, e: Entry) {
  const h = c.healthOf(e);
  const id = e.node.id;
  return {
    name: e.node.name,
    type: "block",
    localID: id,
    moduleID: "",
    ...(e.node.block.label !== undefined ? { label: e.node.block.label } : {}),
    referencesTo: [...e.node.dependsOn],
    referencedBy: c.dependents(id),
    dataFlowEdgesTo: dataFlowEdgesTo(c, e),
    health: { state: h.state, message: h.message, updatedTime: h.updatedTime.toISOString() },
    original: "",
    liveDebuggingEnabled: c.liveDebugging,
  };
}

/** The full entry for one component, with arguments, exports and debug info. */
export function componentDetail(c: Controller, e: Entry) {
  const schema = e.def?.args;
  let debug: ObjectValue | undefined;
  try {
    debug = e.component?.debugInfo?.();
  } catch {
    debug = undefined;
  }
  return {
    ...componentSummary(c, e),
    arguments: e.args && schema ? encodeArgs(e.args, schema) : [],
    exports: encodeValueBody(e.exports),
    debugInfo: debug ? encodeValueBody(debug) : [],
  };
}

/**
 * Where data goes from a component: a reference to a capsule export (a consumer or appender)
 * means data flows to the referenced component; a reference to plain data (targets, values)
 * means data flows from it into this one.
 */
function dataFlowEdgesTo(c: Controller, e: Entry): string[] {
  const out = capsuleReferences(c, e);
  for (const d of c.dependents(e.node.id)) {
    const other = c.get(d);
    if (other && !capsuleReferences(c, other).has(e.node.id)) out.add(d);
  }
  return [...out];
}

/** The components `e` references through a capsule export (a consumer, an appender). */
function capsuleReferences(c: Controller, e: Entry): Set<string> {
  const out = new Set<string>();
  const ids = new Set(e.node.dependsOn);
  forEachExpr(e.node.block.body, (expr) =>
    walkChains(expr, (chain) => {
      const target = resolveChain(chain, new Map([...ids].map((id) => [id, true])));
      const t = target === undefined ? undefined : c.get(target);
      if (!t) return;
      const field = chain.slice(target!.split(".").length);
      const v = field.reduce<Value | undefined>((acc, k) => (acc !== undefined && isObject(acc) ? acc[k] : undefined), t.exports);
      if (v instanceof Capsule) out.add(target!);
    }),
  );
  return out;
}

/** Encodes decoded arguments using their schema (blocks vs attributes, durations, secrets). */
export function encodeArgs(args: Record<string, unknown>, schema: Schema): JsonStmt[] {
  const body: JsonStmt[] = [];
  for (const [name, spec] of Object.entries(schema.attrs ?? {})) {
    if (args[name] === undefined) continue;
    body.push({ name, type: "attr", value: encodeTyped(args[name], spec.type) });
  }
  for (const [name, spec] of Object.entries(schema.blocks ?? {})) {
    const v = args[name];
    if (v === undefined) continue;
    const list = spec.repeated ? (v as Record<string, unknown>[]) : [v as Record<string, unknown>];
    for (const item of list) body.push({ name, type: "block", body: encodeArgs(item, spec.schema) });
  }
  return body;
}

function encodeTyped(v: unknown, type: Type): JsonValue {
  switch (type.kind) {
    case "duration":
      return { type: "string", value: formatDuration(v as number) };
    case "capsule":
      return { type: "capsule", value: `capsule("${type.name}")` };
    case "list":
      return { type: "array", value: (v as unknown[]).map((x) => encodeTyped(x, type.of)) };
    case "map":
      return {
        type: "object",
        value: Object.entries(v as Record<string, unknown>).map(([key, x]) => ({ key, value: encodeTyped(x, type.of) })),
      };
    default:
      return encodeValue(v as Value);
  }
}

/** Encodes a runtime value. */
export function encodeValue(v: Value): JsonValue {
  if (v === null || v === undefined) return { type: "null" };
  if (typeof v === "number") return { type: "number", value: v };
  if (typeof v === "string") return { type: "string", value: v };
  if (typeof v === "boolean") return { type: "bool", value: v };
  if (Array.isArray(v)) return { type: "array", value: v.map(encodeValue) };
  if (v instanceof Secret) return { type: "capsule", value: "(secret)" };
  if (v instanceof Capsule) return { type: "capsule", value: String(v) };
  if (v instanceof Func) return { type: "function", value: v.name };
  if (!isObject(v)) return { type: "capsule", value: String(v) };
  return { type: "object", value: Object.entries(v).map(([key, x]) => ({ key, value: encodeValue(x) })) };
}

function encodeValueBody(o: ObjectValue): JsonStmt[] {
  return Object.entries(o).map(([name, v]) => ({ name, type: "attr" as const, value: encodeValue(v) }));
}
