#!/usr/bin/env bun
// The npm/bunx entry point: runs solder's TypeScript sources on Bun.
import "../src/main.ts";
