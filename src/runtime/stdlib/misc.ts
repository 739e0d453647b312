// Top-level functions outside any namespace (spec §7): coalesce and json_path.

import { Secret, ValueError, isObject } from "../value.ts";
import type { Value } from "../value.ts";
import { expectCount, stringArg } from "./args.ts";
import type { Impl } from "./args.ts";
import { parseJson } from "./json.ts";
import { queryJsonPath } from "./jsonpath.ts";

/**
 * coalesce(values...): the first argument that is set — not null, not a zero value ("", 0,
 * false) and not an empty array or object; otherwise the last argument; null with none.
 */
export const coalesce: Impl = (_name, args) => {
  for (const arg of args) if (!isEmpty(arg)) return arg;
  return args.length > 0 ? args[args.length - 1]! : null;
};

/** json_path(json, path): every match of a JSONPath query, always as a list. */
export const jsonPath: Impl = (name, args) => {
  expectCount(name, args, 2);
  const text = stringArg(name, args, 0);
  const path = stringArg(name, args, 1);
  try {
    return queryJsonPath(parseJson(text), path);
  } catch (err) {
    if (err instanceof ValueError) throw new ValueError(`${name}: ${err.message}`);
    throw err;
  }
};

/** Go's reflect.Value.IsZero plus Alloy's extra rule that empty collections count as unset. */
function isEmpty(v: Value): boolean {
  if (v === null || v === "" || v === 0 || v === false) return true;
  if (v instanceof Secret) return v.value === "";
  if (Array.isArray(v)) return v.length === 0;
  if (isObject(v)) return Object.keys(v).length === 0;
  return false;
}
