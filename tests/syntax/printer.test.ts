import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { tokenize } from "../../src/syntax/lexer.ts";
import { parseFile } from "../../src/syntax/parser.ts";
import { formatFile } from "../../src/syntax/printer.ts";
import { SEED, VALID } from "./cases.ts";
import { describe as describeDiags, withoutPositions } from "./helpers.ts";

/** Formats `src`, which must parse without errors. */
function fmt(src: string): string {
  const { file, diagnostics } = parseFile("test.alloy", src);
  assert.deepEqual(describeDiags(diagnostics), [], "input must be valid");
  return formatFile(file, src);
}

/** Checks the printer's promises for one valid input and returns the formatted text. */
function checkRoundTrip(src: string): string {
  const first = parseFile("in.alloy", src);
  const out = formatFile(first.file, src);
  const second = parseFile("out.alloy", out);
  assert.deepEqual(describeDiags(second.diagnostics), [], `formatted output must parse:\n${out}`);
  assert.deepEqual(withoutPositions(second.file.body), withoutPositions(first.file.body), "same AST");
  assert.deepEqual(second.file.comments.map((c) => c.text), first.file.comments.map((c) => c.text), "comments kept");
  assert.equal(formatFile(second.file, out), out, "idempotent");
  assert.ok(out.endsWith("\n") && !out.endsWith("\n\n"), "ends with exactly one newline");
  return out;
}

describe("printer: layout", () => {
  test("spaces around = and binary operators, none inside calls", () => {
    assert.equal(fmt("a=1\nb   =   2+3*4\nc=f( 1,2 )\nd = - x\ne=!( a&&b )"), "a = 1\nb = 2 + 3 * 4\nc = f(1, 2)\nd = -x\ne = !(a && b)\n");
  });

  test("= is aligned within a run of single-line attributes", () => {
    assert.equal(fmt("a = 1\nlong_name = 2\nmid = 3\n"), "a         = 1\nlong_name = 2\nmid       = 3\n");
  });

  test("a blank line or a multi-line value ends the run", () => {
    const src = "a = 1\nlong_name = 2\n\nb = 3\nlist = [\n  1,\n]\nz = 3\n";
    assert.equal(fmt(src), "a         = 1\nlong_name = 2\n\nb    = 3\nlist = [\n\t1,\n]\nz = 3\n");
  });

  test("several blank lines collapse to one", () => {
    assert.equal(fmt("a = 1\n\n\n\nb = 2\n"), "a = 1\n\nb = 2\n");
  });

  test("blocks: tab indentation, blank line before each block, empty body on one line", () => {
    const src = 'a {\nb = 1\n    c {\n  d = 2\n}\n}\nc "x" {}\nd = 1\ne {\n\n}\n';
    assert.equal(fmt(src), 'a {\n\tb = 1\n\n\tc {\n\t\td = 2\n\t}\n}\n\nc "x" { }\nd = 1\n\ne { }\n');
  });

  test("single-line arrays and objects stay on one line", () => {
    assert.equal(fmt('a = [ 1,2 , 3 ]\nb = { x = 1, "y.z" = [] }\nc = [ ]\n'), 'a = [1, 2, 3]\nb = {x = 1, "y.z" = []}\nc = []\n');
  });

  test("split arrays: elements on later lines are indented, as written", () => {
    assert.equal(fmt("a = [\n1,\n2]\nb = [1,\n  2]\nc = [\n1, 2,\n3,\n]\n"), "a = [\n\t1,\n\t2]\nb = [1,\n\t2]\nc = [\n\t1, 2,\n\t3,\n]\n");
  });

  test("split objects: fields aligned until a multi-line value", () => {
    const src = "o = {\nkey = 1,\nlonger_key = { inner = true, x = 2 },\nlist = [\n1,\n],\nafter = 2,\nz = 3 }\n";
    const want = "o = {\n\tkey        = 1,\n\tlonger_key = {inner = true, x = 2},\n\tlist       = [\n\t\t1,\n\t],\n\tafter = 2,\n\tz     = 3}\n";
    assert.equal(fmt(src), want);
  });

  test("an object whose closing brace is below the last key gets a trailing comma", () => {
    assert.equal(fmt("o = {a =\n  1}\n"), "o = {a = 1,\n}\n");
    assert.equal(fmt("o = {a = [\n  1,\n]}\n"), "o = {a = [\n\t\t1,\n\t],\n}\n");
  });

  test("split calls: later arguments indented", () => {
    assert.equal(fmt("a = f(\n1,\n2)\nb = f(\n1,\n2,\n)\n"), "a = f(\n\t1,\n\t2)\nb = f(\n\t1,\n\t2,\n)\n");
  });

  test("binary expressions are joined onto one line", () => {
    assert.equal(fmt("a = 1 +\n  2 *\n  3\n"), "a = 1 + 2 * 3\n");
  });

  test("literals print exactly as written", () => {
    const src = 'a = 1e+2\nb = .5\nc = "\\x41\\u00e9\\101"\nd = `raw\n  text`\ne = 1.\n';
    assert.equal(fmt(src), 'a = 1e+2\nb = .5\nc = "\\x41\\u00e9\\101"\nd = `raw\n  text`\ne = 1.\n');
  });

  test("labels are double-quoted; backtick object keys become double-quoted", () => {
    assert.equal(fmt('a.b.c "lbl" { x = { `k` = 1 } }'), 'a.b.c "lbl" {\n\tx = {"k" = 1}\n}\n');
  });

  test("a number followed by an access keeps its space", () => {
    assert.equal(fmt("a = 1 .x\n"), "a = 1 .x\n");
  });

  test("the output always ends with one newline", () => {
    assert.equal(fmt(""), "\n");
    assert.equal(fmt("\n\n\n"), "\n");
    assert.equal(fmt("a = 1\n\n\n"), "a = 1\n");
  });

  test("the seed pipeline formats like alloy fmt", () => {
    const want = readFileSync(new URL("./testdata/seed.formatted.alloy", import.meta.url), "utf8");
    assert.equal(fmt(SEED), want);
    assert.equal(fmt(want), want);
  });
});

describe("printer: comments", () => {
  test("header comments, trailing comments aligned, own-line comments, blank lines", () => {
    const src = "// header\n\n\na = 1 // one\nbb = 22 // two\n// own line\nc = 3\n\n\n/* end */\n";
    assert.equal(fmt(src), "// header\n\na  = 1  // one\nbb = 22 // two\n// own line\nc = 3\n\n/* end */\n");
  });

  test("comments inside blocks take the block's indentation", () => {
    const src = "a { // header\n// before\n  b = 1\n// after\n}\n";
    assert.equal(fmt(src), "a { // header\n\t// before\n\tb = 1\n\t// after\n}\n");
  });

  test("a comment alone in a block keeps the block open", () => {
    assert.equal(fmt("a {\n// only\n}\n"), "a {\n\t// only\n}\n");
  });

  test("comments inside arrays", () => {
    const src = "a = [ // first\n  0, 1, // second\n  // own\n  2,\n  // last\n]\n";
    assert.equal(fmt(src), "a = [ // first\n\t0, 1, // second\n\t// own\n\t2,\n\t// last\n]\n");
  });

  test("block comments between tokens", () => {
    assert.equal(fmt("a = 1 /* x */ + /* y */ 2\nb = [1 /* c */, 2]\n"), "a = 1 /* x */ + /* y */ 2\nb = [1, /* c */ 2]\n");
  });

  test("a comment inside a dotted block name stays inside it", () => {
    const out = checkRoundTrip("a. // why\n  b \"x\" {\n}\n");
    assert.equal(out, 'a. // why\nb "x" { }\n');
  });

  test("multi-line block comments are kept verbatim", () => {
    assert.equal(fmt("a {\n  /* one\n     two */\n  b = 1\n}\n"), "a {\n\t/* one\n     two */\n\tb = 1\n}\n");
  });
});

describe("printer: every valid case round-trips", () => {
  for (const [name, src] of Object.entries(VALID)) {
    test(name, () => {
      const out = checkRoundTrip(src);
      // Raw strings and block comments are verbatim; everything else is indented with tabs
      // and has no trailing blanks.
      if (/`|\/\*/.test(src)) return;
      for (const line of out.split("\n")) {
        assert.doesNotMatch(line, /^ |[ \t]$/, `line ${JSON.stringify(line)}`);
      }
    });
  }
});

describe("printer: comments anywhere", () => {
  // Inserts comments at random token boundaries of the valid cases; whenever the result still
  // parses, formatting must keep the AST and the comments and be idempotent.
  test("deterministic comment insertion", { timeout: 120_000 }, () => {
    const comments = ["// c\n", "/* b */", "\n/* multi\n line */\n", "\n// own\n", "\n\n"];
    const sources = Object.values(VALID);
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let checked = 0;
    for (let i = 0; i < 1500; i++) {
      let src = sources[random(sources.length)]!;
      const tokens = tokenize(src).tokens.filter((t) => t.kind !== "TERMINATOR" && t.kind !== "EOF");
      if (tokens.length === 0) continue;
      const t = tokens[random(tokens.length)]!;
      const at = random(2) === 0 ? t.start.offset : t.end.offset;
      src = `${src.slice(0, at)} ${comments[random(comments.length)]} ${src.slice(at)}`;
      if (parseFile("f", src).diagnostics.length > 0) continue;
      checkRoundTrip(src);
      checked++;
    }
    assert.ok(checked > 300, `only ${checked} inputs stayed valid`);
  });
});
