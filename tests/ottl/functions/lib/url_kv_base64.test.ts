// URL parsing (Go net/url), key=value splitting, base64 variants (ottl.md §5.3).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { OttlRuntimeError } from "../../../../src/ottl/errors.ts";
import { base64ToBytes, bytesToBase64 } from "../../../../src/ottl/functions/lib/base64.ts";
import { formatKeyValuePairs, parseKeyValuePairs, splitQuoted } from "../../../../src/ottl/functions/lib/keyvalue.ts";
import { formatGoURL, parseGoURL, splitHostPort, urlText } from "../../../../src/ottl/functions/lib/url.ts";

describe("parseGoURL / formatGoURL", () => {
  test("round trips", () => {
    for (const u of [
      "http://www.example.com",
      "http://user:pass@host:8080/p/a/t/h?query=1#frag",
      "https://[::1]:443/x",
      "mailto:someone@example.com",
      "/relative/path?x=1",
      "file:///etc/hosts",
      "http://example.com/a%2Fb",
    ]) assert.equal(formatGoURL(parseGoURL(u)), u);
  });
  test("escapes what Go escapes", () => {
    assert.equal(formatGoURL(parseGoURL("http://example.com/a b")), "http://example.com/a%20b");
    assert.equal(formatGoURL(parseGoURL("http://example.com/é")), "http://example.com/%C3%A9");
  });
  test("decoded parts", () => {
    const u = parseGoURL("http://us%40er:p%3Ass@Example.COM:80/caf%C3%A9.html?q=%20#fr%20ag");
    assert.equal(u.scheme, "http");
    assert.deepEqual(splitHostPort(u.host), ["Example.COM", "80"]);
    assert.equal(urlText(u.path), "/café.html");
    assert.equal(u.rawQuery, "q=%20");
    assert.equal(u.fragment, "fr ag");
    assert.deepEqual(u.user, { username: "us@er", password: "p:ss" });
  });
  test("scheme is lowercased; opaque URLs", () => {
    const u = parseGoURL("HTTP://x/");
    assert.equal(u.scheme, "http");
    assert.equal(parseGoURL("urn:isbn:123").opaque, "isbn:123");
  });
  test("errors", () => {
    assert.throws(() => parseGoURL(":foo"), /missing protocol scheme/);
    assert.throws(() => parseGoURL("http://host:port/"), /invalid port/);
    assert.throws(() => parseGoURL("http://a b.com/"), /invalid character/);
    assert.throws(() => parseGoURL("http://x/%zz"), /invalid URL escape/);
    assert.throws(() => parseGoURL("a:b/c".replace("a:", "1a:")), /first path segment/);
    assert.throws(() => parseGoURL("http://x/\u0001"), /control character/);
  });
});

describe("key=value", () => {
  test("splitQuoted strips quotes and skips empty pieces", () => {
    assert.deepEqual(splitQuoted(`a=1  b="x y" 'c=3 4'`, " "), ["a=1", "b=x y", "c=3 4"]);
    assert.deepEqual(splitQuoted("a=1||b=2||", "||"), ["a=1", "b=2"]);
    assert.throws(() => splitQuoted(`a="open`, " "), OttlRuntimeError);
  });
  test("parseKeyValuePairs", () => {
    assert.deepEqual(parseKeyValuePairs("k1=v1 k2=v2 k3=v3", "=", " "), [["k1", "v1"], ["k2", "v2"], ["k3", "v3"]]);
    assert.deepEqual(parseKeyValuePairs("k1!v1_k2!v2", "!", "_"), [["k1", "v1"], ["k2", "v2"]]);
    assert.deepEqual(parseKeyValuePairs("a=b=c", "=", " "), [["a", "b=c"]]);
    assert.deepEqual(parseKeyValuePairs("a=1 a=2", "=", " "), [["a", "2"]]);
    assert.deepEqual(parseKeyValuePairs("a = 1,b= 2", "=", ","), [["a", "1"], ["b", "2"]]);
    assert.throws(() => parseKeyValuePairs("", "=", " "), /empty target/);
    assert.throws(() => parseKeyValuePairs("a=1 b", "=", " "), /cannot split "b"/);
  });
  test("formatKeyValuePairs quotes values holding a delimiter", () => {
    assert.equal(formatKeyValuePairs([["k1", "v1"], ["k2", "v=2"], ["k3", '"v=3"']], "=", " ", false), 'k1=v1 k2="v=2" k3="\\"v=3\\""');
    assert.equal(formatKeyValuePairs([["b", "2"], ["a", "1"]], ":", ",", true), "a:1,b:2");
  });
});

describe("base64", () => {
  const bytes = new TextEncoder().encode("hello?>");
  test("variants", () => {
    assert.equal(bytesToBase64(bytes), "aGVsbG8/Pg==");
    assert.equal(bytesToBase64(bytes, "base64-raw"), "aGVsbG8/Pg");
    assert.equal(bytesToBase64(bytes, "base64-url"), "aGVsbG8_Pg==");
    assert.equal(bytesToBase64(bytes, "base64-raw-url"), "aGVsbG8_Pg");
  });
  test("strict decoding", () => {
    assert.deepEqual(base64ToBytes("aGVsbG8/Pg=="), bytes);
    assert.deepEqual(base64ToBytes("aGVsbG8_Pg", "base64-raw-url"), bytes);
    assert.equal(base64ToBytes("aGVsbG8/Pg"), null);
    assert.equal(base64ToBytes("aGVsbG8_Pg=="), null);
    assert.equal(base64ToBytes("a"), null);
  });
});
