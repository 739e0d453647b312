// The loaded configuration (secrets masked by the server).

import { config } from "./api.ts";
import { h, replace } from "./dom.ts";
import { failure } from "./views.ts";

/** Renders every loaded source file. */
export async function configView(root: HTMLElement, signal: AbortSignal): Promise<void> {
  replace(root, h("h1", {}, "Configuration"));
  try {
    for (const f of await config(signal)) root.append(h("h2", {}, f.name), h("pre", { class: "source" }, f.text));
  } catch (err) {
    root.append(failure(err));
  }
}
