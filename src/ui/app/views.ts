// Shared pieces of the views: health badges, links, the argument tree.

import type { Health, JsonStmt, JsonValue } from "./api.ts";
import { h } from "./dom.ts";

/** A coloured badge for a health state. */
export function badge(health: Health): HTMLElement {
  return h("span", { class: `badge ${health.state}`, title: health.message }, health.state);
}

/** A link to a component's page. */
export function componentLink(id: string): HTMLAnchorElement {
  return h("a", { href: `component/${encodeURIComponent(id)}` }, id);
}

/** Renders an argument/export body as a nested definition list. */
export function body(stmts: JsonStmt[]): HTMLElement {
  if (stmts.length === 0) return h("p", { class: "muted" }, "(none)");
  return h("dl", { class: "body" }, ...stmts.flatMap((st) => stmt(st)));
}

function stmt(st: JsonStmt): HTMLElement[] {
  if (st.type === "attr") return [h("dt", {}, st.name), h("dd", {}, value(st.value))];
  return [h("dt", { class: "block" }, st.name + (st.label ? ` "${st.label}"` : "") + " { }"), h("dd", {}, body(st.body))];
}

function value(v: JsonValue): Node {
  switch (v.type) {
    case "null":
      return h("span", { class: "muted" }, "null");
    case "string":
      return h("code", {}, JSON.stringify(v.value));
    case "number":
    case "bool":
    case "function":
      return h("code", {}, String(v.value));
    case "capsule":
      return h("code", { class: "capsule" }, String(v.value));
    case "array": {
      const items = v.value as JsonValue[];
      if (items.length === 0) return h("code", {}, "[]");
      return h("ol", { class: "array" }, ...items.map((x) => h("li", {}, value(x))));
    }
    case "object": {
      const fields = v.value as { key: string; value: JsonValue }[];
      if (fields.length === 0) return h("code", {}, "{}");
      return h("dl", { class: "body" }, ...fields.flatMap((f) => [h("dt", {}, f.key), h("dd", {}, value(f.value))]));
    }
    default:
      return h("code", {}, JSON.stringify(v.value ?? null));
  }
}

/** "3s ago" style age of a timestamp. */
export function ago(iso: string): string {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  return new Date(iso).toLocaleString();
}

/** An error paragraph. */
export function failure(err: unknown): HTMLElement {
  return h("p", { class: "error" }, err instanceof Error ? err.message : String(err));
}

/** Formats items per second for an edge label. */
export function formatRate(r: number): string {
  if (r >= 1000) return `${(r / 1000).toFixed(1)}k/s`;
  if (r >= 10) return `${Math.round(r)}/s`;
  return `${r.toFixed(1)}/s`;
}
