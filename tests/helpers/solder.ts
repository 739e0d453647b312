// Starts the real solder executable for end-to-end tests: dist/solder when it has been built
// (make build), otherwise the sources under Bun. Everything listens on 127.0.0.1.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const binary = `${root}dist/solder`;

/** The command that runs solder: the compiled binary, or bun with the sources. */
export function solderCommand(): string[] {
  if (process.env.SOLDER_E2E_SOURCE !== "1" && existsSync(binary)) return [binary];
  return [`${root}node_modules/.bin/bun`, `${root}src/main.ts`];
}

/** A free TCP port on 127.0.0.1 (asked of the OS, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Running {
  proc: ChildProcess;
  /** Base URL of the admin server, e.g. http://127.0.0.1:41234 */
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Sends SIGTERM and waits for exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

type StartOptions = { cwd?: string; env?: Record<string, string>; waitReady?: boolean };

/**
 * Spawns `solder run` with `args` and waits until /-/ready answers 200 (or the process exits).
 * The admin port is asked of the OS and released before solder binds it, so another process
 * can take it in between; a start that fails on that bind is retried on a new port.
 */
export async function startSolder(args: string[], opts: StartOptions = {}): Promise<Running> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(args, opts);
    } catch (err) {
      if (attempt >= 3 || !(err instanceof PortTakenError)) throw err;
    }
  }
}

class PortTakenError extends Error {}

async function startOnce(args: string[], opts: StartOptions): Promise<Running> {
  const port = await freePort();
  const [cmd, ...pre] = solderCommand();
  const proc = spawn(cmd!, [...pre, "run", `--server.http.listen-addr=127.0.0.1:${port}`, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const running: Running = {
    proc,
    url,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop(signal = "SIGTERM") {
      if (proc.exitCode === null) proc.kill(signal);
      const timer = setTimeout(() => proc.kill("SIGKILL"), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  if (opts.waitReady === false) return running;
  const deadline = Date.now() + 30_000;
  let done = false;
  void exited.then(() => (done = true));
  while (!done && Date.now() < deadline) {
    try {
      const r = await fetch(`${url}/-/ready`);
      if (r.status === 200) return running;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!done) await running.stop("SIGKILL");
  if (/failed to start the HTTP server.*EADDRINUSE|address already in use/i.test(err)) throw new PortTakenError(err);
  throw new Error(`solder did not become ready\nstderr:\n${err}`);
}

/** Polls `check` until it returns true or `ms` passes. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 10_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}
