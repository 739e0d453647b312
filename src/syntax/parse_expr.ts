// Expression parsing (spec §3): precedence climbing for the left-associative binary operators,
// right-associative `^`, unary `!`/`-`, postfix access/index/call, and the primary forms.
// Recovery mirrors Alloy's parser so the same inputs produce the same diagnostics.

import type {
  ArrayExpr, BinaryExpr, BinaryOp, CallExpr, Expr, LiteralExpr, ObjectExpr, ObjectField, Pos, UnaryOp,
} from "./ast.ts";
import type { ParseState } from "./parse_state.ts";
import type { Token, TokenKind } from "./token.ts";
import { binaryPrecedence, hasLiteral } from "./token.ts";
import { parseBody } from "./parse_body.ts";

// Where a broken expression gives up: the end of its statement or enclosing list.
const EXPRESSION_END: ReadonlySet<TokenKind> = new Set<TokenKind>(["TERMINATOR", ")", "}", "]", ","]);

/** Parses one expression at the current token. */
export function parseExpr(p: ParseState): Expr {
  if (!p.enter()) {
    p.leave();
    return badExpr(p.tok.start);
  }
  const e = parseBinary(p, 1);
  p.leave();
  return e;
}

/** `Operand { op Operand }` for every operator whose precedence is at least `minPrec`. */
function parseBinary(p: ParseState, minPrec: number): Expr {
  let left = parsePower(p);
  // A long operator chain builds a left-deep tree; count it as nesting so later tree walks
  // (printer, evaluator) stay within the stack too.
  for (let chain = 1; ; chain++) {
    const prec = binaryPrecedence(p.tok.kind);
    if (prec < minPrec) return left; // also ends at non-operators (precedence 0)
    const op = p.tok.kind as BinaryOp;
    p.next();
    const right = parseBinary(p, prec + 1);
    left = binary(left, op, right);
    if (!p.checkDepth(chain)) return left;
  }
}

/** `Unary [ "^" Power ]` — right-associative. */
function parsePower(p: ParseState): Expr {
  const left = parseUnary(p);
  if (p.tok.kind !== "^") return left;
  p.next();
  if (!p.enter()) {
    p.leave();
    return left;
  }
  const right = parsePower(p);
  p.leave();
  return binary(left, "^", right);
}

function binary(left: Expr, op: BinaryOp, right: Expr): BinaryExpr {
  return { kind: "binary", op, left, right, start: left.start, end: right.end };
}

/** `( "!" | "-" ) Unary | Primary { postfix }`. */
function parseUnary(p: ParseState): Expr {
  if (p.tok.kind === "!" || p.tok.kind === "-") {
    const op = p.tok;
    p.next();
    if (!p.enter()) {
      p.leave();
      return badExpr(op.start);
    }
    const value = parseUnary(p);
    p.leave();
    return { kind: "unary", op: op.kind as UnaryOp, value, start: op.start, end: value.end };
  }
  return parsePostfix(p, parsePrimary(p));
}

/** Applies `.name`, `[index]` and `(args)` to `primary`, left to right. */
function parsePostfix(p: ParseState, primary: Expr): Expr {
  let e = primary;
  for (let chain = 1; ; chain++) {
    switch (p.tok.kind) {
      case ".": {
        p.next();
        const name = p.expect("IDENT");
        const ident = { name: hasLiteral(name.kind) ? name.text : "", start: name.start, end: name.end };
        e = { kind: "access", value: e, name: ident, start: e.start, end: name.end };
        break;
      }
      case "[": {
        p.next();
        const index = parseExpr(p);
        const close = p.expect("]");
        e = { kind: "index", value: e, index, start: e.start, end: close.end };
        break;
      }
      case "(":
        e = parseCall(p, e);
        break;
      case "STRING":
      case "{":
        if (!rejectBlockAsExpression(p, e)) return e;
        break;
      default:
        return e;
    }
    if (!p.checkDepth(chain)) return e;
  }
}

function parseCall(p: ParseState, callee: Expr): CallExpr {
  p.next();
  const args = p.tok.kind === ")" ? [] : parseList(p, ")", parseExpr, "missing ',' in expression list");
  const close = p.expect(")");
  return { kind: "call", value: callee, args, start: callee.start, end: close.end };
}

/**
 * `name "label" { ... }` used as a value: parse it as a block to say so clearly. Returns false
 * when that did not work out and the rest of the statement was skipped.
 */
function rejectBlockAsExpression(p: ParseState, e: Expr): boolean {
  if (p.tok.kind === "STRING") p.next();
  if (p.expect("{").kind !== "{") {
    p.skipStatement();
    return false;
  }
  if (p.enter()) parseBody(p, "}");
  p.leave();
  const close = p.expect("}");
  if (close.kind !== "}") {
    p.skipStatement();
    return false;
  }
  p.report(e.start, close.end, "cannot use a block as an expression");
  return true;
}

function parsePrimary(p: ParseState): Expr {
  const t = p.tok;
  switch (t.kind) {
    case "IDENT":
      p.next();
      return { kind: "identifier", name: t.text, start: t.start, end: t.end };
    case "STRING": case "NUMBER": case "FLOAT": case "BOOL": case "NULL":
      p.next();
      return literal(t);
    case "(": {
      p.next();
      const inner = parseExpr(p);
      const close = p.expect(")");
      return { kind: "paren", inner, start: t.start, end: close.end };
    }
    case "[":
      return parseArray(p);
    case "{":
      return parseObject(p);
    default:
      p.error(`expected expression, got ${t.kind}`);
      p.advanceToAny(EXPRESSION_END);
      return badExpr(t.start);
  }
}

function literal(t: Token): LiteralExpr {
  const base = { kind: "literal" as const, raw: t.text, start: t.start, end: t.end };
  switch (t.kind) {
    case "STRING":
      return { ...base, type: "string", value: t.value ?? "" };
    case "BOOL":
      return { ...base, type: "bool", value: t.text === "true" };
    case "NULL":
      return { ...base, type: "null", value: null };
    default: {
      const n = Number(t.text);
      return { ...base, type: "number", value: Number.isNaN(n) ? 0 : n };
    }
  }
}

/** Stand-in for an expression that could not be parsed (the file is invalid anyway). */
function badExpr(at: Pos): LiteralExpr {
  return { kind: "literal", type: "null", value: null, raw: "null", start: at, end: at };
}

function parseArray(p: ParseState): ArrayExpr {
  const open = p.tok;
  p.next();
  const elements = p.tok.kind === "]" ? [] : parseList(p, "]", parseExpr, "missing ',' in expression list");
  const close = p.expect("]");
  return { kind: "array", elements, start: open.start, end: close.end };
}

function parseObject(p: ParseState): ObjectExpr {
  const open = p.tok;
  p.next();
  const fields = p.tok.kind === "}" ? [] : parseList(p, "}", parseField, "missing ',' in field list");
  const close = p.expect("}");
  return { kind: "object", fields, start: open.start, end: close.end };
}

/** `Item { "," Item } [ "," ]` up to (not including) `until`. */
function parseList<T>(p: ParseState, until: TokenKind, item: (p: ParseState) => T, missingComma: string): T[] {
  const items: T[] = [];
  while (p.tok.kind !== until && p.tok.kind !== "EOF") {
    items.push(item(p));
    if (p.tok.kind === until) break;
    if (p.tok.kind !== ",") p.error(missingComma);
    p.next();
  }
  return items;
}

/** `( identifier | string ) "=" Expression`. */
function parseField(p: ParseState): ObjectField {
  const t = p.tok;
  let name = "";
  let quoted = false;
  if (t.kind === "IDENT" || t.kind === "STRING") {
    quoted = t.kind === "STRING";
    name = quoted ? (t.value ?? "") : t.text;
    p.next();
  } else {
    p.error(`expected field name (string or identifier), got ${t.kind}`);
    p.advanceTo("=");
  }
  const namePos = { start: t.start, end: quoted || t.kind === "IDENT" ? t.end : t.start };
  p.expect("=");
  const value = parseExpr(p);
  return { name, quoted, namePos, value, start: t.start, end: value.end };
}
