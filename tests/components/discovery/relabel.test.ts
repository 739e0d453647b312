// discovery.relabel (alloy-components.md §12): rules over targets, dropped and emptied targets
// disappear, no rules = unchanged, exports `output` and `rules`, recomputed on update.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type DiscoveryRelabelArgs, discoveryRelabel } from "../../../src/components/discovery/relabel.ts";
import { RELABEL_RULES_TYPE, type RelabelRule } from "../../../src/prom/relabel.ts";
import { decodeBody } from "../../../src/runtime/decode.ts";
import type { EvalError } from "../../../src/runtime/errors.ts";
import { createLogger, memorySink } from "../../../src/runtime/logger.ts";
import { MetricsRegistry } from "../../../src/runtime/metrics.ts";
import type { Capsule, ObjectValue } from "../../../src/runtime/value.ts";
import { parseFile } from "../../../src/syntax/index.ts";

function decode(text: string): { args: DiscoveryRelabelArgs; errors: string[] } {
  const { file, diagnostics } = parseFile("test.alloy", text);
  if (diagnostics.length > 0) throw new Error(`parse: ${diagnostics.map((d) => d.message).join("; ")}`);
  const problems: EvalError[] = [];
  const args = decodeBody(file.body, discoveryRelabel.args, {}, file, problems) as unknown as DiscoveryRelabelArgs;
  return { args, errors: problems.filter((p) => p.severity === "error").map((p) => p.message) };
}

/** Builds the component from `text`; returns every export published, in order. */
async function build(text: string) {
  const published: ObjectValue[] = [];
  const { args, errors } = decode(text);
  if (errors.length > 0) throw new Error(errors.join("; "));
  const id = "discovery.relabel.test";
  const component = await discoveryRelabel.build(
    { id, dataPath: "/nonexistent", logger: createLogger(memorySink("error")), metrics: new MetricsRegistry().with({ component_id: id }), onStateChange: (e) => published.push(e) },
    args,
  );
  return { component, published, last: () => published[published.length - 1]! };
}

const TARGETS = `targets = [
  { __address__ = "a:80", __meta_kubernetes_pod_label_app = "web", job = "x" },
  { __address__ = "b:80", __meta_kubernetes_pod_label_app = "db", job = "x" },
  { __address__ = "c:80", job = "drop-me" },
]`;

describe("discovery.relabel", () => {
  test("targets is required", () => {
    assert.deepEqual(decode(``).errors, [`missing required attribute "targets"`]);
  });
  test("rule validation messages surface at decode", () => {
    assert.deepEqual(decode(`targets = []\nrule {\n action = "labelmap"\n replacement = "a-b"\n}`).errors, [`"a-b" is invalid 'replacement' for labelmap action`]);
  });
  test("no rules: targets unchanged", async () => {
    const { last } = await build(TARGETS);
    assert.deepEqual(last().output, [
      { __address__: "a:80", __meta_kubernetes_pod_label_app: "web", job: "x" },
      { __address__: "b:80", __meta_kubernetes_pod_label_app: "db", job: "x" },
      { __address__: "c:80", job: "drop-me" },
    ]);
  });
  test("rules rewrite and drop targets; __meta_* labels are still present", async () => {
    const { last } = await build(`${TARGETS}
rule {
  source_labels = ["job"]
  regex = "drop-.*"
  action = "drop"
}
rule {
  action = "labelmap"
  regex = "__meta_kubernetes_pod_label_(.+)"
}
rule {
  source_labels = ["__address__", "app"]
  separator = "/"
  target_label = "__tmp_key"
}
rule {
  source_labels = ["__tmp_key"]
  regex = "([^:]+):\\\\d+/(.*)"
  target_label = "instance"
  replacement = "$2@$1"
}`);
    assert.deepEqual(last().output, [
      { __address__: "a:80", __meta_kubernetes_pod_label_app: "web", __tmp_key: "a:80/web", app: "web", instance: "web@a", job: "x" },
      { __address__: "b:80", __meta_kubernetes_pod_label_app: "db", __tmp_key: "b:80/db", app: "db", instance: "db@b", job: "x" },
    ]);
  });
  test("a target left with no labels is dropped", async () => {
    const { last } = await build(`targets = [{ a = "1" }, { keep_me = "2" }]\nrule {\n action = "labelkeep"\n regex = "keep_.*"\n}`);
    assert.deepEqual(last().output, [{ keep_me: "2" }]);
  });
  test("exports the compiled rules as RelabelRules", async () => {
    const { last } = await build(`targets = []\nrule {\n source_labels = ["a"]\n target_label = "b"\n}`);
    const rules = last().rules as Capsule<RelabelRule[]>;
    assert.equal(rules.typeName, RELABEL_RULES_TYPE);
    assert.deepEqual(rules.value.map((r) => [r.action, r.targetLabel]), [["replace", "b"]]);
    assert.deepEqual(last().output, []);
  });
  test("recomputed and republished on update", async () => {
    const { component, published, last } = await build(`targets = [{ a = "1" }]`);
    assert.equal(published.length, 1, "published at build");
    await component.update(decode(`targets = [{ a = "1" }, { a = "2" }]\nrule {\n source_labels = ["a"]\n regex = "2"\n action = "keep"\n}`).args);
    assert.equal(published.length, 2);
    assert.deepEqual(last().output, [{ a: "2" }]);
  });
  test("run resolves when cancelled", async () => {
    const { component } = await build(`targets = []`);
    const abort = new AbortController();
    const running = component.run(abort.signal);
    abort.abort();
    await running;
  });
});
