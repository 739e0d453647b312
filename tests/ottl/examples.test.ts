// Every worked example of ottl.md §6 (E1–E17) as a test.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { MetricSchema } from "../../gen/opentelemetry/proto/metrics/v1/metrics_pb.ts";
import { compileCondition, compileStatement } from "../../src/ottl/compile.ts";
import { gauge, log, plain, resource, run, runError, span, tctx } from "./helpers.ts";

describe("ottl.md §6 worked examples", () => {
  test("E1 set only if absent", () => {
    const stmt = 'set(span.attributes["test"], "pass") where span.attributes["test"] == nil';
    const a = span();
    run("span", stmt, tctx("span", { span: a }));
    assert.deepEqual(plain(a.attributes), { test: "pass" });
    const b = span({ test: "fail" });
    assert.equal(run("span", stmt, tctx("span", { span: b })), false);
    assert.deepEqual(plain(b.attributes), { test: "fail" });
  });

  test("E2 nil with != and ordering", () => {
    const ne = 'set(log.attributes["flag"], true) where log.attributes["size"] != 10';
    const a = log();
    run("log", ne, tctx("log", { log: a }));
    assert.deepEqual(plain(a.attributes), { flag: true });
    const b = log({ size: 10n });
    run("log", ne, tctx("log", { log: b }));
    assert.deepEqual(plain(b.attributes), { size: 10n });

    const gt = 'set(log.attributes["big"], true) where log.attributes["size"] > 10';
    const c = log();
    assert.equal(run("log", gt, tctx("log", { log: c })), false); // no error either
    assert.deepEqual(plain(c.attributes), {});
    const d = log({ size: 11.5 });
    run("log", gt, tctx("log", { log: d }));
    assert.deepEqual(plain(d.attributes), { size: 11.5, big: true });
  });

  test("E3 no string/number coercion", () => {
    const stmt = 'set(span.attributes["err"], true) where span.attributes["http.status_code"] >= 500';
    const a = span({ "http.status_code": 503n });
    run("span", stmt, tctx("span", { span: a }));
    assert.equal(plain(a.attributes).err, true);
    const b = span({ "http.status_code": "503" });
    run("span", stmt, tctx("span", { span: b }));
    assert.equal(plain(b.attributes).err, undefined);
    const fix = 'set(span.attributes["err"], true) where Int(span.attributes["http.status_code"]) >= 500';
    run("span", fix, tctx("span", { span: b }));
    assert.equal(plain(b.attributes).err, true);
  });

  test("E4 where on resource attributes, executed per span", () => {
    const stmt = compileStatement('set(span.attributes["team"], "payments") where resource.attributes["service.name"] == "checkout"', { context: "span" });
    const ra = resource({ "service.name": "checkout" });
    const rb = resource({ "service.name": "cart" });
    const [s1, s2, s3] = [span(), span(), span()];
    stmt.run(tctx("span", { resource: ra, span: s1 }));
    stmt.run(tctx("span", { resource: ra, span: s2 }));
    stmt.run(tctx("span", { resource: rb, span: s3 }));
    assert.deepEqual([plain(s1.attributes), plain(s2.attributes), plain(s3.attributes)], [{ team: "payments" }, { team: "payments" }, {}]);
  });

  test("E5 regex capture groups and Go expansion quirks", () => {
    const stmt = 'replace_pattern(metric.name, "^kube_([a-z]+)_(.*)$", "k8s.$1.$2")';
    const a = gauge("kube_pod_status_ready", 1n);
    run("metric", stmt, tctx("metric", { metric: a.metric }));
    assert.equal(a.metric.name, "k8s.pod.status_ready");
    const b = gauge("node_cpu", 1n);
    run("metric", stmt, tctx("metric", { metric: b.metric }));
    assert.equal(b.metric.name, "node_cpu");

    const quirk = (tpl: string) => {
      const l = log({ v: "ab" });
      run("log", `replace_pattern(log.attributes["v"], "(a)(b)", "${tpl}")`, tctx("log", { log: l }));
      return plain(l.attributes).v;
    };
    assert.equal(quirk("$1x$2"), "b");
    assert.equal(quirk("${1}x${2}"), "axb");
    assert.equal(quirk("$$1"), "$1");
  });

  test("E6 set on a non-existent nested key", () => {
    const stmt = 'set(log.attributes["http"]["request"]["method"], "GET")';
    const a = log();
    run("log", stmt, tctx("log", { log: a }));
    assert.deepEqual(plain(a.attributes), { http: { request: { method: "GET" } } });
    const b = log({ http: "raw" });
    assert.equal(runError("log", stmt, tctx("log", { log: b })), "type Str does not support string indexing");
    assert.deepEqual(plain(b.attributes), { http: "raw" });
  });

  test("E7 set with a nil value is a no-op", () => {
    const a = log({ a: 1n });
    run("log", 'set(log.attributes["copy"], log.attributes["missing"])', tctx("log", { log: a }));
    assert.deepEqual(plain(a.attributes), { a: 1n });
  });

  test("E8 JSON body through cache; numbers become doubles", () => {
    const stmts = [
      'merge_maps(log.cache, ParseJSON(log.body), "upsert") where IsString(log.body) and IsMatch(log.body, "^\\\\{")',
      'set(log.attributes["user"], log.cache["user"]["id"])',
      'set(log.attributes["count"], log.cache["n"])',
    ].map((s) => compileStatement(s, { context: "log" }));
    const runAll = (l: ReturnType<typeof log>) => {
      const t = tctx("log", { log: l });
      for (const s of stmts) s.run(t);
      return plain(l.attributes);
    };
    assert.deepEqual(runAll(log({}, '{"user":{"id":"u1"},"n":3}')), { user: "u1", count: 3 });
    const count = runAll(log({}, '{"user":{"id":"u1"},"n":3}')).count;
    assert.equal(typeof count, "number"); // a double, not an int
    assert.deepEqual(runAll(log({}, "plain text")), {});
    assert.deepEqual(runAll(log({}, { a: 1n })), {});
  });

  test("E9 indexing a string body is an error", () => {
    const stmt = 'set(log.attributes["lvl"], log.body["level"])';
    const a = log({}, { level: "warn" });
    run("log", stmt, tctx("log", { log: a }));
    assert.deepEqual(plain(a.attributes), { lvl: "warn" });
    assert.equal(runError("log", stmt, tctx("log", { log: log({}, "level=warn") })), "log bodies of type Str cannot be indexed");
  });

  test("E10 math and types", () => {
    const s = span({}, { startTimeUnixNano: 1700000000000000000n, endTimeUnixNano: 1700000000123456789n });
    run("span", 'set(span.attributes["duration_ms"], (span.end_time_unix_nano - span.start_time_unix_nano) / 1000000)', tctx("span", { span: s }));
    assert.equal(plain(s.attributes).duration_ms, 123n);

    const n = span({ n: 2n });
    assert.match(runError("span", 'set(span.attributes["x"], span.attributes["n"] * 1.5)', tctx("span", { span: n })), /Int \* Double/);
    run("span", 'set(span.attributes["x"], Double(span.attributes["n"]) * 1.5)', tctx("span", { span: n }));
    assert.equal(plain(n.attributes).x, 3);
    run("span", 'set(span.attributes["x"], -7 / 2)', tctx("span", { span: n }));
    assert.equal(plain(n.attributes).x, -3n);
  });

  test("E11 precedence: not binds tighter than and, and tighter than or", () => {
    const stmt = 'set(span.attributes["hit"], true) where not span.attributes["a"] == 1 or span.attributes["b"] == 2 and span.attributes["c"] == 3';
    const hit = (attrs: Record<string, unknown>) => run("span", stmt, tctx("span", { span: span(attrs) }));
    assert.equal(hit({ a: 1n, b: 2n, c: 3n }), true);
    assert.equal(hit({ a: 1n, b: 2n, c: 4n }), false);
    assert.equal(hit({}), true);
  });

  test("E12 enums are ints", () => {
    const stmt = 'set(span.status.code, STATUS_CODE_ERROR) where span.kind == SPAN_KIND_SERVER and span.attributes["http.response.status_code"] >= 500';
    const server = span({ "http.response.status_code": 502n }, { kind: 2 });
    run("span", stmt, tctx("span", { span: server }));
    assert.equal(server.status?.code, 2);
    const client = span({ "http.response.status_code": 502n }, { kind: 3 });
    run("span", stmt, tctx("span", { span: client }));
    assert.equal(client.status?.code ?? 0, 0);

    const sum = create(MetricSchema, { name: "s", data: { case: "sum", value: { aggregationTemporality: 2, isMonotonic: true } } });
    const g = gauge("g", 1n).metric;
    for (const m of [sum, g]) run("metric", 'set(metric.description, "Sum") where metric.type == METRIC_DATA_TYPE_SUM', tctx("metric", { metric: m }));
    assert.deepEqual([sum.description, g.description], ["Sum", ""]);
    assert.equal(compileCondition('metric.type == "Sum"', { context: "metric" }).eval(tctx("metric", { metric: sum })), false);
  });

  test("E13 glob replace_match", () => {
    const stmt = 'replace_match(span.attributes["http.target"], "/user/*/list/*", "/user/{userId}/list/{listId}")';
    const target = (v: unknown) => {
      const s = span({ "http.target": v });
      run("span", stmt, tctx("span", { span: s }));
      return plain(s.attributes)["http.target"];
    };
    assert.equal(target("/user/123/list/456"), "/user/{userId}/list/{listId}");
    assert.equal(target("/user/a/b/list/c"), "/user/{userId}/list/{listId}");
    assert.equal(target("/users/1"), "/users/1");
    assert.equal(target(42n), 42n);
  });

  test("E14 Concat prints nil as <nil>", () => {
    const l = log({ a: "x" });
    run("log", 'set(log.attributes["k"], Concat([log.attributes["a"], log.attributes["missing"], 7], "-"))', tctx("log", { log: l }));
    assert.equal(plain(l.attributes).k, "x-<nil>-7");
  });

  test("E15 truncate_all counts bytes and keeps UTF-8 valid", () => {
    const l = log({ s: "héllo wörld", n: 123456789n });
    run("log", "truncate_all(log.attributes, 5)", tctx("log", { log: l }));
    assert.deepEqual(plain(l.attributes), { s: "héll", n: 123456789n });
  });

  test("E16 string escapes, Trim's character set, Int and Split", () => {
    const l = log({ csv: "a,b,c" });
    const t = tctx("log", { log: l });
    run("log", 'set(log.attributes["t"], Trim("xx\\"hi\\"xx", "x\\""))', t);
    run("log", 'set(log.attributes["u"], Int("2.0"))', t);
    run("log", 'set(log.attributes["w"], Split(log.attributes["csv"], ",")[1])', t);
    assert.deepEqual(plain(l.attributes), { csv: "a,b,c", t: "hi", w: "b" });
    const one = log({ csv: "a" });
    assert.match(runError("log", 'set(log.attributes["w"], Split(log.attributes["csv"], ",")[1])', tctx("log", { log: one })), /index 1 out of bounds/);
  });

  test("E17 group conditions are OR-ed", () => {
    const conds = ['attributes["a"] == 1', 'attributes["b"] == 2'].map((c) => compileCondition(c, { context: "span" }));
    const stmt = compileStatement('set(attributes["g"], true)', { context: "span" });
    const apply = (attrs: Record<string, unknown>) => {
      const s = span(attrs);
      const t = tctx("span", { span: s });
      if (conds.some((c) => c.eval(t))) stmt.run(t);
      return plain(s.attributes).g;
    };
    assert.equal(apply({ a: 1n }), true);
    assert.equal(apply({ b: 2n }), true);
    assert.equal(apply({ a: 0n, b: 0n }), undefined);
  });
});
