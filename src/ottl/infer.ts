// Context inference for groups without an explicit context (ottl.md §4.3): collect the context
// prefixes of every path, the contexts every function allows and the enums used, then take the
// shallowest context at or below the deepest prefix that supports them all.

import type { BoolExpr, Call, Key, Statement, ValueExpr } from "./ast.ts";
import { PREFIX_NAMES, SIGNAL_CONTEXTS, type SignalName, contextDef } from "./contexts/index.ts";
import { OttlCompileError } from "./errors.ts";
import type { OttlFunction } from "./function_api.ts";
import type { ContextName } from "./tctx.ts";

/** What a group's texts use. */
export interface Usage {
  /** Context prefixes with the offset of their first use, per text. */
  prefixes: Array<{ context: ContextName; name: string; text: number; offset: number }>;
  functions: Array<{ name: string; text: number; offset: number }>;
  symbols: Array<{ name: string; text: number; offset: number }>;
}

/** An inference failure, pointing at one text of the group (its index) and an offset in it. */
export class InferenceError extends OttlCompileError {
  constructor(
    message: string,
    readonly text: number,
    offset: number,
  ) {
    super(message, offset);
  }
}

/** Collects prefixes, function names and bare symbols of parsed statements/conditions. */
export function collectUsage(trees: ReadonlyArray<Statement | BoolExpr>): Usage {
  const usage: Usage = { prefixes: [], functions: [], symbols: [] };
  trees.forEach((tree, text) => {
    const visitCall = (c: Call) => {
      usage.functions.push({ name: c.name, text, offset: c.nameRange.start });
      c.args.forEach((a) => visitValue(a.value));
      c.keys.forEach(visitKey);
    };
    const visitKey = (k: Key) => {
      if (k.kind === "expr") visitValue(k.expr);
    };
    const visitValue = (v: ValueExpr): void => {
      switch (v.kind) {
        case "path": {
          const first = v.fields[0]!;
          const ctx = PREFIX_NAMES.get(first.name);
          if (ctx) usage.prefixes.push({ context: ctx, name: first.name, text, offset: first.start });
          v.fields.forEach((f) => f.keys.forEach(visitKey));
          return;
        }
        case "call":
          return visitCall(v.call);
        case "symbol":
          usage.symbols.push({ name: v.name, text, offset: v.start });
          return;
        case "list":
          return v.items.forEach(visitValue);
        case "map":
          return v.entries.forEach((e) => visitValue(e.value));
        case "math":
          visitValue(v.left);
          return visitValue(v.right);
      }
    };
    const visitBool = (b: BoolExpr): void => {
      switch (b.kind) {
        case "or":
        case "and":
          visitBool(b.left);
          return visitBool(b.right);
        case "not":
          return visitBool(b.expr);
        case "cmp":
          visitValue(b.left);
          return visitValue(b.right);
        case "boolcall":
          return visitCall(b.call);
      }
    };
    if (tree.kind === "statement") {
      visitCall(tree.editor);
      if (tree.where) visitBool(tree.where);
    } else visitBool(tree);
  });
  return usage;
}

/** Infers the context of a group of one signal; throws InferenceError when none fits. */
export function inferContext(usage: Usage, signal: SignalName, functions: ReadonlyMap<string, OttlFunction>): ContextName {
  const order = SIGNAL_CONTEXTS[signal];
  let start = 0;
  for (const p of usage.prefixes) {
    const i = order.indexOf(p.context);
    if (i < 0) throw new InferenceError(`${p.name} paths cannot be used in ${signal} statements (contexts: ${order.join(", ")})`, p.text, p.offset);
    start = Math.max(start, i);
  }
  for (let i = start; i < order.length; i++) {
    const ctx = order[i]!;
    if (supports(ctx, usage, functions)) return ctx;
  }
  const blocker = firstUnsupported(order[start]!, usage, functions);
  const where = blocker ?? usage.prefixes[0] ?? { text: 0, offset: 0 };
  const reason = blocker ? ` (${blocker.name} is not available in the ${order[start]} context or below)` : "";
  throw new InferenceError(
    `cannot infer a context for these ${signal} statements: no context at or below ${order[start]} supports every path, function and enum used${reason}; split them into groups`,
    where.text,
    where.offset,
  );
}

function supports(ctx: ContextName, usage: Usage, functions: ReadonlyMap<string, OttlFunction>): boolean {
  return firstUnsupported(ctx, usage, functions) === undefined;
}

function firstUnsupported(ctx: ContextName, usage: Usage, functions: ReadonlyMap<string, OttlFunction>): { name: string; text: number; offset: number } | undefined {
  for (const f of usage.functions) {
    const allowed = functions.get(f.name)?.contexts;
    if (allowed && !allowed.includes(ctx)) return f;
  }
  const enums = contextDef(ctx).enums;
  for (const s of usage.symbols) {
    if (functions.has(s.name)) continue; // a function passed by name
    if (enums[s.name] === undefined) return s;
  }
  return undefined;
}
