// delete_key, delete_matching_keys, keep_keys, keep_matching_keys — ottl.md §5.1. All change the
// map in place through its live view.

import { compileRegex, defineEditor } from "../../function_api.ts";

/** delete_key(target, key): removes one key; a missing key is a no-op. */
export const deleteKey = defineEditor({
  name: "delete_key",
  params: { target: "PMapGetter", key: "StringGetter" },
  create({ target, key }) {
    return (tctx) => {
      const m = target.get(tctx);
      m.delete(key.get(tctx));
    };
  },
});

/** delete_matching_keys(target, pattern): removes every key the RE2 pattern matches (unanchored). */
export const deleteMatchingKeys = defineEditor({
  name: "delete_matching_keys",
  params: { target: "PMapGetter", pattern: "string" },
  create({ target, pattern }, cx) {
    const re = compileRegex(pattern, (msg) => cx.fail("pattern", `the regex pattern supplied to delete_matching_keys is not a valid pattern: ${msg}`));
    return (tctx) => {
      target.get(tctx).removeIf((k) => re.test(k));
    };
  },
});

/** keep_keys(target, keys[]): removes every key not listed. */
export const keepKeys = defineEditor({
  name: "keep_keys",
  params: { target: "PMapGetter", keys: "string[]" },
  create({ target, keys }) {
    const keep = new Set(keys);
    return (tctx) => {
      target.get(tctx).removeIf((k) => !keep.has(k));
    };
  },
});

/** keep_matching_keys(target, pattern): keeps only keys the RE2 pattern matches. */
export const keepMatchingKeys = defineEditor({
  name: "keep_matching_keys",
  params: { target: "PMapGetter", pattern: "string" },
  create({ target, pattern }, cx) {
    const re = compileRegex(pattern, (msg) => cx.fail("pattern", `the regex pattern supplied to keep_matching_keys is not a valid pattern: ${msg}`));
    return (tctx) => {
      target.get(tctx).removeIf((k) => !re.test(k));
    };
  },
});
