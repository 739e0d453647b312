// The only place that asks which JavaScript runtime solder runs on (style: Hono's adapters).
// Everything else uses web standards and node: builtins, which Bun and Deno both provide.

declare const Bun: { version: string } | undefined;
declare const Deno: { version: { deno: string } } | undefined;

/** `bun 1.4.5`, `deno 2.9.6` or `node v20…`. */
export function runtimeName(): string {
  if (typeof Bun !== "undefined") return `bun ${Bun.version}`;
  if (typeof Deno !== "undefined") return `deno ${Deno.version.deno}`;
  return `node ${process.version}`;
}
