// truncate_all(target, limit, Optional[utf8_safe], Optional[truncation_marker]) — ottl.md §5.1, E15.

import { PMap, defineEditor, utf8Length } from "../../function_api.ts";

/**
 * Cuts every string value of the map to at most `limit` UTF-8 bytes, never splitting a character
 * (JS strings cannot hold broken UTF-8, so `utf8_safe = false` behaves like true). A marker, when
 * given, is appended to cut values and counts against the limit.
 */
export const truncateAll = defineEditor({
  name: "truncate_all",
  params: { target: "PMapGetter", limit: "int", utf8_safe: { type: "bool", optional: true }, truncation_marker: { type: "string", optional: true } },
  create({ target, limit, truncation_marker }, cx) {
    if (limit < 0n) cx.fail("limit", `invalid limit for truncate_all function, ${limit} cannot be negative`);
    const marker = truncation_marker ?? "";
    const markerBytes = utf8Length(marker);
    if (BigInt(markerBytes) > limit) cx.fail("truncation_marker", `truncation_marker is longer than the limit ${limit}`);
    const max = Number(limit);
    return (tctx) => {
      const m: PMap = target.get(tctx);
      for (const kv of m.kvs) {
        const v = kv.value?.value;
        if (v?.case !== "stringValue" || utf8Length(v.value) <= max) continue;
        v.value = cutUtf8(v.value, max - markerBytes) + marker;
      }
    };
  },
});

/** The longest prefix of `s` whose UTF-8 encoding fits in `max` bytes. */
export function cutUtf8(s: string, max: number): string {
  let bytes = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    const isPair = c >= 0xd800 && c <= 0xdbff && i + 1 < s.length;
    const n = c < 0x80 ? 1 : c < 0x800 ? 2 : isPair ? 4 : 3;
    if (bytes + n > max) break;
    bytes += n;
    i += isPair ? 2 : 1;
  }
  return s.slice(0, i);
}
