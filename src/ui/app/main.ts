// The single-page app: a router over location.pathname relative to <base href> (the UI prefix),
// so links are plain relative hrefs and a reload of any page works (the server answers every
// unknown path under the prefix with index.html).

import { reload } from "./api.ts";
import { componentView } from "./component.ts";
import { configView } from "./config.ts";
import { debugView } from "./debug.ts";
import { h, replace } from "./dom.ts";
import { graphView } from "./graph.ts";
import { listView } from "./list.ts";

const root = document.getElementById("app")!;
const notice = document.getElementById("notice")!;
const base = new URL(document.baseURI).pathname;
let current = new AbortController();

/** The route: the path below the prefix, without leading slash. */
function route(): string {
  const p = location.pathname;
  return p.startsWith(base) ? p.slice(base.length) : p.replace(/^\//, "");
}

function render(): void {
  current.abort();
  current = new AbortController();
  const signal = current.signal;
  const r = route();
  const params = new URLSearchParams(location.search);
  for (const a of document.querySelectorAll<HTMLAnchorElement>("header nav a")) {
    a.classList.toggle("active", a.dataset.nav === (r.split("/")[0] || "list"));
  }
  if (r.startsWith("component/")) void componentView(root, decodeURIComponent(r.slice(10)), signal);
  else if (r.startsWith("debug/")) debugView(root, decodeURIComponent(r.slice(6)), signal);
  else if (r === "graph" || r.startsWith("graph/")) void graphView(root, windowParam(params.get("window")), signal, go);
  else if (r === "config") void configView(root, signal);
  else if (r === "") void listView(root, signal);
  else replace(root, h("h1", {}, "Not found"), h("p", {}, h("a", { href: "./" }, "Back to the components")));
}

function windowParam(raw: string | null): number {
  const n = Number(raw ?? 5);
  return Number.isInteger(n) && n >= 1 && n <= 60 ? n : 5;
}

/** Navigates to a path relative to the prefix. */
function go(path: string): void {
  history.pushState(null, "", new URL(path, document.baseURI).href);
  render();
}

// Same-origin links under the prefix are handled here instead of loading the page again.
document.addEventListener("click", (ev) => {
  const a = (ev.target as Element).closest?.("a");
  if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey) return;
  const url = new URL(a.href, document.baseURI);
  if (url.origin !== location.origin || !url.pathname.startsWith(base)) return;
  ev.preventDefault();
  go(url.pathname.slice(base.length) + url.search);
});
window.addEventListener("popstate", render);

document.getElementById("reload")!.addEventListener("click", async () => {
  const r = await reload().catch((err: Error) => ({ ok: false, message: err.message }));
  notice.className = r.ok ? "ok" : "error";
  notice.textContent = r.message;
  setTimeout(() => (notice.textContent = ""), 5000);
  if (r.ok) render();
});

render();
