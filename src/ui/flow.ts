// Data-flow instrumentation for the UI: items per edge (for the Graph page's rates) and the taps
// live debugging samples from. Components never see it: the controller registers the capsules
// each component exports (who owns which consumer), and before a component gets its arguments
// every owned consumer in them is swapped for a thin wrapper that knows both ends of the edge
// (from = the component being evaluated, to = the owner). Counting reads batch.itemCount(), which
// never decodes a lite batch; sampling only clones, and rendering happens later, off the hot path.

import type { Batch, Signal } from "../otlp/batch.ts";
import { CONSUMER_TYPE, type Consumer } from "../otlp/consumer.ts";
import { Capsule, type ObjectValue } from "../runtime/value.ts";

/** The capsule type of Prometheus sample receivers (src/prom/appender.ts). */
export const PROM_RECEIVER_TYPE = "MetricsReceiver";

/** What an edge carries: one OTLP signal, or Prometheus samples. */
export type FlowKind = Signal | "prometheus";

/** Cumulative items sent along one edge, per kind. */
export interface EdgeCount {
  from: string;
  to: string;
  kind: FlowKind;
  items: number;
}

/** A live-debugging subscriber for one component's output. */
export interface Tap {
  /** Called on the hot path with a batch the component emits; must be cheap and must not keep `batch`. */
  offer(batch: Batch<Signal>, to: string): void;
}

interface Edge {
  from: string;
  to: string;
  counts: Record<FlowKind, number>;
}

interface Owner {
  id: string;
  type: string;
}

/** Edge counters and live-debugging taps for one controller. */
export class Flow {
  private owners = new WeakMap<object, Owner>();
  private wrappers = new WeakMap<object, Map<string, unknown>>();
  private edges = new Map<string, Edge>();
  private taps = new Map<string, Set<Tap>>();

  /** Records which component owns each capsule in its exports. */
  registerExports(id: string, exports: ObjectValue): void {
    walkCapsules(exports, (c) => {
      if (typeof c.value === "object" && c.value !== null) this.owners.set(c.value, { id, type: c.typeName });
    });
  }

  /** Returns `args` with every registered consumer or appendable replaced by one counted as from → owner. */
  wrapArgs<T>(from: string, args: T): T {
    return this.wrap(from, args, 0) as T;
  }

  /** Cumulative counts of every edge seen so far. */
  counts(): EdgeCount[] {
    const out: EdgeCount[] = [];
    for (const e of this.edges.values()) {
      for (const [kind, items] of Object.entries(e.counts)) out.push({ from: e.from, to: e.to, kind: kind as FlowKind, items });
    }
    return out;
  }

  /** Subscribes to what component `id` emits; returns the unsubscribe function. */
  tap(id: string, t: Tap): () => void {
    let set = this.taps.get(id);
    if (!set) this.taps.set(id, (set = new Set()));
    set.add(t);
    return () => {
      set!.delete(t);
      if (set!.size === 0 && this.taps.get(id) === set) this.taps.delete(id);
    };
  }

  private wrap(from: string, v: unknown, depth: number): unknown {
    if (typeof v !== "object" || v === null || depth > 8) return v;
    const owner = this.owners.get(v);
    if (owner) return this.wrapperFor(from, owner, v);
    if (Array.isArray(v)) {
      let changed = false;
      const out = v.map((x) => {
        const w = this.wrap(from, x, depth + 1);
        if (w !== x) changed = true;
        return w;
      });
      return changed ? out : v;
    }
    // Only plain records are walked: class instances (secrets, functions) are left alone.
    if (Object.getPrototypeOf(v) !== Object.prototype) return v;
    let out: Record<string, unknown> | undefined;
    for (const [k, x] of Object.entries(v)) {
      const w = this.wrap(from, x, depth + 1);
      if (w !== x) (out ??= { ...(v as Record<string, unknown>) })[k] = w;
    }
    return out ?? v;
  }

  /** One wrapper per (inner, from), so re-evaluations hand components the same object. */
  private wrapperFor(from: string, owner: Owner, inner: object): unknown {
    let byFrom = this.wrappers.get(inner);
    if (!byFrom) this.wrappers.set(inner, (byFrom = new Map()));
    let w = byFrom.get(from);
    if (w === undefined) {
      const edge = this.edge(from, owner.id);
      if (owner.type === CONSUMER_TYPE) w = this.countingConsumer(edge, inner as Consumer);
      else if (owner.type === PROM_RECEIVER_TYPE) w = countingAppendable(edge, inner as Appendable);
      else w = inner;
      byFrom.set(from, w);
    }
    return w;
  }

  private edge(from: string, to: string): Edge {
    const key = `${from}\u0000${to}`;
    let e = this.edges.get(key);
    if (!e) this.edges.set(key, (e = { from, to, counts: { traces: 0, metrics: 0, logs: 0, prometheus: 0 } }));
    return e;
  }

  private countingConsumer(edge: Edge, inner: Consumer): Consumer {
    const seen = (b: Batch<Signal>) => {
      edge.counts[b.signal] += b.itemCount();
      const taps = this.taps.get(edge.from);
      if (taps) for (const t of taps) t.offer(b, edge.to);
    };
    return {
      consumeTraces: (b) => (seen(b), inner.consumeTraces(b)),
      consumeMetrics: (b) => (seen(b), inner.consumeMetrics(b)),
      consumeLogs: (b) => (seen(b), inner.consumeLogs(b)),
      readOnly: inner.readOnly,
    };
  }
}

/** The part of a Prometheus Appendable the counter needs (src/prom/appender.ts). */
interface Appendable {
  appender(): object;
}

const COUNTED = new Set(["append", "appendHistogram"]);

/** Counts samples appended in transactions that commit; a rollback counts nothing. */
function countingAppendable(edge: Edge, inner: Appendable): Appendable {
  return {
    appender() {
      const app = inner.appender() as Record<string | symbol, unknown>;
      let n = 0;
      const bound = new Map<string | symbol, unknown>();
      return new Proxy(app, {
        get(target, prop) {
          let f = bound.get(prop);
          if (f !== undefined) return f;
          const v = target[prop];
          if (typeof v !== "function") return v;
          const call = v as (...a: unknown[]) => unknown;
          if (COUNTED.has(prop as string)) f = (...a: unknown[]) => (n++, call.apply(target, a));
          else if (prop === "commit") f = (...a: unknown[]) => ((edge.counts.prometheus += n), (n = 0), call.apply(target, a));
          else if (prop === "rollback") f = (...a: unknown[]) => ((n = 0), call.apply(target, a));
          else f = call.bind(target);
          bound.set(prop, f);
          return f;
        },
      });
    },
  };
}

function walkCapsules(v: unknown, fn: (c: Capsule) => void, depth = 0): void {
  if (typeof v !== "object" || v === null || depth > 8) return;
  if (v instanceof Capsule) return fn(v);
  if (Array.isArray(v)) return v.forEach((x) => walkCapsules(x, fn, depth + 1));
  if (Object.getPrototypeOf(v) !== Object.prototype) return;
  for (const x of Object.values(v)) walkCapsules(x, fn, depth + 1);
}
