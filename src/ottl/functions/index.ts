// The registry of OTTL functions: one explicit list (style.md item 2). Adding a function is one
// import and one entry below. Converters live in converters/*.ts, metric-only functions in
// metric/*.ts, generic editors in editors/*.ts; see ../function_api.ts for how to define one.

import type { OttlFunction } from "../function_api.ts";
import { append } from "./editors/append.ts";
import { deleteKey, deleteMatchingKeys, keepKeys, keepMatchingKeys } from "./editors/keys.ts";
import { flatten } from "./editors/flatten.ts";
import { limit } from "./editors/limit.ts";
import { mergeMaps } from "./editors/merge_maps.ts";
import { replaceAllMatches, replaceAllPatterns, replaceMatch, replacePattern } from "./editors/replace.ts";
import { set } from "./editors/set.ts";
import { truncateAll } from "./editors/truncate_all.ts";
import { COLLECTION_CONVERTERS } from "./converters/collections.ts";
import { HASH_CONVERTERS } from "./converters/hash.ts";
import { MISC_CONVERTERS } from "./converters/misc.ts";
import { PARSE_CONVERTERS } from "./converters/parse.ts";
import { REGEX_CONVERTERS } from "./converters/regex.ts";
import { STRING_CONVERTERS } from "./converters/strings.ts";
import { TIME_CONVERTERS } from "./converters/time.ts";
import { TYPE_CONVERTERS } from "./converters/types.ts";
import { AGGREGATE_FUNCTIONS } from "./metric/aggregate.ts";
import { CONVERT_FUNCTIONS } from "./metric/convert.ts";
import { COPY_SCALE_FUNCTIONS } from "./metric/copy_scale.ts";
import { EXTRACT_FUNCTIONS } from "./metric/extract.ts";

/** Generic editors (ottl.md §5.1), usable in every context. */
export const EDITORS: readonly OttlFunction[] = [
  set,
  deleteKey,
  deleteMatchingKeys,
  keepKeys,
  keepMatchingKeys,
  mergeMaps,
  limit,
  truncateAll,
  replacePattern,
  replaceAllPatterns,
  replaceMatch,
  replaceAllMatches,
  flatten,
  append,
];

/** Converters (ottl.md §5.3). */
export const CONVERTERS: readonly OttlFunction[] = [
  ...TYPE_CONVERTERS,
  ...STRING_CONVERTERS,
  ...COLLECTION_CONVERTERS,
  ...REGEX_CONVERTERS,
  ...PARSE_CONVERTERS,
  ...HASH_CONVERTERS,
  ...TIME_CONVERTERS,
  ...MISC_CONVERTERS,
];

/** Metric-only functions (ottl.md §5.2), restricted with `contexts`. */
export const METRIC_FUNCTIONS: readonly OttlFunction[] = [
  ...CONVERT_FUNCTIONS,
  ...EXTRACT_FUNCTIONS,
  ...COPY_SCALE_FUNCTIONS,
  ...AGGREGATE_FUNCTIONS,
];

/** Every function by name; throws on a duplicate so a registration mistake fails in tests. */
export function buildRegistry(lists: ReadonlyArray<readonly OttlFunction[]>): ReadonlyMap<string, OttlFunction> {
  const byName = new Map<string, OttlFunction>();
  for (const list of lists) {
    for (const fn of list) {
      if (byName.has(fn.name)) throw new Error(`OTTL function ${fn.name} registered twice`);
      byName.set(fn.name, fn);
    }
  }
  return byName;
}

/** The default registry used by the transform and filter processors. */
export const FUNCTIONS: ReadonlyMap<string, OttlFunction> = buildRegistry([EDITORS, CONVERTERS, METRIC_FUNCTIONS]);
