// Regular expressions follow Go RE2 (ottl.md §7.1 item 6): syntax accepted and rejected as Go
// does, linear-time matching, Go's replacement template expansion.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { compileRegex } from "../../src/ottl/regex.ts";
import { compileError, cond, log, tctx } from "./helpers.ts";

const rejects = (pattern: string, why: RegExp) => assert.throws(() => compileRegex(pattern), why);

describe("RE2 syntax", () => {
  test("named groups (?P<name>…) and (?<name>…)", () => {
    assert.deepEqual(compileRegex("(?P<a>x)(?<b>y)").groupNames, ["", "a", "b"]);
  });
  test("leading inline flags (?i) (?s) (?m)", () => {
    assert.equal(compileRegex("(?i)abc").test("ABC"), true);
    assert.equal(compileRegex("(?s)a.b").test("a\nb"), true);
    assert.equal(compileRegex("a.b").test("a\nb"), false);
    assert.equal(compileRegex("(?m)^b$").test("a\nb"), true);
  });
  test("\\A, \\z and POSIX classes", () => {
    assert.equal(compileRegex("\\Aab\\z").test("ab"), true);
    assert.equal(compileRegex("\\Aab\\z").test("ab\n"), false);
    assert.equal(compileRegex("^[[:alpha:]]+$").test("abcXYZ"), true);
    assert.equal(compileRegex("\\pL+").test("é"), true);
  });
  test("lookahead (a JS feature) is rejected", () => rejects("a(?=b)", /invalid or unsupported Perl syntax/));
  test("lookbehind is rejected", () => rejects("(?<=a)b", /invalid named capture/));
  test("backreferences are rejected", () => rejects("(a)\\1", /invalid escape sequence/));
  test("possessive quantifiers are rejected", () => rejects("a*+", /invalid nested repetition/));
  test("JS-only escapes like \\u0041 are rejected", () => rejects("\\u0041", /invalid escape sequence/));
  test("repeat counts above 1000 are rejected", () => rejects("a{1001}", /invalid repeat count/));
  test("unbalanced parentheses", () => rejects("(a", /missing closing \)/));
  test("an invalid regex in a statement is a load error with Go's message", () => {
    assert.match(compileError("log", 'replace_pattern(attributes["a"], "a(?=b)", "x")').message, /error parsing regexp: invalid or unsupported Perl syntax/);
  });
  test("an invalid regex in a condition is a load error", () => {
    assert.match(compileError("log", 'IsMatch(body, "[")', true).message, /missing closing \]/);
  });
});

describe("linear time", () => {
  test("catastrophic backtracking patterns stay linear", () => {
    const re = compileRegex("(a+)+$");
    const input = "a".repeat(50_000) + "b";
    const t0 = performance.now();
    assert.equal(re.test(input), false);
    assert.ok(performance.now() - t0 < 2000, "must not backtrack exponentially");
  });
  test("nested quantifiers with alternation", () => {
    const re = compileRegex("^(a|aa)*$");
    const t0 = performance.now();
    assert.equal(re.test("a".repeat(20_000) + "!"), false);
    assert.ok(performance.now() - t0 < 2000);
  });
  test("in a condition on a large attribute", () => {
    const l = log({ v: "x".repeat(100_000) + "y" });
    assert.equal(cond("log", 'IsMatch(attributes["v"], "(x+x+)+y$")', tctx("log", { log: l })), true);
  });
});

describe("replacement templates (Go Regexp.Expand)", () => {
  const re = compileRegex("(?P<first>a)(b)");
  const expand = (tpl: string) => re.replaceAll("ab", tpl);
  test("$1 and ${1}", () => assert.equal(expand("${2}${1}"), "ba"));
  test("$1x names group 1x, which is empty", () => assert.equal(expand("$1x$2"), "b"));
  test("$$ is a literal $", () => assert.equal(expand("$$1"), "$1"));
  test("named references", () => assert.equal(expand("<$first>"), "<a>"));
  test("a malformed reference keeps the $", () => assert.equal(expand("$-"), "$-"));
  test("unknown names expand to nothing", () => assert.equal(expand("[${nope}]"), "[]"));
  test("indexes are UTF-16 safe across astral characters", () => assert.equal(compileRegex("é(.)").replaceAll("xé😀z", "[$1]"), "x[😀]z"));
});
