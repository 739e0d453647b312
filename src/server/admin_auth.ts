// Basic auth for the UI/API server, from the `http { auth { … } }` block (alloy-runtime.md §3):
// which paths need credentials (the filter), the constant-time credential check, and the 401
// Alloy answers with (empty body, `WWW-Authenticate: Basic realm="Restricted"`).

import { createHash, timingSafeEqual } from "node:crypto";
import type { HttpAuthArgs } from "../runtime/http_block.ts";

/** The checker for one auth configuration: `undefined` when the request may pass. */
export type Gate = (req: Request) => Response | undefined;

/** Lets every request through (no `auth.basic`). */
export const OPEN: Gate = () => undefined;

/** Builds the gate for an `auth` block; without `basic` nothing is authenticated, as in Alloy. */
export function authGate(auth: HttpAuthArgs | undefined): Gate {
  if (!auth?.basic) return OPEN;
  // Hashing both sides first keeps the comparison's time independent of either length.
  const user = digest(auth.basic.username);
  const pass = digest(auth.basic.password.value);
  const filter = auth.filter;
  return (req) => {
    if (!needsAuth(new URL(req.url).pathname, filter)) return undefined;
    const given = parseBasic(req.headers.get("authorization"));
    if (given) {
      // Both comparisons always run, so a wrong user name takes as long as a wrong password.
      const okUser = timingSafeEqual(digest(given.username), user);
      const okPass = timingSafeEqual(digest(given.password), pass);
      if (okUser && okPass) return undefined;
    }
    return unauthorized();
  };
}

/**
 * Whether `path` must be authenticated. Without a filter every path is. With one, a path matches
 * when it starts with one of `paths`; `authenticate_matching_paths` says whether the matching
 * paths are the ones authenticated (true) or the ones exempt (false). The path is looked at both
 * as the router sees it and percent-decoded, and the stricter answer wins, so an encoded spelling
 * can neither dodge an authenticated prefix nor borrow an exempt one.
 */
export function needsAuth(path: string, filter: HttpAuthArgs["filter"]): boolean {
  if (!filter) return true;
  const forms = [path, decoded(path)];
  const matches = forms.map((p) => filter.paths.some((prefix) => p.startsWith(prefix)));
  return filter.authenticate_matching_paths ? matches.some(Boolean) : !matches.every(Boolean);
}

/** `Authorization: Basic base64(user:password)` as Go's Request.BasicAuth reads it; undefined when absent or malformed. */
export function parseBasic(header: string | null): { username: string; password: string } | undefined {
  if (!header || header.length < 6 || header.slice(0, 6).toLowerCase() !== "basic ") return undefined;
  const b64 = header.slice(6);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) return undefined;
  const text = Buffer.from(b64, "base64").toString("utf8");
  const colon = text.indexOf(":");
  if (colon < 0) return undefined;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** Alloy's answer to a request without valid credentials: 401, empty body, a Basic challenge. */
export function unauthorized(): Response {
  return new Response(null, { status: 401, headers: { "www-authenticate": 'Basic realm="Restricted"', "content-length": "0" } });
}

function digest(s: string): Buffer {
  return createHash("sha256").update(s, "utf8").digest();
}

function decoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
