// The OTTL parser: recursive descent over the EBNF of ottl.md §1.2 with the precedence of §1.3.
// Entry points: parseStatement (transform statements) and parseCondition (conditions, filter).

import type { Arg, BoolExpr, Call, Field, Key, MapEntry, PathExpr, Statement, ValueExpr } from "./ast.ts";
import { OttlCompileError } from "./errors.ts";
import { type Token, tokenize } from "./lexer.ts";

/** Parses `editor(args) [where condition]`. */
export function parseStatement(text: string): Statement {
  const p = new Parser(text);
  const stmt = p.statement();
  p.expectEnd();
  return stmt;
}

/** Parses a boolean expression (group `conditions`, filter conditions). */
export function parseCondition(text: string): BoolExpr {
  const p = new Parser(text);
  if (p.peek().kind === "eof") throw new OttlCompileError("empty condition", 0);
  const expr = p.boolExpr();
  p.expectEnd();
  return expr;
}

/** Parses a value expression (used by some components and by tests). */
export function parseValue(text: string): ValueExpr {
  const p = new Parser(text);
  const v = p.value();
  p.expectEnd();
  return v;
}

const KEYWORDS = new Set(["not", "and", "or", "true", "false", "nil", "where"]);
/** Deeper nesting than this is refused rather than risking the JS stack on hostile input. */
const MAX_DEPTH = 100;
/**
 * Most operands in one flat `and`/`or`/`+`/`*` chain. A chain builds a left-deep tree that the
 * compiler walks recursively, so its length needs a bound just as nesting does (the fuzzer
 * overflowed the stack with ~50,000 terms); 2,000 is far beyond any real condition.
 */
const MAX_CHAIN = 2000;

const isUpper = (name: string) => /^[A-Z]/.test(name);
const isLower = (name: string) => /^[a-z]/.test(name);

class Parser {
  private readonly tokens: Token[];
  private i = 0;
  private depth = 0;

  constructor(readonly text: string) {
    this.tokens = tokenize(text);
  }

  peek(n = 0): Token {
    return this.tokens[Math.min(this.i + n, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== "eof") this.i++;
    return t;
  }

  private is(kind: Token["kind"], text?: string, n = 0): boolean {
    const t = this.peek(n);
    return t.kind === kind && (text === undefined || t.text === text);
  }

  private isWord(word: string, n = 0): boolean {
    return this.is("ident", word, n);
  }

  private expect(kind: Token["kind"], what: string): Token {
    if (!this.is(kind)) this.unexpected(`expected ${what}`);
    return this.next();
  }

  /** Throws "<what>, found <token>" at the current token, with hints for common mistakes. */
  unexpected(what: string): never {
    const t = this.peek();
    const prev = this.tokens[this.i - 1];
    if ((t.kind === "int" || t.kind === "float") && /^[-+]/.test(t.text) && prev && endsOperand(prev)) {
      throw new OttlCompileError(`unexpected ${t.text}: a sign directly before a number is part of it; write \`${t.text[0]} ${t.text.slice(1)}\` with a space`, t.start);
    }
    const found = t.kind === "eof" ? "end of statement" : `"${t.text}"`;
    throw new OttlCompileError(`${what}, found ${found}`, t.start);
  }

  expectEnd(): void {
    if (!this.is("eof")) this.unexpected("expected end of statement");
  }

  private enter(at: number): void {
    if (++this.depth > MAX_DEPTH) throw new OttlCompileError(`expression nested too deeply (more than ${MAX_DEPTH} levels)`, at);
  }

  private leave(): void {
    this.depth--;
  }

  /** Counts one more operand of a flat chain; throws past MAX_CHAIN. */
  private extend(count: number, at: number): number {
    if (count >= MAX_CHAIN) throw new OttlCompileError(`expression too long (more than ${MAX_CHAIN} operands in one chain)`, at);
    return count + 1;
  }

  statement(): Statement {
    const start = this.peek().start;
    const t = this.peek();
    if (t.kind !== "ident" || !this.is("(", undefined, 1)) this.unexpected("expected an editor call such as set(...)");
    if (isUpper(t.text)) throw new OttlCompileError(`editor names must start with a lowercase letter, but got ${t.text}: a statement must be an editor call, converters can only be arguments`, t.start);
    const editor = this.call();
    if (editor.keys.length > 0) throw new OttlCompileError("an editor's result cannot be indexed", editor.keys[0]!.start);
    let where: BoolExpr | undefined;
    if (this.isWord("where")) {
      const w = this.next();
      if (this.is("eof")) throw new OttlCompileError("missing condition after where", w.start);
      where = this.boolExpr();
    }
    return { kind: "statement", editor, where, start, end: this.peek().start };
  }

  boolExpr(): BoolExpr {
    let left = this.andTerm();
    let count = 1;
    while (this.isWord("or")) {
      count = this.extend(count, this.peek().start);
      this.next();
      const right = this.andTerm();
      left = { kind: "or", left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private andTerm(): BoolExpr {
    let left = this.boolFactor();
    let count = 1;
    while (this.isWord("and")) {
      count = this.extend(count, this.peek().start);
      this.next();
      const right = this.boolFactor();
      left = { kind: "and", left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private boolFactor(): BoolExpr {
    const start = this.peek().start;
    if (this.isWord("not")) {
      this.next();
      this.enter(start);
      const expr = this.boolFactor();
      this.leave();
      return { kind: "not", expr, start, end: expr.end };
    }
    this.enter(start);
    try {
      return this.boolPrimary();
    } finally {
      this.leave();
    }
  }

  /** comparison | true | false | converter | ( bool_expr ); a comparison is tried first (backtracking). */
  private boolPrimary(): BoolExpr {
    const save = this.i;
    const saveDepth = this.depth;
    let cmpError: OttlCompileError | undefined;
    try {
      const left = this.value();
      if (this.is("cmp")) {
        const op = this.next().text as "==" | "!=" | "<" | "<=" | ">" | ">=";
        const right = this.value();
        if (this.is("cmp")) throw new OttlCompileError("comparisons cannot be chained (a < b < c); combine them with and", this.peek().start);
        return { kind: "cmp", op, left, right, start: left.start, end: right.end };
      }
      if (this.is("=")) throw new OttlCompileError("= is not a comparison; use == to compare", this.peek().start);
      if (left.kind === "bool") return { kind: "boolconst", value: left.value, start: left.start, end: left.end };
      if (left.kind === "call") return { kind: "boolcall", call: left.call, start: left.start, end: left.end };
      if (left.kind === "path") {
        throw new OttlCompileError("a path is not a condition; compare it (for example attributes[\"x\"] == true)", left.start);
      }
    } catch (err) {
      if (!(err instanceof OttlCompileError)) throw err;
      cmpError = err;
    }
    const afterValue = this.i;
    this.i = save;
    this.depth = saveDepth;
    if (this.is("(")) {
      const open = this.next();
      try {
        const inner = this.boolExpr();
        this.expect(")", `expected ")" to close "(" at column ${open.start + 1}`);
        return inner;
      } catch (err) {
        // Report whichever reading got further: the comparison or the parenthesised condition.
        if (cmpError?.offset !== undefined && err instanceof OttlCompileError && (err.offset ?? 0) < cmpError.offset) throw cmpError;
        throw err;
      }
    }
    if (cmpError) throw cmpError;
    this.i = afterValue;
    this.unexpected("expected a comparison operator (==, !=, <, <=, >, >=)");
  }

  /** value = nil | string | bool | bytes | list | map | math expression (paths, calls, numbers, enums). */
  value(): ValueExpr {
    const t = this.peek();
    switch (t.kind) {
      case "string":
        this.next();
        return this.noArithmetic({ kind: "string", value: t.value as string, start: t.start, end: t.end }, "strings");
      case "bytes":
        this.next();
        return this.noArithmetic({ kind: "bytes", value: t.value as Uint8Array, start: t.start, end: t.end }, "byte literals");
      case "[":
        return this.noArithmetic(this.list(), "lists");
      case "{":
        return this.noArithmetic(this.map(), "maps");
      case "ident":
        if (t.text === "nil") {
          this.next();
          return this.noArithmetic({ kind: "nil", start: t.start, end: t.end }, "nil");
        }
        if (t.text === "true" || t.text === "false") {
          this.next();
          return this.noArithmetic({ kind: "bool", value: t.text === "true", start: t.start, end: t.end }, "booleans");
        }
    }
    return this.mathExpr();
  }

  private noArithmetic(v: ValueExpr, what: string): ValueExpr {
    if (this.is("add") || this.is("mul")) {
      throw new OttlCompileError(`${what} cannot be used in arithmetic${what === "strings" ? "; use Concat to join strings" : ""}`, this.peek().start);
    }
    return v;
  }

  private mathExpr(): ValueExpr {
    let left = this.mulTerm();
    let count = 1;
    while (this.is("add")) {
      count = this.extend(count, this.peek().start);
      const op = this.next().text as "+" | "-";
      const right = this.mulTerm();
      left = { kind: "math", op, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private mulTerm(): ValueExpr {
    let left = this.operand();
    let count = 1;
    while (this.is("mul")) {
      count = this.extend(count, this.peek().start);
      const op = this.next().text as "*" | "/";
      const right = this.operand();
      left = { kind: "math", op, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  /** math_operand = converter call | float | int | path | enum | ( math_expr ). */
  private operand(): ValueExpr {
    const t = this.peek();
    if (t.kind === "int") {
      this.next();
      return { kind: "int", value: t.value as bigint, start: t.start, end: t.end };
    }
    if (t.kind === "float") {
      this.next();
      return { kind: "float", value: t.value as number, start: t.start, end: t.end };
    }
    if (t.kind === "(") {
      this.next();
      if (this.is(")") && this.is("=>", undefined, 1)) throw new OttlCompileError("lambdas are not supported", t.start);
      this.enter(t.start);
      const inner = this.mathExpr();
      this.leave();
      this.expect(")", `expected ")" to close "(" at column ${t.start + 1}`);
      if (this.is("=>")) throw new OttlCompileError("lambdas are not supported", t.start);
      return inner;
    }
    if (t.kind === "ident" && !KEYWORDS.has(t.text)) {
      if (this.is("(", undefined, 1)) {
        if (isLower(t.text)) {
          throw new OttlCompileError(`converter names must start with an uppercase letter, but got ${t.text}: editors cannot be used as values`, t.start);
        }
        const call = this.call();
        return { kind: "call", call, start: call.start, end: call.end };
      }
      if (isUpper(t.text)) {
        this.next();
        return { kind: "symbol", name: t.text, start: t.start, end: t.end };
      }
      return this.path();
    }
    this.unexpected("expected a value");
  }

  /** name ( args ) { [key] } */
  private call(): Call {
    const name = this.next();
    const open = this.expect("(", '"("');
    this.enter(open.start);
    const args: Arg[] = [];
    let named = false;
    if (!this.is(")")) {
      for (;;) {
        const arg = this.argument();
        if (arg.name === undefined && named) throw new OttlCompileError("positional arguments must come before named arguments", arg.start);
        named ||= arg.name !== undefined;
        args.push(arg);
        if (!this.is(",")) break;
        this.next();
      }
    }
    const close = this.expect(")", `expected "," or ")" in the arguments of ${name.text}`);
    this.leave();
    const keys = this.keys();
    const end = keys.length > 0 ? keys[keys.length - 1]!.end : close.end;
    return { name: name.text, nameRange: { start: name.start, end: name.end }, args, keys, start: name.start, end };
  }

  private argument(): Arg {
    const start = this.peek().start;
    let name: string | undefined;
    if (this.is("ident") && this.is("=", undefined, 1)) {
      name = this.next().text;
      this.next();
    }
    if (this.isLambdaAhead()) throw new OttlCompileError("lambdas are not supported", this.peek().start);
    const value = this.value();
    return { name, value, start, end: value.end };
  }

  /** `( [name {, name}] ) =>` — the alpha lambda syntax, which we recognise only to reject it clearly. */
  private isLambdaAhead(): boolean {
    if (!this.is("(")) return false;
    let n = 1;
    while (this.is("ident", undefined, n) || this.is(",", undefined, n)) n++;
    return this.is(")", undefined, n) && this.is("=>", undefined, n + 1);
  }

  private keys(): Key[] {
    const keys: Key[] = [];
    while (this.is("[")) {
      const open = this.next();
      const t = this.peek();
      let key: Key;
      if (t.kind === "string" && this.is("]", undefined, 1)) {
        this.next();
        key = { kind: "string", value: t.value as string, start: open.start, end: 0 };
      } else if (t.kind === "int" && this.is("]", undefined, 1)) {
        this.next();
        key = { kind: "int", value: t.value as bigint, start: open.start, end: 0 };
      } else if (t.kind === "ident" && !KEYWORDS.has(t.text)) {
        this.enter(open.start);
        const expr = this.operand();
        this.leave();
        if (expr.kind !== "path" && expr.kind !== "call") throw new OttlCompileError("a key must be a string, an int, a path or a converter call", t.start);
        key = { kind: "expr", expr, start: open.start, end: 0 };
      } else {
        this.unexpected("expected a key: a string, an int, a path or a converter call");
      }
      key.end = this.expect("]", '"]"').end;
      keys.push(key);
    }
    return keys;
  }

  private path(): PathExpr {
    const fields: Field[] = [];
    for (;;) {
      const t = this.expect("ident", "expected a path field");
      if (!isLower(t.text)) throw new OttlCompileError(`path fields are lowercase, got ${t.text}`, t.start);
      const keys = this.keys();
      fields.push({ name: t.text, keys, start: t.start, end: keys.length > 0 ? keys[keys.length - 1]!.end : t.end });
      if (!this.is(".")) break;
      if (keys.length > 0 && this.is("ident", undefined, 1)) {
        // `attributes["a"].b` — keys end a path upstream; fields cannot follow them.
        throw new OttlCompileError("a path cannot continue with a field after a key", this.peek().start);
      }
      this.next();
    }
    return { kind: "path", fields, start: fields[0]!.start, end: fields[fields.length - 1]!.end };
  }

  private list(): ValueExpr {
    const open = this.next();
    this.enter(open.start);
    const items: ValueExpr[] = [];
    if (!this.is("]")) {
      for (;;) {
        items.push(this.value());
        if (!this.is(",")) break;
        this.next();
      }
    }
    const close = this.expect("]", 'expected "," or "]" in the list');
    this.leave();
    return { kind: "list", items, start: open.start, end: close.end };
  }

  private map(): ValueExpr {
    const open = this.next();
    this.enter(open.start);
    const entries: MapEntry[] = [];
    while (!this.is("}")) {
      const k = this.expect("string", "expected a string key in the map literal");
      this.expect(":", '":" after the map key');
      const value = this.value();
      entries.push({ key: k.value as string, value, start: k.start, end: value.end });
      if (!this.is(",")) break;
      this.next();
    }
    const close = this.expect("}", 'expected "," or "}" in the map literal');
    this.leave();
    return { kind: "map", entries, start: open.start, end: close.end };
  }
}

/** Whether a token can end an operand (so a following signed number was meant as an operator). */
function endsOperand(t: Token): boolean {
  return t.kind === "int" || t.kind === "float" || t.kind === ")" || t.kind === "]" || (t.kind === "ident" && !KEYWORDS.has(t.text));
}

