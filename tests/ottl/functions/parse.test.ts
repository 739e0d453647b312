// ParseJSON, ParseKeyValue, ToKeyValueString, URL (ottl.md §5.3, E8, §7.1 items 8–9).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { OttlCompileError, OttlRuntimeError } from "../../../src/ottl/errors.ts";
import { attributesOf, compileExpr, evaluate, plain, runLog } from "./helpers.ts";

describe("ParseJSON", () => {
  test("objects and arrays; every number is a float; null is nil", () => {
    assert.deepEqual(plain(`ParseJSON("{\\"attr\\":true}")`), { attr: true });
    assert.deepEqual(plain(`ParseJSON("[\\"attr1\\",\\"attr2\\"]")`), ["attr1", "attr2"]);
    const v = plain(`ParseJSON(log.body)`, { body: '{"n":3,"f":1.5,"big":12345678901234567890,"z":null,"o":{"l":[1,{"x":"y"}]}}' }) as Record<string, unknown>;
    assert.deepEqual(v, { n: 3, f: 1.5, big: 12345678901234567000, z: null, o: { l: [1, { x: "y" }] } });
    assert.equal(typeof v.n, "number");
  });
  test("E8: through the cache, numbers become doubles", () => {
    const statements = [
      `merge_maps(log.cache, ParseJSON(log.body), "upsert") where IsString(log.body) and IsMatch(log.body, "^\\\\{")`,
      `set(log.attributes["user"], log.cache["user"]["id"])`,
      `set(log.attributes["count"], log.cache["n"])`,
    ];
    const t = runLog(statements, { body: '{"user":{"id":"u1"},"n":3}' });
    assert.deepEqual(attributesOf(t), { user: "u1", count: 3 });
    assert.equal(typeof attributesOf(t).count, "number");
    assert.deepEqual(attributesOf(runLog(statements, { body: "plain text" })), {});
  });
  test("indexing the result", () => {
    assert.equal(evaluate(`ParseJSON("{\\"user\\":{\\"id\\":7}}")["user"]["id"]`), 7);
  });
  test("Unicode, escapes and duplicate keys (last wins)", () => {
    assert.deepEqual(plain(`ParseJSON(log.body)`, { body: '{"k":"\\u00e9\\n","k2":"😀","d":1,"d":2}' }), { k: "é\n", k2: "😀", d: 2 });
  });
  test("invalid JSON, scalars and non-strings fail", () => {
    for (const body of ["{", "", "42", '"str"', "null", "{'a':1}"]) assert.throws(() => evaluate(`ParseJSON(log.body)`, { body }), OttlRuntimeError, body);
    assert.throws(() => evaluate(`ParseJSON(log.body)`, { body: { a: 1n } }), OttlRuntimeError);
    assert.throws(() => evaluate(`ParseJSON(log.attributes["missing"])`), OttlRuntimeError);
  });
  test("__proto__ is an ordinary key", () => {
    assert.deepEqual(plain(`Keys(ParseJSON(log.body))`, { body: '{"__proto__":{"x":1},"a":2}' }), ["__proto__", "a"]);
  });
  test("bytes holding JSON", () => {
    assert.deepEqual(plain(`ParseJSON(0x7b2261223a317d)`), { a: 1 });
  });
});

describe("ParseKeyValue", () => {
  test("defaults and custom delimiters", () => {
    assert.deepEqual(plain(`ParseKeyValue("k1=v1 k2=v2 k3=v3")`), { k1: "v1", k2: "v2", k3: "v3" });
    assert.deepEqual(plain(`ParseKeyValue("k1!v1_k2!v2_k3!v3", "!", "_")`), { k1: "v1", k2: "v2", k3: "v3" });
    assert.deepEqual(plain(`ParseKeyValue("a:1;b:2", pair_delimiter = ";", delimiter = ":")`), { a: "1", b: "2" });
  });
  test("quoted values, values holding the delimiter, extra spaces", () => {
    assert.deepEqual(plain(`ParseKeyValue(log.body)`, { body: `msg="hello world" path='/a b' eq=x=y  n=1 ` }), { msg: "hello world", path: "/a b", eq: "x=y", n: "1" });
  });
  test("values are always strings", () => {
    assert.equal(typeof (plain(`ParseKeyValue("n=1")`) as Record<string, unknown>).n, "string");
  });
  test("errors", () => {
    assert.throws(() => evaluate(`ParseKeyValue("")`), /empty target/);
    assert.throws(() => evaluate(`ParseKeyValue("a=1 b")`), OttlRuntimeError);
    assert.throws(() => evaluate(`ParseKeyValue("a=\\"1")`), /quoted/);
    assert.throws(() => evaluate(`ParseKeyValue(1)`), OttlRuntimeError);
    assert.throws(() => compileExpr(`ParseKeyValue("a", ",", ",")`), OttlCompileError);
  });
});

describe("ToKeyValueString", () => {
  test("defaults, custom delimiters, sorting", () => {
    assert.equal(evaluate(`ToKeyValueString({"k1": "v1", "k2": "v2"})`), "k1=v1 k2=v2");
    assert.equal(evaluate(`ToKeyValueString({"b": "2", "a": "1"}, ":", ",", true)`), "a:1,b:2");
  });
  test("nested values as JSON, quoting and escaping", () => {
    assert.equal(evaluate(`ToKeyValueString({"k1": "v1", "k2": {"k3": "v3", "k4": ["v4", "v5"]}}, sort_output = true)`), 'k1=v1 k2={"k3":"v3","k4":["v4","v5"]}');
    assert.equal(evaluate(`ToKeyValueString({"k1": "v1", "k2": "v=2", "k3": "\\"v=3\\""})`), 'k1=v1 k2="v=2" k3="\\"v=3\\""');
    assert.equal(evaluate(`ToKeyValueString({"k": "a b"})`), 'k="a b"');
  });
  test("scalars", () => {
    assert.equal(evaluate(`ToKeyValueString({"i": 1, "f": 1.5, "b": true, "n": nil})`), "i=1 f=1.5 b=true n=");
  });
  test("a non-map fails; equal delimiters fail at load", () => {
    assert.throws(() => evaluate(`ToKeyValueString("a=b")`), OttlRuntimeError);
    assert.throws(() => compileExpr(`ToKeyValueString({}, "=", "=")`), OttlCompileError);
  });
  test("round trip with ParseKeyValue", () => {
    assert.deepEqual(plain(`ParseKeyValue(ToKeyValueString({"a": "x y", "b": "1"}))`), { a: "x y", b: "1" });
  });
});

describe("URL", () => {
  test("README examples", () => {
    assert.deepEqual(plain(`URL("http://www.example.com")`), {
      "url.original": "http://www.example.com",
      "url.scheme": "http",
      "url.domain": "www.example.com",
      "url.path": "",
    });
    assert.deepEqual(plain(`URL("http://myusername:mypassword@www.example.com:80/foo.gif?key1=val1&key2=val2#fragment")`), {
      "url.original": "http://myusername:mypassword@www.example.com:80/foo.gif?key1=val1&key2=val2#fragment",
      "url.scheme": "http",
      "url.domain": "www.example.com",
      "url.path": "/foo.gif",
      "url.port": 80n,
      "url.fragment": "fragment",
      "url.user_info": "myusername:mypassword",
      "url.username": "myusername",
      "url.password": "mypassword",
      "url.query": "key1=val1&key2=val2",
      "url.extension": "gif",
    });
  });
  test("IPv6 hosts, decoded paths, no extension for a trailing dot", () => {
    const v = plain(`URL("https://[2001:db8::1]:8443/a%20b/file.")`) as Record<string, unknown>;
    assert.equal(v["url.domain"], "2001:db8::1");
    assert.equal(v["url.port"], 8443n);
    assert.equal(v["url.path"], "/a b/file.");
    assert.equal(v["url.extension"], undefined);
    assert.equal(v["url.original"], "https://[2001:db8::1]:8443/a%20b/file.");
  });
  test("relative references", () => {
    assert.deepEqual(plain(`URL("/path/x.json?q=1")`), { "url.original": "/path/x.json?q=1", "url.scheme": "", "url.domain": "", "url.path": "/path/x.json", "url.query": "q=1", "url.extension": "json" });
  });
  test("malformed URLs and non-strings fail", () => {
    for (const e of [`URL(":x")`, `URL("http://h:p/")`, `URL("http://x/%zz")`, `URL(1)`]) assert.throws(() => evaluate(e), OttlRuntimeError, e);
  });
});
