// `solder validate [--stability.level …] <file|dir>`: checks syntax, component names,
// arguments, references and cycles without starting anything.

import { builtinRegistry } from "../components/all.ts";
import { Controller, hasErrors } from "../runtime/controller.ts";
import { createLogger, memorySink } from "../runtime/logger.ts";
import { MetricsRegistry } from "../runtime/metrics.ts";
import { readSources } from "../runtime/sources.ts";
import { stdlib } from "../runtime/stdlib/index.ts";
import { VERSION } from "../version.ts";
import { STABILITY_FLAG, stabilityFrom } from "./common.ts";
import { renderDiagnostics } from "./diagnostics.ts";
import { type FlagSpec, UsageError, parseFlags } from "./flags.ts";
import type { Io } from "./io.ts";

export const VALIDATE_FLAGS: FlagSpec[] = [STABILITY_FLAG];

/** Runs `validate`; returns the exit code. */
export async function validateCommand(argv: string[], io: Io): Promise<number> {
  const { flags, positional } = parseFlags(argv, VALIDATE_FLAGS);
  if (positional.length !== 1) throw new UsageError("validate needs exactly one path (a file or a directory)");
  const stability = stabilityFrom(flags);
  const read = readSources(positional[0]!);
  if (hasErrors(read.diagnostics)) {
    io.stderr(renderDiagnostics(read.diagnostics, read.sources));
    return 1;
  }
  const controller = new Controller({
    registry: builtinRegistry(),
    logger: createLogger(memorySink("error")),
    metrics: new MetricsRegistry(),
    storagePath: "",
    stability,
    globals: stdlib({ version: VERSION, stability }),
  });
  const diags = [...read.diagnostics, ...(await controller.load(read.sources))];
  if (diags.length > 0) io.stderr(renderDiagnostics(diags, read.sources));
  return hasErrors(diags) ? 1 : 0;
}
