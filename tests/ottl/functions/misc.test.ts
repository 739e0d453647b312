// IsRootSpan, Base64Decode, IsValidLuhn, IsInCIDR, Sort, SliceToMap (ottl.md §5.3 tier C).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { SpanSchema } from "../../../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import { ResourceSchema } from "../../../gen/opentelemetry/proto/resource/v1/resource_pb.ts";
import { compileStatement } from "../../../src/ottl/compile.ts";
import { OttlCompileError, OttlRuntimeError } from "../../../src/ottl/errors.ts";
import { cidrContains, parseCIDR, parseIP } from "../../../src/ottl/functions/lib/ip.ts";
import { MutableTransformContext } from "../../../src/ottl/tctx.ts";
import { PMap } from "../../../src/ottl/values.ts";
import { compileExpr, evaluate, plain } from "./helpers.ts";

describe("IsRootSpan", () => {
  function run(parent: Uint8Array): boolean {
    const t = new MutableTransformContext("span");
    t.resource = create(ResourceSchema);
    t.span = create(SpanSchema, { parentSpanId: parent, name: "s" });
    compileStatement(`set(span.attributes["root"], true) where IsRootSpan()`, { context: "span" }).run(t);
    return new PMap(t.span.attributes).get("root") === true;
  }
  test("all-zero or empty parent ids are roots", () => {
    assert.equal(run(new Uint8Array(8)), true);
    assert.equal(run(new Uint8Array(0)), true);
    assert.equal(run(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1)), false);
  });
  test("span context only", () => {
    assert.throws(() => compileStatement(`set(log.attributes["r"], IsRootSpan())`, { context: "log" }), OttlCompileError);
  });
});

describe("Base64Decode", () => {
  test("decodes standard base64; invalid input fails", () => {
    assert.equal(evaluate(`Base64Decode("aGVsbG8gd29ybGQ=")`), "hello world");
    assert.throws(() => evaluate(`Base64Decode("not base64!")`), OttlRuntimeError);
  });
});

describe("IsValidLuhn", () => {
  test("strings and ints", () => {
    assert.equal(evaluate(`IsValidLuhn("17893729974")`), true);
    assert.equal(evaluate(`IsValidLuhn(17893729974)`), true);
    assert.equal(evaluate(`IsValidLuhn("17893729975")`), false);
    assert.equal(evaluate(`IsValidLuhn("4111111111111111")`), true);
  });
  test("other values fail", () => {
    for (const e of [`IsValidLuhn("4111-1111")`, `IsValidLuhn("")`, `IsValidLuhn(1.5)`, `IsValidLuhn(-5)`, `IsValidLuhn(nil)`]) assert.throws(() => evaluate(e), OttlRuntimeError, e);
  });
});

describe("IsInCIDR", () => {
  test("IPv4 and IPv6", () => {
    assert.equal(evaluate(`IsInCIDR("192.168.1.10", ["192.168.0.0/16"])`), true);
    assert.equal(evaluate(`IsInCIDR("10.1.2.3", ["192.168.0.0/16", "10.0.0.0/8"])`), true);
    assert.equal(evaluate(`IsInCIDR("11.1.2.3", ["10.0.0.0/8"])`), false);
    assert.equal(evaluate(`IsInCIDR("2001:db8::1", ["2001:db8::/32"])`), true);
    assert.equal(evaluate(`IsInCIDR("2001:db9::1", ["2001:db8::/32"])`), false);
    assert.equal(evaluate(`IsInCIDR("::ffff:10.0.0.1", ["10.0.0.0/8"])`), true);
    assert.equal(evaluate(`IsInCIDR("10.0.0.1", ["::/0"])`), false);
    assert.equal(evaluate(`IsInCIDR("1.2.3.4", ["0.0.0.0/0"])`), true);
  });
  test("bad networks fail at load, bad addresses at run time", () => {
    assert.throws(() => compileExpr(`IsInCIDR("1.2.3.4", ["10.0.0.0"])`), OttlCompileError);
    assert.throws(() => compileExpr(`IsInCIDR("1.2.3.4", ["10.0.0.0/33"])`), OttlCompileError);
    assert.throws(() => evaluate(`IsInCIDR("1.2.3", ["10.0.0.0/8"])`), OttlRuntimeError);
    assert.throws(() => evaluate(`IsInCIDR(1, ["10.0.0.0/8"])`), OttlRuntimeError);
  });
  test("address parsing", () => {
    assert.deepEqual(parseIP("::1"), Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1));
    assert.equal(parseIP("01.2.3.4"), undefined);
    assert.equal(parseIP("1::2::3"), undefined);
    assert.equal(parseIP("1:2:3:4:5:6:7:8:9"), undefined);
    assert.ok(cidrContains(parseCIDR("fe80::/10")!, parseIP("fe80::1234:5678")!));
  });
});

describe("Sort", () => {
  test("by element types", () => {
    assert.deepEqual(plain(`Sort([3, 1, 2])`), [1n, 2n, 3n]);
    assert.deepEqual(plain(`Sort([2.5, 1, 1.5])`), [1n, 1.5, 2.5]);
    assert.deepEqual(plain(`Sort(["b", "a", "B"])`), ["B", "a", "b"]);
    assert.deepEqual(plain(`Sort([true, false])`), [false, true]);
    assert.deepEqual(plain(`Sort([10, "9", true])`), [10n, "9", true]);
    assert.deepEqual(plain(`Sort([1, 3, 2], "desc")`), [3n, 2n, 1n]);
    assert.deepEqual(plain(`Sort([])`), []);
  });
  test("errors", () => {
    assert.throws(() => evaluate(`Sort([1, {}])`), OttlRuntimeError);
    assert.throws(() => evaluate(`Sort("abc")`), OttlRuntimeError);
    assert.throws(() => compileExpr(`Sort([1], "up")`), OttlCompileError);
  });
});

describe("SliceToMap", () => {
  const things = { things: [{ name: "foo", value: 2n }, { name: "bar", value: 5n }] };
  test("README examples", () => {
    assert.deepEqual(plain(`SliceToMap(log.attributes["things"], ["name"])`, { attributes: things }), { foo: { name: "foo", value: 2n }, bar: { name: "bar", value: 5n } });
    assert.deepEqual(plain(`SliceToMap(log.attributes["things"])`, { attributes: things }), { "0": { name: "foo", value: 2n }, "1": { name: "bar", value: 5n } });
    assert.deepEqual(plain(`SliceToMap(log.attributes["things"], ["name"], ["value"])`, { attributes: things }), { foo: 2n, bar: 5n });
  });
  test("missing keys fail", () => {
    assert.throws(() => evaluate(`SliceToMap(log.attributes["things"], ["nope"])`, { attributes: things }), OttlRuntimeError);
    assert.throws(() => evaluate(`SliceToMap([1], ["name"])`), OttlRuntimeError);
  });
});
