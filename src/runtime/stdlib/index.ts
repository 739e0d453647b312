// The root scope of the standard library (spec §7): namespaces as objects, the top-level
// coalesce and json_path, and the deprecated flat aliases. Experimental functions exist in
// every scope (so references resolve) but refuse to run below --stability.level=experimental.

import { env } from "node:process";
import { ValueError } from "../value.ts";
import type { ObjectValue } from "../value.ts";
import { define } from "./args.ts";
import type { Impl } from "./args.ts";
import { ARRAY_FUNCTIONS } from "./array.ts";
import { constantsNamespace } from "./constants.ts";
import { convertNamespace, nonsensitive } from "./convert.ts";
import { ENCODING_FUNCTIONS } from "./encoding.ts";
import { fileNamespace } from "./file.ts";
import { coalesce, jsonPath } from "./misc.ts";
import { STRING_FUNCTIONS } from "./string.ts";
import { envFunction, sysNamespace } from "./sys.ts";
import type { EnvLookup } from "./sys.ts";

/** Options for building the standard library scope. */
export interface StdlibOptions {
  /** solder's version, exposed as constants.version ("" if unknown). */
  version: string;
  /** Environment lookup for sys.env; defaults to the process environment. */
  env?: EnvLookup;
  /** The configured --stability.level; defaults to generally-available. */
  stability?: "experimental" | "public-preview" | "generally-available";
}

/** Flat names kept for compatibility; using them should log a deprecation warning. */
export const DEPRECATED_NAMES: ReadonlySet<string> = new Set([
  "env",
  "nonsensitive",
  "concat",
  "json_decode",
  "yaml_decode",
  "format",
  "join",
  "replace",
  "split",
  "to_lower",
  "to_upper",
  "trim",
  "trim_prefix",
  "trim_suffix",
  "trim_space",
]);

/** Functions that only run with --stability.level=experimental. */
export const EXPERIMENTAL_FUNCTIONS: ReadonlySet<string> = new Set(["array.combine_maps", "array.group_by"]);

/** Builds the root scope: every stdlib namespace, function and constant by name. */
export function stdlib(opts: StdlibOptions): ObjectValue {
  const lookup = opts.env ?? ((name: string) => env[name]);
  const experimental = (opts.stability ?? "generally-available") === "experimental";
  const gate = (fullName: string, impl: Impl): Impl =>
    experimental || !EXPERIMENTAL_FUNCTIONS.has(fullName) ? impl : refuseExperimental;

  const scope: ObjectValue = {
    sys: sysNamespace(lookup),
    string: namespace("string", STRING_FUNCTIONS, gate),
    encoding: namespace("encoding", ENCODING_FUNCTIONS, gate),
    array: namespace("array", ARRAY_FUNCTIONS, gate),
    convert: convertNamespace(),
    file: fileNamespace(),
    constants: constantsNamespace(opts.version),
    coalesce: define("coalesce", coalesce),
    json_path: define("json_path", jsonPath),
  };

  // Deprecated aliases behave like their namespaced replacements but report their own name.
  const aliases: Record<string, Impl> = {
    nonsensitive,
    concat: ARRAY_FUNCTIONS.concat!,
    json_decode: ENCODING_FUNCTIONS.from_json!,
    yaml_decode: ENCODING_FUNCTIONS.from_yaml!,
  };
  for (const name of DEPRECATED_NAMES) {
    if (name === "env") scope.env = define("env", envFunction(lookup), false);
    else scope[name] = define(name, aliases[name] ?? STRING_FUNCTIONS[name]!);
  }
  return scope;
}

function namespace(prefix: string, table: Readonly<Record<string, Impl>>, gate: (fullName: string, impl: Impl) => Impl): ObjectValue {
  const ns: ObjectValue = {};
  for (const [key, impl] of Object.entries(table)) {
    const fullName = `${prefix}.${key}`;
    ns[key] = define(fullName, gate(fullName, impl));
  }
  return ns;
}

const refuseExperimental: Impl = (name) => {
  throw new ValueError(`${name} is experimental: it requires --stability.level=experimental`);
};
