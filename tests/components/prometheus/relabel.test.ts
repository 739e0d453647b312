// prometheus.relabel as a component (alloy-components.md §15): arguments and validation, the
// per-series cache (LRU, TTL), stale eviction, pass-through of commit/rollback, exemplars,
// histograms and metadata following the relabeled series, updates, self-metrics.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type PrometheusRelabelArgs, RelabelCache, prometheusRelabel } from "../../../src/components/prometheus/relabel.ts";
import type { Appendable, Appender, Exemplar, Labels, Metadata, NativeHistogram } from "../../../src/prom/appender.ts";
import { type RelabelRule, RELABEL_RULES_TYPE } from "../../../src/prom/relabel.ts";
import type { Component, ComponentDefinition } from "../../../src/runtime/component.ts";
import { decodeBody } from "../../../src/runtime/decode.ts";
import type { EvalError } from "../../../src/runtime/errors.ts";
import { MetricsRegistry } from "../../../src/runtime/metrics.ts";
import { createLogger, memorySink } from "../../../src/runtime/logger.ts";
import type { Capsule, ObjectValue } from "../../../src/runtime/value.ts";
import { parseFile } from "../../../src/syntax/index.ts";

/** Decodes a block body written in Alloy syntax; returns the arguments and the error messages. */
function decode<A>(def: ComponentDefinition<A>, text: string, scope: ObjectValue = {}): { args: A; errors: string[] } {
  const { file, diagnostics } = parseFile("test.alloy", text);
  if (diagnostics.length > 0) throw new Error(`parse: ${diagnostics.map((d) => d.message).join("; ")}`);
  const problems: EvalError[] = [];
  const args = decodeBody(file.body, def.args, scope, file, problems) as A;
  return { args, errors: problems.filter((p) => p.severity === "error").map((p) => p.message) };
}

type Event =
  | ["append", Record<string, string>, number, number]
  | ["stale", Record<string, string>, number]
  | ["exemplar", Record<string, string>, Exemplar]
  | ["histogram", Record<string, string>, number, NativeHistogram]
  | ["metadata", string, Metadata];

/** Records every committed transaction's events; counts rollbacks; can refuse commits. */
class Recorder implements Appendable {
  committed: Event[][] = [];
  rollbacks = 0;
  failWith: Error | undefined;

  appender(): Appender {
    const events: Event[] = [];
    const obj = (l: Labels) => Object.fromEntries(l);
    return {
      append: (l, t, v) => events.push(["append", obj(l), t, v]),
      appendStale: (l, t) => events.push(["stale", obj(l), t]),
      appendExemplar: (l, e) => events.push(["exemplar", obj(l), e]),
      appendHistogram: (l, t, h) => events.push(["histogram", obj(l), t, h]),
      updateMetadata: (f, m) => events.push(["metadata", f, m]),
      commit: async () => {
        if (this.failWith) throw this.failWith;
        this.committed.push(events);
      },
      rollback: () => void this.rollbacks++,
    };
  }

  get last(): Event[] {
    return this.committed[this.committed.length - 1] ?? [];
  }
}

/** The value of a series in a text exposition, or undefined. */
function metricValue(text: string, name: string, labelPart = ""): number | undefined {
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const [series, value] = line.split(" ");
    if (series === name || (series!.startsWith(`${name}{`) && series!.includes(labelPart))) return Number(value);
  }
  return undefined;
}

const ID = "prometheus.relabel.test";

interface Started {
  receiver: Appendable;
  exports: ObjectValue;
  metrics: MetricsRegistry;
  component: Component<PrometheusRelabelArgs>;
  update(text: string): Promise<void>;
  stop(): Promise<void>;
}

/** Builds and runs the component with arguments from `text`, forwarding to `to`. */
async function start(text: string, ...to: Appendable[]): Promise<Started> {
  const { args, errors } = decode(prometheusRelabel, `forward_to = []\n${text}`);
  if (errors.length > 0) throw new Error(errors.join("; "));
  const metrics = new MetricsRegistry();
  const state: { exports: ObjectValue } = { exports: {} };
  const component = await prometheusRelabel.build(
    { id: ID, dataPath: "/nonexistent", logger: createLogger(memorySink("error")), metrics: metrics.with({ component_id: ID }), onStateChange: (e) => (state.exports = e) },
    { ...args, forward_to: to },
  );
  const abort = new AbortController();
  const running = component.run(abort.signal);
  return {
    get receiver() {
      return (state.exports.receiver as Capsule<Appendable>).value;
    },
    get exports() {
      return state.exports;
    },
    metrics,
    component,
    update: async (t) => {
      const d = decode(prometheusRelabel, `forward_to = []\n${t}`);
      if (d.errors.length > 0) throw new Error(d.errors.join("; "));
      await component.update({ ...d.args, forward_to: to });
    },
    stop: async () => {
      abort.abort();
      await running;
    },
  };
}

const up = (extra: Record<string, string> = {}): Labels => Object.entries({ __name__: "up", job: "j", ...extra }).sort(([a], [b]) => (a < b ? -1 : 1));
const KEEP_UP = `rule {\n source_labels = ["__name__"]\n regex = "up"\n action = "keep"\n}`;
const RENAME = `rule {\n source_labels = ["__name__"]\n regex = "(.*)"\n target_label = "__name__"\n replacement = "new_$1"\n}`;

async function transaction(r: Appendable, fill: (a: Appender) => void): Promise<void> {
  const a = r.appender();
  fill(a);
  await a.commit();
}

const m = (s: Started, name: string) => metricValue(s.metrics.expose(), name, `component_id="${ID}"`);

describe("arguments", () => {
  test("defaults", () => {
    const { args, errors } = decode(prometheusRelabel, `forward_to = []`);
    assert.deepEqual(errors, []);
    assert.equal(args.max_cache_size, 100_000);
    assert.equal(args.cache_ttl, 0);
    assert.deepEqual(args.rule, []);
  });
  test("forward_to is required", () => {
    assert.deepEqual(decode(prometheusRelabel, ``).errors, [`missing required attribute "forward_to"`]);
  });
  test("exactly one of max_cache_size and cache_ttl", () => {
    assert.deepEqual(decode(prometheusRelabel, `forward_to = []\ncache_ttl = "5m"`).errors, ["exactly one of max_cache_size and cache_ttl must be non-zero"]);
    assert.deepEqual(decode(prometheusRelabel, `forward_to = []\nmax_cache_size = 0`).errors, ["exactly one of max_cache_size and cache_ttl must be non-zero"]);
    assert.deepEqual(decode(prometheusRelabel, `forward_to = []\nmax_cache_size = 0\ncache_ttl = "5m"`).errors, []);
  });
  test("cache_ttl at least 1m", () => {
    assert.deepEqual(decode(prometheusRelabel, `forward_to = []\nmax_cache_size = 0\ncache_ttl = "30s"`).errors, ["cache_ttl must be at least 1m"]);
  });
  test("rule blocks are validated with Prometheus's messages", () => {
    const errors = (body: string) => decode(prometheusRelabel, `forward_to = []\nrule {\n${body}\n}`).errors;
    assert.deepEqual(errors(`action = "hashmod"\ntarget_label = "x"`), ["relabel configuration for hashmod requires non-zero modulus"]);
    assert.deepEqual(errors(`action = "lowercase"`), ["relabel configuration for lowercase action requires 'target_label' value"]);
    assert.match(errors(`regex = "("`).join(), /^error parsing regexp/);
    assert.deepEqual(errors(`source_labels = ["a"]\ntarget_label = "b"\nregex = "x(.*)"\nseparator = ","\nreplacement = "$1"`), []);
  });
  test("exports receiver and rules", async () => {
    const s = await start(KEEP_UP);
    assert.equal((s.exports.receiver as Capsule).typeName, "MetricsReceiver");
    const rules = s.exports.rules as Capsule<RelabelRule[]>;
    assert.equal(rules.typeName, RELABEL_RULES_TYPE);
    assert.equal(rules.value.length, 1);
    assert.equal(rules.value[0]!.action, "keep");
    await s.stop();
  });
});

describe("relabeling samples", () => {
  test("no rules: everything is forwarded unchanged", async () => {
    const out = new Recorder();
    const s = await start(``, out);
    await transaction(s.receiver, (a) => {
      a.append(up(), 1000, 1);
      a.append([["__name__", "other"]], 1000, 2);
    });
    assert.deepEqual(out.last, [["append", Object.fromEntries(up()), 1000, 1], ["append", { __name__: "other" }, 1000, 2]]);
    await s.stop();
  });
  test("dropped series are not forwarded; kept ones are", async () => {
    const out = new Recorder();
    const s = await start(KEEP_UP, out);
    await transaction(s.receiver, (a) => {
      a.append(up(), 1000, 1);
      a.append([["__name__", "down"]], 1000, 2);
    });
    assert.deepEqual(out.last, [["append", Object.fromEntries(up()), 1000, 1]]);
    assert.equal(m(s, "prometheus_relabel_metrics_processed"), 2);
    assert.equal(m(s, "prometheus_relabel_metrics_written"), 1);
    assert.equal(m(s, "prometheus_forwarded_samples_total"), 1);
    await s.stop();
  });
  test("a series left with no labels is not forwarded", async () => {
    const out = new Recorder();
    const s = await start(`rule {\n action = "labeldrop"\n regex = ".*"\n}`, out);
    await transaction(s.receiver, (a) => a.append(up(), 1000, 1));
    assert.deepEqual(out.last, []);
    await s.stop();
  });
  test("every downstream receiver gets the relabeled series", async () => {
    const a1 = new Recorder();
    const a2 = new Recorder();
    const s = await start(RENAME, a1, a2);
    await transaction(s.receiver, (a) => a.append(up(), 5, 1));
    for (const r of [a1, a2]) assert.deepEqual(r.last, [["append", { __name__: "new_up", job: "j" }, 5, 1]]);
    await s.stop();
  });
  test("commit errors and rollbacks pass through", async () => {
    const out = new Recorder();
    const s = await start(``, out);
    const a = s.receiver.appender();
    a.append(up(), 1, 1);
    a.rollback();
    assert.equal(out.rollbacks, 1);
    assert.equal(out.committed.length, 0);
    out.failWith = new Error("refused");
    const b = s.receiver.appender();
    b.append(up(), 1, 1);
    await assert.rejects(b.commit(), /refused/);
    await s.stop();
  });
});

describe("cache", () => {
  test("results are cached per input series: misses then hits", async () => {
    const out = new Recorder();
    const s = await start(RENAME, out);
    for (let i = 0; i < 3; i++) await transaction(s.receiver, (a) => a.append(up(), i, i));
    assert.equal(m(s, "prometheus_relabel_cache_misses"), 1);
    assert.equal(m(s, "prometheus_relabel_cache_hits"), 2);
    assert.equal(m(s, "prometheus_relabel_cache_size"), 1);
    assert.deepEqual(out.last, [["append", { __name__: "new_up", job: "j" }, 2, 2]]);
    await s.stop();
  });
  test("dropped results are cached too", async () => {
    const s = await start(KEEP_UP, new Recorder());
    await transaction(s.receiver, (a) => (a.append([["__name__", "x"]], 1, 1), a.append([["__name__", "x"]], 2, 1)));
    assert.equal(m(s, "prometheus_relabel_cache_misses"), 1);
    assert.equal(m(s, "prometheus_relabel_cache_hits"), 1);
    await s.stop();
  });
  test("stale markers are forwarded (relabeled) and evict the entry", async () => {
    const out = new Recorder();
    const s = await start(RENAME, out);
    await transaction(s.receiver, (a) => (a.append(up({ i: "1" }), 1, 1), a.append(up({ i: "2" }), 1, 1)));
    assert.equal(m(s, "prometheus_relabel_cache_size"), 2);
    await transaction(s.receiver, (a) => a.appendStale(up({ i: "1" }), 2));
    assert.deepEqual(out.last, [["stale", { __name__: "new_up", i: "1", job: "j" }, 2]]);
    assert.equal(m(s, "prometheus_relabel_cache_size"), 1);
    await s.stop();
  });
  test("max_cache_size bounds the cache (least recently used goes)", async () => {
    const s = await start(`max_cache_size = 2\n${RENAME}`, new Recorder());
    await transaction(s.receiver, (a) => {
      a.append(up({ i: "1" }), 1, 1);
      a.append(up({ i: "2" }), 1, 1);
      a.append(up({ i: "1" }), 2, 1); // refreshes i=1
      a.append(up({ i: "3" }), 1, 1); // evicts i=2
      a.append(up({ i: "1" }), 3, 1); // still cached
    });
    assert.equal(m(s, "prometheus_relabel_cache_size"), 2);
    assert.equal(m(s, "prometheus_relabel_cache_misses"), 3);
    assert.equal(m(s, "prometheus_relabel_cache_hits"), 2);
    await s.stop();
  });
  test("TTL mode: entries expire after cache_ttl unused", () => {
    let now = 0;
    let evicted = 0;
    const c = new RelabelCache(0, 60_000, () => evicted++, () => now);
    c.set("a", [["x", "1"]]);
    c.set("b", null);
    now = 30_000;
    assert.ok(c.get("a"));
    now = 70_000;
    assert.equal(c.get("b"), undefined, "b unused for 70s");
    assert.ok(c.get("a"), "a was used at 30s");
    now = 200_000;
    c.sweep();
    assert.equal(c.size, 0);
    assert.equal(evicted, 2);
  });
  test("an update clears the cache and applies the new rules", async () => {
    const out = new Recorder();
    const s = await start(RENAME, out);
    await transaction(s.receiver, (a) => a.append(up(), 1, 1));
    await s.update(KEEP_UP);
    assert.equal(m(s, "prometheus_relabel_cache_size"), 0);
    await transaction(s.receiver, (a) => (a.append(up(), 2, 1), a.append([["__name__", "x"]], 2, 1)));
    assert.deepEqual(out.last, [["append", Object.fromEntries(up()), 2, 1]]);
    assert.equal(((s.exports.rules as Capsule<RelabelRule[]>).value[0]!).action, "keep");
    await s.stop();
  });
});

describe("exemplars, histograms and metadata follow the series", () => {
  const ex: Exemplar = { labels: [["trace_id", "abc"]], value: 1 };
  const h: NativeHistogram = { schema: 0, zeroThreshold: 0, zeroCount: 0, count: 1, sum: 1, positiveSpans: [{ offset: 0, length: 1 }], positiveDeltas: [1], negativeSpans: [], negativeDeltas: [], resetHint: 0 };
  const md = (help: string): Metadata => ({ type: "counter", help, unit: "" });

  test("exemplars and histograms get the relabeled labels, or are dropped with their series", async () => {
    const out = new Recorder();
    const s = await start(`${RENAME}\nrule {\n source_labels = ["__name__"]\n regex = "new_dropme"\n action = "drop"\n}`, out);
    await transaction(s.receiver, (a) => {
      a.appendExemplar(up(), ex);
      a.appendHistogram([["__name__", "lat"]], 7, h);
      a.appendExemplar([["__name__", "dropme"]], ex);
      a.appendHistogram([["__name__", "dropme"]], 7, h);
    });
    assert.deepEqual(out.last, [["exemplar", { __name__: "new_up", job: "j" }, ex], ["histogram", { __name__: "new_lat" }, 7, h]]);
    await s.stop();
  });
  test("metadata goes under the family's new name, and not at all when its series are dropped", async () => {
    const out = new Recorder();
    const s = await start(`${RENAME}\nrule {\n source_labels = ["__name__"]\n regex = "new_gone_total"\n action = "drop"\n}`, out);
    await transaction(s.receiver, (a) => {
      a.updateMetadata("reqs", md("requests"));
      a.append([["__name__", "reqs_total"]], 1, 1);
      a.updateMetadata("gone", md("gone"));
      a.append([["__name__", "gone_total"]], 1, 1);
    });
    assert.deepEqual(out.last, [["append", { __name__: "new_reqs_total" }, 1, 1], ["metadata", "new_reqs", md("requests")]]);
    await s.stop();
  });
  test("metadata without series in the transaction follows the bare family name", async () => {
    const out = new Recorder();
    const s = await start(KEEP_UP, out);
    await transaction(s.receiver, (a) => (a.updateMetadata("up", md("u")), a.updateMetadata("other", md("o"))));
    assert.deepEqual(out.last, [["metadata", "up", md("u")]]);
    await s.stop();
  });
  test("no rules: metadata unchanged", async () => {
    const out = new Recorder();
    const s = await start(``, out);
    await transaction(s.receiver, (a) => a.updateMetadata("up", md("u")));
    assert.deepEqual(out.last, [["metadata", "up", md("u")]]);
    await s.stop();
  });
});
