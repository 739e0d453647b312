// The `sys` namespace (spec §7). sys.env reads the outside world, so it is not pure: the
// evaluator must not cache its result across evaluations.

import type { ObjectValue } from "../value.ts";
import { define, expectCount, stringArg } from "./args.ts";
import type { Impl } from "./args.ts";

/** Looks an environment variable up; undefined when unset. */
export type EnvLookup = (name: string) => string | undefined;

/** sys.env(name): the variable's value, or "" when it is unset (Go's os.Getenv). */
export function envFunction(lookup: EnvLookup): Impl {
  return (name, args) => {
    expectCount(name, args, 1);
    return lookup(stringArg(name, args, 0)) ?? "";
  };
}

/** The `sys` namespace object. */
export function sysNamespace(lookup: EnvLookup): ObjectValue {
  return { env: define("sys.env", envFunction(lookup), false) };
}
