// Parser state shared by the statement and expression parsers: the current token, comment
// collection, diagnostics (with Alloy's one-error-per-line rule) and the guards that keep bad
// input from hanging the parser, overflowing the stack or flooding the user with errors.

import type { Comment, Pos } from "./ast.ts";
import type { Diagnostic } from "./diag.ts";
import { endPosition } from "./chars.ts";
import { Lexer } from "./lexer.ts";
import type { Token, TokenKind } from "./token.ts";

/**
 * Deepest nesting of blocks and expressions accepted before parsing stops. Every walk over the
 * tree (parser, printer, evaluator, argument decoding) recurses once per level with several
 * frames each; 200 keeps all of them far inside the smallest default stack of the runtimes we
 * support (1000 overflowed Deno's in CI), and is far beyond any real configuration.
 */
export const MAX_DEPTH = 200;
/** Errors reported before parsing stops with one final note. */
export const MAX_ERRORS = 100;

/** A cursor over one source's tokens, with the diagnostics and comments found so far. */
export class ParseState {
  readonly file: string;
  readonly source: string;
  readonly diagnostics: Diagnostic[] = [];
  readonly comments: Comment[] = [];
  /** The current (non-comment) token. */
  tok: Token;
  /** Current nesting depth of blocks and expressions. */
  depth = 0;
  private readonly lexer: Lexer;
  private lastErrorLine = 0;
  private errors = 0;
  private halted = false;

  constructor(file: string, source: string) {
    this.file = file;
    this.source = source;
    this.lexer = new Lexer(source, (start, end, message) => this.report(start, end, message));
    this.tok = { kind: "EOF", start: this.lexer.pos(), end: this.lexer.pos(), text: "" };
    this.next();
  }

  /** Advances to the next non-comment token, collecting comments on the way. */
  next(): void {
    while (!this.halted) {
      const t = this.lexer.next();
      if (t.kind === "COMMENT") {
        this.comments.push({ start: t.start, end: t.end, text: t.text });
        continue;
      }
      if (!this.halted) this.tok = t;
      return;
    }
    if (this.tok.kind !== "EOF") {
      const end = endPosition(this.source);
      this.tok = { kind: "EOF", start: end, end, text: "" };
    }
  }

  /** Kind of the current token (a call, so TypeScript does not narrow it across `next()`). */
  kind(): TokenKind {
    return this.tok.kind;
  }

  /** Consumes the current token, reporting `expected <kind>, got <tok>` if it is not `kind`. */
  expect(kind: TokenKind): Token {
    const t = this.tok;
    if (t.kind !== kind) this.error(`expected ${kind}, got ${t.kind}`);
    this.next();
    return t;
  }

  /** Reports an error at the current token, unless one was already reported on its line. */
  error(message: string): void {
    const { start, end } = this.tok;
    if (start.line === this.lastErrorLine) return;
    this.lastErrorLine = start.line;
    this.report(start, end, message);
  }

  /** Records a diagnostic unconditionally (until the error cap is reached). */
  report(start: Pos, end: Pos, message: string): void {
    if (this.halted) return;
    this.diagnostics.push({ severity: "error", file: this.file, start, end, message });
    if (++this.errors >= MAX_ERRORS) {
      this.diagnostics.push({
        severity: "error", file: this.file, start, end,
        message: `too many errors (stopped after ${MAX_ERRORS})`,
      });
      this.halt();
    }
  }

  /** Enters one nesting level; false (after reporting once and stopping) when too deep. */
  enter(): boolean {
    this.depth++;
    return this.checkDepth(0);
  }

  /** Leaves a level entered with `enter()`. */
  leave(): void {
    this.depth--;
  }

  /** False (after stopping) when `depth + extra` nested nodes exceed MAX_DEPTH. */
  checkDepth(extra: number): boolean {
    if (this.depth + extra <= MAX_DEPTH) return true;
    if (!this.halted) {
      this.report(this.tok.start, this.tok.end, `nesting too deep (more than ${MAX_DEPTH} levels)`);
      this.halt();
    }
    return false;
  }

  /** Stops parsing: every later token is EOF and no more diagnostics are recorded. */
  private halt(): void {
    this.halted = true;
    const end = endPosition(this.source);
    this.tok = { kind: "EOF", start: end, end, text: "" };
  }

  /** Skips tokens up to (not including) `kind` or EOF. */
  advanceTo(kind: TokenKind): void {
    while (this.tok.kind !== "EOF" && this.tok.kind !== kind) this.next();
  }

  /** Skips tokens up to (not including) any of `kinds` or EOF. */
  advanceToAny(kinds: ReadonlySet<TokenKind>): void {
    while (this.tok.kind !== "EOF" && !kinds.has(this.tok.kind)) this.next();
  }

  /**
   * Skips the rest of a statement: up to a TERMINATOR outside any bracket pair opened here.
   * Counts may go negative when the statement began inside an enclosing pair.
   */
  skipStatement(): void {
    let curly = 0, brack = 0, paren = 0;
    while (this.tok.kind !== "EOF") {
      switch (this.tok.kind) {
        case "{": curly++; break;
        case "}": curly--; break;
        case "[": brack++; break;
        case "]": brack--; break;
        case "(": paren++; break;
        case ")": paren--; break;
        case "TERMINATOR":
          if (curly <= 0 && brack <= 0 && paren <= 0) return;
          break;
      }
      this.next();
    }
  }
}
