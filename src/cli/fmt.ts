// `solder fmt [-w|--write] [-t|--test] [file|-]`: prints the file in canonical layout.
// Only syntax is checked; component validity is not (as in Alloy).

import { readFileSync, writeFileSync } from "node:fs";
import { decodeSource, parseFile } from "../syntax/parser.ts";
import { formatFile } from "../syntax/printer.ts";
import { renderDiagnostics } from "./diagnostics.ts";
import { type FlagSpec, UsageError, parseFlags } from "./flags.ts";
import type { Io } from "./io.ts";

export const FMT_FLAGS: FlagSpec[] = [
  { name: "write", short: "w", kind: "bool", default: false, help: "Write the result to the file instead of stdout" },
  { name: "test", short: "t", kind: "bool", default: false, help: "Exit 1 when the file is not formatted" },
];

/** Runs `fmt`; returns the exit code. */
export async function fmtCommand(argv: string[], io: Io): Promise<number> {
  const { flags, positional } = parseFlags(argv, FMT_FLAGS);
  if (flags.write && flags.test) throw new UsageError("--write and --test are mutually exclusive");
  if (positional.length > 1) throw new UsageError("fmt takes at most one file");
  const path = positional[0] ?? "-";
  const fromStdin = path === "-";
  if (fromStdin && flags.write) throw new UsageError("--write needs a file, not stdin");
  const name = fromStdin ? "<stdin>" : path;
  let bytes: Uint8Array;
  try {
    bytes = fromStdin ? await io.readStdin() : readFileSync(path);
  } catch (err) {
    io.stderr(`Error: could not read ${path}: ${(err as Error).message}\n`);
    return 1;
  }
  const decoded = decodeSource(name, bytes);
  if (decoded.text === undefined) {
    io.stderr(renderDiagnostics(decoded.diagnostics, []));
    return 1;
  }
  const parsed = parseFile(name, decoded.text);
  if (parsed.diagnostics.some((d) => d.severity === "error")) {
    io.stderr(renderDiagnostics(parsed.diagnostics, [{ name, text: decoded.text }]));
    return 1;
  }
  const out = formatFile(parsed.file, decoded.text);
  if (flags.test) {
    if (out === decoded.text) return 0;
    io.stderr(`${name}: file is not formatted\n`);
    return 1;
  }
  if (flags.write) {
    if (out !== decoded.text) writeFileSync(path, out);
    return 0;
  }
  io.stdout(out);
  return 0;
}
