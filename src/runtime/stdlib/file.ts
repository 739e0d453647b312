// The `file` namespace (spec §7). path_join follows Go's filepath.Join: empty parts are
// ignored, no parts (or only empty ones) give "", and the result is lexically cleaned
// ("a/../b" → "b", no trailing separator), which Node's path.join does not do.

import { win32 } from "node:path";
import { platform } from "node:process";
import type { ObjectValue } from "../value.ts";
import { define, stringArg } from "./args.ts";
import type { Impl } from "./args.ts";

/** file.path_join(parts...): joins path parts with the OS separator and cleans the result. */
export const pathJoin: Impl = (name, args) => {
  const parts = args.map((_, i) => stringArg(name, args, i));
  return joinPath(parts, platform === "win32");
};

/** Go's filepath.Join for POSIX paths, or for Windows paths when `windows` is set. */
export function joinPath(parts: readonly string[], windows = false): string {
  const first = parts.findIndex((p) => p !== "");
  if (first < 0) return "";
  const rest = parts.slice(first);
  if (!windows) return cleanPosix(rest.join("/"));
  const joined = win32.normalize(rest.filter((p) => p !== "").join("\\"));
  return joined.length > 1 && /[\\/]$/.test(joined) && !/^[A-Za-z]:\\$/.test(joined) ? joined.slice(0, -1) : joined;
}

/** Go's path.Clean: collapse separators, drop ".", resolve ".." lexically. */
export function cleanPosix(p: string): string {
  const rooted = p.startsWith("/");
  const parts: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg !== "..") parts.push(seg);
    else if (parts.length > 0 && parts[parts.length - 1] !== "..") parts.pop();
    else if (!rooted) parts.push(".."); // ".." above the root of a rooted path is dropped
  }
  const out = (rooted ? "/" : "") + parts.join("/");
  return out === "" ? "." : out;
}

/** The `file` namespace object. */
export function fileNamespace(): ObjectValue {
  return { path_join: define("file.path_join", pathJoin) };
}
