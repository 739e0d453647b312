// The `array` namespace (spec §7). combine_maps and group_by are experimental in Alloy; the
// stability gate lives in index.ts so these stay plain functions.

import { ValueError, valuesEqual } from "../value.ts";
import type { ObjectValue, Value } from "../value.ts";
import {
  arrayArg,
  boolArg,
  expectCount,
  expectCountBetween,
  objectArrayArg,
  stringArg,
  toStringValue,
} from "./args.ts";
import type { Impl } from "./args.ts";
import { setKey } from "./json.ts";

/** array.concat: concatenates any number of lists. */
export const concat: Impl = (name, args) => {
  const lists = args.map((_, i) => arrayArg(name, args, i));
  return lists.flat(1);
};

/**
 * array.combine_maps(a, b, keys [, pass_through]): every pair of maps from `a` and `b` whose
 * values under all `keys` are equal, merged with `b` winning conflicts. Maps lacking a key
 * never match; with pass_through, an `a` map that matched nothing is kept unchanged.
 */
export const combineMaps: Impl = (name, args) => {
  expectCountBetween(name, args, 3, 4);
  const left = objectArrayArg(name, args, 0);
  const right = objectArrayArg(name, args, 1);
  const keys = arrayArg(name, args, 2).map((k, i) => toStringValue(name, k, `argument 3 element ${i}`));
  if (keys.length === 0) throw new ValueError(`${name}: argument 3: merge conditions must not be empty`);
  const passThrough = args.length === 4 ? boolArg(name, args, 3) : false;

  const out: Value[] = [];
  for (const l of left) {
    let matched = false;
    for (const r of right) {
      if (!keys.every((k) => Object.hasOwn(l, k) && Object.hasOwn(r, k) && valuesEqual(l[k]!, r[k]!))) continue;
      out.push(merge(l, r));
      matched = true;
    }
    if (!matched && passThrough) out.push(merge(l, {}));
  }
  return out;
};

/**
 * array.group_by(list, key, drop_missing): groups objects by their value under `key`, giving
 * `[{<key> = value, items = [...]}, …]` in order of first appearance. Objects without the
 * key join the group whose value is "" unless drop_missing is true.
 */
export const groupBy: Impl = (name, args) => {
  expectCount(name, args, 3);
  const list = objectArrayArg(name, args, 0);
  const key = stringArg(name, args, 1);
  const dropMissing = boolArg(name, args, 2);

  const groups: { value: Value; items: Value[] }[] = [];
  for (const item of list) {
    if (!Object.hasOwn(item, key) && dropMissing) continue;
    const value = Object.hasOwn(item, key) ? item[key]! : "";
    let group = groups.find((g) => valuesEqual(g.value, value));
    if (group === undefined) {
      group = { value, items: [] };
      groups.push(group);
    }
    group.items.push(item);
  }
  return groups.map((g) => {
    const obj: ObjectValue = {};
    setKey(obj, key, g.value);
    setKey(obj, "items", g.items);
    return obj;
  });
};

/** Function name (within the namespace) to implementation. */
export const ARRAY_FUNCTIONS: Readonly<Record<string, Impl>> = {
  concat,
  combine_maps: combineMaps,
  group_by: groupBy,
};


function merge(a: ObjectValue, b: ObjectValue): ObjectValue {
  const out: ObjectValue = {};
  for (const src of [a, b]) for (const [k, v] of Object.entries(src)) setKey(out, k, v);
  return out;
}

