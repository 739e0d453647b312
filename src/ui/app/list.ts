// The component list: id, health with its message, component type, last health update.

import { components } from "./api.ts";
import { h, replace } from "./dom.ts";
import { ago, badge, componentLink, failure } from "./views.ts";

/** Renders the list into `root`, refreshing every few seconds until `signal` aborts. */
export async function listView(root: HTMLElement, signal: AbortSignal): Promise<void> {
  const table = h("table", { class: "components", id: "components" });
  replace(root, h("h1", {}, "Components"), h("div", { class: "scroll" }, table));
  const refresh = async () => {
    try {
      const list = await components(signal);
      replace(
        table,
        h("thead", {}, h("tr", {}, h("th", {}, "Component"), h("th", {}, "Health"), h("th", {}, "Message"), h("th", {}, "Type"), h("th", {}, "Updated"))),
        h(
          "tbody",
          {},
          ...list.map((c) =>
            h("tr", { "data-id": c.localID }, h("td", {}, componentLink(c.localID)), h("td", {}, badge(c.health)), h("td", { class: "message" }, c.health.message), h("td", {}, c.name), h("td", { title: c.health.updatedTime }, ago(c.health.updatedTime))),
          ),
        ),
      );
    } catch (err) {
      if (!signal.aborted) replace(table, h("tr", {}, h("td", {}, failure(err))));
    }
  };
  await refresh();
  const timer = setInterval(refresh, 5000);
  signal.addEventListener("abort", () => clearInterval(timer));
}
