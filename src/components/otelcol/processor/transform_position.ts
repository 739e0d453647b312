// Maps a position inside an OTTL statement back to the .alloy file (ottl.md §8.1): the statement
// is the decoded value of an Alloy string literal, so escapes (`\"`, `\\`, `\u00e9`, `\xNN`) make
// decoded offsets differ from source offsets. We walk the literal's raw text once.

import type { Pos, Span } from "../../../syntax/ast.ts";
import type { Located } from "../../../runtime/schema.ts";

/** The file range of the character at `offset` (UTF-16 units) of the decoded statement. */
export function fileSpanAt(loc: Located<string>, offset: number): Span {
  if (loc.raw === undefined) return loc.span; // computed strings: only the expression's range is known
  const rawIndex = rawIndexOf(loc.raw, offset);
  const start = advance(loc.span.start, loc.raw, rawIndex);
  const end = advance(start, loc.raw.slice(rawIndex), Math.min(1, loc.raw.length - rawIndex - 1));
  return { start, end: end.offset === start.offset ? { ...start, col: start.col + 1, offset: start.offset + 1 } : end };
}

/** Index in the raw literal (quotes included) of the source of decoded offset `offset`. */
function rawIndexOf(raw: string, offset: number): number {
  if (raw.startsWith("`")) return Math.min(1 + offset, raw.length - 1);
  let decoded = 0;
  let i = 1;
  while (i < raw.length - 1) {
    if (decoded >= offset) return i;
    const c = raw[i]!;
    if (c !== "\\") {
      decoded++;
      i++;
      continue;
    }
    const e = raw[i + 1] ?? "";
    if (e === "u" || e === "U") {
      const digits = e === "u" ? 4 : 8;
      const cp = parseInt(raw.slice(i + 2, i + 2 + digits), 16);
      decoded += cp > 0xffff ? 2 : 1;
      i += 2 + digits;
    } else if (e === "x" || /[0-7]/.test(e)) {
      // Byte escapes combine into UTF-8 characters; count one character per sequence.
      const first = byteAt(raw, i);
      const len = first.value < 0x80 ? 1 : first.value >= 0xf0 ? 4 : first.value >= 0xe0 ? 3 : first.value >= 0xc0 ? 2 : 1;
      let j = first.next;
      for (let n = 1; n < len && raw[j] === "\\"; n++) j = byteAt(raw, j).next;
      decoded += len === 4 ? 2 : 1;
      i = j;
    } else {
      decoded++;
      i += 2;
    }
  }
  return Math.min(i, raw.length - 1);
}

function byteAt(raw: string, i: number): { value: number; next: number } {
  if (raw[i + 1] === "x") return { value: parseInt(raw.slice(i + 2, i + 4), 16), next: i + 4 };
  return { value: parseInt(raw.slice(i + 1, i + 4), 8), next: i + 4 };
}

/** The position `count` UTF-16 units of `text` after `from` (lines and code-point columns). */
function advance(from: Pos, text: string, count: number): Pos {
  let { line, col, offset } = from;
  for (let i = 0; i < count && i < text.length; i++) {
    const c = text.charCodeAt(i);
    offset++;
    if (c === 10) {
      line++;
      col = 1;
    } else if (c < 0xdc00 || c > 0xdfff) {
      col++; // a low surrogate belongs to the code point already counted
    }
  }
  return { line, col, offset };
}
