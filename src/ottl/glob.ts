// Glob patterns for replace_match / replace_all_matches (ottl.md §5.1), gobwas/glob syntax
// without separators: `*` any run (including `/`), `?` one character, `[abc]`, `[a-z]`, `[!…]`,
// `{a,b}` alternation, `\` escapes. Translated to an anchored RE2 pattern, so matching is linear.

import { OttlCompileError } from "./errors.ts";
import { type Regex, compileRegex } from "./regex.ts";

/** Compiles a glob; a malformed glob is a configuration error. */
export function compileGlob(glob: string): Regex {
  const state = { i: 0 };
  const body = translate(glob, state, false);
  if (state.i < glob.length) throw new OttlCompileError(`invalid glob pattern ${JSON.stringify(glob)}: unexpected ${glob[state.i]}`);
  return compileRegex(`(?s)^${body}$`);
}

/** Translates until the end, or (inside braces) until `,` or `}`. */
function translate(glob: string, state: { i: number }, inBraces: boolean): string {
  let out = "";
  while (state.i < glob.length) {
    const c = glob[state.i]!;
    if (inBraces && (c === "," || c === "}")) return out;
    state.i++;
    switch (c) {
      case "*":
        out += ".*";
        break;
      case "?":
        out += ".";
        break;
      case "\\":
        if (state.i >= glob.length) throw new OttlCompileError(`invalid glob pattern ${JSON.stringify(glob)}: trailing backslash`);
        out += quote(glob[state.i++]!);
        break;
      case "[":
        out += charClass(glob, state);
        break;
      case "{":
        out += alternation(glob, state);
        break;
      default:
        out += quote(c);
    }
  }
  if (inBraces) throw new OttlCompileError(`invalid glob pattern ${JSON.stringify(glob)}: unclosed {`);
  return out;
}

function alternation(glob: string, state: { i: number }): string {
  const alts: string[] = [];
  for (;;) {
    alts.push(translate(glob, state, true));
    const c = glob[state.i++];
    if (c === "}") return `(?:${alts.join("|")})`;
  }
}

function charClass(glob: string, state: { i: number }): string {
  const end = glob.indexOf("]", state.i + 1);
  if (end < 0) throw new OttlCompileError(`invalid glob pattern ${JSON.stringify(glob)}: unclosed [`);
  let inner = glob.slice(state.i, end);
  state.i = end + 1;
  let neg = "";
  if (inner.startsWith("!")) {
    neg = "^";
    inner = inner.slice(1);
  }
  if (inner === "") throw new OttlCompileError(`invalid glob pattern ${JSON.stringify(glob)}: empty character class`);
  // Keep ranges (a-z); escape everything RE2 treats specially inside a class.
  const escaped = inner.replace(/[\\\]\[^]/g, (ch) => `\\${ch}`);
  return `[${neg}${escaped}]`;
}

function quote(c: string): string {
  return /[\\.+*?()|[\]{}^$]/.test(c) ? `\\${c}` : c;
}
