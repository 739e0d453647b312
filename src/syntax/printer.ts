// `solder fmt`: prints a parsed file in the canonical layout of `alloy fmt` — tab indentation,
// `=` aligned across runs of single-line attributes, blank lines kept (at most one), blocks
// separated by a blank line, arrays/objects/calls kept on one line or split one element per
// line as written, comments kept where they were. Literals print exactly as written.

import type {
  ArrayExpr, AttributeStmt, BlockStmt, CallExpr, Expr, File, ObjectExpr, ObjectField, Pos, Stmt,
} from "./ast.ts";
import { quoteString } from "./chars.ts";
import type { SourcePos } from "./layout.ts";
import { Layout } from "./layout.ts";

interface Printer {
  out: Layout;
  source: string;
}

/** Formats a parsed (error-free) file; `source` is the text it was parsed from. */
export function formatFile(file: File, source: string): string {
  const p: Printer = { out: new Layout(file.comments), source };
  printStmts(p, file.body);
  return p.out.finish();
}

function printStmts(p: Printer, stmts: readonly Stmt[]): void {
  stmts.forEach((s, i) => {
    const prev = stmts[i - 1];
    if (prev !== undefined) {
      // Blocks always get a blank line before them; other statements keep the source's one.
      if (s.kind === "block" || s.start.line - prev.end.line > 1) p.out.space("\f");
    }
    const multiLine = s.kind === "block" ? printBlock(p, s) : printAttribute(p, s);
    // A statement spanning lines ends the alignment run it was part of.
    p.out.space(multiLine ? "\f" : "\n");
  });
}

/** Prints `name = value`; returns whether the output spans more than one line. */
function printAttribute(p: Printer, s: AttributeStmt): boolean {
  p.out.token(s.name.name, s.name.start);
  const firstLine = p.out.lineCount;
  p.out.space("\v");
  p.out.token("=");
  p.out.space(" ");
  printExpr(p, s.value);
  return p.out.lineCount > firstLine;
}

/** Prints `name "label" { body }` (`name { }` when empty); returns whether it spans lines. */
function printBlock(p: Printer, s: BlockStmt): boolean {
  printBlockName(p, s);
  const firstLine = p.out.lineCount;
  if (s.label !== undefined) {
    p.out.space(" ");
    p.out.token(quoteString(s.label), s.labelPos?.start, true);
  }
  p.out.space(" ");
  p.out.token("{", s.lcurly);
  p.out.space(">");
  if (s.body.length > 0) {
    p.out.space("\f");
    printStmts(p, s.body);
  } else {
    p.out.space(" ");
  }
  p.out.space("<");
  p.out.token("}", s.rcurly);
  return p.out.lineCount > firstLine;
}

/**
 * Prints the dotted name part by part at their source positions, so a comment written inside
 * the name (after a `.`) stays there; moved past the last part it would end the statement.
 */
function printBlockName(p: Printer, s: BlockStmt): void {
  let at: SourcePos | undefined = s.namePos.start;
  s.name.forEach((part, i) => {
    if (i > 0) {
      const dot = at === undefined ? undefined : locate(p.source, at);
      p.out.token(".", dot !== undefined && p.source.startsWith(".", dot.offset) ? dot : undefined);
      at = dot === undefined ? undefined : locate(p.source, { offset: dot.offset + 1, line: dot.line });
    }
    const found = at !== undefined && p.source.startsWith(part, at.offset);
    p.out.token(part, found ? at : undefined);
    at = found && at !== undefined ? { offset: at.offset + part.length, line: at.line } : undefined;
  });
}

function printExpr(p: Printer, e: Expr): void {
  const out = p.out;
  switch (e.kind) {
    case "literal":
      out.token(e.raw, e.start, true);
      return;
    case "identifier":
      out.token(e.name, e.start);
      return;
    case "access":
      printExpr(p, e.value);
      // `1 .x` must not print as `1.x`, which would scan as the number `1.`.
      if (e.value.kind === "literal" && /^[0-9]+$/.test(e.value.raw)) out.space(" ");
      out.token(".");
      out.token(e.name.name, e.name.start);
      return;
    case "index":
      printExpr(p, e.value);
      out.token("[", locate(p.source, e.value.end));
      printExpr(p, e.index);
      out.token("]", closer(e.end));
      return;
    case "call":
      printCall(p, e);
      return;
    case "unary":
      out.token(e.op, e.start);
      printExpr(p, e.value);
      return;
    case "binary":
      printExpr(p, e.left);
      out.space(" ");
      out.token(e.op, locate(p.source, e.left.end));
      out.space(" ");
      printExpr(p, e.right);
      return;
    case "paren":
      out.token("(", e.start);
      printExpr(p, e.inner);
      out.token(")", closer(e.end));
      return;
    case "array":
      printArray(p, e);
      return;
    case "object":
      printObject(p, e);
      return;
  }
}

/** Elements stay on the lines they were written on; a split array gets a trailing comma. */
function printArray(p: Printer, e: ArrayExpr): void {
  const out = p.out;
  out.token("[", e.start);
  let prevLine = e.start.line;
  e.elements.forEach((el, i) => {
    const newLine = el.start.line !== prevLine;
    // Indent before the line break so comments ahead of the element get its indentation.
    if (newLine) out.space(">", "\f");
    else if (i > 0) out.space(" ");
    prevLine = el.end.line;
    printExpr(p, el);
    if (i + 1 < e.elements.length) out.token(",");
    if (newLine) out.space("<");
  });
  if (e.elements.length > 0 && prevLine !== e.end.line) {
    out.token(",");
    out.space(">", "\f", "<");
  }
  out.token("]", closer(e.end));
}

/** Fields on their own lines have their `=` aligned while the values stay single-line. */
function printObject(p: Printer, e: ObjectExpr): void {
  const out = p.out;
  out.token("{", e.start);
  out.space(">");
  let prevLine = e.start.line;
  let prevMultiLine = false;
  e.fields.forEach((f, i) => {
    if (f.namePos.start.line !== prevLine) out.space(i > 0 && !prevMultiLine ? "\n" : "\f");
    else if (i > 0) out.space(" ");
    prevLine = f.namePos.end.line;
    out.token(fieldKey(p, f), f.namePos.start, f.quoted);
    const firstLine = out.lineCount;
    out.space("\v");
    out.token("=");
    out.space(" ");
    printExpr(p, f.value);
    prevMultiLine = out.lineCount > firstLine;
    if (i + 1 < e.fields.length) out.token(",");
  });
  // Like `alloy fmt`, this compares with the line of the last key, not of its value; the
  // break is kept even when a comment precedes `}`, or the next run would drop the comma.
  if (e.fields.length > 0 && prevLine !== e.end.line) {
    out.token(",");
    out.space("!");
  }
  out.space("<");
  out.token("}", closer(e.end));
}

/** A quoted key prints as written when it was double-quoted; backtick keys get double quotes. */
function fieldKey(p: Printer, f: ObjectField): string {
  if (!f.quoted) return f.name;
  const raw = p.source.slice(f.namePos.start.offset, f.namePos.end.offset);
  return raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw : quoteString(f.name);
}

/** Arguments on later lines are indented one level; a split argument list ends with a comma. */
function printCall(p: Printer, e: CallExpr): void {
  const out = p.out;
  printExpr(p, e.value);
  out.token("(");
  let prevLine = e.value.end.line; // `(` is always on the line where the callee ends
  e.args.forEach((arg, i) => {
    const newLine = arg.start.line !== prevLine;
    if (newLine) out.space("\f", ">");
    printExpr(p, arg);
    prevLine = arg.end.line;
    if (i + 1 < e.args.length) {
      out.token(",");
      out.space(" ");
    }
    if (newLine) out.space("<");
  });
  if (e.args.length > 0 && prevLine !== e.end.line) {
    out.token(",");
    out.space("\f");
  }
  out.token(")", closer(e.end));
}

/**
 * Where the next token after `from` starts (skipping blanks and comments). Used for the binary
 * operator and the index bracket, whose positions the AST does not keep but `alloy fmt` uses to
 * place comments; other position-less tokens (`=`, `,`, `.`) follow the previous token.
 */
function locate(source: string, from: SourcePos): SourcePos {
  let i = from.offset;
  let line = from.line;
  while (i < source.length) {
    const c = source.charCodeAt(i);
    if (c === 10) line++;
    else if (c === 47 && source.charCodeAt(i + 1) === 47) {
      const nl = source.indexOf("\n", i);
      i = nl === -1 ? source.length : nl;
      continue;
    } else if (c === 47 && source.charCodeAt(i + 1) === 42) {
      const close = source.indexOf("*/", i + 2);
      const end = close === -1 ? source.length : close + 2;
      for (let k = source.indexOf("\n", i); k !== -1 && k < end; k = source.indexOf("\n", k + 1)) line++;
      i = end;
      continue;
    } else if (c !== 32 && c !== 9 && c !== 13) break;
    i++;
  }
  return { offset: i, line };
}

/** Position of the closing bracket of a node ending (exclusively) at `end`. */
function closer(end: Pos): SourcePos {
  return { offset: end.offset - 1, line: end.line };
}
