// A cursor over one line of a Prometheus text or OpenMetrics exposition: the token readers the
// two formats share (names, quoted strings with escapes, label sets, numbers). Every reader
// moves forward only, so a whole body parses in time linear in its length.

import type { Label } from "./appender.ts";

/** A syntax error at a 1-based line of the body. */
export class TextParseError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = "TextParseError";
  }
}

const isNameStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58; // a-z A-Z _ :
const isNameChar = (c: number) => isNameStart(c) || (c >= 48 && c <= 57);
const isBlank = (c: number) => c === 32 || c === 9;

/** Legacy label names: `[a-zA-Z_][a-zA-Z0-9_]*`. */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Legacy metric names: `[a-zA-Z_:][a-zA-Z0-9_:]*`. */
export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** A position in one line; `fail` throws with the line number. */
export class Cursor {
  pos = 0;
  constructor(
    readonly text: string,
    readonly lineNo: number,
  ) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }
  peek(): number {
    return this.text.charCodeAt(this.pos);
  }
  fail(reason: string): never {
    throw new TextParseError(this.lineNo, reason);
  }
  /** Describes what is at the cursor, for messages. */
  here(): string {
    return this.done ? "end of line" : JSON.stringify(this.text.slice(this.pos, this.pos + 16));
  }

  /** Skips spaces and tabs; returns how many. */
  skipBlanks(): number {
    const start = this.pos;
    while (!this.done && isBlank(this.peek())) this.pos++;
    return this.pos - start;
  }
  /** Consumes exactly one space (OpenMetrics separates tokens with single spaces). */
  expectSpace(what: string): void {
    if (this.peek() !== 32) this.fail(`expected a space before ${what}, got ${this.here()}`);
    this.pos++;
  }
  expectChar(ch: string, what: string): void {
    if (this.text[this.pos] !== ch) this.fail(`expected ${what}, got ${this.here()}`);
    this.pos++;
  }

  /** A bare metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`), or "" when none starts here. */
  readName(): string {
    const start = this.pos;
    if (this.done || !isNameStart(this.peek())) return "";
    while (!this.done && isNameChar(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** Everything up to the next blank (a number or timestamp token). */
  readToken(): string {
    const start = this.pos;
    while (!this.done && !isBlank(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** A double-quoted string; `\\`, `\"` and `\n` are unescaped, other escapes kept as written. */
  readQuoted(what: string): string {
    this.expectChar('"', `'"' to start ${what}`);
    let out = "";
    let from = this.pos;
    for (;;) {
      if (this.done) this.fail(`unterminated ${what}`);
      const c = this.peek();
      if (c === 34) break; // "
      if (c === 92) {
        // backslash
        out += this.text.slice(from, this.pos);
        const next = this.text[this.pos + 1];
        if (next === undefined) this.fail(`unterminated ${what}`);
        out += next === "n" ? "\n" : next === "\\" || next === '"' ? next : "\\" + next;
        this.pos += 2;
        from = this.pos;
        continue;
      }
      this.pos++;
    }
    out += this.text.slice(from, this.pos);
    this.pos++;
    return out;
  }

  /**
   * A `{name="value",...}` set starting at `{`. A quoted string standing alone in it is the
   * metric name (the UTF-8 syntax `{"my.metric", a="b"}`); it is returned as `name`.
   * `blanks` allows spaces and tabs around tokens (text 0.0.4); OpenMetrics allows none.
   */
  readLabelSet(blanks: boolean): { labels: Label[]; name?: string } {
    this.expectChar("{", "'{'");
    const labels: Label[] = [];
    let name: string | undefined;
    const skip = () => blanks && this.skipBlanks();
    skip();
    while (this.peek() !== 125) {
      // }
      let label: string;
      if (this.peek() === 34) {
        label = this.readQuoted("label name");
        skip();
        if (this.peek() === 44 || this.peek() === 125) {
          if (name !== undefined || labels.length > 0) this.fail(`unexpected quoted metric name ${JSON.stringify(label)}`);
          name = label;
          if (this.peek() === 44) this.pos++;
          skip();
          continue;
        }
      } else {
        const start = this.pos;
        while (!this.done && isNameChar(this.peek()) && this.peek() !== 58) this.pos++;
        label = this.text.slice(start, this.pos);
        if (!LABEL_NAME.test(label)) this.fail(`invalid label name, got ${label ? JSON.stringify(label) : this.here()}`);
        skip();
      }
      this.expectChar("=", `'=' after label name ${JSON.stringify(label)}`);
      skip();
      labels.push([label, this.readQuoted(`value of label ${JSON.stringify(label)}`)]);
      skip();
      if (this.peek() === 44) {
        this.pos++;
        skip();
      } else if (this.peek() !== 125) this.fail(`expected ',' or '}' after label value, got ${this.here()}`);
    }
    this.pos++;
    return { labels, name };
  }
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL = /^(?:[+-]?(?:inf|infinity)|nan)$/i;

/** A float as Go's ParseFloat reads it (decimal, `NaN`, `±Inf`), or undefined. */
export function parseValue(token: string): number | undefined {
  if (DECIMAL.test(token)) return Number(token);
  if (!SPECIAL.test(token)) return undefined;
  const lower = token.toLowerCase();
  if (lower === "nan") return NaN;
  return lower.startsWith("-") ? -Infinity : Infinity;
}

/** An integer millisecond timestamp (text 0.0.4), or undefined. */
export function parseIntTimestamp(token: string): number | undefined {
  return /^-?\d+$/.test(token) ? Number(token) : undefined;
}

/** A float seconds timestamp (OpenMetrics) in milliseconds, truncated as Prometheus does. */
export function parseSecondsTimestamp(token: string): number | undefined {
  const s = DECIMAL.test(token) ? Number(token) : undefined;
  return s === undefined || !Number.isFinite(s) ? undefined : Math.trunc(s * 1000);
}

/** `\\` and `\n` (and with `quotes`, OpenMetrics, `\"`) unescaped in a HELP text. */
export function unescapeHelp(text: string, quotes: boolean): string {
  return text.replace(/\\(.)/g, (all, c: string) => (c === "n" ? "\n" : c === "\\" || (quotes && c === '"') ? c : all));
}
