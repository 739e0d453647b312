// The lexer and parser (ottl.md §1): tokens, literals, precedence, calls, paths, and clear errors.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { tokenize } from "../../src/ottl/lexer.ts";
import { parseCondition, parseStatement, parseValue } from "../../src/ottl/parser.ts";
import { OttlCompileError } from "../../src/ottl/errors.ts";
import type { BoolExpr, ValueExpr } from "../../src/ottl/ast.ts";
import { evalValue } from "./helpers.ts";

const kinds = (s: string) => tokenize(s).map((t) => `${t.kind}:${t.text}`).slice(0, -1);

function parseErr(f: () => unknown): OttlCompileError {
  try {
    f();
  } catch (err) {
    if (err instanceof OttlCompileError) return err;
    throw err;
  }
  throw new Error("expected a parse error");
}

/** A compact rendering of a boolean expression, to check precedence. */
function show(e: BoolExpr | ValueExpr): string {
  switch (e.kind) {
    case "or":
    case "and":
      return `(${show(e.left)} ${e.kind} ${show(e.right)})`;
    case "not":
      return `(not ${show(e.expr)})`;
    case "cmp":
      return `${show(e.left)}${e.op}${show(e.right)}`;
    case "boolconst":
      return String(e.value);
    case "boolcall":
      return `${e.call.name}()`;
    case "math":
      return `(${show(e.left)}${e.op}${show(e.right)})`;
    case "path":
      return e.fields.map((f) => f.name + f.keys.map((k) => (k.kind === "expr" ? "[expr]" : `[${String(k.value)}]`)).join("")).join(".");
    case "int":
    case "float":
    case "string":
    case "bool":
      return String(e.value);
    case "symbol":
      return e.name;
    case "call":
      return `${e.call.name}(${e.call.args.length})`;
    default:
      return e.kind;
  }
}

describe("lexer", () => {
  test("bytes come first and keep their value", () => {
    const [t] = tokenize("0x0a1B");
    assert.equal(t!.kind, "bytes");
    assert.deepEqual([...(t!.value as Uint8Array)], [0x0a, 0x1b]);
  });
  test("odd hex digit count is an error", () => assert.match(parseErr(() => tokenize("0xabc")).message, /odd number/));
  test("floats need a dot and a digit after it", () => {
    assert.deepEqual(kinds("1.5 -.5 +2.0e-3"), ["float:1.5", "float:-.5", "float:+2.0e-3"]);
    assert.match(parseErr(() => tokenize("1.")).message, /digit after the dot/);
    assert.match(parseErr(() => tokenize("1e3")).message, /exponents need a dot/);
  });
  test("the sign is part of a number literal", () => assert.deepEqual(kinds("-1 +7"), ["int:-1", "int:+7"]));
  test("int64 overflow is a parse error", () => assert.match(parseErr(() => tokenize("9223372036854775808")).message, /64 bits/));
  test("int64 bounds are accepted", () => assert.deepEqual(tokenize("-9223372036854775808")[0]!.value, -(2n ** 63n)));
  test("operators and punctuation", () => {
    assert.deepEqual(kinds("== != >= <= > < + - * / = ( ) { } [ ] : , ."), [
      "cmp:==", "cmp:!=", "cmp:>=", "cmp:<=", "cmp:>", "cmp:<", "add:+", "add:-", "mul:*", "mul:/", "=:=", "(:(", "):)", "{:{", "}:}", "[:[", "]:]", ":::", ",:,", ".:.",
    ]);
  });
  test("identifiers are one token, mixed case included", () => assert.deepEqual(kinds("IsMatch resolveConflicts SPAN_KIND_SERVER"), ["ident:IsMatch", "ident:resolveConflicts", "ident:SPAN_KIND_SERVER"]));
  test("Go string escapes", () => {
    const [t] = tokenize(String.raw`"a\tb\n\"q\"\\ \x41\101\u00e9\U0001F600"`);
    assert.equal(t!.value, 'a\tb\n"q"\\ AAé😀');
  });
  test("byte escapes combine into UTF-8", () => assert.equal(tokenize(String.raw`"\xc3\xa9"`)[0]!.value, "é"));
  test("a string ending in an escaped backslash (issue 23238)", () => assert.deepEqual(kinds(String.raw`"a\\" "b"`), [String.raw`string:"a\\"`, 'string:"b"']));
  test("unknown escapes are errors, with a regex hint", () => {
    const err = parseErr(() => tokenize(String.raw`"\d+"`));
    assert.match(err.message, /invalid escape sequence \\d.*doubled/);
    assert.equal(err.offset, 1);
  });
  test("\\' is not a valid escape in double-quoted strings", () => assert.match(parseErr(() => tokenize(String.raw`"\'"`)).message, /invalid escape/));
  test("unterminated string points at its opening quote", () => {
    const err = parseErr(() => tokenize('set(x, "abc)'));
    assert.match(err.message, /unterminated string/);
    assert.equal(err.offset, 7);
  });
  test("raw newline inside a string is rejected", () => assert.match(parseErr(() => tokenize('"a\nb"')).message, /raw newline/));
  test("single quotes get a clear message", () => assert.match(parseErr(() => tokenize("'a'")).message, /double quotes/));
});

describe("parser", () => {
  test("a statement is one editor call with an optional where", () => {
    const s = parseStatement('set(attributes["a"], 1) where name == "x"');
    assert.equal(s.editor.name, "set");
    assert.equal(s.editor.args.length, 2);
    assert.equal(show(s.where!), 'name=="x"'.replace('"x"', "x"));
  });
  test("a converter cannot be a statement", () => assert.match(parseErr(() => parseStatement('Concat(["a"], "")')).message, /editor names must start with a lowercase letter/));
  test("an editor cannot be a value", () => assert.match(parseErr(() => parseStatement("set(x, set(y, 1))")).message, /converter names must start with an uppercase letter/));
  test("an editor's result cannot be indexed", () => assert.match(parseErr(() => parseStatement('set(x, 1)["a"]')).message, /cannot be indexed/));
  test("an empty where is a syntax error", () => assert.match(parseErr(() => parseStatement("set(x, 1) where")).message, /missing condition/));
  test("trailing tokens are rejected", () => assert.match(parseErr(() => parseStatement("set(x, 1) foo")).message, /expected end of statement/));
  test("not binds to one factor, and before or", () => {
    assert.equal(show(parseCondition("not a == 1 or b == 2 and c == 3")), "((not a==1) or (b==2 and c==3))");
  });
  test("and/or are left-associative", () => assert.equal(show(parseCondition("a == 1 or b == 2 or c == 3")), "((a==1 or b==2) or c==3)"));
  test("parenthesised conditions", () => assert.equal(show(parseCondition("(a == 1 or b == 2) and c == 3")), "((a==1 or b==2) and c==3)"));
  test("a parenthesised math operand on the left of a comparison", () => assert.equal(show(parseCondition("(a + 1) * 2 > 4")), "((a+1)*2)>4"));
  test("bool constants and converters as conditions", () => {
    assert.equal(show(parseCondition("true and not false")), "(true and (not false))");
    assert.equal(show(parseCondition('IsMatch(name, "x")')), "IsMatch()");
  });
  test("comparisons cannot be chained", () => assert.match(parseErr(() => parseCondition("a < b < c")).message, /chained/));
  test("a bare path is not a condition", () => assert.match(parseErr(() => parseCondition('attributes["flag"]')).message, /not a condition/));
  test("* binds tighter than +, both left-associative", () => {
    assert.equal(show(parseValue("1 + 2 * 3 - 4 / 2")), "((1+(2*3))-(4/2))");
    assert.equal(show(parseValue("8 / 4 / 2")), "((8/4)/2)");
  });
  test("a - 1 written as a -1 gets a hint", () => {
    const err = parseErr(() => parseValue("a -1"));
    assert.match(err.message, /write `- 1` with a space/);
    assert.equal(err.offset, 2);
  });
  test("strings cannot be used in arithmetic", () => assert.match(parseErr(() => parseValue('"a" + "b"')).message, /Concat/));
  test("booleans cannot be used in arithmetic", () => assert.match(parseErr(() => parseValue("true + 1")).message, /arithmetic/));
  test("paths with keys and dynamic keys", () => {
    assert.equal(show(parseValue('resource.attributes["a"]["b"][0]')), "resource.attributes[a][b][0]");
    assert.equal(show(parseValue('attributes[resource.attributes["k"]]')), "attributes[expr]");
  });
  test("a field cannot follow a key", () => assert.match(parseErr(() => parseValue('attributes["a"].b')).message, /after a key/));
  test("converter indexing", () => {
    const v = parseValue('Split(body, ",")[0]');
    assert.equal(v.kind, "call");
    assert.equal(v.kind === "call" && v.call.keys.length, 1);
  });
  test("named arguments after positional ones", () => {
    const s = parseStatement('truncate_all(attributes, 100, truncation_marker = "…")');
    assert.deepEqual(s.editor.args.map((a) => a.name), [undefined, undefined, "truncation_marker"]);
  });
  test("positional after named is rejected", () => assert.match(parseErr(() => parseStatement("limit(target = attributes, 1, [])")).message, /positional arguments must come before named/));
  test("list and map literals", () => {
    const v = parseValue('{"a": [1, 2.5, "x", nil, 0x01], "b": {}, }');
    assert.equal(v.kind, "map");
    assert.equal(v.kind === "map" && v.entries.length, 2);
  });
  test("map keys must be strings", () => assert.match(parseErr(() => parseValue("{a: 1}")).message, /string key/));
  test("map entries need commas", () => assert.match(parseErr(() => parseValue('{"a": 1 "b": 2}')).message, /","/));
  test("lists need commas (upstream's [1 2] is not accepted)", () => assert.match(parseErr(() => parseValue("[1 2]")).message, /","/));
  test("enums are bare uppercase symbols", () => assert.equal(parseValue("SPAN_KIND_SERVER + 1").kind, "math"));
  test("lambdas are recognised and rejected", () => assert.match(parseErr(() => parseStatement("set(x, Filter(y, (k, v) => v))")).message, /lambdas are not supported/));
  test("the bare word nil is nil; the string \"nil\" is a string (issue 44374)", () => {
    assert.equal(parseValue("nil").kind, "nil");
    assert.equal(evalValue('"nil"'), "nil");
  });
  test("deep nesting is a clear error, not a stack overflow", () => {
    const deep = "[".repeat(5000) + "]".repeat(5000);
    assert.match(parseErr(() => parseValue(deep)).message, /nested too deeply/);
    const parens = "(".repeat(5000) + "1" + ")".repeat(5000);
    assert.match(parseErr(() => parseValue(parens)).message, /nested too deeply/);
    const nots = "not ".repeat(5000) + "true";
    assert.match(parseErr(() => parseCondition(nots)).message, /nested too deeply/);
  });
  test("moderate nesting is fine", () => {
    const v = evalValue(`${"{\"a\": ".repeat(50)}1${"}".repeat(50)}`);
    assert.ok(v !== null);
  });
  test("whitespace and newlines separate tokens", () => assert.equal(parseStatement("set(\n  attributes[\"a\"],\n  1\n)\nwhere\n  true").editor.name, "set"));
});
