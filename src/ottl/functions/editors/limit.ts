// limit(target, limit, priority_keys[]) — ottl.md §5.1.

import { defineEditor } from "../../function_api.ts";

/**
 * Shrinks the map to at most `limit` entries. Priority keys are never dropped; the other kept keys
 * are the first ones in stored order (upstream leaves the choice unspecified; we make it
 * deterministic).
 */
export const limit = defineEditor({
  name: "limit",
  params: { target: "PMapGetter", limit: "int", priority_keys: "string[]" },
  create({ target, limit, priority_keys }, cx) {
    if (limit < 1n) cx.fail("limit", `invalid limit for limit function, ${limit} cannot be less than 1`);
    const keep = new Set(priority_keys);
    if (BigInt(keep.size) > limit) {
      cx.fail("priority_keys", `invalid limit for limit function, ${limit} cannot be less than number of priority attributes ${keep.size}`);
    }
    const max = Number(limit);
    return (tctx) => {
      const m = target.get(tctx);
      if (m.size <= max) return;
      let count = m.keys().filter((k) => keep.has(k)).length;
      m.removeIf((k) => {
        if (keep.has(k)) return false;
        if (count < max) {
          count++;
          return false;
        }
        return true;
      });
    };
  },
});
