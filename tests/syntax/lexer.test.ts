import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { tokenize } from "../../src/syntax/lexer.ts";
import { describe as describeDiags } from "./helpers.ts";

/** Token kinds of `src`, without the final EOF. */
function kinds(src: string): string[] {
  return tokenize(src).tokens.slice(0, -1).map((t) => t.kind);
}

/** The decoded value of the single string literal `src`, which must scan cleanly. */
function stringValue(src: string): string | undefined {
  const { tokens, diagnostics } = tokenize(src);
  assert.deepEqual(describeDiags(diagnostics), []);
  assert.equal(tokens[0]!.kind, "STRING");
  return tokens[0]!.value;
}

function lexErrors(src: string): string[] {
  return describeDiags(tokenize(src).diagnostics);
}

describe("lexer: tokens", () => {
  test("every operator and punctuation mark", () => {
    const ops = "|| && ! = == != < <= > >= + - * / % ^ { } ( ) [ ] , .";
    assert.deepEqual(kinds(ops), ops.split(" "));
  });

  test("identifiers and keywords", () => {
    assert.deepEqual(kinds("foo _bar b4z true false null"), ["IDENT", "IDENT", "IDENT", "BOOL", "BOOL", "NULL", "TERMINATOR"]);
  });

  test("unicode letters and digits in identifiers", () => {
    const { tokens } = tokenize("名前 naïve x١");
    assert.deepEqual(tokens.slice(0, 3).map((t) => [t.kind, t.text]), [["IDENT", "名前"], ["IDENT", "naïve"], ["IDENT", "x١"]]);
  });

  test("`my-comp` and `a.b` are not single identifiers", () => {
    assert.deepEqual(kinds("my-comp"), ["IDENT", "-", "IDENT", "TERMINATOR"]);
    assert.deepEqual(kinds("a.b"), ["IDENT", ".", "IDENT", "TERMINATOR"]);
  });

  test("numbers: integers and floats", () => {
    const { tokens, diagnostics } = tokenize("1 007 1.5 .5 1e+2 1E-2 3e10 1.");
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(tokens.slice(0, 8).map((t) => `${t.kind}:${t.text}`), [
      "NUMBER:1", "NUMBER:007", "FLOAT:1.5", "FLOAT:.5", "FLOAT:1e+2", "FLOAT:1E-2", "FLOAT:3e10", "FLOAT:1.",
    ]);
  });

  test("no signs, hex, or separators in numbers", () => {
    assert.deepEqual(kinds("-1"), ["-", "NUMBER", "TERMINATOR"]);
    assert.deepEqual(kinds("0x1F"), ["NUMBER", "IDENT", "TERMINATOR"]);
    assert.deepEqual(kinds("1_000"), ["NUMBER", "IDENT", "TERMINATOR"]);
  });

  test("exponent has no digits", () => {
    assert.deepEqual(lexErrors("x = 1e"), ["1:5: exponent has no digits"]);
    assert.deepEqual(lexErrors("x = 2.5E-"), ["1:5: exponent has no digits"]);
  });
});

describe("lexer: strings", () => {
  const escapes: Array<[string, string]> = [
    ["\\\\", "\\"], ['\\"', '"'], ["\\a", "\u0007"], ["\\b", "\u0008"], ["\\f", "\u000c"],
    ["\\n", "\n"], ["\\r", "\r"], ["\\t", "\t"], ["\\v", "\u000b"],
    ["\\101", "A"], ["\\000", "\u0000"], ["\\x41", "A"], ["\\u00e9", "é"], ["\\U0001F600", "😀"],
  ];
  for (const [escape, value] of escapes) {
    test(`escape ${escape}`, () => {
      assert.equal(stringValue(`"a${escape}b"`), `a${value}b`);
    });
  }

  test("octal and hex escapes are bytes decoded as UTF-8", () => {
    assert.equal(stringValue('"\\303\\251t\\xc3\\xa9"'), "été");
    assert.equal(stringValue('"\\xe2\\x82\\xac = \\342\\202\\254"'), "€ = €");
  });

  test("bytes that are not UTF-8 decode to U+FFFD", () => {
    assert.equal(stringValue('"\\xff!"'), "\ufffd!");
  });

  test("plain text keeps its characters", () => {
    assert.equal(stringValue('"héllo 😀 \u0007"'), "héllo 😀 \u0007");
  });

  test("raw strings span lines and keep backslashes", () => {
    const { tokens, diagnostics } = tokenize("`a\\n\nb\"c`");
    assert.deepEqual(diagnostics, []);
    assert.equal(tokens[0]!.value, 'a\\n\nb"c');
    assert.equal(tokens[0]!.text, '`a\\n\nb"c`');
  });

  test("string errors", () => {
    assert.deepEqual(lexErrors('"abc\n"'), ["1:1: string literal not terminated", "2:1: string literal not terminated"]);
    assert.deepEqual(lexErrors("`abc"), ["1:1: string literal not terminated"]);
    assert.deepEqual(lexErrors("'abc'"), ["1:1: illegal single-quoted string; use double quotes"]);
    assert.deepEqual(lexErrors('"\\q"'), ["1:3: unknown escape sequence"]);
    assert.deepEqual(lexErrors('"\\\'"'), ["1:3: unknown escape sequence"]);
    assert.deepEqual(lexErrors('"\\'), ["1:3: escape sequence not terminated", "1:1: string literal not terminated"]);
    assert.deepEqual(lexErrors('"\\u12'), ["1:3: escape sequence not terminated", "1:1: string literal not terminated"]);
    assert.deepEqual(lexErrors('"\\xZZ"'), ["1:3: illegal character U+005A 'Z' in escape sequence"]);
    assert.deepEqual(lexErrors('"\\18"'), ["1:3: illegal character U+0038 '8' in escape sequence"]);
    assert.deepEqual(lexErrors('"\\400"'), ["1:3: escape sequence is invalid Unicode code point"]);
    assert.deepEqual(lexErrors('"\\U00110000"'), ["1:3: escape sequence is invalid Unicode code point"]);
  });

  test("a backslash before a newline is an unknown escape", () => {
    assert.deepEqual(lexErrors('"a\\\nb"'), ["1:4: unknown escape sequence", "1:1: string literal not terminated", "2:2: string literal not terminated"]);
  });
});

describe("lexer: comments", () => {
  test("comments are tokens with their text", () => {
    const { tokens } = tokenize("// line\n/* block\n  comment */");
    const comments = tokens.filter((t) => t.kind === "COMMENT").map((t) => t.text);
    assert.deepEqual(comments, ["// line", "/* block\n  comment */"]);
  });

  test("carriage returns are dropped from comment text", () => {
    const { tokens } = tokenize("// a\r\n/* b\r\nc */");
    assert.deepEqual(tokens.filter((t) => t.kind === "COMMENT").map((t) => t.text), ["// a", "/* b\nc */"]);
  });

  test("block comments do not nest", () => {
    assert.deepEqual(kinds("/* a /* b */ c */"), ["COMMENT", "IDENT", "*", "/"]);
  });

  test("unterminated block comment", () => {
    assert.deepEqual(lexErrors("x\n/* open"), ["2:1: block comment not terminated"]);
  });
});

describe("lexer: terminators", () => {
  const cases: Array<[string, string[]]> = [
    ["a\nb", ["IDENT", "TERMINATOR", "IDENT", "TERMINATOR"]],
    ["1\n2.5\n", ["NUMBER", "TERMINATOR", "FLOAT", "TERMINATOR"]],
    ['"s"\n`r`\n', ["STRING", "TERMINATOR", "STRING", "TERMINATOR"]],
    ["true\nnull\n", ["BOOL", "TERMINATOR", "NULL", "TERMINATOR"]],
    [")\n]\n}\n", [")", "TERMINATOR", "]", "TERMINATOR", "}", "TERMINATOR"]],
    ["(\n[\n{\n,\n", ["(", "[", "{", ","]],
    ["a +\nb", ["IDENT", "+", "IDENT", "TERMINATOR"]],
    ["a\n+ b", ["IDENT", "TERMINATOR", "+", "IDENT", "TERMINATOR"]],
    ["a =\n\n1", ["IDENT", "=", "NUMBER", "TERMINATOR"]],
    ["\n\n\na", ["IDENT", "TERMINATOR"]],
    ["a // c\nb", ["IDENT", "TERMINATOR", "COMMENT", "IDENT", "TERMINATOR"]],
    ["a /* c */\nb", ["IDENT", "TERMINATOR", "COMMENT", "IDENT", "TERMINATOR"]],
    ["a /* c\n */ b", ["IDENT", "TERMINATOR", "COMMENT", "IDENT", "TERMINATOR"]],
    ["a /* c */ b", ["IDENT", "COMMENT", "IDENT", "TERMINATOR"]],
    ["a /* c */ /* d */ // e\nb", ["IDENT", "TERMINATOR", "COMMENT", "COMMENT", "COMMENT", "IDENT", "TERMINATOR"]],
    ["a = // c\n1", ["IDENT", "=", "COMMENT", "NUMBER", "TERMINATOR"]],
    ["", []],
  ];
  for (const [src, want] of cases) {
    test(JSON.stringify(src), () => assert.deepEqual(kinds(src), want));
  }

  test("a terminator before a line comment sits where the comment starts", () => {
    const term = tokenize("x = 2// c\n").tokens[3]!;
    assert.equal(term.kind, "TERMINATOR");
    assert.deepEqual(term.start, { offset: 5, line: 1, col: 6 });
  });

  test("a terminator at EOF sits at the end", () => {
    const term = tokenize("x").tokens[1]!;
    assert.equal(term.kind, "TERMINATOR");
    assert.deepEqual(term.start, { offset: 1, line: 1, col: 2 });
  });
});

describe("lexer: positions and bad characters", () => {
  test("columns count characters, not UTF-16 units or bytes", () => {
    const { tokens } = tokenize('"😀é" x\n\ty');
    assert.deepEqual(tokens[1]!.start, { offset: 6, line: 1, col: 6 });
    assert.deepEqual(tokens[3]!.start, { offset: 9, line: 2, col: 2 });
  });

  test("CRLF line endings", () => {
    const { tokens, diagnostics } = tokenize("a = 1\r\nb = 2\r\n");
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(tokens.map((t) => t.kind), ["IDENT", "=", "NUMBER", "TERMINATOR", "IDENT", "=", "NUMBER", "TERMINATOR", "EOF"]);
    assert.deepEqual(tokens[4]!.start, { offset: 7, line: 2, col: 1 });
  });

  test("illegal characters", () => {
    assert.deepEqual(lexErrors("a @ b # c"), ["1:3: illegal character U+0040 '@'", "1:7: illegal character U+0023 '#'"]);
    assert.deepEqual(lexErrors("a \u0007"), ["1:3: illegal character U+0007"]);
    assert.deepEqual(lexErrors("a | b & c"), ["1:4: missing second | in ||", "1:8: missing second & in &&"]);
  });

  test("NUL is reported wherever it appears", () => {
    assert.deepEqual(lexErrors('\u0000 "a\u0000" // \u0000'), [
      "1:1: illegal character NUL", "1:5: illegal character NUL", "1:11: illegal character NUL",
    ]);
  });

  test("a leading byte order mark is ignored, a later one is an error", () => {
    assert.deepEqual(kinds("\ufeffa"), ["IDENT", "TERMINATOR"]);
    assert.deepEqual(lexErrors("\ufeffa\n\ufeffb"), ["2:1: illegal byte order mark"]);
  });

  test("illegal tokens keep the terminator state", () => {
    assert.deepEqual(kinds("a @\nb"), ["IDENT", "ILLEGAL", "TERMINATOR", "IDENT", "TERMINATOR"]);
  });
});
