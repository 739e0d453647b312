// The Graph page: components laid out left to right by dagre, nodes coloured by health, edges
// labelled with live items per second from the graph stream; a click on a node opens its page.

import { type EdgeLabel, type GraphLabel, Graph, type NodeLabel, layout } from "@dagrejs/dagre";
import { type ComponentInfo, type GraphRate, components, readStream } from "./api.ts";
import { h, replace, s } from "./dom.ts";
import { failure, formatRate } from "./views.ts";

const NODE_H = 52;
const LABEL_W = 120;
const LABEL_LINE = 15;
const SHORT: Record<string, string> = { otel_trace: "spans", otel_metric: "metric points", otel_log: "logs", prometheus_metric: "samples", loki_log: "logs", target: "targets" };

/** Renders the graph; `window` is the rate window in seconds (1..60). */
export async function graphView(root: HTMLElement, window: number, signal: AbortSignal, go: (path: string) => void): Promise<void> {
  let list: ComponentInfo[];
  try {
    list = await components(signal);
  } catch (err) {
    replace(root, h("h1", {}, "Graph"), failure(err));
    return;
  }
  const svgHolder = h("div", { class: "graph", id: "graph" });
  const status = h("span", { class: "muted" }, `rates over ${window}s`);
  replace(root, h("div", { class: "toolbar" }, h("h1", {}, "Graph"), status, legend()), svgHolder);
  const labels = draw(svgHolder, list, go);
  readStream(`api/v0/web/graph?window=${window}`, signal, (m) => updateRates(labels, JSON.parse(m) as GraphRate[])).catch((err) => {
    if (!signal.aborted) replace(status, failure(err));
  });
}

function legend(): HTMLElement {
  return h("span", { class: "legend" }, ...["healthy", "unhealthy", "unknown", "exited"].map((st) => h("span", { class: `badge ${st}` }, st)));
}

function nodeWidth(c: ComponentInfo): number {
  return Math.max(150, Math.max(c.name.length, (c.label ?? "").length) * 7.2 + 24);
}

/** Lays out and draws; returns the edge label elements by "from\0to". */
function draw(holder: HTMLElement, list: ComponentInfo[], go: (path: string) => void): Map<string, SVGElement> {
  const g = new Graph<GraphLabel, NodeLabel, EdgeLabel>();
  g.setGraph({ rankdir: "LR", nodesep: 30, ranksep: 90, edgesep: 20, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(list.map((c) => c.localID));
  for (const c of list) g.setNode(c.localID, { width: nodeWidth(c), height: NODE_H });
  for (const c of list) {
    for (const to of c.dataFlowEdgesTo) if (ids.has(to)) g.setEdge(c.localID, to, { width: LABEL_W, height: LABEL_LINE * 2, labelpos: "c" });
  }
  layout(g);
  const { width = 400, height = 200 } = g.graph();
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img", "aria-label": "component graph", style: `max-width:${width}px` });
  svg.append(s("defs", {}, s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, s("path", { d: "M0,0 L10,5 L0,10 z", class: "arrowhead" }))));
  const labels = new Map<string, SVGElement>();
  for (const e of g.edges()) {
    const ed = g.edge(e);
    const d = (ed.points ?? []).map((p, i) => `${i === 0 ? "M" : "L"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
    const text = s("text", { x: ed.x ?? 0, y: (ed.y ?? 0) - 4, "text-anchor": "middle", class: "rate" });
    labels.set(`${e.v}\u0000${e.w}`, text);
    svg.append(s("g", { class: "edge", "data-from": e.v, "data-to": e.w }, s("path", { d, "marker-end": "url(#arrow)" }), text));
  }
  for (const c of list) {
    const n = g.node(c.localID);
    const x = n.x! - n.width / 2;
    const y = n.y! - n.height / 2;
    const node = s(
      "g",
      { class: `node ${c.health.state}`, "data-id": c.localID, tabindex: 0, role: "link" },
      s("title", {}, `${c.localID}\n${c.health.state}: ${c.health.message}`),
      s("rect", { x, y, width: n.width, height: n.height, rx: 6 }),
      s("text", { x: n.x!, y: n.y! - 5, "text-anchor": "middle", class: "name" }, c.name),
      s("text", { x: n.x!, y: n.y! + 13, "text-anchor": "middle", class: "label" }, c.label ?? ""),
    );
    const open = () => go(`component/${encodeURIComponent(c.localID)}`);
    node.addEventListener("click", open);
    node.addEventListener("keydown", (ev) => (ev as KeyboardEvent).key === "Enter" && open());
    svg.append(node);
  }
  replace(holder, svg);
  return labels;
}

/** Writes one line per signal on each edge label; edges absent from the message show nothing. */
function updateRates(labels: Map<string, SVGElement>, rates: GraphRate[]): void {
  const byEdge = new Map<string, string[]>();
  for (const r of rates) {
    for (const to of r.targetComponentIDs) {
      const key = `${r.componentID}\u0000${to}`;
      const lines = byEdge.get(key) ?? [];
      lines.push(`${formatRate(r.rate)} ${SHORT[r.type] ?? r.type}`);
      byEdge.set(key, lines);
    }
  }
  for (const [key, text] of labels) {
    const lines = byEdge.get(key) ?? [];
    const x = text.getAttribute("x")!;
    replace(text, ...lines.map((l, i) => s("tspan", { x, dy: i === 0 ? 0 : LABEL_LINE }, l)));
    text.setAttribute("data-rate", lines.join("; "));
  }
}
