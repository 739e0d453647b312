// Len, Index, ContainsValue, Coalesce, Keys, Values, IsMatch, ExtractPatterns (ottl.md §5.3, E8).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { OttlCompileError, OttlRuntimeError } from "../../../src/ottl/errors.ts";
import { attributesOf, compileExpr, evaluate, plain, runLog } from "./helpers.ts";

describe("Len", () => {
  test("strings count UTF-8 bytes; lists, maps and bytes count elements", () => {
    assert.equal(evaluate(`Len("abc")`), 3n);
    assert.equal(evaluate(`Len("héllo")`), 6n);
    assert.equal(evaluate(`Len("😀")`), 4n);
    assert.equal(evaluate(`Len("")`), 0n);
    assert.equal(evaluate(`Len([1, 2, nil])`), 3n);
    assert.equal(evaluate(`Len({"a": 1, "b": 2})`), 2n);
    assert.equal(evaluate(`Len(0x0102)`), 2n);
    assert.equal(evaluate(`Len(log.body)`, { body: [1n, 2n] }), 2n);
  });
  test("other types and nil fail", () => {
    for (const e of [`Len(1)`, `Len(true)`, `Len(nil)`, `Len(log.attributes["x"])`]) assert.throws(() => evaluate(e), OttlRuntimeError, e);
  });
});

describe("Index", () => {
  test("strings: byte offset; lists: OTTL equality", () => {
    assert.equal(evaluate(`Index("hello world", "world")`), 6n);
    assert.equal(evaluate(`Index("héllo", "l")`), 3n);
    assert.equal(evaluate(`Index("abc", "z")`), -1n);
    assert.equal(evaluate(`Index("abc", "")`), 0n);
    assert.equal(evaluate(`Index([1, 2.0, "3"], 2)`), 1n);
    assert.equal(evaluate(`Index(["a", "b"], "c")`), -1n);
    assert.equal(evaluate(`Index([{"a": 1}], {"a": 1})`), 0n);
  });
  test("bad targets fail", () => {
    assert.throws(() => evaluate(`Index(1, 1)`), OttlRuntimeError);
    assert.throws(() => evaluate(`Index("abc", 1)`), OttlRuntimeError);
  });
});

describe("ContainsValue", () => {
  test("membership with OTTL comparison rules", () => {
    assert.equal(evaluate(`ContainsValue(log.attributes["tags"], "staging")`, { attributes: { tags: ["prod", "staging"] } }), true);
    assert.equal(evaluate(`ContainsValue([1, 2, 3, 4, 5], 3)`), true);
    assert.equal(evaluate(`ContainsValue([1.1, 2.2, 3.3], 4.4)`), false);
    assert.equal(evaluate(`ContainsValue([1, 2], 2.0)`), true);
    assert.equal(evaluate(`ContainsValue(["200"], 200)`), false);
    assert.equal(evaluate(`ContainsValue([nil], nil)`), true);
  });
  test("a non-list target fails", () => {
    assert.throws(() => evaluate(`ContainsValue("abc", "a")`), OttlRuntimeError);
    assert.throws(() => evaluate(`ContainsValue(log.attributes["missing"], "a")`), OttlRuntimeError);
  });
});

describe("Coalesce", () => {
  test("first non-nil", () => {
    assert.equal(evaluate(`Coalesce([log.attributes["user.id"], log.attributes["enduser.id"], "unknown"])`, { attributes: { "enduser.id": "e1" } }), "e1");
    assert.equal(evaluate(`Coalesce([log.attributes["a"], "unknown"])`), "unknown");
    assert.equal(evaluate(`Coalesce([nil, nil])`), null);
    assert.equal(evaluate(`Coalesce(["", "x"])`), "");
    assert.equal(evaluate(`Coalesce([false, true])`), false);
  });
  test("later values are not evaluated once one is found", () => {
    assert.equal(evaluate(`Coalesce(["a", Split(1, ",")])`), "a");
  });
  test("an empty list is a configuration error", () => {
    assert.throws(() => compileExpr(`Coalesce([])`), OttlCompileError);
  });
});

describe("Keys / Values", () => {
  test("in stored order", () => {
    assert.deepEqual(plain(`Keys({"k1": "v1", "k2": 2})`), ["k1", "k2"]);
    assert.deepEqual(plain(`Values({"k1": "v1", "k2": 2, "k3": [1]})`), ["v1", 2n, [1n]]);
    assert.throws(() => evaluate(`Keys([1])`), OttlRuntimeError);
  });
});

describe("IsMatch", () => {
  test("unanchored RE2 search", () => {
    assert.equal(evaluate(`IsMatch("string", ".*ring")`), true);
    assert.equal(evaluate(`IsMatch("/api/foo", "foo")`), true);
    assert.equal(evaluate(`IsMatch("abc", "^b")`), false);
    assert.equal(evaluate(`IsMatch("ABC", "(?i)^abc$")`), true);
    assert.equal(evaluate(`IsMatch("a\\nb", "(?s)a.b")`), true);
    assert.equal(evaluate(`IsMatch("user 42", "(?P<id>\\\\d+)")`), true);
    assert.equal(evaluate(`IsMatch("abc", "[[:alpha:]]+\\\\z")`), true);
  });
  test("non-strings are matched on their text; nil is false", () => {
    assert.equal(evaluate(`IsMatch(123, "^12")`), true);
    assert.equal(evaluate(`IsMatch(1.5, "^1\\\\.5$")`), true);
    assert.equal(evaluate(`IsMatch(true, "true")`), true);
    assert.equal(evaluate(`IsMatch(0x68656c6c6f, "^aGVsbG8=$")`), true);
    assert.equal(evaluate(`IsMatch({"b": 1, "a": 2}, "^\\\\{\\"a\\":2")`), true);
    assert.equal(evaluate(`IsMatch(log.attributes["missing"], ".*")`), false);
  });
  test("E8: IsMatch is not evaluated when IsString is false", () => {
    const t = runLog([`set(log.attributes["json"], true) where IsString(log.body) and IsMatch(log.body, "^\\\\{")`], { body: { a: 1n } });
    assert.equal(attributesOf(t).json, undefined);
  });
  test("Unicode and linear-time matching", () => {
    assert.equal(evaluate(`IsMatch("naïve", "^na.ve$")`), true);
    const evil = "a".repeat(5000) + "!";
    assert.equal(evaluate(`IsMatch(log.body, "^(a+)+$")`, { body: evil }), false);
  });
  test("invalid patterns, lookaround and backreferences are configuration errors", () => {
    for (const p of [`"("`, `"(?=a)"`, `"(a)\\\\1"`, `"a{1001}"`]) assert.throws(() => compileExpr(`IsMatch("a", ${p})`), OttlCompileError, p);
  });
});

describe("ExtractPatterns", () => {
  test("named groups of the first match", () => {
    assert.deepEqual(plain(`ExtractPatterns("GIT_SHA=abc123 rest", "GIT_SHA=(?P<git_sha>\\\\w+)")`), { git_sha: "abc123" });
    const line = "Jan 02 15:04:05 host1 sshd[42]: ok";
    assert.deepEqual(
      plain(`ExtractPatterns(log.body, "^(?P<timestamp>\\\\w+ \\\\w+ [0-9]+:[0-9]+:[0-9]+) (?P<hostname>([A-Za-z0-9-_]+)) (?P<process>\\\\w+)(\\\\[(?P<pid>\\\\d+)\\\\])?: (?P<message>.*)$")`, { body: line }),
      { timestamp: "Jan 02 15:04:05", hostname: "host1", process: "sshd", pid: "42", message: "ok" },
    );
  });
  test("unmatched optional groups are empty strings; no match is an empty map", () => {
    assert.deepEqual(plain(`ExtractPatterns("a", "(?P<x>a)(?P<y>b)?")`), { x: "a", y: "" });
    assert.deepEqual(plain(`ExtractPatterns("zzz", "(?P<x>a)")`), {});
  });
  test("Unicode text", () => {
    assert.deepEqual(plain(`ExtractPatterns("名前=太郎", "=(?P<v>.+)$")`), { v: "太郎" });
  });
  test("patterns without named groups fail at load; non-strings at run time", () => {
    assert.throws(() => compileExpr(`ExtractPatterns("a", "(a)")`), OttlCompileError);
    assert.throws(() => compileExpr(`ExtractPatterns("a", "(?P<x")`), OttlCompileError);
    assert.throws(() => evaluate(`ExtractPatterns(1, "(?P<x>1)")`), OttlRuntimeError);
    assert.throws(() => evaluate(`ExtractPatterns(log.attributes["missing"], "(?P<x>1)")`), OttlRuntimeError);
  });
});
