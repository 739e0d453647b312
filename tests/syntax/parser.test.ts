import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import type { AttributeStmt, BlockStmt, LiteralExpr, ObjectExpr } from "../../src/syntax/ast.ts";
import { blockId } from "../../src/syntax/ast.ts";
import { decodeSource, MAX_ERRORS, parseExpression, parseFile } from "../../src/syntax/parser.ts";
import { INVALID, SEED, VALID } from "./cases.ts";
import { bodyOf, describe as describeDiags, errorsOf, exprOf } from "./helpers.ts";

const NESTING_ERROR = "nesting too deep (more than 200 levels)";

function attr(src: string): AttributeStmt {
  const s = bodyOf(src)[0]!;
  assert.equal(s.kind, "attribute");
  return s as AttributeStmt;
}

function block(src: string): BlockStmt {
  const s = bodyOf(src)[0]!;
  assert.equal(s.kind, "block");
  return s as BlockStmt;
}

describe("parser: valid files", () => {
  for (const [name, src] of Object.entries(VALID)) {
    test(name, () => assert.deepEqual(errorsOf(src), []));
  }
});

describe("parser: invalid files give Alloy's diagnostics", () => {
  for (const c of INVALID) {
    test(c.name, () => assert.deepEqual(errorsOf(c.src), c.errors));
  }
});

describe("parser: statements", () => {
  test("attribute with its positions", () => {
    const a = attr("  answer = 42\n");
    assert.equal(a.name.name, "answer");
    assert.deepEqual(a.name.start, { offset: 2, line: 1, col: 3 });
    assert.deepEqual(a.name.end, { offset: 8, line: 1, col: 9 });
    assert.deepEqual(a.end, { offset: 13, line: 1, col: 14 });
    assert.equal((a.value as LiteralExpr).value, 42);
  });

  test("labeled block with its positions", () => {
    const b = block('otelcol.processor.batch "default" {\n  timeout = "5s"\n}\n');
    assert.deepEqual(b.name, ["otelcol", "processor", "batch"]);
    assert.equal(b.label, "default");
    assert.equal(blockId(b), "otelcol.processor.batch.default");
    assert.deepEqual(b.namePos.end, { offset: 23, line: 1, col: 24 });
    assert.deepEqual(b.labelPos, { start: { offset: 24, line: 1, col: 25 }, end: { offset: 33, line: 1, col: 34 } });
    assert.deepEqual(b.lcurly, { offset: 34, line: 1, col: 35 });
    assert.deepEqual(b.rcurly, { offset: 53, line: 3, col: 1 });
    assert.deepEqual(b.end, { offset: 54, line: 3, col: 2 });
    assert.equal(b.body.length, 1);
  });

  test("nested unlabeled blocks may repeat", () => {
    const b = block("otelcol.processor.transform \"t\" {\n  metric_statements { }\n  metric_statements { }\n}\n");
    assert.deepEqual(b.body.map((s) => s.kind === "block" && s.label === undefined && s.name.join(".")), ["metric_statements", "metric_statements"]);
  });

  test("an empty label means no label", () => {
    assert.equal(block('a "" { }').label, undefined);
  });

  test("statements keep source order", () => {
    assert.deepEqual(bodyOf("b = 1\na { }\nc = 2\n").map((s) => s.kind), ["attribute", "block", "attribute"]);
  });

  test("comments are collected in order", () => {
    const { file } = parseFile("f", "// one\na = 1 /* two */\nb { // three\n}\n");
    assert.deepEqual(file.comments.map((c) => c.text), ["// one", "/* two */", "// three"]);
    assert.deepEqual(file.comments[1]!.start, { offset: 13, line: 2, col: 7 });
  });

  test("file span and name", () => {
    const { file } = parseFile("conf/main.alloy", "a = 1\nb = 2");
    assert.equal(file.name, "conf/main.alloy");
    assert.deepEqual(file.end, { offset: 11, line: 2, col: 6 });
  });

  test("diagnostics carry the file name and a range", () => {
    const [d] = parseFile("conf/main.alloy", "a = 1  b = 2").diagnostics;
    assert.equal(d!.file, "conf/main.alloy");
    assert.equal(d!.severity, "error");
    assert.deepEqual([d!.start.col, d!.end.col], [8, 9]);
  });
});

describe("parser: values", () => {
  test("literal values", () => {
    const vals = bodyOf('a = 1e+2\nb = .5\nc = "x\\ty"\nd = true\ne = null\nf = `r\\n`\n').map((s) => (s as AttributeStmt).value as LiteralExpr);
    assert.deepEqual(vals.map((v) => [v.type, v.value, v.raw]), [
      ["number", 100, "1e+2"], ["number", 0.5, ".5"], ["string", "x\ty", '"x\\ty"'],
      ["bool", true, "true"], ["null", null, "null"], ["string", "r\\n", "`r\\n`"],
    ]);
  });

  test("arrays, objects and quoted keys", () => {
    assert.equal(exprOf('[1, "a", [], {}]'), '[1 "a" [] {}]');
    assert.equal(exprOf('{ a = 1, "app.kubernetes.io/name" = "x", `raw` = 2 }'), '{a=1 "app.kubernetes.io/name"="x" "raw"=2}');
  });

  test("quoted keys are decoded", () => {
    const obj = attr('o = { "a\\u00e9" = 1 }').value as ObjectExpr;
    assert.deepEqual([obj.fields[0]!.name, obj.fields[0]!.quoted], ["aé", true]);
  });

  test("trailing commas are optional on one line and required before a newline", () => {
    assert.equal(exprOf("[1, 2,]"), "[1 2]");
    assert.equal(exprOf("[\n 1,\n 2,\n]"), "[1 2]");
    assert.equal(exprOf("{a = 1,}"), "{a=1}");
    assert.deepEqual(errorsOf("x = [1,\n 2\n]"), ["2:3: missing ',' in expression list"]);
  });
});

describe("parser: precedence and associativity", () => {
  const cases: Array<[string, string]> = [
    ["1 + 2 * 3", "(+ 1 (* 2 3))"],
    ["1 * 2 + 3", "(+ (* 1 2) 3)"],
    ["1 - 2 - 3", "(- (- 1 2) 3)"],
    ["8 / 4 % 3 * 2", "(* (% (/ 8 4) 3) 2)"],
    ["2 ^ 3 ^ 2", "(^ 2 (^ 3 2))"],
    ["2 * 3 ^ 2", "(* 2 (^ 3 2))"],
    ["-a ^ 2", "(^ (- a) 2)"],
    ["!a && b", "(&& (! a) b)"],
    ["a || b && c", "(|| a (&& b c))"],
    ["a && b || c", "(|| (&& a b) c)"],
    ["a == b == c", "(== (== a b) c)"],
    ["a < b == c >= d", "(>= (== (< a b) c) d)"],
    ["a + 1 < b * 2", "(< (+ a 1) (* b 2))"],
    ["a != b || c <= d", "(|| (!= a b) (<= c d))"],
    ["(1 + 2) * 3", "(* (paren (+ 1 2)) 3)"],
    ["- -1", "(- (- 1))"],
    ["!!x", "(! (! x))"],
    ["-a.b[0]", "(- ([] (. a b) 0))"],
    ["a.b.c", "(. (. a b) c)"],
    ['x.y.targets[0]["__address__"]', '([] ([] (. (. x y) targets) 0) "__address__")'],
    ['string.format("%s", a, b)', '(call (. string format) "%s" a b)'],
    ["f()(1)", "(call (call f) 1)"],
    ["f(1).x[2]", "([] (. (call f 1) x) 2)"],
    ["a +\n b", "(+ a b)"],
    ["1 .x", "(. 1 x)"],
  ];
  for (const [src, want] of cases) {
    test(JSON.stringify(src), () => assert.equal(exprOf(src), want));
  }
});

describe("parser: parseExpression", () => {
  test("reports errors and returns no expression", () => {
    assert.deepEqual(describeDiags(parseExpression("1 +").diagnostics), ["1:4: expected expression, got EOF"]);
    assert.equal(parseExpression("1 +").expr, undefined);
  });

  test("rejects trailing tokens", () => {
    assert.deepEqual(describeDiags(parseExpression("1 2").diagnostics), ["1:3: expected TERMINATOR, got NUMBER"]);
    assert.deepEqual(describeDiags(parseExpression("1\n2").diagnostics), ["2:1: expected EOF, got NUMBER"]);
  });

  test("empty input", () => {
    assert.deepEqual(describeDiags(parseExpression("").diagnostics), ["1:1: expected expression, got EOF"]);
  });
});

describe("parser: the seed pipeline", () => {
  test("matches the copy in the shared spec", { skip: !existsSync(new URL("../../../shared/spec/seed-pipeline.alloy", import.meta.url)) }, () => {
    assert.equal(readFileSync(new URL("../../../shared/spec/seed-pipeline.alloy", import.meta.url), "utf8"), SEED);
  });

  test("parses into the expected components", () => {
    const { file, diagnostics } = parseFile("seed.alloy", SEED);
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(file.body.map((s) => (s.kind === "block" ? blockId(s) : s.name.name)), [
      "otelcol.receiver.otlp.default",
      "otelcol.processor.resourcedetection.default",
      "otelcol.connector.host_info.default",
      "otelcol.processor.transform.add_resource_attributes_as_metric_attributes",
      "otelcol.processor.batch.default",
      "otelcol.exporter.prometheus.metrics",
      "otelcol.exporter.otlphttp.logs",
      "otelcol.exporter.otlphttp.traces",
      "prometheus.remote_write.metrics_service",
    ]);
    assert.equal(file.comments.length, 3);
    const detection = file.body[1] as BlockStmt;
    const detectors = detection.body[0] as AttributeStmt;
    assert.equal(exprOf(SEED.slice(detectors.value.start.offset, detectors.value.end.offset)), '["env" "system"]');
    const transform = file.body[3] as BlockStmt;
    const statements = ((transform.body[1] as BlockStmt).body[1] as AttributeStmt).value;
    assert.equal(statements.kind, "array");
    const first = statements.kind === "array" ? (statements.elements[0] as LiteralExpr).value : undefined;
    assert.equal(first, 'set(attributes["deployment.environment"], resource.attributes["deployment.environment"])');
  });
});

describe("parser: bad input", () => {
  test("empty file is a valid, empty body", () => {
    const { file, diagnostics } = parseFile("empty.alloy", "");
    assert.deepEqual([file.body, file.comments, diagnostics], [[], [], []]);
  });

  test("binary data gives diagnostics, not exceptions", () => {
    const bytes = new Uint8Array(4096);
    let seed = 7;
    for (let i = 0; i < bytes.length; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      bytes[i] = i % 16 === 0 ? 0 : seed & 0xff;
    }
    const text = new TextDecoder().decode(bytes);
    const { diagnostics } = parseFile("blob.bin", text);
    assert.ok(diagnostics.length > 0);
    assert.ok(diagnostics.some((d) => d.message === "illegal character NUL"));
    assert.ok(diagnostics.length <= MAX_ERRORS + 1);
  });

  test("the number of reported errors is capped", () => {
    const { diagnostics } = parseFile("many.alloy", "a = 1 2\n".repeat(500));
    assert.equal(diagnostics.length, MAX_ERRORS + 1);
    assert.equal(diagnostics.at(-1)!.message, `too many errors (stopped after ${MAX_ERRORS})`);
  });

  test("10,000 levels of nesting give one diagnostic", () => {
    const n = 10_000;
    const inputs = [
      `x = ${"[".repeat(n)}${"]".repeat(n)}`,
      `x = ${"{a=".repeat(n)}1${"}".repeat(n)}`,
      `${"a {\n".repeat(n)}${"}\n".repeat(n)}`,
      `x = ${"(".repeat(n)}1${")".repeat(n)}`,
      `x = ${"-".repeat(n)}1`,
      `x = ${"2^".repeat(n)}2`,
      `x = ${"1+".repeat(n)}1`,
      `x = a${".b".repeat(n)}`,
      `x = f${"(x)".repeat(n)}`,
    ];
    for (const src of inputs) {
      assert.deepEqual(parseFile("deep.alloy", src).diagnostics.map((d) => d.message), [NESTING_ERROR], src.slice(0, 20));
    }
  });

  test("nesting up to the limit is accepted", () => {
    assert.deepEqual(errorsOf(`x = ${"[".repeat(199)}${"]".repeat(199)}`), []);
    assert.deepEqual(errorsOf(`${"a {\n".repeat(198)}${"}\n".repeat(198)}`), []);
  });

  test("a 10 MB file parses in linear time", { timeout: 120_000 }, () => {
    const unit = 'prometheus.scrape "s" {\n  targets    = [{"__address__" = "localhost:9090"}] // c\n  forward_to = [prometheus.remote_write.default.receiver]\n}\n\n';
    const src = unit.repeat(Math.ceil(10_000_000 / unit.length));
    const started = performance.now();
    const { file, diagnostics } = parseFile("big.alloy", src);
    const elapsed = performance.now() - started;
    assert.deepEqual(diagnostics, []);
    assert.equal(file.body.length, Math.ceil(10_000_000 / unit.length));
    assert.ok(elapsed < 60_000, `took ${elapsed} ms`);
  });
});

describe("decodeSource", () => {
  const bytes = (...b: number[]) => new Uint8Array(b);

  test("valid UTF-8", () => {
    assert.deepEqual(decodeSource("f", new TextEncoder().encode("a = \"é😀\"")), { text: 'a = "é😀"', diagnostics: [] });
  });

  test("a UTF-8 byte order mark is stripped", () => {
    assert.deepEqual(decodeSource("f", bytes(0xef, 0xbb, 0xbf, 0x61)), { text: "a", diagnostics: [] });
  });

  test("invalid UTF-8 is reported at the bad byte", () => {
    const { text, diagnostics } = decodeSource("bad.alloy", bytes(0x61, 0x0a, 0x62, 0xc3, 0xa9, 0xff, 0x63));
    assert.equal(text, undefined);
    assert.deepEqual(diagnostics.map((d) => [d.file, d.start, d.message]), [
      ["bad.alloy", { offset: 4, line: 2, col: 3 }, "invalid UTF-8 in file"],
    ]);
  });

  const invalid: Array<[string, Uint8Array, number]> = [
    ["overlong encoding", bytes(0x41, 0xc0, 0x80), 2],
    ["encoded surrogate", bytes(0xed, 0xa0, 0x80), 1],
    ["beyond U+10FFFF", bytes(0xf4, 0x90, 0x80, 0x80), 1],
    ["truncated at the end", bytes(0x41, 0x42, 0xe2, 0x82), 3],
    ["stray continuation byte after an astral character", bytes(0xf0, 0x9f, 0x98, 0x80, 0x80), 2],
  ];
  for (const [name, input, col] of invalid) {
    test(name, () => {
      const { text, diagnostics } = decodeSource("f", input);
      assert.equal(text, undefined);
      assert.deepEqual(diagnostics.map((d) => [d.start.line, d.start.col]), [[1, col]]);
    });
  }
});
