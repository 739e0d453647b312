// t.located keeps where a value was written (and a string literal's raw text); validate/warn
// may return positioned problems.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { decodeBody } from "../../src/runtime/decode.ts";
import type { EvalError } from "../../src/runtime/errors.ts";
import { type Located, type Schema, attr, t, typeName } from "../../src/runtime/schema.ts";
import { parseFile } from "../../src/syntax/parser.ts";

function decode(schema: Schema, body: string) {
  const { file } = parseFile("t.alloy", body);
  const problems: EvalError[] = [];
  const args = decodeBody(file.body, schema, { x: "computed" }, file, problems);
  return { args, problems };
}

describe("t.located", () => {
  const schema: Schema = { attrs: { one: attr(t.located(t.string)), many: attr(t.list(t.located(t.string)), []) } };

  test("a string literal keeps its span and raw text", () => {
    const { args } = decode(schema, 'one = "a\\"b"');
    const one = args.one as Located<string>;
    assert.equal(one.value, 'a"b');
    assert.equal(one.raw, '"a\\"b"');
    assert.deepEqual([one.span.start.line, one.span.start.col, one.span.end.col], [1, 7, 13]);
  });
  test("list elements keep their own positions", () => {
    const { args } = decode(schema, "many = [\n  `a`,\n  \"b\",\n]");
    const many = args.many as Array<Located<string>>;
    assert.deepEqual(many.map((m) => [m.value, m.raw, m.span.start.line, m.span.start.col]), [["a", "`a`", 2, 3], ["b", '"b"', 3, 3]]);
  });
  test("a computed value has a span but no raw text", () => {
    const { args } = decode(schema, "one = x");
    const one = args.one as Located<string>;
    assert.equal(one.value, "computed");
    assert.equal(one.raw, undefined);
  });
  test("type errors are still reported", () => {
    const { problems } = decode(schema, "one = 1 == 1");
    assert.match(problems[0]!.message, /expected string, got bool/);
  });
  test("docs name the inner type", () => assert.equal(typeName(t.list(t.located(t.string))), "list(string)"));
});

describe("positioned problems from check", () => {
  const schema: Schema = {
    attrs: { s: attr(t.located(t.string)) },
    check: (a: { s: Located<string> }) => [
      { message: "bad s", span: a.s.span },
      { message: "odd s", span: a.s.span, severity: "warning" },
    ],
  };
  test("each problem keeps its span and severity", () => {
    const { problems } = decode(schema, '\n\ns = "v"');
    assert.deepEqual(problems.map((p) => [p.message, p.severity, p.span.start.line]), [["bad s", "error", 3], ["odd s", "warning", 3]]);
  });
  test("check does not run when validate already failed", () => {
    const { problems } = decode({ ...schema, validate: () => "plain problem" }, 's = "v"');
    assert.deepEqual(problems.map((p) => p.message), ["plain problem"]);
  });
});
