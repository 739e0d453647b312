// Command-line parsing in the style Alloy uses: `--name=value` or `--name value`, booleans as
// bare `--name` (or `--name=false`), positional arguments in order.

export interface FlagSpec {
  /** Long name without dashes, e.g. `server.http.listen-addr`. */
  name: string;
  /** Single-letter alias, e.g. `w` for `-w`. */
  short?: string;
  kind: "string" | "bool";
  default?: string | boolean;
  help: string;
}

export interface Parsed {
  flags: Record<string, string | boolean>;
  positional: string[];
}

/** A usage error, printed with the command's help. */
export class UsageError extends Error {}

/** Parses `argv` against `specs`; throws UsageError naming the offending flag. */
export function parseFlags(argv: string[], specs: FlagSpec[]): Parsed {
  const flags: Record<string, string | boolean> = {};
  for (const s of specs) if (s.default !== undefined) flags[s.name] = s.default;
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positional.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, "");
    const eq = body.indexOf("=");
    const name = eq < 0 ? body : body.slice(0, eq);
    const spec = specs.find((s) => s.name === name || s.short === name);
    if (!spec) throw new UsageError(`unknown flag: ${arg}`);
    if (spec.kind === "bool") {
      const raw = eq < 0 ? "true" : body.slice(eq + 1);
      if (raw !== "true" && raw !== "false") throw new UsageError(`invalid value "${raw}" for flag --${spec.name}: want true or false`);
      flags[spec.name] = raw === "true";
      continue;
    }
    if (eq >= 0) flags[spec.name] = body.slice(eq + 1);
    else if (i + 1 < argv.length) flags[spec.name] = argv[++i]!;
    else throw new UsageError(`flag needs an argument: --${spec.name}`);
  }
  return { flags, positional };
}

/** Help text for a list of flags. */
export function describeFlags(specs: FlagSpec[]): string {
  return specs
    .map((s) => {
      const names = (s.short ? `-${s.short}, ` : "    ") + `--${s.name}` + (s.kind === "string" ? " <value>" : "");
      const def = s.default !== undefined && s.default !== "" && s.default !== false ? ` (default ${JSON.stringify(s.default)})` : "";
      return `  ${names.padEnd(44)} ${s.help}${def}`;
    })
    .join("\n");
}
