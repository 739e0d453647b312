// The syntax tree of an Alloy configuration file. Every node keeps where it starts and where it
// ends (end is exclusive), so that diagnostics and the printer can point at the exact source.

/** A place in a source file. `line` and `col` are 1-based; `col` counts characters (code points). */
export interface Pos {
  offset: number;
  line: number;
  col: number;
}

/** A half-open range [start, end) in one file. */
export interface Span {
  start: Pos;
  end: Pos;
}

export interface File extends Span {
  kind: "file";
  /** The name diagnostics print (the path as given on the command line). */
  name: string;
  body: Stmt[];
  /** Every comment in the file, in source order; the printer puts them back. */
  comments: Comment[];
}

export interface Comment extends Span {
  /** The comment text including its `//` or `/* *\/` markers. */
  text: string;
}

export type Stmt = AttributeStmt | BlockStmt;

export interface Ident extends Span {
  name: string;
}

export interface AttributeStmt extends Span {
  kind: "attribute";
  name: Ident;
  value: Expr;
}

export interface BlockStmt extends Span {
  kind: "block";
  /** Dot-separated name parts: `otelcol.processor.batch` → ["otelcol", "processor", "batch"]. */
  name: string[];
  /** Range of the whole dotted name. */
  namePos: Span;
  /** The label's content (without quotes), when present. */
  label?: string;
  labelPos?: Span;
  body: Stmt[];
  /** Position of the opening and closing braces. */
  lcurly: Pos;
  rcurly: Pos;
}

export type Expr =
  | LiteralExpr
  | ArrayExpr
  | ObjectExpr
  | IdentifierExpr
  | AccessExpr
  | IndexExpr
  | CallExpr
  | UnaryExpr
  | BinaryExpr
  | ParenExpr;

/** A number, string, bool or null. `raw` is the exact source text (for the printer). */
export interface LiteralExpr extends Span {
  kind: "literal";
  type: "number" | "string" | "bool" | "null";
  value: number | string | boolean | null;
  raw: string;
}

export interface ArrayExpr extends Span {
  kind: "array";
  elements: Expr[];
}

export interface ObjectField extends Span {
  /** The key; `quoted` when it was written as a string. */
  name: string;
  quoted: boolean;
  namePos: Span;
  value: Expr;
}

export interface ObjectExpr extends Span {
  kind: "object";
  fields: ObjectField[];
}

export interface IdentifierExpr extends Span {
  kind: "identifier";
  name: string;
}

/** `value.name` */
export interface AccessExpr extends Span {
  kind: "access";
  value: Expr;
  name: Ident;
}

/** `value[index]` */
export interface IndexExpr extends Span {
  kind: "index";
  value: Expr;
  index: Expr;
}

/** `value(args...)` */
export interface CallExpr extends Span {
  kind: "call";
  value: Expr;
  args: Expr[];
}

export type UnaryOp = "!" | "-";
export type BinaryOp =
  | "||" | "&&"
  | "==" | "!=" | "<" | "<=" | ">" | ">="
  | "+" | "-" | "*" | "/" | "%" | "^";

export interface UnaryExpr extends Span {
  kind: "unary";
  op: UnaryOp;
  value: Expr;
}

export interface BinaryExpr extends Span {
  kind: "binary";
  op: BinaryOp;
  left: Expr;
  right: Expr;
}

export interface ParenExpr extends Span {
  kind: "paren";
  inner: Expr;
}

/** The name of a block as written: `otelcol.processor.batch`. */
export function blockName(b: BlockStmt): string {
  return b.name.join(".");
}

/** The id of a block: its name plus `.label` when it has one. */
export function blockId(b: BlockStmt): string {
  return b.label === undefined ? blockName(b) : `${blockName(b)}.${b.label}`;
}
