// The controller: turns configuration sources into a running graph of components, and keeps it
// running across reloads (spec: alloy-runtime.md §2). Loading is atomic up to the graph: a file
// with syntax, name, reference or cycle errors changes nothing. Argument errors on reload keep
// the affected component on its last good arguments, marked unhealthy.

import { join } from "node:path";
import type { File } from "../syntax/ast.ts";
import { type Diagnostic, diag } from "../syntax/diag.ts";
import { parseFile } from "../syntax/parser.ts";
import type { Component, ComponentDefinition, Health, Host, Stability } from "./component.ts";
import { CONFIG_BLOCKS, type LoggingArgs } from "./config_blocks.ts";
import { type Args, decodeBody } from "./decode.ts";
import { EvalError } from "./errors.ts";
import type { HttpBlockArgs } from "./http_block.ts";
import { type Graph, type Node, buildGraph } from "./graph.ts";
import { health, leastHealthy } from "./health.ts";
import type { Logger } from "./logger.ts";
import type { MetricsRegistry } from "./metrics.ts";
import type { Registry } from "./registry.ts";
import { buildScope } from "./scope.ts";
import type { ObjectValue } from "./value.ts";

export interface Source {
  name: string;
  text: string;
}

export interface ControllerOptions {
  registry: Registry;
  logger: Logger;
  metrics: MetricsRegistry;
  storagePath: string;
  stability: Stability;
  /** The standard library scope (see stdlib/index.ts). */
  globals: ObjectValue;
  /** How long to wait for each component to stop. */
  shutdownDeadlineMs?: number;
  /** How long components may spend at shutdown sending what they hold (--shutdown.drain-timeout). */
  drainTimeoutMs?: number;
  /** Process services for components; without one, in-memory requests answer 404. */
  host?: Host;
  /** Watches what components export and the arguments they receive (the UI's edge counters). */
  instrument?: Instrument;
  /**
   * Applies the top-level `http` block to the UI/API server: called with its decoded arguments
   * on every load that evaluates it, and with undefined when a load removes it. A rejection is
   * reported as an error on the block (the server keeps its previous settings).
   */
  applyHttp?(args: HttpBlockArgs | undefined): Promise<void>;
}

/**
 * A hook on evaluation: sees every component's exports, and may wrap the capsules in a
 * component's decoded arguments (e.g. to count items per edge). Lives outside the runtime so the
 * runtime stays ignorant of what the capsules carry.
 */
export interface Instrument {
  registerExports(id: string, exports: ObjectValue): void;
  wrapArgs<A>(id: string, args: A): A;
}

/** The default memory address, as Alloy's `--server.http.memory-addr`. */
export const DEFAULT_MEMORY_ADDRESS = "alloy.internal:12345";

const NO_HOST: Host = {
  memoryAddress: DEFAULT_MEMORY_ADDRESS,
  fetchInMemory: async () => new Response("no in-memory HTTP server in this process\n", { status: 404 }),
};

/** One live node of the graph. The same object survives reloads while its id and name stay. */
export interface Entry {
  node: Node;
  def?: ComponentDefinition;
  component?: Component;
  args?: Args;
  exports: ObjectValue;
  evalHealth: Health;
  runHealth: Health;
  abort?: AbortController;
  running?: Promise<void>;
}

export class Controller {
  private entries = new Map<string, Entry>();
  private graph?: Graph;
  private started = false;
  private loading = false;
  private pending = new Set<string>();
  private sources = new Map<string, string>();
  liveDebugging = false;
  readonly counters = { evaluations: 0, reloads: 0, reloadFailures: 0 };

  constructor(private readonly opts: ControllerOptions) {}

  /** Parses, checks, evaluates and (re)builds. Returns every problem found; errors mean the load failed. */
  async load(sources: Source[]): Promise<Diagnostic[]> {
    const parsed = parseAll(sources);
    if (hasErrors(parsed.diagnostics)) return parsed.diagnostics;
    const built = buildGraph(parsed.files, {
      registry: this.opts.registry,
      stability: this.opts.stability,
      globals: new Set(Object.keys(this.opts.globals)),
    });
    if (hasErrors(built.diagnostics)) {
      return [...parsed.diagnostics, ...built.diagnostics, ...(await this.dryEvaluate(built.graph))];
    }
    this.loading = true;
    try {
      const evalDiags = await this.apply(built.graph, !this.started && this.entries.size === 0);
      const all = [...parsed.diagnostics, ...built.diagnostics, ...evalDiags];
      if (!hasErrors(all)) this.sources = new Map(sources.map((s) => [s.name, s.text]));
      return all;
    } finally {
      this.loading = false;
    }
  }

  /** Starts every component's run loop; later loads start new components as they appear. */
  start(): void {
    this.started = true;
    for (const e of this.entries.values()) this.startEntry(e);
  }

  /**
   * Stops every component, each after everything that depends on it (receivers before the
   * processors they feed, processors before exporters), so data still in flight drains
   * downstream. Components that do not depend on each other stop in parallel, so exporters
   * drain side by side rather than one deadline after another.
   */
  async stop(): Promise<void> {
    this.started = false;
    const graph = this.graph;
    if (!graph) return;
    const stopping = new Map<string, Promise<void>>();
    const stopOne = (id: string): Promise<void> => {
      let p = stopping.get(id);
      if (!p) {
        p = (async () => {
          await Promise.all([...(graph.dependents.get(id) ?? [])].map(stopOne));
          const e = this.entries.get(id);
          if (e) await this.stopEntry(e);
        })();
        stopping.set(id, p);
      }
      return p;
    };
    await Promise.all(graph.order.map(stopOne));
  }

  /** Entries in evaluation order. */
  list(): Entry[] {
    return (this.graph?.order ?? []).map((id) => this.entries.get(id)!).filter(Boolean);
  }

  get(id: string): Entry | undefined {
    return this.entries.get(id);
  }

  dependents(id: string): string[] {
    return [...(this.graph?.dependents.get(id) ?? [])];
  }

  /** The source text of the last successful load, by file name (for diagnostics snippets). */
  sourceTexts(): Map<string, string> {
    return this.sources;
  }

  /** The combined health of an entry. */
  healthOf(e: Entry): Health {
    let own: Health | undefined;
    try {
      own = e.component?.health?.();
    } catch (err) {
      own = health("unhealthy", `health check failed: ${(err as Error).message}`);
    }
    return leastHealthy([e.evalHealth, e.runHealth, own]);
  }

  private async apply(graph: Graph, initial: boolean): Promise<Diagnostic[]> {
    const diags: Diagnostic[] = [];
    const next = new Map<string, Entry>();
    for (const id of graph.order) {
      const node = graph.nodes.get(id)!;
      const prior = this.entries.get(id);
      const entry = prior && prior.node.name === node.name ? prior : this.newEntry(node);
      entry.node = node;
      next.set(id, entry);
      diags.push(...(await this.evaluateEntry(entry, next)));
    }
    if (initial && hasErrors(diags)) return diags;
    const removed = [...this.entries.values()].filter((e) => next.get(e.node.id) !== e);
    if (removed.some((e) => e.node.kind === "config" && e.node.name === "http")) await this.opts.applyHttp?.(undefined);
    this.entries = next;
    this.graph = graph;
    for (const e of removed) await this.stopEntry(e);
    if (this.started) for (const e of next.values()) this.startEntry(e);
    return diags;
  }

  /**
   * Evaluates the sound part of a graph that has errors, on throwaway components, so that one
   * run reports argument problems too. Nothing running is touched.
   */
  private async dryEvaluate(graph: Graph): Promise<Diagnostic[]> {
    const diags: Diagnostic[] = [];
    const scratch = new Map<string, Entry>();
    const ok = new Set<string>();
    for (const id of graph.order) {
      const node = graph.nodes.get(id)!;
      if (graph.broken.has(id) || [...node.dependsOn].some((d) => !ok.has(d))) continue;
      const entry = this.newEntry(node);
      scratch.set(id, entry);
      const found = await this.evaluateEntry(entry, scratch, false);
      diags.push(...found);
      if (!hasErrors(found)) ok.add(id);
    }
    return diags;
  }

  private newEntry(node: Node): Entry {
    return { node, def: node.def, exports: {}, evalHealth: health("unknown", ""), runHealth: health("unknown", "") };
  }

  /** Evaluates one node's arguments and builds or updates its component. */
  private async evaluateEntry(e: Entry, scopeEntries: Map<string, Entry>, live = true): Promise<Diagnostic[]> {
    this.counters.evaluations++;
    const node = e.node;
    const schema = node.def?.args ?? CONFIG_BLOCKS[node.name]!;
    const problems: EvalError[] = [];
    const decoded = decodeBody(node.block.body, schema, buildScope(this.opts.globals, scopeEntries), node.block.namePos, problems);
    // Consumers this component sends to are counted per edge (and tapped for live debugging).
    const instrument = live && node.kind === "component" ? this.opts.instrument : undefined;
    const args = instrument ? instrument.wrapArgs(node.id, decoded) : decoded;
    const diags = problems.map((p) => diag(node.file, p.span, p.message, p.severity));
    const errors = problems.filter((p) => p.severity === "error");
    if (errors.length > 0) {
      e.evalHealth = health("unhealthy", `component evaluation failed: ${errors.map((p) => p.message).join("; ")}`);
      return diags;
    }
    try {
      if (node.kind === "config") {
        if (live && node.name === "http") await this.opts.applyHttp?.(args as HttpBlockArgs);
        else if (live) this.applyConfig(node.name, args);
      }
      else if (e.component) await e.component.update(args);
      else e.component = await this.buildComponent(e, args);
      e.args = args;
      e.evalHealth = health("healthy", "component evaluated");
      return diags;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const text = e.component || node.kind === "config" ? message : `Failed to build component: ${message}`;
      e.evalHealth = health("unhealthy", `component evaluation failed: ${text}`);
      return [diag(node.file, node.block.namePos, text)];
    }
  }

  private async buildComponent(e: Entry, args: Args): Promise<Component> {
    const id = e.node.id;
    return await e.def!.build(
      {
        id,
        dataPath: join(this.opts.storagePath, id),
        logger: this.opts.logger.child({ component_path: "/", component_id: id }),
        metrics: this.opts.metrics.with({ component_id: id, component_path: "/" }),
        onStateChange: (exports) => this.onExports(e, exports),
        host: this.opts.host ?? NO_HOST,
        drainTimeoutMs: this.opts.drainTimeoutMs,
      },
      args,
    );
  }

  private onExports(e: Entry, exports: ObjectValue): void {
    e.exports = exports;
    this.opts.instrument?.registerExports(e.node.id, exports);
    if (this.loading || !this.graph) return;
    this.pending.add(e.node.id);
    queueMicrotask(() => void this.reevaluatePending());
  }

  /** Re-evaluates, in topological order, everything downstream of components whose exports changed. */
  private async reevaluatePending(): Promise<void> {
    if (this.pending.size === 0 || !this.graph) return;
    const dirty = new Set<string>();
    const visit = (id: string) => {
      for (const d of this.graph!.dependents.get(id) ?? []) if (!dirty.has(d)) (dirty.add(d), visit(d));
    };
    for (const id of this.pending) visit(id);
    this.pending.clear();
    for (const id of this.graph.order) {
      const e = this.entries.get(id);
      if (!e || !dirty.has(id)) continue;
      const diags = await this.evaluateEntry(e, this.entries);
      for (const d of diags) this.opts.logger.error("failed to evaluate component", { component_id: id, err: d.message });
    }
  }

  private applyConfig(name: string, args: Args): void {
    if (name === "logging") {
      const a = args as unknown as LoggingArgs;
      this.opts.logger.sink.level = a.level;
      this.opts.logger.sink.format = a.format;
    } else if (name === "livedebugging") {
      this.liveDebugging = args.enabled === true;
    } else if (name === "tracing") {
      this.opts.logger.warn("the tracing block is accepted, but solder does not trace itself yet; its settings have no effect");
    }
  }

  private startEntry(e: Entry): void {
    if (!e.component || e.running) return;
    const abort = new AbortController();
    e.abort = abort;
    e.runHealth = health("healthy", "started component");
    e.running = e.component.run(abort.signal).then(
      () => void (e.runHealth = health("exited", "component shut down cleanly")),
      (err) => {
        e.runHealth = health("exited", `component shut down with error: ${err instanceof Error ? err.message : String(err)}`);
        this.opts.logger.error("component exited with error", { component_id: e.node.id, err });
      },
    );
  }

  private async stopEntry(e: Entry): Promise<void> {
    if (!e.running) return;
    e.abort?.abort();
    const deadline = this.opts.shutdownDeadlineMs ?? 600_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadline)));
    await Promise.race([e.running, timeout]);
    clearTimeout(timer);
    e.running = undefined;
    this.opts.metrics.removeMatching({ component_id: e.node.id });
  }
}

function parseAll(sources: Source[]): { files: File[]; diagnostics: Diagnostic[] } {
  const files: File[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const s of sources) {
    const r = parseFile(s.name, s.text);
    files.push(r.file);
    diagnostics.push(...r.diagnostics);
  }
  return { files, diagnostics };
}

/** True when any diagnostic is an error (warnings do not fail a load). */
export function hasErrors(list: Diagnostic[]): boolean {
  return list.some((d) => d.severity === "error");
}
