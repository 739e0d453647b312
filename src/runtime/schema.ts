// Argument schemas: what a component (or a config block) accepts. Types use Alloy's notation
// for messages; defaults and validation live here, beside the arguments (style: the Collector's
// config.go files), not in the component's constructor.

import type { Span } from "../syntax/ast.ts";

export type Type =
  | { kind: "any" }
  | { kind: "string" }
  | { kind: "number" }
  | { kind: "int" }
  | { kind: "bool" }
  /** A Go-syntax duration string, decoded to milliseconds. */
  | { kind: "duration" }
  /** A byte size such as "4MiB", decoded to bytes. */
  | { kind: "bytesize" }
  /** A string never displayed; decoded to a `Secret`. */
  | { kind: "secret" }
  /** A string that must be one of `values`. */
  | { kind: "enum"; values: readonly string[] }
  | { kind: "list"; of: Type }
  | { kind: "map"; of: Type }
  /** An opaque value; decoded to the capsule's inner value. `name` is e.g. `otelcol.Consumer`. */
  | { kind: "capsule"; name: string }
  | { kind: "function" }
  /**
   * A value that keeps where it was written: decoded to `Located<T>`. For a string literal the
   * literal's raw source is kept too, so a checker can point inside it (OTTL statements).
   */
  | { kind: "located"; of: Type };

/** A decoded value with its source range (and the raw text when it was written as a string literal). */
export interface Located<T> {
  value: T;
  span: Span;
  /** The literal exactly as written, quotes included (`"a\"b"` or a backtick string). */
  raw?: string;
}

/** A problem found by `check` at a precise place (instead of the block header). */
export interface PositionedProblem {
  message: string;
  span: Span;
  severity?: "error" | "warning";
}

export interface AttrSpec {
  type: Type;
  required?: boolean;
  /** The decoded default, used when the attribute is absent or null. */
  default?: unknown;
  /**
   * Accepted so Alloy configurations load unchanged, but without effect in solder; the reason
   * is shown as a warning when the attribute is written, and in the component docs.
   */
  noEffect?: string;
}

export interface BlockSpec {
  schema: Schema;
  required?: boolean;
  /** May appear more than once; decoded to an array in source order. */
  repeated?: boolean;
  /** When absent, decode as if written empty (so its defaults apply); otherwise absent = undefined. */
  defaultPresent?: boolean;
  /** As for attributes: accepted, without effect, with the reason. */
  noEffect?: string;
}

export interface Schema {
  attrs?: Record<string, AttrSpec>;
  blocks?: Record<string, BlockSpec>;
  /**
   * Checks the decoded arguments as a whole; returns the problems (each naming the config key,
   * e.g. `send_batch_max_size must be >= send_batch_size`).
   */
  validate?(args: any): string | string[] | undefined;
  /** Like `validate`, but for settings that are legal and probably wrong; reported as warnings. */
  warn?(args: any): string[];
  /**
   * Like `validate`, for problems found at a precise place (inside an OTTL statement, say): each
   * carries its own span and severity. Runs after `validate`, when no error was found before.
   */
  check?(args: any): PositionedProblem[];
}

/** Type constructors, so schemas read like Alloy's docs: `t.list(t.string)`. */
export const t = {
  any: { kind: "any" } as Type,
  string: { kind: "string" } as Type,
  number: { kind: "number" } as Type,
  int: { kind: "int" } as Type,
  bool: { kind: "bool" } as Type,
  duration: { kind: "duration" } as Type,
  bytesize: { kind: "bytesize" } as Type,
  secret: { kind: "secret" } as Type,
  function: { kind: "function" } as Type,
  enum: (...values: string[]): Type => ({ kind: "enum", values }),
  list: (of: Type): Type => ({ kind: "list", of }),
  map: (of: Type): Type => ({ kind: "map", of }),
  capsule: (name: string): Type => ({ kind: "capsule", name }),
  located: (of: Type): Type => ({ kind: "located", of }),
};

/** Alloy's spelling of a type, for messages and docs: `list(otelcol.Consumer)`. */
export function typeName(type: Type): string {
  switch (type.kind) {
    case "list":
      return `list(${typeName(type.of)})`;
    case "map":
      return `map(${typeName(type.of)})`;
    case "capsule":
      return type.name;
    case "located":
      return typeName(type.of);
    case "enum":
    case "duration":
    case "bytesize":
      return "string";
    case "int":
      return "number";
    default:
      return type.kind;
  }
}

/** Shorthand for an attribute spec. */
export function attr(type: Type, defaultValue?: unknown): AttrSpec {
  return defaultValue === undefined ? { type } : { type, default: defaultValue };
}

/** An attribute accepted for compatibility that has no effect in solder, and why. */
export function inert(type: Type, defaultValue: unknown, reason: string): AttrSpec {
  return defaultValue === undefined ? { type, noEffect: reason } : { type, default: defaultValue, noEffect: reason };
}

/** Shorthand for a required attribute spec. */
export function required(type: Type): AttrSpec {
  return { type, required: true };
}
