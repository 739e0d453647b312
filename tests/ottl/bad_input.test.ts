// Hostile and broken input (the "Bad input" list): every case is a clear load-time error
// or a counted run-time error, never a crash or a hang.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { OttlCompileError } from "../../src/ottl/errors.ts";
import { compileStatement } from "../../src/ottl/compile.ts";
import { compileError, log, plain, run, runError, tctx } from "./helpers.ts";

describe("bad input", () => {
  test("unterminated string", () => assert.match(compileError("log", 'set(attributes["a], "b")').message, /unterminated string/));
  test("unknown function with a suggestion", () => assert.match(compileError("log", 'delete_keys(attributes, "a")').message, /undefined function delete_keys \(did you mean delete_key\?\)/));
  test("unknown converter", () => assert.match(compileError("log", 'set(attributes["a"], Nope(1))').message, /undefined function Nope/));
  test("wrong arity", () => assert.match(compileError("log", "delete_key(attributes)").message, /expects 2 arguments, got 1/));
  test("wrong literal type", () => assert.match(compileError("log", 'limit(attributes, "2", [])').message, /int literal/));
  test("unknown path", () => assert.match(compileError("log", 'set(log.atributes["a"], 1)').message, /unknown path log\.atributes/));
  test("unknown enum", () => assert.match(compileError("log", 'set(attributes["a"], SEVERITY_NUMBER_LOUD)').message, /unknown enum symbol/));
  test("read-only path", () => assert.match(compileError("metric", "set(metric.type, 1)").message, /read-only/));
  test("RE2 features JS lacks are accepted (\\z, POSIX classes)", () => {
    compileStatement('replace_pattern(attributes["a"], "[[:digit:]]+\\\\z", "N")', { context: "log" });
  });
  test("JS features RE2 rejects are load errors", () => {
    for (const re of ["(?=x)", "(?!x)", "(?<=x)", "(?<!x)", "(a)\\\\1", "x*+"]) {
      assert.ok(compileError("log", `replace_pattern(attributes["a"], "${re}", "N")`) instanceof OttlCompileError, re);
    }
  });
  test("deeply nested map literal is refused at load", () => {
    const deep = `set(attributes["a"], ${'{"a": '.repeat(1000)}1${"}".repeat(1000)})`;
    assert.match(compileError("log", deep).message, /nested too deeply/);
  });
  test("very long flat and/or/math chains are refused at load, long real ones compile", () => {
    assert.match(compileError("log", `set(attributes["a"], 1) where true${" and true".repeat(100_000)}`).message, /expression too long \(more than 2000 operands/);
    assert.match(compileError("log", `set(attributes["a"], 1) where false${" or false".repeat(100_000)}`).message, /expression too long/);
    assert.match(compileError("log", `set(attributes["a"], 1${" + 1".repeat(100_000)})`).message, /expression too long/);
    assert.match(compileError("log", `set(attributes["a"], 1${" * 1".repeat(100_000)})`).message, /expression too long/);
    const names = Array.from({ length: 500 }, (_, i) => `attributes["n"] == "v${i}"`).join(" or ");
    compileStatement(`set(attributes["a"], 1) where ${names}`, { context: "log" });
  });
  test("deeply nested attribute values are copied without recursion limits being hit", () => {
    let nested: unknown = "leaf";
    for (let i = 0; i < 60; i++) nested = { k: nested };
    const l = log({ deep: nested });
    run("log", 'set(attributes["copy"], attributes["deep"])', tctx("log", { log: l }));
    assert.ok(plain(l.attributes).copy);
  });
  test("deep key chains into missing data read nil", () => {
    const chain = '["x"]'.repeat(200);
    const l = log();
    assert.equal(run("log", `set(attributes["a"], 1) where attributes${chain} == nil`, tctx("log", { log: l })), true);
  });
  test("a run-time error names what failed", () => {
    assert.equal(runError("log", 'set(attributes["a"]["b"], 1)', tctx("log", { log: log({ a: 1n }) })), "type Int does not support string indexing");
  });
  test("non-UTF-8 byte escapes become replacement characters, not crashes", () => {
    const l = log();
    run("log", 'set(attributes["a"], "\\xff")', tctx("log", { log: l }));
    assert.equal(plain(l.attributes).a, "\ufffd");
  });
  test("huge statements compile", () => {
    const many = Array.from({ length: 500 }, (_, i) => `attributes["k${i}"] == ${i}`).join(" or ");
    compileStatement(`set(attributes["hit"], true) where ${many}`, { context: "log" });
  });
});
