// Reads configuration sources: a file, or every `*.alloy` file directly inside a directory
// (spec: alloy-syntax.md §1). Unreadable, binary or non-UTF-8 files become diagnostics.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { type Diagnostic } from "../syntax/diag.ts";
import { decodeSource } from "../syntax/parser.ts";
import type { Source } from "./controller.ts";

const ZERO = { offset: 0, line: 1, col: 1 };

/** Loads the configuration at `path`. */
export function readSources(path: string): { sources: Source[]; diagnostics: Diagnostic[] } {
  const fail = (message: string) => ({
    sources: [],
    diagnostics: [{ severity: "error" as const, file: path, start: ZERO, end: ZERO, message }],
  });
  let names: string[];
  try {
    names = statSync(path).isDirectory() ? listAlloyFiles(path) : [path];
  } catch (err) {
    return fail(`could not read configuration: ${describeFsError(err)}`);
  }
  if (names.length === 0) return fail(`no *.alloy files found in directory ${path}`);
  const sources: Source[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const name of names) {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(name);
    } catch (err) {
      diagnostics.push(...fail(`could not read configuration: ${describeFsError(err)}`).diagnostics.map((d) => ({ ...d, file: name })));
      continue;
    }
    const decoded = decodeSource(name, bytes);
    diagnostics.push(...decoded.diagnostics);
    if (decoded.text !== undefined) sources.push({ name, text: decoded.text });
  }
  return { sources, diagnostics };
}

function listAlloyFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith(".alloy"))
    .map((d) => join(dir, d.name))
    .sort();
}

function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === "ENOENT") return `no such file or directory: ${e.path ?? ""}`;
  if (e.code === "EACCES") return `permission denied: ${e.path ?? ""}`;
  return e.message ?? String(err);
}
