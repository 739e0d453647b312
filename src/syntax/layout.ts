// The printer's output engine. The walker sends tokens (with their source positions) and
// whitespace requests; whitespace is held back until the next token so that comments found in
// between can be placed first, the way `alloy fmt` places them:
// - a comment on the same source line as the previous token follows it after a tab (aligned
//   with neighbouring trailing comments), or a space when the next token is on that line too;
// - a comment on a later line starts a new line, keeping at most one blank line before it;
// - after comments, the next token goes back to its own line if it was on a later line.
// Lines are then aligned (align.ts) and trailing blanks trimmed.

import type { Comment } from "./ast.ts";
import type { Cell, Line } from "./align.ts";
import { renderLines } from "./align.ts";
import { countCodePoints } from "./chars.ts";

/**
 * Whitespace requests: blank, vertical tab (column separator for alignment), newline,
 * formfeed (newline that ends an alignment run), "!" (a formfeed that comments on the next
 * token's line cannot cancel), indent, unindent, and "" (dropped).
 */
export type Space = " " | "\v" | "\n" | "\f" | "!" | ">" | "<" | "";

/** A source position as far as layout cares. */
export interface SourcePos {
  offset: number;
  line: number;
}

const END: SourcePos = { offset: Number.POSITIVE_INFINITY, line: Number.POSITIVE_INFINITY };
const MAX_NEWLINES = 2;

/** Collects tokens, comments and whitespace into aligned output lines. */
export class Layout {
  /** Number of line breaks written so far (lets the walker see whether a node spans lines). */
  lineCount = 0;
  private readonly comments: readonly Comment[];
  private nextComment = 0;
  private readonly lines: Line[] = [];
  private cells: Cell[] = [];
  private cell = { text: "", width: 0, keep: 0 };
  private atLineStart = true;
  private wroteAnything = false;
  private indent = 0;
  private pending: Space[] = [];
  /** Source line on which the last written token or comment ended. */
  private lastLine = 0;
  /** Stand-in position for tokens the AST has no position for: just after the previous one. */
  private estimate: SourcePos = { offset: 0, line: 1 };

  constructor(comments: readonly Comment[]) {
    this.comments = comments;
  }

  /** Requests whitespace before the next token. */
  space(...spaces: Space[]): void {
    this.pending.push(...spaces);
  }

  /** Writes a token found at `at` in the source; `literal` text is never trimmed or split. */
  token(text: string, at?: SourcePos, literal = false): void {
    const next = at ?? this.estimate;
    if (this.commentDue(next)) this.writeComments(next, false);
    else this.flushPending(this.pending.length);
    this.writeText(text, literal);
    let line = next.line;
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) line++;
    this.lastLine = line;
    this.estimate = { offset: next.offset + text.length, line };
  }

  /** Writes the remaining comments and returns the aligned text, ending in one newline. */
  finish(): string {
    if (this.commentDue(END)) this.writeComments(END, true);
    this.endLine(false);
    return `${renderLines(this.lines)}\n`;
  }

  private commentDue(next: SourcePos): boolean {
    const c = this.comments[this.nextComment];
    return c !== undefined && c.start.offset <= next.offset;
  }

  /** Writes every comment before `next`, then the whitespace leading up to `next`. */
  private writeComments(next: SourcePos, atEnd: boolean): void {
    let last: Comment | undefined;
    while (this.commentDue(next)) {
      const c = this.comments[this.nextComment++]!;
      this.commentPrefix(c, next);
      this.writeText(c.text, true);
      this.lastLine = c.end.line;
      last = c;
    }
    if (!atEnd && last !== undefined) this.commentSuffix(next, last);
  }

  private commentPrefix(c: Comment, next: SourcePos): void {
    if (!this.wroteAnything) return;
    if (c.start.line === this.lastLine) {
      this.writeSpace(c.start.line === next.line ? " " : "\t", 1);
      return;
    }
    // The comment brings its own line break: drop the first pending separator but keep the
    // indentation changes queued before it, so the comment is indented like what follows.
    const k = this.pending.findIndex((s) => s !== ">" && s !== "<");
    if (k >= 0) {
      this.pending[k] = "";
      this.flushPending(k);
    }
    const newlines = Math.min(c.start.line - this.lastLine, MAX_NEWLINES);
    if (newlines > 0) this.writeSpace("\f", newlines);
  }

  private commentSuffix(next: SourcePos, last: Comment): void {
    const isBlock = last.text.startsWith("/*");
    if (isBlock && next.line === last.end.line) this.writeSpace(" ", 1);
    let formfeed = false;
    let hard = false;
    this.pending = this.pending.map((s) => {
      if (s === "\f" || s === "!") formfeed = true;
      if (s === "!") hard = true;
      return s === ">" || s === "<" ? s : "";
    });
    this.flushPending(this.pending.length);
    let newlines = next.line - this.lastLine;
    if ((hard || !isBlock) && newlines < 1) newlines = 1; // a line comment must end its line
    if (newlines > 0) this.writeSpace(formfeed ? "\f" : "\n", Math.min(newlines, MAX_NEWLINES));
  }

  /** Writes the first `n` pending whitespace requests. */
  private flushPending(n: number): void {
    for (let i = 0; i < n; i++) {
      const s = this.pending[i]!;
      if (s === ">") this.indent++;
      else if (s === "<") this.indent = Math.max(0, this.indent - 1);
      else if (s === "!") this.writeSpace("\f", 1);
      else if (s !== "") this.writeSpace(s, 1);
    }
    this.pending.splice(0, n);
  }

  private writeSpace(ch: " " | "\t" | "\v" | "\n" | "\f", n: number): void {
    if (this.atLineStart) this.writeIndent();
    this.wroteAnything = true;
    for (let i = 0; i < n; i++) {
      if (ch === "\n" || ch === "\f") this.endLine(ch === "\f");
      else if (ch === " ") this.append(" ", false);
      else this.endCell(ch === "\t");
    }
  }

  private writeText(text: string, literal: boolean): void {
    if (this.atLineStart) this.writeIndent();
    this.wroteAnything = true;
    if (!text.includes("\n")) {
      this.append(text, literal);
      return;
    }
    // Multi-line raw strings and block comments: later lines are written as they are.
    const parts = text.split("\n");
    parts.forEach((part, i) => {
      if (i > 0) {
        this.endLine(false);
        this.atLineStart = false;
      }
      this.append(part, literal);
    });
  }

  private writeIndent(): void {
    for (let i = 0; i < this.indent; i++) this.endCell(true);
    this.atLineStart = false;
  }

  private append(text: string, literal: boolean): void {
    this.cell.text += text;
    this.cell.width += countCodePoints(text);
    if (literal) this.cell.keep = this.cell.text.length;
  }

  private endCell(htab: boolean): void {
    this.cells.push({ ...this.cell, htab });
    this.cell = { text: "", width: 0, keep: 0 };
  }

  private endLine(formfeed: boolean): void {
    this.endCell(false);
    this.lines.push({ cells: this.cells, formfeed });
    this.cells = [];
    this.atLineStart = true;
    this.lineCount++;
  }
}
