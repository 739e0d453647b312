import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseByteSize } from "../../src/runtime/bytesize.ts";
import { ValueError } from "../../src/runtime/value.ts";

function rejects(input: string, pattern: RegExp): void {
  assert.throws(() => parseByteSize(input), (err: unknown) => err instanceof ValueError && pattern.test(err.message));
}

describe("parseByteSize", () => {
  test("IEC units", () => {
    assert.equal(parseByteSize("100B"), 100);
    assert.equal(parseByteSize("512KiB"), 512 * 1024);
    assert.equal(parseByteSize("4MiB"), 4 * 1024 ** 2);
    assert.equal(parseByteSize("1GiB"), 1024 ** 3);
    assert.equal(parseByteSize("2TiB"), 2 * 1024 ** 4);
    assert.equal(parseByteSize("1PiB"), 1024 ** 5);
    assert.equal(parseByteSize("1EiB"), 1024 ** 6);
  });

  test("KB, MB, GB also mean powers of 1024 (spec §4)", () => {
    assert.equal(parseByteSize("1KB"), 1024);
    assert.equal(parseByteSize("20MB"), 20 * 1024 ** 2);
    assert.equal(parseByteSize("3GB"), 3 * 1024 ** 3);
  });

  test("plain integers are bytes", () => {
    assert.equal(parseByteSize("1024"), 1024);
    assert.equal(parseByteSize("0"), 0);
  });

  test("decimals, compound terms and signs follow the Go units grammar", () => {
    assert.equal(parseByteSize("1.5KiB"), 1536);
    assert.equal(parseByteSize("1.5B"), 1); // fractional bytes truncate
    assert.equal(parseByteSize("1GiB512MiB"), 1024 ** 3 + 512 * 1024 ** 2);
    assert.equal(parseByteSize("-1KiB"), -1024);
  });

  test("clear errors", () => {
    rejects("", /^invalid byte size "": expected a number followed by a unit/);
    rejects("abc", /^invalid byte size "abc": expected a number/);
    rejects("5XB", /^invalid byte size "5XB": unknown unit "XB" \(use B, KiB, .* KB, MB/);
    rejects("4mb", /unknown unit "mb"/); // units are case-sensitive
    rejects("4 MiB", /unknown unit " MiB"/);
    rejects("1.5", /missing unit/);
    rejects("1KiB1KB", /KiB-style and KB-style units cannot be mixed/);
  });
});
