// Compiling OTTL from an Alloy configuration (ottl.md §4.2, §4.3): groups of statements and
// conditions, explicit or inferred contexts, and load-time problems positioned at the exact
// character of the .alloy file, with the column inside the statement in the message.

import type { BoolExpr, Statement } from "../../../ottl/ast.ts";
import { type CompiledCondition, type CompiledStatement, compileCondition, compileStatement } from "../../../ottl/compile.ts";
import { SIGNAL_CONTEXTS, type SignalName } from "../../../ottl/contexts/index.ts";
import { OttlCompileError, posOf } from "../../../ottl/errors.ts";
import type { OttlFunction } from "../../../ottl/function_api.ts";
import { FUNCTIONS } from "../../../ottl/functions/index.ts";
import { InferenceError, collectUsage, inferContext } from "../../../ottl/infer.ts";
import { parseCondition, parseStatement } from "../../../ottl/parser.ts";
import type { ContextName } from "../../../ottl/tctx.ts";
import type { Located, PositionedProblem } from "../../../runtime/schema.ts";
import { lint } from "./transform_lint.ts";
import { fileSpanAt } from "./transform_position.ts";

/** What happens on a run-time error (ottl.md §4.5). */
export type ErrorMode = "propagate" | "ignore" | "silent";

/** The error modes, for schemas. */
export const ERROR_MODES = ["ignore", "silent", "propagate"] as const;

/** One group as written: context (absent = infer), statements, conditions. */
export interface GroupSource {
  context?: Located<string>;
  statements: Located<string>[];
  conditions: Located<string>[];
}

/** A compiled group. */
export interface CompiledGroup<T> {
  context: ContextName;
  items: T[];
  conditions: CompiledCondition[];
}

/** Compiles a transform group; problems are positioned in the file. */
export function compileTransformGroup(signal: SignalName, src: GroupSource, problems: PositionedProblem[]): CompiledGroup<CompiledStatement> | undefined {
  return compileGroup(signal, src, "statement", problems, (text, o) => compileStatement(text, o));
}

/** Compiles a list of filter conditions in a fixed context, with extra functions available. */
export function compileConditions(
  signal: SignalName,
  context: ContextName,
  texts: Located<string>[],
  problems: PositionedProblem[],
  functions: ReadonlyMap<string, OttlFunction> = FUNCTIONS,
): CompiledCondition[] | undefined {
  const src = { statements: texts, conditions: [], context: { value: context, span: texts[0]?.span ?? NOWHERE } };
  return compileGroup(signal, src, "condition", problems, (text, o) => compileCondition(text, { ...o, functions }), functions)?.items;
}

const NOWHERE = { start: { offset: 0, line: 1, col: 1 }, end: { offset: 0, line: 1, col: 1 } };

function compileGroup<T>(
  signal: SignalName,
  src: GroupSource,
  kind: "statement" | "condition",
  problems: PositionedProblem[],
  compile: (text: string, opts: { context: ContextName; requirePrefix: boolean }) => T,
  functions: ReadonlyMap<string, OttlFunction> = FUNCTIONS,
): CompiledGroup<T> | undefined {
  const before = problems.length;
  const texts = [...src.statements.map((l) => ({ loc: l, kind })), ...src.conditions.map((l) => ({ loc: l, kind: "condition" as const }))];
  // Parse everything first (inference needs every tree), then compile what parsed, so one load
  // reports every broken statement of the group, not just the first.
  const trees = texts.map(({ loc, kind: k }, i): Statement | BoolExpr | undefined => {
    try {
      return k === "statement" ? parseStatement(loc.value) : parseCondition(loc.value);
    } catch (err) {
      problems.push(problemAt(loc, err, label(k, i, src.statements.length)));
      return undefined;
    }
  });
  const parsed = trees.filter((x) => x !== undefined);
  const context = src.context
    ? explicitContext(signal, src.context, problems)
    : parsed.length === trees.length
      ? inferred(signal, trees as Array<Statement | BoolExpr>, texts, problems, src.statements.length)
      : undefined;
  if (context === undefined) return undefined;
  const compiled = texts.map(({ loc, kind: k }, i) => {
    if (trees[i] === undefined) return undefined;
    try {
      const opts = { context, requirePrefix: src.context === undefined };
      return k === kind ? compile(loc.value, opts) : compileCondition(loc.value, { ...opts, functions });
    } catch (err) {
      problems.push(problemAt(loc, err, label(k, i, src.statements.length)));
      return undefined;
    }
  });
  if (problems.length > before) return undefined;
  // Every text parsed (or we returned above), so trees and texts line up.
  lint(context, trees as Array<Statement | BoolExpr>, (i, err) => problems.push({ ...problemAt(texts[i]!.loc, err, label(texts[i]!.kind, i, src.statements.length)), severity: "warning" }), src.context === undefined);
  return {
    context,
    items: compiled.slice(0, src.statements.length) as T[],
    conditions: compiled.slice(src.statements.length) as unknown as CompiledCondition[],
  };
}

/** "OTTL statement 2" / "OTTL condition 1": conditions are numbered after the statements of their group. */
function label(kind: "statement" | "condition", i: number, nStatements: number): string {
  if (kind === "statement") return `OTTL statement ${i + 1}`;
  return `OTTL condition ${(i >= nStatements ? i - nStatements : i) + 1}`;
}

function explicitContext(signal: SignalName, loc: Located<string>, problems: PositionedProblem[]): ContextName | undefined {
  const name = loc.value.toLowerCase();
  const allowed = SIGNAL_CONTEXTS[signal];
  if ((allowed as readonly string[]).includes(name)) return name as ContextName;
  const known = ["resource", "scope", "span", "spanevent", "metric", "datapoint", "log"].includes(name);
  problems.push({
    message: known ? `context "${name}" is not available for ${signal} statements (use one of ${allowed.join(", ")})` : `unknown context ${loc.value}`,
    span: loc.span,
  });
  return undefined;
}

function inferred(
  signal: SignalName,
  trees: Array<Statement | BoolExpr>,
  texts: Array<{ loc: Located<string>; kind: "statement" | "condition" }>,
  problems: PositionedProblem[],
  nStatements: number,
): ContextName | undefined {
  try {
    return inferContext(collectUsage(trees), signal, FUNCTIONS);
  } catch (err) {
    if (!(err instanceof InferenceError)) throw err;
    const t = texts[err.text]!;
    problems.push(problemAt(t.loc, err, label(t.kind, err.text, nStatements)));
    return undefined;
  }
}

/** A load-time problem at the file position of the error inside the statement. */
export function problemAt(loc: Located<string>, err: unknown, what: string): PositionedProblem {
  if (!(err instanceof OttlCompileError)) {
    return { message: `${what}: ${err instanceof Error ? err.message : String(err)}`, span: loc.span };
  }
  const offset = Math.min(err.offset ?? 0, loc.value.length);
  const pos = posOf(loc.value, offset);
  const where = pos.line > 1 ? `line ${pos.line}, column ${pos.col}` : `column ${pos.col}`;
  return { message: `${what}, ${where}: ${err.message}`, span: fileSpanAt(loc, offset) };
}
