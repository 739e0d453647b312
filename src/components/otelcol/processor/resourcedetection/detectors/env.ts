// The `env` detector (spec: alloy-components.md §2.3): the gateway process's own
// OTEL_RESOURCE_ATTRIBUTES, else the deprecated OTEL_RESOURCE. It has no block and no
// per-attribute switches: every key it finds is set, as a string.

import type { Detection, Detector } from "../detector.ts";

// Upstream's pattern: a trimmed ASCII key (1–256) `=` a trimmed ASCII value (0–256), ending in
// a comma or the end of the text. Go's \s is ASCII-only, hence the explicit class. Lazy
// quantifiers make the value stop at the first comma, so `a=b=c` gives a → "b=c" as upstream.
const PAIR = /[\t\n\f\r ]*([\x00-\x7f]{1,256}?)[\t\n\f\r ]*=[\t\n\f\r ]*([\x00-\x7f]{0,256}?)[\t\n\f\r ]*(?:,|$)/g;

/** Parses `k1=v1,k2=v2` exactly as upstream; throws `invalid resource format …` on bad input. */
export function parseResourceAttributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const s = text.trim();
  if (s === "") return out;
  let end = 0;
  let matched = false;
  for (const m of s.matchAll(PAIR)) {
    // Text between two matches (or before the first) fits no pair.
    if (m.index !== end) throw new Error(`invalid resource format, invalid text: ${quote(s.slice(end, m.index))}`);
    const value = queryUnescape(m[2]!);
    if (value === undefined) throw new Error(`invalid resource format in attribute: ${quote(m[0])}, err: invalid URL escape`);
    out[m[1]!] = value;
    end = m.index + m[0].length;
    matched = true;
  }
  if (!matched) throw new Error(`invalid resource format: ${quote(s)}`);
  if (end !== s.length) throw new Error(`invalid resource format, invalid text: ${quote(s.slice(end))}`);
  return out;
}

/** Go's url.QueryUnescape: `+` is a space, `%XX` a byte; undefined for a bad escape. */
export function queryUnescape(s: string): string | undefined {
  if (!/^(?:[^%]|%[0-9A-Fa-f]{2})*$/.test(s)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "%") {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(c === "+" ? 0x20 : c.charCodeAt(0)); // the pattern admits ASCII only
  }
  // Go keeps invalid UTF-8 as raw bytes; an OTLP string cannot, so those become U+FFFD.
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/** Go's %q for the ASCII text the pattern can produce. */
function quote(s: string): string {
  return JSON.stringify(s);
}

/** `env`: OTEL_RESOURCE_ATTRIBUTES, else OTEL_RESOURCE; both empty → nothing. */
export const envDetector: Detector = {
  name: "env",
  attributes: {},
  async detect(ctx): Promise<Detection> {
    let text = ctx.env("OTEL_RESOURCE_ATTRIBUTES")?.trim() ?? "";
    if (text === "") text = ctx.env("OTEL_RESOURCE")?.trim() ?? "";
    return { attributes: parseResourceAttributes(text) };
  },
};
