// Warnings for statements that are legal and probably wrong (ottl.md §7.1): writing an ancestor
// from a lower context (item 1), comparing an int field with a string (item 2), and an inferred
// spanevent context that silently skips spans without events (item 12).

import type { BoolExpr, Statement, ValueExpr } from "../../../ottl/ast.ts";
import { OttlCompileError } from "../../../ottl/errors.ts";
import type { ContextName } from "../../../ottl/tctx.ts";

/** Reports a warning for text `i` at an offset (carried by the error). */
export type Warn = (text: number, err: OttlCompileError) => void;

/** Runs every lint over a compiled group's parsed texts. */
export function lint(context: ContextName, trees: ReadonlyArray<Statement | BoolExpr>, warn: Warn, inferred = false): void {
  trees.forEach((tree, i) => {
    if (tree.kind === "statement") {
      ancestorWrite(context, tree, (e) => warn(i, e));
      if (tree.where) typedComparisons(tree.where, (e) => warn(i, e));
    } else typedComparisons(tree, (e) => warn(i, e));
  });
  if (inferred && context === "spanevent") spanInSpanevent(trees, warn);
}

const ANCESTORS: Partial<Record<ContextName, readonly string[]>> = {
  scope: ["resource"],
  span: ["resource", "scope", "instrumentation_scope"],
  spanevent: ["resource", "scope", "instrumentation_scope", "span"],
  metric: ["resource", "scope", "instrumentation_scope"],
  datapoint: ["resource", "scope", "instrumentation_scope", "metric"],
  log: ["resource", "scope", "instrumentation_scope"],
};

/** §7.1 item 1: the statement runs once per item; every item of the same ancestor shares it. */
function ancestorWrite(context: ContextName, s: Statement, warn: (e: OttlCompileError) => void): void {
  const target = s.editor.args[0]?.value;
  if (target?.kind !== "path") return;
  const first = target.fields[0]!.name;
  if (!ANCESTORS[context]?.includes(first)) return;
  warn(new OttlCompileError(`${s.editor.name} writes ${first} from the ${context} context: it runs once per ${context}, and all of them share one ${first}, so the last write wins`, target.start));
}

/** Int fields users often compare with a string, and the enum prefix to suggest. */
const INT_FIELDS: Record<string, string> = { type: "METRIC_DATA_TYPE_", kind: "SPAN_KIND_", code: "STATUS_CODE_", severity_number: "SEVERITY_NUMBER_" };

/** §7.1 item 2: `metric.type == "Sum"` is never true (type is an int). */
function typedComparisons(e: BoolExpr, warn: (e: OttlCompileError) => void): void {
  switch (e.kind) {
    case "or":
    case "and":
      typedComparisons(e.left, warn);
      return typedComparisons(e.right, warn);
    case "not":
      return typedComparisons(e.expr, warn);
    case "cmp":
      check(e.left, e.right, warn);
      check(e.right, e.left, warn);
  }
}

function check(path: ValueExpr, other: ValueExpr, warn: (e: OttlCompileError) => void): void {
  if (path.kind !== "path" || other.kind !== "string") return;
  const last = path.fields[path.fields.length - 1]!;
  const prefix = last.keys.length === 0 ? INT_FIELDS[last.name] : undefined;
  if (!prefix) return;
  const symbol = prefix + other.value.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
  warn(new OttlCompileError(`${path.fields.map((f) => f.name).join(".")} is an int, so comparing it with the string ${JSON.stringify(other.value)} is never true; use ${symbol}`, other.start));
}

/** §4.3: mixing span.* and spanevent.* paths moves the whole group to the event level. */
function spanInSpanevent(trees: ReadonlyArray<Statement | BoolExpr>, warn: Warn): void {
  trees.forEach((tree, i) => {
    const at = firstSpanPath(tree);
    if (at !== undefined) {
      warn(i, new OttlCompileError("the inferred context is spanevent: span statements run once per event, and spans without events are skipped; put span statements in their own group", at));
    }
  });
}

function firstSpanPath(tree: Statement | BoolExpr): number | undefined {
  const visit = (v: unknown): number | undefined => {
    if (v === null || typeof v !== "object") return undefined;
    const node = v as { kind?: string; fields?: Array<{ name: string }>; start?: number };
    if (node.kind === "path" && node.fields?.[0]?.name === "span") return node.start;
    for (const child of Object.values(node)) {
      const found = visit(child);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return visit(tree);
}
