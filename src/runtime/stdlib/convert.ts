// The `convert` namespace (spec §7).

import type { ObjectValue } from "../value.ts";
import { define, expectCount, secretArg } from "./args.ts";
import type { Impl } from "./args.ts";

/** convert.nonsensitive(secret): the secret's text as a plain string. */
export const nonsensitive: Impl = (name, args) => {
  expectCount(name, args, 1);
  return secretArg(name, args, 0);
};

/** The `convert` namespace object. */
export function convertNamespace(): ObjectValue {
  return { nonsensitive: define("convert.nonsensitive", nonsensitive) };
}
