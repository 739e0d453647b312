// Hashes, ids, UUIDs, Hex, Base64Encode, Decode (ottl.md §5.3).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { OttlCompileError, OttlRuntimeError } from "../../../src/ottl/errors.ts";
import { SpanID, TraceID } from "../../../src/ottl/values.ts";
import { attributesOf, compileExpr, evaluate, runLog } from "./helpers.ts";

describe("string hashes", () => {
  test("digests as lowercase hex", () => {
    assert.equal(evaluate(`SHA256("abc")`), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert.equal(evaluate(`SHA1("abc")`), "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert.equal(evaluate(`MD5("abc")`), "900150983cd24fb0d6963f7d28e17f72");
    assert.equal((evaluate(`SHA512("abc")`) as string).length, 128);
  });
  test("FNV is a signed int64", () => {
    assert.equal(evaluate(`FNV("a")`), BigInt.asIntN(64, 0xaf63dc4c8601ec8cn));
  });
  test("Murmur3 as little-endian hex", () => {
    assert.equal(evaluate(`Murmur3Hash("hello")`), "47fa8b24");
    assert.equal((evaluate(`Murmur3Hash128("hello")`) as string).length, 32);
  });
  test("upstream returns the empty string unchanged for SHA*, MD5 and FNV", () => {
    for (const fn of ["SHA1", "SHA256", "SHA512", "MD5", "FNV"]) assert.equal(evaluate(`${fn}("")`), "", fn);
    assert.equal(evaluate(`Murmur3Hash("")`), "00000000");
  });
  test("non-strings and nil fail", () => {
    for (const e of [`SHA256(1)`, `SHA256(nil)`, `MD5(0x01)`, `FNV(log.attributes["missing"])`]) assert.throws(() => evaluate(e), OttlRuntimeError, e);
  });
  test("as the function argument of replace_pattern", () => {
    const t = runLog([`replace_pattern(log.attributes["email"], "^(.*)@", "$1", SHA256, "user-%s@")`], { attributes: { email: "abc@example.com" } });
    assert.equal(attributesOf(t).email, "user-ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad@example.com");
  });
});

describe("TraceID / SpanID", () => {
  test("from bytes and hex strings", () => {
    assert.equal(evaluate(`String(TraceID(0x0102030405060708090a0b0c0d0e0f10))`), "0102030405060708090a0b0c0d0e0f10");
    assert.equal(evaluate(`String(TraceID("A389023ABAA839283293ED323892389D"))`), "a389023abaa839283293ed323892389d");
    assert.equal(evaluate(`String(SpanID("0102030405060708"))`), "0102030405060708");
    assert.equal(evaluate(`IsEmpty(SpanID(0x0000000000000000))`), true);
  });
  test("wrong sizes and types fail", () => {
    for (const e of [`TraceID(0x0102)`, `TraceID("abc")`, `TraceID("zz89023abaa839283293ed323892389d")`, `SpanID(1)`, `SpanID(nil)`, `SpanID("01020304050607")`]) {
      assert.throws(() => evaluate(e), OttlRuntimeError, e);
    }
  });
  test("values are id types", () => {
    const t = runLog([`set(log.cache["ok"], true) where TraceID("a389023abaa839283293ed323892389d") == TraceID(0xa389023abaa839283293ed323892389d)`]);
    assert.equal(t.cache.get("ok"), true);
    assert.ok(new TraceID(new Uint8Array(16)) instanceof TraceID && new SpanID(new Uint8Array(8)) instanceof SpanID);
  });
});

describe("UUID", () => {
  test("v4 and v7 shapes; v7 is time-ordered", () => {
    assert.match(evaluate(`UUID()`) as string, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const a = evaluate(`UUIDv7()`) as string;
    assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const ms = parseInt(a.replaceAll("-", "").slice(0, 12), 16);
    assert.ok(Math.abs(ms - Date.now()) < 60_000);
    assert.notEqual(evaluate(`UUID()`), evaluate(`UUID()`));
  });
});

describe("Hex", () => {
  test("bytes of strings, ints, floats, bools and byte values", () => {
    assert.equal(evaluate(`Hex("1")`), "31");
    assert.equal(evaluate(`Hex(12)`), "000000000000000c");
    assert.equal(evaluate(`Hex(1.1)`), "3ff199999999999a");
    assert.equal(evaluate(`Hex(true)`), "01");
    assert.equal(evaluate(`Hex(0x02)`), "02");
    assert.equal(evaluate(`Hex(nil)`), null);
    assert.equal(evaluate(`Hex({})`), null);
  });
});

describe("Base64Encode / Decode", () => {
  test("variants", () => {
    assert.equal(evaluate(`Base64Encode("test string")`), "dGVzdCBzdHJpbmc=");
    assert.equal(evaluate(`Base64Encode("hello?>", "base64-url")`), "aGVsbG8_Pg==");
    assert.equal(evaluate(`Base64Encode("hello?>", "base64-raw-url")`), "aGVsbG8_Pg");
    assert.throws(() => compileExpr(`Base64Encode("x", "base32")`), OttlCompileError);
  });
  test("Decode base64 and charsets", () => {
    assert.equal(evaluate(`Decode("aGVsbG8gd29ybGQ=", "base64")`), "hello world");
    assert.equal(evaluate(`Decode("aGVsbG8gd29ybGQ", "base64-raw")`), "hello world");
    assert.equal(evaluate(`Decode(0xe9, "iso-8859-1")`), "é");
    assert.equal(evaluate(`Decode("abc", "us-ascii")`), "abc");
    assert.throws(() => evaluate(`Decode("@@", "base64")`), OttlRuntimeError);
    assert.throws(() => evaluate(`Decode("abc", "no-such-charset")`), OttlRuntimeError);
    assert.throws(() => evaluate(`Decode(1, "base64")`), OttlRuntimeError);
  });
});
