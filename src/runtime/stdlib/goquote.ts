// Go's strconv quoting (Quote, QuoteToASCII, QuoteRune, CanBackquote, IsPrint), which the
// `%q` verb of string.format prints.

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
const REPLACEMENT = 0xfffd;
const MAX_RUNE = 0x10ffff;

/** Go's strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isPrint(r: number): boolean {
  if (r === 0x20) return true;
  if (r < 0 || r > MAX_RUNE || (r >= 0xd800 && r <= 0xdfff)) return false;
  return PRINTABLE.test(String.fromCodePoint(r));
}

/** strconv.Quote (or QuoteToASCII when `asciiOnly`). */
export function quote(s: string, asciiOnly = false): string {
  let out = '"';
  for (const ch of s) out += escapeRune(ch.codePointAt(0)!, '"', asciiOnly);
  return `${out}"`;
}

/** strconv.QuoteRune (or QuoteRuneToASCII when `asciiOnly`); invalid runes become U+FFFD. */
export function quoteRune(r: number, asciiOnly = false): string {
  const valid = r >= 0 && r <= MAX_RUNE && !(r >= 0xd800 && r <= 0xdfff);
  return `'${escapeRune(valid ? r : REPLACEMENT, "'", asciiOnly)}'`;
}

/** strconv.CanBackquote: a single line without control characters (tab allowed) or backquotes. */
export function canBackquote(s: string): boolean {
  for (const ch of s) {
    const r = ch.codePointAt(0)!;
    if (r === 0xfeff || ch === "`") return false;
    if (r >= 0xd800 && r <= 0xdfff) return false; // a lone surrogate is not valid UTF-8
    if ((r < 0x20 && r !== 0x09) || r === 0x7f) return false;
  }
  return true;
}

const NAMED_ESCAPES: ReadonlyMap<number, string> = new Map([
  [0x07, "\\a"],
  [0x08, "\\b"],
  [0x0c, "\\f"],
  [0x0a, "\\n"],
  [0x0d, "\\r"],
  [0x09, "\\t"],
  [0x0b, "\\v"],
]);

function escapeRune(r: number, quoteChar: string, asciiOnly: boolean): string {
  // A lone surrogate reaches Go as the UTF-8 of U+FFFD, which is printable.
  if (r >= 0xd800 && r <= 0xdfff) r = REPLACEMENT;
  const ch = String.fromCodePoint(r);
  if (ch === quoteChar || ch === "\\") return `\\${ch}`;
  if (asciiOnly ? r < 0x80 && isPrint(r) : isPrint(r)) return ch;
  const named = NAMED_ESCAPES.get(r);
  if (named !== undefined) return named;
  if (r < 0x20 || r === 0x7f) return `\\x${hex(r, 2)}`;
  return r < 0x10000 ? `\\u${hex(r, 4)}` : `\\U${hex(r, 8)}`;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}
