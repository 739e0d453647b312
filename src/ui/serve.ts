// Serves the bundled front end (src/ui/assets.gen.ts, written by `make ui`), so the compiled
// binary needs no files next to it and no network.

import { APP_CSS, APP_JS, INDEX_HTML } from "./assets.gen.ts";

const ASSETS: Record<string, { body: string; type: string }> = {
  "app.js": { body: APP_JS, type: "text/javascript; charset=utf-8" },
  "app.css": { body: APP_CSS, type: "text/css; charset=utf-8" },
};

/** A bundled asset by file name, or 404. */
export function assetResponse(name: string): Response {
  const a = ASSETS[name];
  if (!a) return new Response("404 page not found\n", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
  return new Response(a.body, { headers: { "content-type": a.type, "cache-control": "no-cache" } });
}

/** index.html with `<base href>` set to the UI prefix, so every relative URL stays under it. */
export function indexResponse(base: string): Response {
  const html = INDEX_HTML.replace("{{BASE}}", escapeAttr(base));
  return new Response(html, { headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-cache" } });
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
