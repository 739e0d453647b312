// The `constants` namespace (spec §7): values, not functions. os and arch use Go's GOOS and
// GOARCH spellings because configs compare them against what Alloy reports.

import { hostname } from "node:os";
import { arch, platform } from "node:process";
import type { ObjectValue } from "../value.ts";

const GOOS: Readonly<Record<string, string>> = {
  win32: "windows",
  sunos: "solaris",
};

const GOARCH: Readonly<Record<string, string>> = {
  x64: "amd64",
  ia32: "386",
  arm: "arm",
  arm64: "arm64",
  ppc64: "ppc64le", // Node reports little-endian POWER as ppc64
  mipsel: "mipsle",
  mips: "mips",
  s390x: "s390x",
  riscv64: "riscv64",
  loong64: "loong64",
};

/** Go's GOOS name for a Node/Deno/Bun platform name. */
export function goOs(p: string = platform): string {
  return GOOS[p] ?? p;
}

/** Go's GOARCH name for a Node/Deno/Bun architecture name. */
export function goArch(a: string = arch): string {
  return GOARCH[a] ?? a;
}

/** The `constants` namespace object. */
export function constantsNamespace(version: string): ObjectValue {
  return { hostname: safeHostname(), os: goOs(), arch: goArch(), version };
}

function safeHostname(): string {
  try {
    return hostname();
  } catch {
    return ""; // e.g. Deno without --allow-sys
  }
}
