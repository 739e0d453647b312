// Relabel rules against results known from Prometheus's relabel_test.go and the spec's table
// (alloy-components.md §11). Runs on Bun and Deno.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { labelsOf } from "../../src/prom/appender.ts";
import type { Labels } from "../../src/prom/appender.ts";
import { type RuleArgs, applyRules, compileRules, hashmod, validateRule } from "../../src/prom/relabel.ts";

const DEFAULTS: RuleArgs = { action: "replace", separator: ";", regex: "(.*)", target_label: "", replacement: "$1", modulus: 0 };

function rule(r: Partial<RuleArgs>): RuleArgs {
  return { ...DEFAULTS, ...r };
}

/** Applies `rules` to `labels`; undefined = dropped. */
function run(labels: Record<string, string>, ...rules: Array<Partial<RuleArgs>>): Record<string, string> | undefined {
  const out = applyRules(labelsOf(labels), compileRules(rules.map(rule)));
  return out ? Object.fromEntries(out) : undefined;
}

const FOO = { a: "foo", b: "bar", c: "baz" };

describe("replace", () => {
  test("default regex and replacement copy the source value", () => {
    assert.deepEqual(run(FOO, { source_labels: ["a"], target_label: "d" }), { ...FOO, d: "foo" });
  });
  test("capture groups, ${n} form", () => {
    assert.deepEqual(run(FOO, { source_labels: ["a"], regex: "f(.*)", target_label: "d", replacement: "ch${1}-ch${1}" }), { ...FOO, d: "choo-choo" });
  });
  test("several source labels joined with the separator", () => {
    assert.deepEqual(run(FOO, { source_labels: ["a", "b"], regex: "f(.*);(.*)r", target_label: "a", replacement: "b${1}${2}m" }), { ...FOO, a: "boobam" });
  });
  test("custom separator", () => {
    assert.deepEqual(run(FOO, { source_labels: ["a", "b"], separator: "::", target_label: "d" }), { ...FOO, d: "foo::bar" });
  });
  test("$n form and $$ literal", () => {
    assert.deepEqual(run(FOO, { source_labels: ["a"], regex: "(f)(o+)", target_label: "d", replacement: "$2$$$1" }), { ...FOO, d: "oo$f" });
  });
  test("named groups, $name and ${name}, in replacement and target_label", () => {
    const out = run(FOO, { source_labels: ["a"], regex: "(?P<first>f)(?P<rest>.*)", target_label: "${first}_$rest", replacement: "$rest-${first}" });
    assert.deepEqual(out, { ...FOO, f_oo: "oo-f" });
  });
  test("$1x names group '1x' (Go's Expand), which is empty", () => {
    assert.deepEqual(run(FOO, { source_labels: ["a"], target_label: "d", replacement: "$1x" }), FOO);
  });
  test("the regex is fully anchored: 'foo' does not match 'foobar'", () => {
    assert.deepEqual(run({ a: "foobar" }, { source_labels: ["a"], regex: "foo", target_label: "d", replacement: "x" }), { a: "foobar" });
    assert.deepEqual(run({ a: "foo" }, { source_labels: ["a"], regex: "foo", target_label: "d", replacement: "x" }), { a: "foo", d: "x" });
    assert.deepEqual(run({ a: "xfoo" }, { source_labels: ["a"], regex: "foo", target_label: "d", replacement: "x" }), { a: "xfoo" });
  });
  test("alternation is anchored as a whole", () => {
    assert.deepEqual(run({ a: "ab" }, { source_labels: ["a"], regex: "a|b", target_label: "d", replacement: "x" }), { a: "ab" });
  });
  test("'.' matches newlines (the s flag)", () => {
    assert.deepEqual(run({ a: "x\ny" }, { source_labels: ["a"], regex: "x.y", target_label: "d", replacement: "ok" }), { a: "x\ny", d: "ok" });
  });
  test("a missing source label contributes ''", () => {
    assert.deepEqual(run(FOO, { source_labels: ["missing"], target_label: "d", replacement: "x" }), { ...FOO, d: "x" });
    assert.deepEqual(run(FOO, { source_labels: ["missing"], regex: "(.+)", target_label: "d", replacement: "x" }), FOO);
    assert.deepEqual(run(FOO, { source_labels: ["a", "missing", "b"], target_label: "d" }), { ...FOO, d: "foo;;bar" });
  });
  test("an expanded target that is not a valid label name is skipped", () => {
    assert.deepEqual(run({ a: "some-name-value" }, { source_labels: ["a"], target_label: "${1}", replacement: "${1}" }), { a: "some-name-value" });
    assert.deepEqual(run({ a: "some_name" }, { source_labels: ["a"], target_label: "${1}", replacement: "v" }), { a: "some_name", some_name: "v" });
    assert.deepEqual(run({ a: "1abc" }, { source_labels: ["a"], target_label: "$1", replacement: "v" }), { a: "1abc" });
  });
  test("an empty replacement deletes the target", () => {
    assert.deepEqual(run(FOO, { source_labels: ["a"], target_label: "b", replacement: "" }), { a: "foo", c: "baz" });
    assert.deepEqual(run(FOO, { source_labels: ["missing"], target_label: "b" }), { a: "foo", c: "baz" });
  });
  test("rules run in order, each seeing the previous output", () => {
    const out = run(FOO, { source_labels: ["a"], target_label: "d", replacement: "x$1" }, { source_labels: ["d"], regex: "x(.*)", target_label: "e", replacement: "y$1" });
    assert.deepEqual(out, { ...FOO, d: "xfoo", e: "yfoo" });
  });
  test("output is sorted by name", () => {
    const out = applyRules(labelsOf({ b: "1", m: "2" }), compileRules([rule({ source_labels: ["b"], target_label: "a" }), rule({ source_labels: ["b"], target_label: "z" })]));
    assert.deepEqual(out, [["a", "1"], ["b", "1"], ["m", "2"], ["z", "1"]]);
  });
  test("no rules leave the labels unchanged", () => {
    const labels: Labels = [["a", "1"]];
    assert.equal(applyRules(labels, []), labels);
  });
});

describe("keep and drop", () => {
  test("keep drops the item unless the regex matches", () => {
    assert.deepEqual(run(FOO, { action: "keep", source_labels: ["a"], regex: "f.*" }), FOO);
    assert.equal(run(FOO, { action: "keep", source_labels: ["a"], regex: "f" }), undefined);
    assert.equal(run(FOO, { action: "keep", source_labels: ["missing"], regex: ".+" }), undefined);
  });
  test("drop drops the item if the regex matches", () => {
    assert.equal(run(FOO, { action: "drop", source_labels: ["a"], regex: "f.*" }), undefined);
    assert.deepEqual(run(FOO, { action: "drop", source_labels: ["a"], regex: "f" }), FOO);
  });
  test("drop stops later rules", () => {
    assert.equal(run(FOO, { action: "drop", source_labels: ["a"], regex: "foo" }, { source_labels: ["a"], target_label: "d" }), undefined);
  });
  test("the typical keep-only-some-metrics rule", () => {
    const r = { action: "keep", source_labels: ["__name__"], regex: "a|b|c" };
    assert.deepEqual(run({ __name__: "b" }, r), { __name__: "b" });
    assert.equal(run({ __name__: "bb" }, r), undefined);
  });
});

describe("keepequal and dropequal", () => {
  const L = { a: "foo", b: "foo", c: "bar" };
  test("keepequal keeps only when the value equals target_label's", () => {
    assert.deepEqual(run(L, { action: "keepequal", source_labels: ["a"], target_label: "b" }), L);
    assert.equal(run(L, { action: "keepequal", source_labels: ["a"], target_label: "c" }), undefined);
    assert.deepEqual(run(L, { action: "keepequal", source_labels: ["missing"], target_label: "missing2" }), L);
  });
  test("dropequal drops when the value equals target_label's", () => {
    assert.equal(run(L, { action: "dropequal", source_labels: ["a"], target_label: "b" }), undefined);
    assert.deepEqual(run(L, { action: "dropequal", source_labels: ["a"], target_label: "c" }), L);
  });
});

describe("hashmod", () => {
  const expected = (value: string, mod: number) => (createHash("md5").update(value).digest().readBigUInt64BE(8) % BigInt(mod)).toString();
  test("matches Prometheus's known value (baz mod 1000 = 976)", () => {
    assert.deepEqual(run(FOO, { action: "hashmod", source_labels: ["c"], target_label: "d", modulus: 1000 }), { ...FOO, d: "976" });
    assert.equal(expected("baz", 1000), "976");
  });
  test("big-endian uint64 of MD5 bytes 8..15, mod modulus", () => {
    for (const [v, m] of [["foo;bar", 7], ["", 3], ["127.0.0.1:9090", 2 ** 32], ["ünïcode", 1_000_003]] as const) {
      assert.equal(hashmod(v, m), expected(v, m), v);
    }
    assert.deepEqual(run(FOO, { action: "hashmod", source_labels: ["a", "b"], target_label: "shard", modulus: 16 }), { ...FOO, shard: expected("foo;bar", 16) });
  });
  // Read from a real Prometheus (Debian's 2.42.0) /api/v1/targets, with static targets and the
  // relabel_configs hashmod __address__ mod 3 and mod 1000, and [__address__, job="vec"] mod 2^32:
  // the shard a scrape-sharding replica (examples/scrape-sharding.alloy) computes for a target.
  const PROMETHEUS_2_42: Array<[address: string, mod3: string, mod1000: string, withJobMod2p32: string]> = [
    ["127.0.0.1:9100", "1", "150", "76044946"],
    ["127.0.0.1:9101", "0", "74", "4281703075"],
    ["10.0.0.1:8080", "0", "260", "1972921723"],
    ["node-1.example.internal:9100", "1", "869", "1584289049"],
    ["solder-2.solder-tier:12345", "0", "209", "213571983"],
    ["[::1]:9090", "2", "875", "3990272239"],
  ];
  test("equals what Prometheus 2.42 computed for target addresses", () => {
    for (const [address, mod3, mod1000, big] of PROMETHEUS_2_42) {
      const target = { __address__: address, job: "vec" };
      const out = run(
        target,
        { action: "hashmod", source_labels: ["__address__"], target_label: "shard3", modulus: 3 },
        { action: "hashmod", source_labels: ["__address__"], target_label: "shard1000", modulus: 1000 },
        { action: "hashmod", source_labels: ["__address__", "job"], target_label: "shardbig", modulus: 2 ** 32 },
      );
      assert.deepEqual(out, { ...target, shard3: mod3, shard1000: mod1000, shardbig: big }, address);
    }
  });
});

describe("labelmap, labeldrop, labelkeep", () => {
  test("labelmap adds renamed copies and keeps the originals", () => {
    const L = { __meta_kubernetes_pod_label_app: "web", __meta_kubernetes_pod_label_tier: "fe", a: "x" };
    assert.deepEqual(run(L, { action: "labelmap", regex: "__meta_kubernetes_pod_label_(.+)" }), { ...L, app: "web", tier: "fe" });
  });
  test("labelmap with a custom replacement", () => {
    assert.deepEqual(run(FOO, { action: "labelmap", regex: "(b)", replacement: "${1}_new" }), { ...FOO, b_new: "bar" });
  });
  test("labelmap's regex is anchored on the name", () => {
    assert.deepEqual(run({ ab: "1" }, { action: "labelmap", regex: "a", replacement: "z" }), { ab: "1" });
  });
  test("labeldrop deletes every label whose name matches", () => {
    assert.deepEqual(run({ a: "1", b: "2", c: "3", ab: "4" }, { action: "labeldrop", regex: "a|b" }), { c: "3", ab: "4" });
  });
  test("labelkeep deletes every label whose name does not match", () => {
    assert.deepEqual(run({ a: "1", b: "2", c: "3", ab: "4" }, { action: "labelkeep", regex: "a|b" }), { a: "1", b: "2" });
  });
  test("labelkeep can leave no labels (an empty result, dropped by callers)", () => {
    assert.deepEqual(run({ a: "1" }, { action: "labelkeep", regex: "z" }), {});
  });
});

describe("lowercase and uppercase", () => {
  test("lowercase sets target_label to the lower-cased value", () => {
    assert.deepEqual(run({ a: "BaR", b: "Q" }, { action: "lowercase", source_labels: ["a", "b"], target_label: "lower" }), { a: "BaR", b: "Q", lower: "bar;q" });
  });
  test("uppercase sets target_label to the upper-cased value", () => {
    assert.deepEqual(run({ a: "BaR" }, { action: "uppercase", source_labels: ["a"], target_label: "a" }), { a: "BAR" });
  });
  test("an empty value deletes the target", () => {
    assert.deepEqual(run({ a: "x", t: "old" }, { action: "lowercase", source_labels: ["missing"], target_label: "t" }), { a: "x" });
  });
});

describe("validation (Prometheus's messages)", () => {
  const msg = (r: Partial<RuleArgs>) => validateRule(rule(r));
  test("valid rules pass", () => {
    assert.equal(msg({ source_labels: ["a"], target_label: "b" }), undefined);
    assert.equal(msg({ action: "keep", source_labels: ["a"], regex: "x" }), undefined);
    assert.equal(msg({ action: "labeldrop", regex: "x" }), undefined);
    assert.equal(msg({ action: "keepequal", source_labels: ["a"], target_label: "b" }), undefined);
    assert.equal(msg({ action: "lowercase", source_labels: ["a"], target_label: "b", replacement: "" }), undefined);
  });
  test("action", () => {
    assert.equal(msg({ action: "" }), "relabel action cannot be empty");
    assert.equal(msg({ action: "Replace" }), 'unrecognized action type "Replace"');
  });
  test("hashmod requires a non-zero modulus", () => {
    assert.equal(msg({ action: "hashmod", target_label: "x" }), "relabel configuration for hashmod requires non-zero modulus");
  });
  test("target_label required", () => {
    for (const action of ["replace", "lowercase", "uppercase", "keepequal", "dropequal"]) {
      assert.equal(msg({ action, source_labels: ["a"] }), `relabel configuration for ${action} action requires 'target_label' value`);
    }
    assert.equal(msg({ action: "hashmod", modulus: 2 }), "relabel configuration for hashmod action requires 'target_label' value");
  });
  test("invalid target_label", () => {
    assert.equal(msg({ target_label: "a-b" }), `"a-b" is invalid 'target_label' for replace action`);
    assert.equal(msg({ action: "lowercase", target_label: "${1}-x" }), `"\${1}-x" is invalid 'target_label' for lowercase action`);
    assert.equal(msg({ action: "hashmod", modulus: 2, target_label: "${1}" }), `"\${1}" is invalid 'target_label' for hashmod action`);
    assert.equal(msg({ target_label: "${1}_x" }), undefined, "templates are fine for replace");
  });
  test("replacement not allowed", () => {
    for (const action of ["lowercase", "uppercase", "keepequal", "dropequal"]) {
      assert.equal(msg({ action, target_label: "t", replacement: "x" }), `'replacement' can not be set for ${action} action`);
    }
  });
  test("labelmap replacement must be a label name template", () => {
    assert.equal(msg({ action: "labelmap", replacement: "-bad" }), `"-bad" is invalid 'replacement' for labelmap action`);
  });
  test("keepequal / dropequal take only source_labels and target_label", () => {
    assert.equal(msg({ action: "keepequal", target_label: "t", regex: "x" }), "keepequal action requires only 'source_labels' and 'target_label', and no other fields");
    assert.equal(msg({ action: "dropequal", target_label: "t", separator: "," }), "dropequal action requires only 'source_labels' and 'target_label', and no other fields");
    assert.equal(msg({ action: "dropequal", target_label: "t", modulus: 3 }), "dropequal action requires only 'source_labels' and 'target_label', and no other fields");
  });
  test("labeldrop / labelkeep take only regex", () => {
    assert.equal(msg({ action: "labeldrop", source_labels: [] }), "labeldrop action requires only 'regex', and no other fields");
    assert.equal(msg({ action: "labelkeep", target_label: "x" }), "labelkeep action requires only 'regex', and no other fields");
    assert.equal(msg({ action: "labelkeep", replacement: "x" }), "labelkeep action requires only 'regex', and no other fields");
    assert.equal(msg({ action: "labeldrop", separator: "," }), "labeldrop action requires only 'regex', and no other fields");
  });
  test("an invalid RE2 pattern is reported", () => {
    assert.match(msg({ action: "keep", regex: "(" }) ?? "", /^error parsing regexp: missing closing \)/);
    assert.match(msg({ action: "keep", regex: "(?=x)" }) ?? "", /^error parsing regexp/, "no lookahead in RE2");
  });
  test("compileRules throws the validation message", () => {
    assert.throws(() => compileRules([rule({ action: "hashmod", target_label: "x" })]), /requires non-zero modulus/);
  });
});
