// Live debugging: a sample of what a component emits, streamed from the server (one message per
// sampled batch), with pause, clear, search, copy and the sample probability.

import { readStream } from "./api.ts";
import { h, replace } from "./dom.ts";
import { componentLink, failure } from "./views.ts";

/** Messages kept on screen; older ones are dropped. */
const KEEP = 200;

/** Renders the live view of component `id`. */
export function debugView(root: HTMLElement, id: string, signal: AbortSignal): void {
  const out = h("div", { id: "debug-output", class: "debug" });
  const status = h("span", { class: "muted" }, "connecting…");
  const prob = h("input", { type: "number", min: 0, max: 1, step: 0.1, value: 1, "aria-label": "sample probability" });
  const search = h("input", { type: "search", placeholder: "filter", "aria-label": "filter" });
  let paused = false;
  const pause = h("button", { type: "button" }, "Pause");
  pause.addEventListener("click", () => {
    paused = !paused;
    pause.textContent = paused ? "Resume" : "Pause";
  });
  const clear = h("button", { type: "button", onclick: () => out.replaceChildren() }, "Clear");
  const copy = h("button", { type: "button", onclick: () => void navigator.clipboard?.writeText([...out.children].map((c) => c.textContent).join("\n\n")) }, "Copy");
  const applyFilter = () => {
    const q = search.value.toLowerCase();
    for (const c of out.children) (c as HTMLElement).hidden = q !== "" && !(c.textContent ?? "").toLowerCase().includes(q);
  };
  search.addEventListener("input", applyFilter);
  replace(
    root,
    h("h1", {}, "Live debugging: ", componentLink(id)),
    h("div", { class: "toolbar" }, h("label", {}, "Sample ", prob), search, pause, clear, copy, status),
    out,
  );
  let conn = new AbortController();
  const connect = () => {
    conn.abort();
    conn = new AbortController();
    const both = AbortSignal.any([signal, conn.signal]);
    status.textContent = "streaming";
    const q = Number(prob.value);
    readStream(`api/v0/web/debug/${encodeURIComponent(id)}?sampleProb=${Number.isFinite(q) ? q : 1}`, both, (m) => {
      if (paused) return;
      const q2 = search.value.toLowerCase();
      out.prepend(h("pre", { class: "message", hidden: q2 !== "" && !m.toLowerCase().includes(q2) }, m));
      while (out.children.length > KEEP) out.lastElementChild!.remove();
    }).then(
      () => !both.aborted && (status.textContent = "stream ended"),
      (err) => !both.aborted && replace(status, failure(err)),
    );
  };
  prob.addEventListener("change", connect);
  signal.addEventListener("abort", () => conn.abort());
  connect();
}
