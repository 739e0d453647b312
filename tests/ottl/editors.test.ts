// The generic editors (ottl.md §5.1).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { compileError, log, plain, run, runError, span, tctx } from "./helpers.ts";

/** Runs a log statement on a record with these attributes; returns the attributes after. */
function onAttrs(statement: string, attrs: Record<string, unknown>): Record<string, unknown> {
  const l = log(attrs);
  run("log", statement, tctx("log", { log: l }));
  return plain(l.attributes);
}

describe("set", () => {
  test("creates and overwrites keys, keeping the value's type", () => {
    assert.deepEqual(onAttrs('set(attributes["a"], 1)', {}), { a: 1n });
    assert.deepEqual(onAttrs('set(attributes["a"], 1.0)', { a: "x" }), { a: 1 });
    assert.deepEqual(onAttrs('set(attributes["a"], 0xff01)', {}), { a: Uint8Array.of(0xff, 1) });
  });
  test("nil is a no-op", () => assert.deepEqual(onAttrs('set(attributes["a"], nil)', { a: "keep" }), { a: "keep" }));
  test("maps and lists are stored as copies", () => assert.deepEqual(onAttrs('set(attributes["m"], {"k": [1, {"x": true}]})', {}), { m: { k: [1n, { x: true }] } }));
  test("arguments are lazy: where runs first", () => {
    // The value would error (indexing a string) but the where clause is false.
    assert.deepEqual(onAttrs('set(attributes["x"], attributes["s"]["k"]) where false', { s: "str" }), { s: "str" });
  });
  test("a non-path target is a load error", () => assert.match(compileError("log", 'set("a", 1)').message, /path to write to/));
  test("wrong arity is a load error", () => assert.match(compileError("log", 'set(attributes["a"], 1, 2)').message, /set expects 2 arguments, got 3/));
});

describe("delete_key and delete_matching_keys", () => {
  test("delete_key removes one key; missing is a no-op", () => {
    assert.deepEqual(onAttrs('delete_key(attributes, "a")', { a: 1n, b: 2n }), { b: 2n });
    assert.deepEqual(onAttrs('delete_key(attributes, "zz")', { a: 1n }), { a: 1n });
  });
  test("delete_key on a nested map", () => assert.deepEqual(onAttrs('delete_key(attributes["m"], "x")', { m: { x: 1n, y: 2n } }), { m: { y: 2n } }));
  test("delete_key on a non-map is an error", () => assert.match(runError("log", 'delete_key(attributes["s"], "x")', tctx("log", { log: log({ s: "v" }) })), /expected pcommon.Map but got Str/));
  test("delete_matching_keys uses an unanchored RE2 search", () => {
    assert.deepEqual(onAttrs('delete_matching_keys(attributes, "^pass")', { password: 1n, passwd: 2n, user: 3n }), { user: 3n });
    assert.deepEqual(onAttrs('delete_matching_keys(attributes, "token")', { auth_token_x: 1n, ok: 2n }), { ok: 2n });
  });
  test("an invalid pattern is a load error", () => assert.match(compileError("log", 'delete_matching_keys(attributes, "(")').message, /not a valid pattern.*missing closing \)/));
});

describe("keep_keys and keep_matching_keys", () => {
  test("keep_keys keeps only the listed keys", () => assert.deepEqual(onAttrs('keep_keys(attributes, ["a", "c"])', { a: 1n, b: 2n, c: 3n }), { a: 1n, c: 3n }));
  test("keep_keys with an empty list clears the map", () => assert.deepEqual(onAttrs("keep_keys(attributes, [])", { a: 1n }), {}));
  test("keys must be string literals", () => assert.match(compileError("log", 'keep_keys(attributes, [attributes["a"]])').message, /list of string literals/));
  test("keep_matching_keys", () => assert.deepEqual(onAttrs('keep_matching_keys(attributes, "^http\\\\.")', { "http.method": "GET", "net.peer": "x" }), { "http.method": "GET" }));
});

describe("merge_maps", () => {
  const base = { a: "old", b: "keep" };
  test("upsert", () => assert.deepEqual(onAttrs('merge_maps(attributes, {"a": "new", "c": "add"}, "upsert")', base), { a: "new", b: "keep", c: "add" }));
  test("insert only adds new keys", () => assert.deepEqual(onAttrs('merge_maps(attributes, {"a": "new", "c": "add"}, "insert")', base), { a: "old", b: "keep", c: "add" }));
  test("update only changes existing keys", () => assert.deepEqual(onAttrs('merge_maps(attributes, {"a": "new", "c": "add"}, "update")', base), { a: "new", b: "keep" }));
  test("the strategy is validated at load", () => assert.match(compileError("log", 'merge_maps(attributes, {}, "replace")').message, /one of "insert", "update", "upsert"/));
  test("a nil source is an error", () => assert.match(runError("log", 'merge_maps(attributes, attributes["missing"], "upsert")', tctx("log", { log: log() })), /expected pcommon.Map but got nil/));
  test("merging a map into itself is safe", () => assert.deepEqual(onAttrs('merge_maps(attributes, attributes, "upsert")', { a: 1n }), { a: 1n }));
});

describe("limit", () => {
  test("keeps priority keys, then the first ones", () => assert.deepEqual(onAttrs('limit(attributes, 2, ["c"])', { a: 1n, b: 2n, c: 3n, d: 4n }), { a: 1n, c: 3n }));
  test("no change when under the limit", () => assert.deepEqual(onAttrs("limit(attributes, 5, [])", { a: 1n }), { a: 1n }));
  test("limit below 1 is a load error", () => assert.match(compileError("log", "limit(attributes, 0, [])").message, /cannot be less than 1/));
  test("more priority keys than the limit is a load error", () => assert.match(compileError("log", 'limit(attributes, 1, ["a", "b"])').message, /number of priority attributes 2/));
});

describe("truncate_all", () => {
  test("cuts strings to bytes, never splitting a character", () => assert.deepEqual(onAttrs("truncate_all(attributes, 2)", { s: "aé", t: "éé", n: 5n }), { s: "a", t: "é", n: 5n }));
  test("limit 0 empties strings", () => assert.deepEqual(onAttrs("truncate_all(attributes, 0)", { s: "abc" }), { s: "" }));
  test("a marker counts against the limit and is only added when cut", () => {
    assert.deepEqual(onAttrs('truncate_all(attributes, 5, truncation_marker = "…")', { s: "abcdefgh", short: "ab" }), { s: "ab…", short: "ab" });
  });
  test("named arguments skip earlier optional ones; camelCase spelling works too", () => {
    assert.deepEqual(onAttrs('truncate_all(attributes, 4, truncationMarker = "..")', { s: "abcdef" }), { s: "ab.." });
  });
  test("negative limit is a load error", () => assert.match(compileError("log", "truncate_all(attributes, -1)").message, /cannot be negative/));
  test("nested maps are not truncated", () => assert.deepEqual(onAttrs("truncate_all(attributes, 1)", { m: { s: "abc" } }), { m: { s: "abc" } }));
});

describe("replace_pattern", () => {
  test("replaces every match", () => assert.deepEqual(onAttrs('replace_pattern(attributes["p"], "[0-9]+", "N")', { p: "/a/12/b/345" }), { p: "/a/N/b/N" }));
  test("named groups with ${name}", () => assert.deepEqual(onAttrs('replace_pattern(attributes["p"], "(?P<id>\\\\d+)", "<${id}>")', { p: "x1y22" }), { p: "x<1>y<22>" }));
  test("non-strings and nil are left alone", () => {
    assert.deepEqual(onAttrs('replace_pattern(attributes["n"], ".*", "x")', { n: 5n }), { n: 5n });
    assert.deepEqual(onAttrs('replace_pattern(attributes["missing"], ".*", "x")', {}), {});
  });
  test("a function and a format process each replacement", () => {
    const out = onAttrs('replace_pattern(attributes["p"], "password=([^ ]*)", "$1", SHA256, "password=%s")', { p: "user=a password=secret" });
    assert.equal(out.p, "user=a password=2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b");
  });
  test("the format must contain exactly one %s", () => assert.match(compileError("log", 'replace_pattern(attributes["p"], "x", "y", SHA256, "no verb")').message, /single %s/));
  test("the function argument must be a converter name", () => {
    assert.match(compileError("log", 'replace_pattern(attributes["p"], "x", "y", "SHA256")').message, /name of a converter/);
    assert.match(compileError("log", 'replace_pattern(attributes["p"], "x", "y", NOPE)').message, /undefined function NOPE/);
  });
  test("empty matches follow Go (not after a previous match)", () => assert.deepEqual(onAttrs('replace_pattern(attributes["p"], "a*", "-")', { p: "baaac" }), { p: "-b-c-" }));
  test("on span names", () => {
    const s = span({}, { name: "GET /users/123" });
    run("span", 'replace_pattern(span.name, "/users/\\\\d+", "/users/{id}")', tctx("span", { span: s }));
    assert.equal(s.name, "GET /users/{id}");
  });
});

describe("replace_all_patterns", () => {
  test("value mode changes matching string values only", () => {
    assert.deepEqual(onAttrs('replace_all_patterns(attributes, "value", "secret", "***")', { a: "my secret", b: 1n, c: "ok" }), { a: "my ***", b: 1n, c: "ok" });
  });
  test("key mode renames matching keys", () => assert.deepEqual(onAttrs('replace_all_patterns(attributes, "key", "^old_", "new_")', { old_a: 1n, b: 2n }), { new_a: 1n, b: 2n }));
  test("mode is validated at load", () => assert.match(compileError("log", 'replace_all_patterns(attributes, "both", "a", "b")').message, /one of "key", "value"/));
});

describe("replace_match and replace_all_matches", () => {
  test("? matches one character, {a,b} alternatives, [..] classes", () => {
    assert.deepEqual(onAttrs('replace_match(attributes["a"], "v?", "X")', { a: "v1" }), { a: "X" });
    assert.deepEqual(onAttrs('replace_match(attributes["a"], "{GET,POST} /*", "X")', { a: "POST /x" }), { a: "X" });
    assert.deepEqual(onAttrs('replace_match(attributes["a"], "[0-9][!a]", "X")', { a: "1b" }), { a: "X" });
    assert.deepEqual(onAttrs('replace_match(attributes["a"], "[0-9][!a]", "X")', { a: "1a" }), { a: "1a" });
  });
  test("an invalid glob is a load error", () => assert.match(compileError("log", 'replace_match(attributes["a"], "[abc", "X")').message, /unclosed \[/));
  test("replace_all_matches over every string value", () => assert.deepEqual(onAttrs('replace_all_matches(attributes, "/user/*", "/user/{id}")', { a: "/user/1", b: "/other", c: 3n }), { a: "/user/{id}", b: "/other", c: 3n }));
  test("replace_match with a function", () => {
    const out = onAttrs('replace_match(attributes["a"], "*", "v", SHA256)', { a: "anything" });
    assert.equal(out.a, "4c94485e0c21ae6c41ce1dfe7b6bfaceea5ab68e40a2476f50208e526f506080");
  });
});

describe("flatten", () => {
  test("dotted keys and list indexes", () => {
    assert.deepEqual(onAttrs("flatten(attributes)", { name: "test", address: { street: "first", house: "1234" }, occupants: ["user 1", "user 2"] }), {
      name: "test",
      "address.street": "first",
      "address.house": "1234",
      "occupants.0": "user 1",
      "occupants.1": "user 2",
    });
  });
  test("with a prefix", () => assert.deepEqual(onAttrs('flatten(attributes, "app")', { a: { b: 1n } }), { "app.a.b": 1n }));
  test("depth limits the levels lifted", () => {
    assert.deepEqual(onAttrs("flatten(attributes, depth = 2)", { "0": { "1": { "2": { "3": "value" } } } }), { "0.1.2": { "3": "value" } });
    assert.deepEqual(onAttrs("flatten(attributes, depth = 0)", { a: { b: 1n } }), { a: { b: 1n } });
  });
  test("resolve_conflicts suffixes duplicate keys (upstream's documented example)", () => {
    const out = onAttrs("flatten(attributes, resolveConflicts = true)", {
      address: { street: { number: "first" }, house: "1234" },
      "address.street": { number: ["second", "third"] },
      "address.street.number": "fourth",
      occupants: ["user 1", "user 2"],
    });
    assert.deepEqual(out, {
      "address.street.number": "first",
      "address.house": "1234",
      "address.street.number.0": "second",
      "address.street.number.1": "third",
      "address.street.number.2": "fourth",
      occupants: "user 1",
      "occupants.0": "user 2",
    });
  });
  test("negative depth is a load error", () => assert.match(compileError("log", "flatten(attributes, depth = -1)").message, /cannot be negative/));
});

describe("append", () => {
  test("to a missing key creates a list", () => assert.deepEqual(onAttrs('append(attributes["l"], "a")', {}), { l: ["a"] }));
  test("a scalar becomes the first element", () => assert.deepEqual(onAttrs('append(attributes["l"], 2)', { l: 1n }), { l: [1n, 2n] }));
  test("values appends several, types kept", () => assert.deepEqual(onAttrs('append(attributes["l"], values = ["b", 2.5])', { l: ["a"] }), { l: ["a", "b", 2.5] }));
  test("value and values together", () => assert.deepEqual(onAttrs('append(attributes["l"], "x", ["y"])', {}), { l: ["x", "y"] }));
  test("one of value or values is required", () => assert.match(compileError("log", 'append(attributes["l"])').message, /at least one of the optional arguments/));
});

describe("argument binding", () => {
  test("unknown named argument", () => assert.match(compileError("log", 'truncate_all(attributes, 1, marker = "x")').message, /no parameter named marker/));
  test("the same argument twice", () => assert.match(compileError("log", "truncate_all(attributes, 1, limit = 2)").message, /given twice/));
  test("a literal parameter rejects a path", () => assert.match(compileError("log", 'truncate_all(attributes, attributes["n"])').message, /int literal/));
  test("too few arguments names the missing ones", () => assert.match(compileError("log", "merge_maps(attributes)").message, /missing source, strategy/));
  test("optional ranges are shown", () => assert.match(compileError("log", "replace_pattern(attributes)").message, /expects 3 to 5 arguments/));
  test("functions restricted to a context are rejected elsewhere", () => assert.match(compileError("log", "convert_sum_to_gauge()").message, /cannot be used in the log context/));
  test("the error offset points at the offending argument", () => {
    const err = compileError("log", 'merge_maps(attributes, {}, "replace")');
    assert.equal(err.offset, 27);
  });
});
