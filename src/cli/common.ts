// Pieces shared by the commands that load a configuration (run, validate).

import type { FlagSpec } from "./flags.ts";
import { isStability } from "../runtime/registry.ts";
import type { Stability } from "../runtime/component.ts";
import { UsageError } from "./flags.ts";

export const STABILITY_FLAG: FlagSpec = {
  name: "stability.level",
  kind: "string",
  default: "generally-available",
  help: "Minimum stability level of features to enable: experimental, public-preview, generally-available",
};

/** Reads and checks the --stability.level flag. */
export function stabilityFrom(flags: Record<string, string | boolean>): Stability {
  const s = String(flags["stability.level"]);
  if (!isStability(s)) throw new UsageError(`invalid --stability.level "${s}": want experimental, public-preview or generally-available`);
  return s;
}
