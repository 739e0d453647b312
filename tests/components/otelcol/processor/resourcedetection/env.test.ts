import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { envDetector, parseResourceAttributes } from "../../../../../src/components/otelcol/processor/resourcedetection/detectors/env.ts";
import { all, fakeContext } from "./local_fakes.ts";

const detect = (env: Record<string, string>) => envDetector.detect(fakeContext({ env }), {}, all);

describe("env detector (spec §2.3)", () => {
  test("reads OTEL_RESOURCE_ATTRIBUTES; every value is a string", async () => {
    const d = await detect({ OTEL_RESOURCE_ATTRIBUTES: "service.name=gw,deployment.environment=prod,n=3" });
    assert.deepEqual(d.attributes, { "service.name": "gw", "deployment.environment": "prod", n: "3" });
    assert.equal(d.schemaUrl, undefined);
  });

  test("falls back to OTEL_RESOURCE only when OTEL_RESOURCE_ATTRIBUTES is empty or unset", async () => {
    assert.deepEqual((await detect({ OTEL_RESOURCE: "a=old" })).attributes, { a: "old" });
    assert.deepEqual((await detect({ OTEL_RESOURCE_ATTRIBUTES: "  ", OTEL_RESOURCE: "a=old" })).attributes, { a: "old" });
    assert.deepEqual((await detect({ OTEL_RESOURCE_ATTRIBUTES: "a=new", OTEL_RESOURCE: "a=old" })).attributes, { a: "new" });
  });

  test("both unset or empty → nothing, no error", async () => {
    assert.deepEqual((await detect({})).attributes, {});
    assert.deepEqual((await detect({ OTEL_RESOURCE_ATTRIBUTES: "", OTEL_RESOURCE: " " })).attributes, {});
  });

  test("percent-decoding and + as a space (URL query unescaping)", () => {
    assert.deepEqual(parseResourceAttributes("k=a%2Cb%3Dc,msg=hello+world,u=caf%C3%A9,p=100%25"), { k: "a,b=c", msg: "hello world", u: "café", p: "100%" });
  });

  test("whitespace around keys, =, values and commas is trimmed", () => {
    assert.deepEqual(parseResourceAttributes("  a = 1 ,\tb=  two words  , c =3  "), { a: "1", b: "two words", c: "3" });
  });

  test("empty values are kept; the value runs to the next comma", () => {
    assert.deepEqual(parseResourceAttributes("a=,b=x=y"), { a: "", b: "x=y" });
  });

  test("a trailing comma is accepted; a later duplicate key wins", () => {
    assert.deepEqual(parseResourceAttributes("a=1,a=2,"), { a: "2" });
  });

  test("upstream's pattern lets a key start with a stray comma", () => {
    assert.deepEqual(parseResourceAttributes("a=1,,b=2"), { a: "1", ",b": "2" });
  });

  test("bad pairs give a clear `invalid resource format` error", () => {
    assert.throws(() => parseResourceAttributes("foo"), /^Error: invalid resource format: "foo"$/);
    assert.throws(() => parseResourceAttributes("a=1,foo"), /^Error: invalid resource format, invalid text: "foo"$/);
    assert.throws(() => parseResourceAttributes("a=1,b"), /invalid resource format, invalid text: "b"/);
    assert.throws(() => parseResourceAttributes("=v"), /invalid resource format/);
  });

  test("a bad % escape is an error naming the pair", () => {
    assert.throws(() => parseResourceAttributes("ok=1,bad=%zz"), /^Error: invalid resource format in attribute: "bad=%zz", err: invalid URL escape$/);
    assert.throws(() => parseResourceAttributes("bad=50%"), /invalid resource format in attribute/);
  });

  test("non-ASCII text and overlong keys or values fit no pair", () => {
    assert.throws(() => parseResourceAttributes("k=café"), /invalid resource format/);
    assert.throws(() => parseResourceAttributes(`${"k".repeat(257)}=v`), /invalid resource format/);
    assert.throws(() => parseResourceAttributes(`k=${"v".repeat(257)}`), /invalid resource format/);
    assert.deepEqual(Object.keys(parseResourceAttributes(`${"k".repeat(256)}=${"v".repeat(256)}`)), ["k".repeat(256)]);
  });

  test("the detector rejects bad input, contributing nothing", async () => {
    await assert.rejects(detect({ OTEL_RESOURCE_ATTRIBUTES: "a=1,oops" }), /invalid resource format/);
  });

  test("env has no block and no switches", () => {
    assert.equal(envDetector.block, undefined);
    assert.deepEqual(envDetector.attributes, {});
  });
});
