// A JSONPath evaluator for `json_path` covering the queries configs use: `$.a.b`, `$..x`,
// `$.a[0]`, `$.a[-1]`, `$.a[1:3]`, `$.a[*]`, `$['a','b']`, and filters such as
// `$.a[?(@.x == "y")]`, `[?(@.n > 1 && @.tag)]`, `[?(@.name =~ /^web/)]`. Results are always
// a list, in document order; a query that matches nothing gives an empty list.

import { ValueError, isObject, valuesEqual } from "../value.ts";
import type { Value } from "../value.ts";

type Selector =
  | { kind: "name"; name: string }
  | { kind: "wildcard" }
  | { kind: "index"; index: number }
  | { kind: "slice"; start: number | undefined; end: number | undefined; step: number }
  | { kind: "filter"; expr: Expr };

interface Segment {
  descendant: boolean;
  selectors: Selector[];
}

interface Query {
  root: "$" | "@";
  segments: Segment[];
}

type Expr =
  | { kind: "query"; query: Query }
  | { kind: "literal"; value: Value }
  | { kind: "regex"; re: RegExp }
  | { kind: "not"; expr: Expr }
  | { kind: "and" | "or"; left: Expr; right: Expr }
  | { kind: "cmp"; op: string; left: Expr; right: Expr };

/** Runs a JSONPath query against a document and returns every match. */
export function queryJsonPath(doc: Value, path: string): Value[] {
  return evalQuery(parseJsonPath(path), doc, doc);
}

/** Parses a JSONPath expression; throws ValueError naming the position of the problem. */
export function parseJsonPath(path: string): Query {
  const p = new PathParser(path.trim());
  const q = p.query(true);
  if (!p.atEnd()) throw p.error("unexpected character");
  return q;
}

function evalQuery(q: Query, current: Value, root: Value): Value[] {
  let nodes = [q.root === "$" ? root : current];
  for (const seg of q.segments) {
    const next: Value[] = [];
    for (const node of nodes) {
      for (const target of seg.descendant ? descendants(node) : [node]) {
        for (const sel of seg.selectors) next.push(...select(sel, target, root));
      }
    }
    nodes = next;
  }
  return nodes;
}

/** A node followed by all nodes below it, parents before children. */
function descendants(node: Value): Value[] {
  const out = [node];
  for (const child of childrenOf(node)) out.push(...descendants(child));
  return out;
}

function childrenOf(node: Value): Value[] {
  if (Array.isArray(node)) return node;
  if (isObject(node)) return Object.values(node);
  return [];
}

function select(sel: Selector, node: Value, root: Value): Value[] {
  switch (sel.kind) {
    case "name":
      return isObject(node) && Object.hasOwn(node, sel.name) ? [node[sel.name]!] : [];
    case "wildcard":
      return childrenOf(node);
    case "index": {
      if (!Array.isArray(node)) return [];
      const i = sel.index < 0 ? node.length + sel.index : sel.index;
      return i >= 0 && i < node.length ? [node[i]!] : [];
    }
    case "slice":
      return Array.isArray(node) ? sliceOf(node, sel) : [];
    case "filter":
      return childrenOf(node).filter((child) => truthy(evalExpr(sel.expr, child, root)));
  }
}

function sliceOf(list: Value[], sel: { start: number | undefined; end: number | undefined; step: number }): Value[] {
  const n = list.length;
  const { step } = sel;
  if (step === 0) return [];
  const norm = (i: number) => (i < 0 ? Math.max(n + i, step > 0 ? 0 : -1) : Math.min(i, step > 0 ? n : n - 1));
  const start = sel.start === undefined ? (step > 0 ? 0 : n - 1) : norm(sel.start);
  const end = sel.end === undefined ? (step > 0 ? n : -1) : norm(sel.end);
  const out: Value[] = [];
  for (let i = start; step > 0 ? i < end : i > end; i += step) out.push(list[i]!);
  return out;
}

/** What an operand evaluates to: a value, or nothing (a query with no match). */
type Operand = { found: true; value: Value } | { found: false } | { regex: RegExp };

function evalExpr(e: Expr, current: Value, root: Value): Operand {
  switch (e.kind) {
    case "query": {
      const nodes = evalQuery(e.query, current, root);
      return nodes.length > 0 ? { found: true, value: nodes[0]! } : { found: false };
    }
    case "literal":
      return { found: true, value: e.value };
    case "regex":
      return { regex: e.re };
    case "not":
      return bool(!truthy(evalExpr(e.expr, current, root)));
    case "and":
      return bool(truthy(evalExpr(e.left, current, root)) && truthy(evalExpr(e.right, current, root)));
    case "or":
      return bool(truthy(evalExpr(e.left, current, root)) || truthy(evalExpr(e.right, current, root)));
    case "cmp":
      return bool(compare(e.op, evalExpr(e.left, current, root), evalExpr(e.right, current, root)));
  }
}

function bool(b: boolean): Operand {
  return { found: true, value: b };
}

/** A bare query tests for existence; a computed result must be `true`. */
function truthy(o: Operand): boolean {
  if ("regex" in o || !o.found) return false;
  return o.value !== false;
}

function compare(op: string, a: Operand, b: Operand): boolean {
  if (op === "=~") {
    if (!("found" in a) || !a.found || typeof a.value !== "string") return false;
    const re = "regex" in b ? b.regex : b.found && typeof b.value === "string" ? new RegExp(b.value) : undefined;
    return re !== undefined && re.test(a.value);
  }
  if ("regex" in a || "regex" in b) return false;
  const equal = a.found && b.found && valuesEqual(a.value, b.value);
  if (op === "==") return equal;
  if (op === "!=") return !equal;
  if (!a.found || !b.found) return false;
  const [x, y] = [a.value, b.value];
  const comparable = (typeof x === "number" && typeof y === "number") || (typeof x === "string" && typeof y === "string");
  if (!comparable) return false;
  switch (op) {
    case "<":
      return x < y;
    case "<=":
      return x <= y;
    case ">":
      return x > y;
    default:
      return x >= y;
  }
}

const NAME_CHAR = /[^\s.[\]()!=<>&|,'"~]/;
const OPERATORS = ["==", "!=", "<=", ">=", "=~", "<", ">"];

class PathParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  error(message: string): ValueError {
    return new ValueError(`invalid JSONPath ${JSON.stringify(this.text)}: ${message} at offset ${this.pos}`);
  }

  /** `$…`, `@…`, or (at top level) a bare `a.b` / `[0]` taken as relative to the root. */
  query(topLevel: boolean): Query {
    const c = this.text[this.pos];
    let root: "$" | "@" = "$";
    if (c === "$" || c === "@") {
      root = c;
      this.pos++;
    } else if (!topLevel) throw this.error("expected $ or @");
    const segments: Segment[] = [];
    if (topLevel && c !== undefined && NAME_CHAR.test(c) && c !== "$" && c !== "@") {
      segments.push({ descendant: false, selectors: [{ kind: "name", name: this.name() }] });
    }
    for (;;) {
      const seg = this.segment();
      if (seg === undefined) return { root, segments };
      segments.push(seg);
    }
  }

  private segment(): Segment | undefined {
    if (this.text.startsWith("..", this.pos)) {
      this.pos += 2;
      return { descendant: true, selectors: this.afterDot(true) };
    }
    if (this.text[this.pos] === ".") {
      this.pos++;
      return { descendant: false, selectors: this.afterDot(false) };
    }
    if (this.text[this.pos] === "[") return { descendant: false, selectors: this.bracket() };
    return undefined;
  }

  private afterDot(descendant: boolean): Selector[] {
    const c = this.text[this.pos];
    if (c === "*") {
      this.pos++;
      return [{ kind: "wildcard" }];
    }
    if (descendant && c === "[") return this.bracket();
    if (c === undefined || !NAME_CHAR.test(c)) throw this.error("expected a name after '.'");
    return [{ kind: "name", name: this.name() }];
  }

  private name(): string {
    const start = this.pos;
    while (!this.atEnd() && NAME_CHAR.test(this.text[this.pos]!)) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private bracket(): Selector[] {
    this.pos++; // [
    const selectors: Selector[] = [];
    for (;;) {
      this.skipSpace();
      selectors.push(this.selector());
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === "]") return selectors;
      if (c !== ",") {
        this.pos--;
        throw this.error("expected ',' or ']'");
      }
    }
  }

  private selector(): Selector {
    const c = this.text[this.pos];
    if (c === "*") {
      this.pos++;
      return { kind: "wildcard" };
    }
    if (c === "'" || c === '"') return { kind: "name", name: this.quoted() };
    if (c === "?") {
      this.pos++;
      this.skipSpace();
      return { kind: "filter", expr: this.or() };
    }
    const start = this.integer();
    this.skipSpace();
    if (this.text[this.pos] !== ":") {
      if (start === undefined) throw this.error("expected a name, index, slice, '*' or filter");
      return { kind: "index", index: start };
    }
    this.pos++;
    this.skipSpace();
    const end = this.integer();
    this.skipSpace();
    let step = 1;
    if (this.text[this.pos] === ":") {
      this.pos++;
      this.skipSpace();
      step = this.integer() ?? 1;
    }
    return { kind: "slice", start, end, step };
  }

  private integer(): number | undefined {
    const m = /^-?\d+/.exec(this.text.slice(this.pos));
    if (!m) return undefined;
    this.pos += m[0].length;
    return Number(m[0]);
  }

  private quoted(): string {
    const q = this.text[this.pos]!;
    this.pos++;
    let out = "";
    while (!this.atEnd() && this.text[this.pos] !== q) {
      if (this.text[this.pos] === "\\") this.pos++;
      if (this.atEnd()) break;
      out += this.text[this.pos];
      this.pos++;
    }
    if (this.atEnd()) throw this.error("unterminated string");
    this.pos++;
    return out;
  }

  private or(): Expr {
    let left = this.and();
    while (this.consume("||")) left = { kind: "or", left, right: this.and() };
    return left;
  }

  private and(): Expr {
    let left = this.unary();
    while (this.consume("&&")) left = { kind: "and", left, right: this.unary() };
    return left;
  }

  private unary(): Expr {
    this.skipSpace();
    if (this.text[this.pos] === "!" && this.text[this.pos + 1] !== "=") {
      this.pos++;
      return { kind: "not", expr: this.unary() };
    }
    const left = this.operand();
    this.skipSpace();
    const op = OPERATORS.find((o) => this.text.startsWith(o, this.pos));
    if (op === undefined) return left;
    this.pos += op.length;
    return { kind: "cmp", op, left, right: this.operand() };
  }

  private operand(): Expr {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === "(") {
      this.pos++;
      const inner = this.or();
      this.skipSpace();
      if (this.text[this.pos] !== ")") throw this.error("expected ')'");
      this.pos++;
      return inner;
    }
    if (c === "@" || c === "$") return { kind: "query", query: this.query(false) };
    if (c === "'" || c === '"') return { kind: "literal", value: this.quoted() };
    if (c === "/") return { kind: "regex", re: this.regex() };
    const num = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.pos));
    if (num) {
      this.pos += num[0].length;
      return { kind: "literal", value: Number(num[0]) };
    }
    for (const [word, value] of [["true", true], ["false", false], ["null", null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return { kind: "literal", value };
      }
    }
    throw this.error("expected a value in filter");
  }

  private regex(): RegExp {
    const start = ++this.pos;
    while (!this.atEnd() && this.text[this.pos] !== "/") {
      if (this.text[this.pos] === "\\") this.pos++;
      this.pos++;
    }
    if (this.atEnd()) throw this.error("unterminated regular expression");
    const source = this.text.slice(start, this.pos);
    this.pos++;
    const flags = /^[a-z]*/.exec(this.text.slice(this.pos))![0];
    this.pos += flags.length;
    try {
      return new RegExp(source, flags);
    } catch {
      throw this.error("invalid regular expression");
    }
  }

  private consume(token: string): boolean {
    this.skipSpace();
    if (!this.text.startsWith(token, this.pos)) return false;
    this.pos += token.length;
    return true;
  }

  private skipSpace(): void {
    while (!this.atEnd() && /\s/.test(this.text[this.pos]!)) this.pos++;
  }
}
