// Calls to the web API. Every URL is relative (`api/v0/web/…` against <base href>), so the UI
// works under any --server.http.ui-path-prefix.

export interface Health {
  state: string;
  message: string;
  updatedTime: string;
}

export type JsonValue = { type: string; value?: unknown };
export type JsonStmt = { name: string; type: "attr"; value: JsonValue } | { name: string; type: "block"; label?: string; body: JsonStmt[] };

export interface ComponentInfo {
  name: string;
  localID: string;
  label?: string;
  referencesTo: string[];
  referencedBy: string[];
  dataFlowEdgesTo: string[];
  health: Health;
  liveDebuggingEnabled: boolean;
  arguments?: JsonStmt[];
  exports?: JsonStmt[];
  debugInfo?: JsonStmt[];
}

export interface EdgeCount {
  from: string;
  to: string;
  type: string;
  items: number;
}

export interface GraphRate {
  componentID: string;
  targetComponentIDs: string[];
  type: string;
  rate: number;
}

/** GETs JSON; throws with the response text on failure. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const r = await fetch(path, { signal });
  if (!r.ok) throw new Error(`${r.status}: ${(await r.text()).trim()}`);
  return (await r.json()) as T;
}

export const components = (signal?: AbortSignal) => getJson<ComponentInfo[]>("api/v0/web/components", signal);
export const component = (id: string, signal?: AbortSignal) => getJson<ComponentInfo>(`api/v0/web/components/${encodeURIComponent(id)}`, signal);
export const edges = (signal?: AbortSignal) => getJson<EdgeCount[]>("api/v0/web/edges", signal);
export const config = (signal?: AbortSignal) => getJson<{ name: string; text: string }[]>("api/v0/web/config", signal);

/** Asks the server to re-read its configuration. */
export async function reload(): Promise<{ ok: boolean; message: string }> {
  const r = await fetch("api/v0/web/reload", { method: "POST" });
  return (await r.json()) as { ok: boolean; message: string };
}

/** Reads a `|;|`-delimited stream, calling `onMessage` for each message until `signal` aborts. */
export async function readStream(path: string, signal: AbortSignal, onMessage: (m: string) => void): Promise<void> {
  const r = await fetch(path, { signal });
  if (!r.ok || !r.body) throw new Error(`${r.status}: ${(await r.text()).trim()}`);
  const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buf += value;
      const parts = buf.split("|;|");
      buf = parts.pop()!;
      for (const p of parts) if (p !== "") onMessage(p);
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  }
}
