// The two OTTL error kinds: a configuration error found while compiling a statement (always fatal
// at load, ottl.md §4.5), and a run-time error of one statement on one item (subject to error_mode).

/** A position inside the statement text: 0-based offset, 1-based line and column (UTF-16 units). */
export interface OttlPos {
  readonly offset: number;
  readonly line: number;
  readonly col: number;
}

/** A configuration error in OTTL text: syntax, unknown function/path/enum, arity, bad literal. */
export class OttlCompileError extends Error {
  override readonly name = "OttlCompileError";
  constructor(
    message: string,
    /** Start offset inside the statement text (UTF-16 units), when known. */
    readonly offset?: number,
  ) {
    super(message);
  }
}

/** A run-time error of one statement or condition on one item; error_mode decides what happens. */
export class OttlRuntimeError extends Error {
  override readonly name = "OttlRuntimeError";
}

/** Throws a run-time error; for use inside function implementations and getters. */
export function fail(message: string): never {
  throw new OttlRuntimeError(message);
}

/** Position (line/col) of an offset in a statement that may span lines. */
export function posOf(text: string, offset: number): OttlPos {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, col: offset - lineStart + 1 };
}
