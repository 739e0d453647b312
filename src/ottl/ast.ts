// The OTTL syntax tree (ottl.md §1.2, §8.1). Every node keeps its [start, end) offsets in the
// statement text so that compile errors point at the exact place.

/** A half-open range of UTF-16 offsets in the statement text. */
export interface Range {
  start: number;
  end: number;
}

/** `editor(args) [where cond]`. */
export interface Statement extends Range {
  kind: "statement";
  editor: Call;
  where?: BoolExpr;
}

/** A boolean expression (where clauses, conditions). */
export type BoolExpr =
  | ({ kind: "or" | "and"; left: BoolExpr; right: BoolExpr } & Range)
  | ({ kind: "not"; expr: BoolExpr } & Range)
  | ({ kind: "cmp"; op: "==" | "!=" | "<" | "<=" | ">" | ">="; left: ValueExpr; right: ValueExpr } & Range)
  | ({ kind: "boolconst"; value: boolean } & Range)
  | ({ kind: "boolcall"; call: Call } & Range);

/** A value expression. */
export type ValueExpr =
  | ({ kind: "nil" } & Range)
  | ({ kind: "string"; value: string } & Range)
  | ({ kind: "int"; value: bigint } & Range)
  | ({ kind: "float"; value: number } & Range)
  | ({ kind: "bool"; value: boolean } & Range)
  | ({ kind: "bytes"; value: Uint8Array } & Range)
  /** A bare uppercase name: an enum symbol, or a converter passed as a function argument. */
  | ({ kind: "symbol"; name: string } & Range)
  | PathExpr
  | ({ kind: "call"; call: Call } & Range)
  | ({ kind: "list"; items: ValueExpr[] } & Range)
  | ({ kind: "map"; entries: MapEntry[] } & Range)
  | ({ kind: "math"; op: "+" | "-" | "*" | "/"; left: ValueExpr; right: ValueExpr } & Range);

/** `"key": value` inside a map literal. */
export interface MapEntry extends Range {
  key: string;
  value: ValueExpr;
}

/** A path: dotted fields, each with optional keys (`resource.attributes["a"]["b"]`). */
export interface PathExpr extends Range {
  kind: "path";
  fields: Field[];
}

/** One dotted segment of a path. */
export interface Field extends Range {
  name: string;
  keys: Key[];
}

/** `[…]` after a field or a converter call. */
export type Key =
  | ({ kind: "string"; value: string } & Range)
  | ({ kind: "int"; value: bigint } & Range)
  | ({ kind: "expr"; expr: ValueExpr } & Range);

/** An editor or converter call; converters may be indexed. */
export interface Call extends Range {
  name: string;
  nameRange: Range;
  args: Arg[];
  keys: Key[];
}

/** One argument, positional or named. */
export interface Arg extends Range {
  name?: string;
  value: ValueExpr;
}
