// The component graph (spec: alloy-syntax.md §5): nodes from the top-level blocks of every file,
// edges from references, cycle detection, and a topological evaluation order.

import { type BlockStmt, type Expr, type File, type Stmt, blockId, blockName } from "../syntax/ast.ts";
import { type Diagnostic, diag } from "../syntax/diag.ts";
import type { ComponentDefinition, Stability } from "./component.ts";
import { walkChains } from "./eval.ts";
import { CONFIG_BLOCKS } from "./config_blocks.ts";
import { type Registry, stabilityAllowed } from "./registry.ts";

export interface Node {
  id: string;
  /** Component name (`otelcol.processor.batch`) or config block name (`logging`). */
  name: string;
  kind: "component" | "config";
  file: string;
  block: BlockStmt;
  def?: ComponentDefinition;
  /** Ids of the nodes this one references (its dependencies). */
  dependsOn: Set<string>;
}

export interface Graph {
  nodes: Map<string, Node>;
  /** Nodes with reference or cycle errors (only in a graph returned with errors). */
  broken: Set<string>;
  /** Node ids, dependencies first. */
  order: string[];
  /** For each node, the nodes that reference it. */
  dependents: Map<string, Set<string>>;
}

export interface GraphOptions {
  registry: Registry;
  stability: Stability;
  /** Root names that are not component references (the standard library). */
  globals: ReadonlySet<string>;
}

const MODULE_BLOCKS = new Set(["declare", "import.file", "import.string", "import.http", "import.git", "foreach"]);
/** Alloy config blocks solder recognises but does not implement yet; named clearly instead of "unknown". */
const UNSUPPORTED_BLOCKS = new Set(["remotecfg"]);

/**
 * Builds the graph. With errors in the diagnostics the graph must not run, but it is still
 * returned (without the nodes that could not be placed) so that argument errors in the healthy
 * part can be reported in the same run.
 */
export function buildGraph(files: File[], opts: GraphOptions): { graph: Graph; diagnostics: Diagnostic[] } {
  const diags: Diagnostic[] = [];
  const broken = new Set<string>();
  const rejected = new Set<string>();
  const nodes = collectNodes(files, opts, diags, rejected);
  resolveReferences(nodes, opts.globals, diags, broken, rejected);
  reportCycles(nodes, diags, broken);
  return { graph: { nodes, broken, order: topologicalOrder(nodes), dependents: dependentsOf(nodes) }, diagnostics: diags };
}

/** Collects nodes; `rejected` receives the ids of blocks already reported as invalid. */
function collectNodes(files: File[], opts: GraphOptions, diags: Diagnostic[], rejected: Set<string>): Map<string, Node> {
  const nodes = new Map<string, Node>();
  for (const file of files) {
    for (const stmt of file.body) {
      const node = nodeFor(file.name, stmt, opts, diags);
      if (!node) {
        if (stmt.kind === "block") rejected.add(blockId(stmt));
        continue;
      }
      const prior = nodes.get(node.id);
      if (prior) {
        const at = prior.block.namePos.start;
        diags.push(diag(file.name, node.block.namePos, `block ${node.id} already declared at ${prior.file}:${at.line}:${at.col}`));
        continue;
      }
      nodes.set(node.id, node);
    }
  }
  return nodes;
}

function nodeFor(file: string, stmt: Stmt, opts: GraphOptions, diags: Diagnostic[]): Node | undefined {
  if (stmt.kind === "attribute") {
    diags.push(diag(file, stmt.name, `unrecognized attribute name "${stmt.name.name}" (attributes are not allowed at the top level)`));
    return undefined;
  }
  const name = blockName(stmt);
  const base = { id: blockId(stmt), name, file, block: stmt, dependsOn: new Set<string>() };
  if (CONFIG_BLOCKS[name]) {
    if (stmt.label !== undefined) diags.push(diag(file, stmt.labelPos ?? stmt.namePos, `block "${name}" does not support specifying labels`));
    return { ...base, id: name, kind: "config" };
  }
  if (name === "argument" || name === "export") {
    diags.push(diag(file, stmt.namePos, `${name} blocks only allowed inside a module`));
    return undefined;
  }
  if (MODULE_BLOCKS.has(name)) {
    diags.push(diag(file, stmt.namePos, `"${name}" blocks (modules) are not supported by solder yet`));
    return undefined;
  }
  if (UNSUPPORTED_BLOCKS.has(name)) {
    diags.push(diag(file, stmt.namePos, `the "${name}" block is not supported by solder yet`));
    return undefined;
  }
  const def = opts.registry.get(name);
  if (!def) {
    const d = diag(file, stmt.namePos, `cannot find the definition of component name "${name}"`);
    const near = opts.registry.suggest(name);
    if (near.length > 0) d.hint = `did you mean ${near.map((n) => `"${n}"`).join(", ")}?`;
    diags.push(d);
    return undefined;
  }
  if (stmt.label === undefined) {
    diags.push(diag(file, stmt.namePos, `component "${name}" must have a label`));
    return undefined;
  }
  if (!stabilityAllowed(def.stability, opts.stability)) {
    diags.push(diag(file, stmt.namePos, `component "${name}" is at stability level "${def.stability}", which is below the minimum allowed stability level "${opts.stability}"; use --stability.level=${def.stability} to enable it`));
    return undefined;
  }
  return { ...base, kind: "component", def };
}

function resolveReferences(
  nodes: Map<string, Node>,
  globals: ReadonlySet<string>,
  diags: Diagnostic[],
  broken: Set<string>,
  rejected: ReadonlySet<string>,
): void {
  for (const node of nodes.values()) {
    forEachExpr(node.block.body, (expr) =>
      walkChains(expr, (chain, at) => {
        const target = resolveChain(chain, nodes);
        if (target === node.id) {
          diags.push(diag(node.file, at, "cannot reference self"));
          broken.add(node.id);
        } else if (target !== undefined) node.dependsOn.add(target);
        else if (resolveChain(chain, rejected) !== undefined) {
          // The referenced block was already reported (unknown component, missing label…).
          broken.add(node.id);
        } else if (!globals.has(chain[0]!)) {
          diags.push(diag(node.file, at, `component "${chain.join(".")}" does not exist or is out of scope`));
          broken.add(node.id);
        }
      }),
    );
  }
}

/** The id of the node a reference chain names: the shortest prefix that is a node id. */
export function resolveChain(chain: string[], nodes: { has(id: string): boolean }): string | undefined {
  for (let k = 1; k <= chain.length; k++) {
    const id = chain.slice(0, k).join(".");
    if (nodes.has(id)) return id;
  }
  return undefined;
}

/** Calls `visit` on every attribute value in `body`, nested blocks included. */
export function forEachExpr(body: Stmt[], visit: (e: Expr) => void): void {
  for (const stmt of body) {
    if (stmt.kind === "attribute") visit(stmt.value);
    else forEachExpr(stmt.body, visit);
  }
}

function reportCycles(nodes: Map<string, Node>, diags: Diagnostic[], broken: Set<string>): void {
  for (const scc of stronglyConnected(nodes)) {
    if (scc.length < 2) continue;
    const names = scc.join(", ");
    for (const id of scc) {
      broken.add(id);
      const n = nodes.get(id)!;
      diags.push(diag(n.file, n.block.namePos, `cycle detected: ${names}`));
    }
  }
}

/** Tarjan's algorithm, iterative so that long chains cannot overflow the stack. */
function stronglyConnected(nodes: Map<string, Node>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let counter = 0;
  for (const start of nodes.keys()) {
    if (index.has(start)) continue;
    const work: Array<{ id: string; deps: string[]; i: number }> = [];
    const push = (id: string) => {
      index.set(id, counter);
      low.set(id, counter++);
      stack.push(id);
      onStack.add(id);
      work.push({ id, deps: [...(nodes.get(id)?.dependsOn ?? [])], i: 0 });
    };
    push(start);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      if (top.i < top.deps.length) {
        const dep = top.deps[top.i++]!;
        if (!index.has(dep)) push(dep);
        else if (onStack.has(dep)) low.set(top.id, Math.min(low.get(top.id)!, index.get(dep)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]!;
        low.set(parent.id, Math.min(low.get(parent.id)!, low.get(top.id)!));
      }
      if (low.get(top.id) === index.get(top.id)) {
        const scc: string[] = [];
        let id: string;
        do {
          id = stack.pop()!;
          onStack.delete(id);
          scc.push(id);
        } while (id !== top.id);
        out.push(scc.reverse());
      }
    }
  }
  return out;
}

/** Dependencies first; ties keep source order. Nodes on or behind a cycle are left out. */
function topologicalOrder(nodes: Map<string, Node>): string[] {
  const remaining = new Map([...nodes.values()].map((n) => [n.id, n.dependsOn.size]));
  const dependents = dependentsOf(nodes);
  const order: string[] = [];
  const ready = [...nodes.keys()].filter((id) => remaining.get(id) === 0);
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(id);
    for (const d of dependents.get(id) ?? []) {
      const left = remaining.get(d)! - 1;
      remaining.set(d, left);
      if (left === 0) ready.push(d);
    }
  }
  return order;
}

function dependentsOf(nodes: Map<string, Node>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>([...nodes.keys()].map((id) => [id, new Set<string>()]));
  for (const n of nodes.values()) for (const dep of n.dependsOn) out.get(dep)?.add(n.id);
  return out;
}
