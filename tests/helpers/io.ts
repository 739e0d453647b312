// An in-memory Io for running CLI commands inside a test.

import type { Io } from "../../src/cli/io.ts";

export interface CapturedIo extends Io {
  out: string[];
  err: string[];
  readonly stdoutText: string;
  readonly stderrText: string;
}

/** An Io whose stdin is `stdin` and whose output is captured. */
export function captureIo(stdin = ""): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    readStdin: async () => new TextEncoder().encode(stdin),
    get stdoutText() {
      return out.join("");
    },
    get stderrText() {
      return err.join("");
    },
  };
}
