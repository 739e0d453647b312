// Statement parsing (spec §3): bodies of attributes and blocks, block names and labels.
// Recovery follows Alloy's parser: skip to the next statement and keep going, so one run
// reports every error it can.

import type { AttributeStmt, BlockStmt, Pos, Span, Stmt } from "./ast.ts";
import { isValidIdentifier, quoteString } from "./chars.ts";
import { parseExpr } from "./parse_expr.ts";
import type { ParseState } from "./parse_state.ts";
import { hasLiteral } from "./token.ts";

/** Statements up to (not including) `until` — `}` for a block body, EOF for a file. */
export function parseBody(p: ParseState, until: "}" | "EOF"): Stmt[] {
  const body: Stmt[] = [];
  while (p.tok.kind !== until && p.tok.kind !== "EOF") {
    const stmt = parseStatement(p);
    if (stmt !== undefined) body.push(stmt);
    if (p.tok.kind === until) break;
    if (p.tok.kind !== "TERMINATOR") {
      p.error(`expected TERMINATOR, got ${p.tok.kind}`);
      p.skipStatement();
    }
    p.next();
  }
  return body;
}

interface BlockName {
  parts: string[];
  span: Span;
  /** End of the first identifier (the attribute name when this turns out to be one). */
  firstEnd: Pos;
  /** Present when a label string was written (even `""`, which Alloy treats as no label). */
  labelSpan?: Span;
  label?: string;
}

/** `Attribute | Block`; undefined when the statement was unusable (already reported). */
function parseStatement(p: ParseState): Stmt | undefined {
  const name = parseBlockName(p);
  if (name === undefined) {
    p.advanceTo("IDENT"); // the next identifier may start a new statement
    return undefined;
  }
  switch (p.tok.kind) {
    case "=":
      return parseAttribute(p, name);
    case "{":
      return parseBlock(p, name);
    default:
      if (name.parts.length === 1 && name.labelSpan === undefined) {
        p.error(`expected attribute assignment or block body, got ${p.tok.kind}`);
      } else {
        p.error(`expected block body, got ${p.tok.kind}`);
      }
      p.advanceTo("IDENT");
      return undefined;
  }
}

function parseAttribute(p: ParseState, name: BlockName): AttributeStmt {
  p.next();
  if (name.parts.length !== 1) {
    p.report(name.span.start, name.span.end, `attribute names may only consist of a single identifier with no "."`);
  } else if (name.labelSpan !== undefined) {
    p.report(name.labelSpan.start, name.labelSpan.end, "attribute names may not have labels");
  }
  const start = name.span.start;
  const ident = { name: name.parts[0] ?? "", start, end: name.firstEnd };
  const value = parseExpr(p);
  return { kind: "attribute", name: ident, value, start, end: value.end };
}

function parseBlock(p: ParseState, name: BlockName): BlockStmt {
  const lcurly = p.tok.start;
  p.next();
  const body = p.enter() ? parseBody(p, "}") : [];
  p.leave();
  const close = p.expect("}");
  const block: BlockStmt = {
    kind: "block", name: name.parts, namePos: name.span, body,
    lcurly, rcurly: close.start, start: name.span.start, end: close.end,
  };
  if (name.label !== undefined && name.labelSpan !== undefined) {
    block.label = name.label;
    block.labelPos = name.labelSpan;
  }
  return block;
}

/** `identifier { "." identifier } [ string ]`; undefined if it does not start with an identifier. */
function parseBlockName(p: ParseState): BlockName | undefined {
  if (p.tok.kind !== "IDENT") {
    p.error(`expected identifier, got ${p.tok.kind}`);
    return undefined;
  }
  const start = p.tok.start;
  const firstEnd = p.tok.end;
  let end = firstEnd;
  const parts = [p.tok.text];
  p.next();
  while (p.kind() === ".") {
    p.next();
    if (p.tok.kind !== "IDENT") p.error(`expected identifier, got ${p.tok.kind}`);
    parts.push(hasLiteral(p.tok.kind) ? p.tok.text : ""); // keep going with a malformed name
    end = p.tok.end;
    p.next();
  }
  const name: BlockName = { parts, span: { start, end }, firstEnd };
  if (p.kind() !== "=" && p.kind() !== "{") parseLabel(p, name);
  return name;
}

/** The optional label after a block name: a double-quoted string holding an identifier. */
function parseLabel(p: ParseState, name: BlockName): void {
  const t = p.tok;
  if (t.kind !== "STRING") {
    p.error(`expected block label, got ${t.kind}`);
    p.next();
    return;
  }
  if (!t.text.startsWith('"')) {
    p.error(`expected block label to be a double quoted string, but got ${quoteString(t.text)}`);
  }
  name.labelSpan = { start: t.start, end: t.end };
  // Alloy takes the text between the quotes as-is; an empty label means "no label".
  if (t.text.length > 2) {
    const label = t.text.slice(1, -1);
    if (!isValidIdentifier(label)) {
      p.error(`expected block label to be a valid identifier, but got ${quoteString(label)}`);
    }
    name.label = label;
  }
  p.next();
}
