// Go fmt.Sprintf subset for Format (ottl.md §5.3).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { goSprintf } from "../../../../src/ottl/functions/lib/gofmt.ts";
import { ODuration, OTime, PList, PMap } from "../../../../src/ottl/values.ts";

describe("goSprintf", () => {
  const cases: Array<[string, unknown[], string]> = [
    ["%s-%d", ["a", 7n], "a-7"],
    ["%02d", [5n], "05"],
    ["%04d-%02d-%02d", [2024n, 3n, 9n], "2024-03-09"],
    ["%+d % d", [5n, 5n], "+5  5"],
    ["%-5d|", [42n], "42   |"],
    ["%5s|%-5s|", ["ab", "cd"], "   ab|cd   |"],
    ["%x %X %o %b %#x", [255n, 255n, 8n, 5n, 255n], "ff FF 10 101 0xff"],
    ["%x", ["hi"], "6869"],
    ["%f %.2f %8.3f", [3.14159, 3.14159, 3.14159], "3.141590 3.14    3.142"],
    ["%e %E", [1234.5678, 0.000123], "1.234568e+03 1.230000E-04"],
    ["%g %g %g %g", [100000, 1000000, 0.0001, 0.00001], "100000 1e+06 0.0001 1e-05"],
    ["%v %v %v", [1.5, 2, 1e21], "1.5 2 1e+21"],
    ["%.3g", [3.14159], "3.14"],
    ["%v %v %t", [true, "x", false], "true x false"],
    ["%q", ["a\"b"], '"a\\"b"'],
    ["%c%c", [72n, 105n], "Hi"],
    ["%%", [], "%"],
    ["%5.1f%%", [99.44], " 99.4%"],
    ["%s", [-0], "%!s(float64=-0)"],
    ["%d", ["x"], "%!d(string=x)"],
    ["%d", [1.5], "%!d(float64=1.5)"],
    ["%s", [5n], "%!s(int64=5)"],
    ["%s %s", ["a"], "a %!s(MISSING)"],
    ["%s", ["a", 1n, "b"], "a%!(EXTRA int64=1, string=b)"],
    ["%v %s %d", [null, null, null], "<nil> %!s(<nil>) %!d(<nil>)"],
    ["%z", [1n], "%!z(int64=1)"],
    ["%[2]s %[1]s", ["a", "b"], "b a"],
    ["%*d", [4n, 7n], "   7"],
    ["%v %v", [Infinity, NaN], "+Inf NaN"],
    ["%05d", [-42n], "-0042"],
    ["trailing %", [], "trailing %!(NOVERB)"],
  ];
  for (const [format, args, want] of cases) {
    test(`${format} ${JSON.stringify(args, (_, v) => (typeof v === "bigint" ? `${v}n` : v))}`, () => assert.equal(goSprintf(format, args as never), want));
  }

  test("maps and lists render as JSON, times and durations as Go prints them", () => {
    const m = PMap.of([["b", 1n], ["a", "x"]]);
    assert.equal(goSprintf("%v", [m]), '{"a":"x","b":1}');
    assert.equal(goSprintf("%v", [PList.of([1n, "a"])]), '[1,"a"]');
    assert.equal(goSprintf("%v", [new ODuration(90_000_000_000n)]), "1m30s");
    assert.equal(goSprintf("%v", [new OTime(1_700_000_000_000_000_000n)]), "2023-11-14 22:13:20 +0000 UTC");
    assert.equal(goSprintf("%s", [new Uint8Array([104, 105])]), "hi");
    assert.equal(goSprintf("%v", [new Uint8Array([1, 2])]), "[1 2]");
  });

  test("multi-byte text and widths count characters", () => {
    assert.equal(goSprintf("%3s|", ["é"]), "  é|");
    assert.equal(goSprintf("%.2s", ["héllo"]), "hé");
  });
});
