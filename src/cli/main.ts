// solder's command line: `run`, `validate`, `fmt`, `--version`, `--help` (Alloy-compatible).

import { COMMIT, VERSION } from "../version.ts";
import { runtimeName } from "../platform/index.ts";
import { FMT_FLAGS, fmtCommand } from "./fmt.ts";
import { type FlagSpec, UsageError, describeFlags } from "./flags.ts";
import { type Io, processIo } from "./io.ts";
import { RUN_FLAGS, runCommand } from "./run.ts";
import { TELEMETRYGEN_FLAGS, telemetrygenCommand } from "./telemetrygen.ts";
import { VALIDATE_FLAGS, validateCommand } from "./validate.ts";

interface Command {
  summary: string;
  usage: string;
  flags: FlagSpec[];
  exec(argv: string[], io: Io): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  run: {
    summary: "Run the gateway on a configuration file or directory (the built-in default pipeline when none is given)",
    usage: "solder run [flags] [file|directory]",
    flags: RUN_FLAGS,
    exec: runCommand,
  },
  validate: {
    summary: "Check a configuration without running it",
    usage: "solder validate [flags] <file|directory>",
    flags: VALIDATE_FLAGS,
    exec: validateCommand,
  },
  fmt: {
    summary: "Format a configuration file (stdin when no file or -)",
    usage: "solder fmt [flags] [file|-]",
    flags: FMT_FLAGS,
    exec: fmtCommand,
  },
  telemetrygen: {
    summary: "Send generated OTLP traces, metrics or logs to an endpoint and report throughput and latency",
    usage: "solder telemetrygen [flags] traces|metrics|logs",
    flags: TELEMETRYGEN_FLAGS,
    exec: telemetrygenCommand,
  },
};

/** The version line: `solder, version v0.1.0 (bun 1.4.5)`, with `revision: <sha>, ` before the runtime in release builds. */
export function versionLine(): string {
  return `solder, version v${VERSION} (${COMMIT ? `revision: ${COMMIT}, ` : ""}${runtimeName()})\n`;
}

/** Top-level help. */
export function helpText(): string {
  const cmds = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`).join("\n");
  return `solder: an OpenTelemetry gateway in one executable, configured in the Alloy language.

Usage:
  solder <command> [flags] [args]

Commands:
${cmds}

Flags:
  -h, --help     Show help (also: solder <command> --help)
  -v, --version  Print the version
`;
}

function commandHelp(c: Command): string {
  return `${c.summary}.\n\nUsage:\n  ${c.usage}\n\nFlags:\n${describeFlags(c.flags)}\n`;
}

/** Runs the CLI with `argv` (without the program name); returns the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === "help" || first === "--help" || first === "-h") {
    const target = first === "help" && rest[0] ? COMMANDS[rest[0]] : undefined;
    io.stdout(target ? commandHelp(target) : helpText());
    return first === undefined ? 2 : 0;
  }
  if (first === "--version" || first === "-v" || first === "version") {
    io.stdout(versionLine());
    return 0;
  }
  const cmd = COMMANDS[first];
  if (!cmd) {
    io.stderr(`Error: unknown command "${first}" for "solder"\nRun 'solder --help' for usage.\n`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(commandHelp(cmd));
    return 0;
  }
  try {
    return await cmd.exec(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`Error: ${err.message}\n\nUsage:\n  ${cmd.usage}\n\nRun 'solder ${first} --help' for the flags.\n`);
      return 2;
    }
    io.stderr(`Error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    return 1;
  }
}
