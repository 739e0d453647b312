// Comparisons (ottl.md §2.3): the cross-type table, nil rules, deep equality, byte-wise strings.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { compare, type CmpOp } from "../../src/ottl/compare.ts";
import { ODuration, OTime, PList, PMap, SpanID, TraceID, type Value, fromPlain } from "../../src/ottl/values.ts";
import { cond, span, tctx } from "./helpers.ts";

const OPS: CmpOp[] = ["==", "!=", "<", "<=", ">", ">="];
/** The six results for a pair, in OPS order, as a string like "=!<≤>≥" flags (1/0). */
const row = (a: Value, b: Value) => OPS.map((op) => (compare(a, b, op) ? 1 : 0)).join("");
const INVALID = "010000";

describe("comparison table", () => {
  const cases: Array<[string, Value, Value, string]> = [
    ["nil vs nil", null, null, "100101"],
    ["nil vs int", null, 10n, INVALID],
    ["int vs nil", 10n, null, INVALID],
    ["nil vs string", null, "a", INVALID],
    ["nil vs bool", null, false, INVALID],
    ["nil vs empty bytes (Go nil slice)", null, new Uint8Array(0), "100101"],
    ["nil vs bytes", null, Uint8Array.of(1), INVALID],
    ["bool false < true", false, true, "011100"],
    ["bool equal", true, true, "100101"],
    ["bool vs int", true, 1n, INVALID],
    ["int vs int less", 3n, 5n, "011100"],
    ["int vs int equal", 5n, 5n, "100101"],
    ["int vs int greater", 7n, 5n, "010011"],
    ["int vs float equal (200 == 200.0)", 200n, 200.0, "100101"],
    ["int vs float less (3 < 3.5)", 3n, 3.5, "011100"],
    ["float vs int greater", 11.5, 10n, "010011"],
    ["float vs float", 1.5, 2.5, "011100"],
    ["NaN compares false except !=", NaN, NaN, "010000"],
    ["string \"200\" vs int 200: invalid", "200", 200n, INVALID],
    ["int 200 vs string \"200\": invalid", 200n, "200", INVALID],
    ["string vs float: invalid", "1.5", 1.5, INVALID],
    ["strings lexicographic", "abc", "abd", "011100"],
    ["strings equal", "x", "x", "100101"],
    ["shorter string first", "ab", "abc", "011100"],
    ["byte-wise order: U+FFFF < U+1F600 (UTF-16 would say otherwise)", "\uffff", "😀", "011100"],
    ["bytes order", Uint8Array.of(1, 2), Uint8Array.of(1, 3), "011100"],
    ["bytes equal", Uint8Array.of(1, 2), Uint8Array.of(1, 2), "100101"],
    ["bytes vs string", Uint8Array.of(97), "a", INVALID],
    ["time order", new OTime(1n), new OTime(2n), "011100"],
    ["time vs int", new OTime(1n), 1n, INVALID],
    ["duration order", new ODuration(5n), new ODuration(5n), "100101"],
    ["duration vs time", new ODuration(1n), new OTime(1n), INVALID],
    ["trace ids as bytes", new TraceID(new Uint8Array(16)), new TraceID(new Uint8Array(16)), "100101"],
    ["zero span id is not nil", new SpanID(new Uint8Array(8)), null, INVALID],
    ["map deep equality ignores order", fromPlain({ a: 1n, b: { c: "x" } }), fromPlain({ b: { c: "x" }, a: 1n }), "100000"],
    ["maps differ by value type (1 vs 1.0 inside)", fromPlain({ a: 1n }), fromPlain({ a: 1.0 }), INVALID.replace("010000", "010000")],
    ["maps of different size", fromPlain({ a: 1n }), fromPlain({ a: 1n, b: 2n }), "010000"],
    ["list element-wise equality", fromPlain([1n, "a"]), fromPlain([1n, "a"]), "100000"],
    ["list order matters", fromPlain([1n, 2n]), fromPlain([2n, 1n]), "010000"],
    ["map vs list invalid", new PMap(), new PList(), INVALID],
  ];
  for (const [name, a, b, expected] of cases) test(name, () => assert.equal(row(a, b), expected));
});

describe("comparisons in OTTL text", () => {
  const t = () => tctx("span", { span: span({ s: "200", i: 200n, f: 200.0, m: { k: "v" }, l: [1n, 2n], e: "" }) });
  const truth = (c: string) => cond("span", c, t());
  test('attribute "200" == 200 is false and != is true', () => {
    assert.equal(truth('attributes["s"] == 200'), false);
    assert.equal(truth('attributes["s"] != 200'), true);
  });
  test("int attribute == float literal", () => assert.equal(truth('attributes["i"] == 200.0'), true));
  test("missing attribute: == nil, != \"a\", no ordering", () => {
    assert.equal(truth('attributes["missing"] == nil'), true);
    assert.equal(truth('attributes["missing"] != nil'), false);
    assert.equal(truth('attributes["missing"] == "a"'), false);
    assert.equal(truth('attributes["missing"] != "a"'), true);
    assert.equal(truth('attributes["missing"] > 10'), false);
    assert.equal(truth('attributes["missing"] < 10'), false);
  });
  test("nil on both sides", () => {
    assert.equal(truth("nil == nil"), true);
    assert.equal(truth("nil <= nil"), true);
    assert.equal(truth("nil < nil"), false);
  });
  test("map attribute equals a map literal", () => assert.equal(truth('attributes["m"] == {"k": "v"}'), true));
  test("list attribute equals a list literal", () => assert.equal(truth('attributes["l"] == [1, 2]'), true));
  test("list ordering is invalid (false)", () => assert.equal(truth('attributes["l"] < [3]'), false));
  test("empty string is not nil", () => assert.equal(truth('attributes["e"] == nil'), false));
  test("enum symbols compare as ints", () => assert.equal(truth("SPAN_KIND_SERVER == 2"), true));
  test("a bool converter must return a bool", () => {
    assert.throws(() => cond("span", 'Concat(["a"], "")', t()), /must return a bool/);
  });
  test("errors come only from operands, not from the comparison", () => {
    assert.throws(() => cond("span", 'attributes["s"]["x"] == 1', t()), /does not support string indexing/);
  });
  test("short-circuit: a false and never evaluates its right side", () => {
    assert.equal(truth('false and attributes["s"]["x"] == 1'), false);
    assert.equal(truth('true or attributes["s"]["x"] == 1'), true);
  });
});
