// One component: health, arguments (secrets arrive masked), exports, debug info, references in
// and out, its own edge counters, and the way to live debugging.

import { type ComponentInfo, component, edges } from "./api.ts";
import { h, replace } from "./dom.ts";
import { ago, badge, body, componentLink, failure } from "./views.ts";

/** Renders component `id`. */
export async function componentView(root: HTMLElement, id: string, signal: AbortSignal): Promise<void> {
  let c: ComponentInfo;
  try {
    c = await component(id, signal);
  } catch (err) {
    replace(root, h("h1", {}, id), failure(err));
    return;
  }
  const counters = h("div", { class: "scroll" });
  replace(
    root,
    h("h1", {}, c.localID, " ", badge(c.health)),
    h("p", { class: "health" }, c.health.message, h("span", { class: "muted" }, ` — updated ${ago(c.health.updatedTime)}`)),
    h("p", {}, "Type ", h("code", {}, c.name), " · ", debugLink(c)),
    section("Inbound references", refs(c.referencedBy)),
    section("Outbound references", refs(c.referencesTo)),
    section("Data flows to", refs(c.dataFlowEdgesTo)),
    section("Counters", counters),
    section("Arguments", body(c.arguments ?? [])),
    section("Exports", body(c.exports ?? [])),
    section("Debug info", body(c.debugInfo ?? [])),
  );
  const refresh = async () => {
    try {
      replace(counters, countersTable(id, await edges(signal)));
    } catch (err) {
      if (!signal.aborted) replace(counters, failure(err));
    }
  };
  await refresh();
  const timer = setInterval(refresh, 2000);
  signal.addEventListener("abort", () => clearInterval(timer));
}

function debugLink(c: ComponentInfo): Node {
  if (!c.liveDebuggingEnabled) return h("span", { class: "muted" }, "live debugging is off (livedebugging { enabled = true })");
  return h("a", { href: `debug/${encodeURIComponent(c.localID)}`, id: "live-debugging" }, "Live debugging");
}

function section(title: string, content: Node): HTMLElement {
  return h("section", {}, h("h2", {}, title), content);
}

function refs(ids: string[]): HTMLElement {
  if (ids.length === 0) return h("p", { class: "muted" }, "(none)");
  return h("ul", { class: "refs" }, ...ids.map((r) => h("li", {}, componentLink(r))));
}

function countersTable(id: string, all: { from: string; to: string; type: string; items: number }[]): HTMLElement {
  const mine = all.filter((e) => e.from === id || e.to === id);
  if (mine.length === 0) return h("p", { class: "muted" }, "No data has passed through this component yet.");
  return h(
    "table",
    { class: "counters" },
    h("thead", {}, h("tr", {}, h("th", {}, "Direction"), h("th", {}, "Peer"), h("th", {}, "Signal"), h("th", {}, "Items"))),
    h(
      "tbody",
      {},
      ...mine.map((e) => {
        const out = e.from === id;
        return h("tr", {}, h("td", {}, out ? "sent to" : "received from"), h("td", {}, componentLink(out ? e.to : e.from)), h("td", {}, e.type), h("td", { class: "num" }, e.items.toLocaleString("en")));
      }),
    ),
  );
}
