// Units (prometheus.md §1.1 step 2 and the unit tables, §1.3 metadata).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { metricName } from "../../../src/prom/translate/names.ts";
import { metadataUnit, unitWords } from "../../../src/prom/translate/units.ts";

describe("every main unit of the table", () => {
  const table: [string, string][] = [
    ["d", "days"],
    ["h", "hours"],
    ["min", "minutes"],
    ["s", "seconds"],
    ["ms", "milliseconds"],
    ["us", "microseconds"],
    ["ns", "nanoseconds"],
    ["By", "bytes"],
    ["KiBy", "kibibytes"],
    ["MiBy", "mebibytes"],
    ["GiBy", "gibibytes"],
    ["TiBy", "tibibytes"],
    ["KBy", "kilobytes"],
    ["MBy", "megabytes"],
    ["GBy", "gigabytes"],
    ["TBy", "terabytes"],
    ["m", "meters"],
    ["V", "volts"],
    ["A", "amperes"],
    ["J", "joules"],
    ["W", "watts"],
    ["g", "grams"],
    ["Cel", "celsius"],
    ["Hz", "hertz"],
    ["%", "percent"],
  ];
  for (const [unit, word] of table) {
    test(`${unit} → ${word}`, () => {
      assert.deepEqual(unitWords(unit), { main: word, per: "" });
      assert.equal(metricName("x", unit, "gauge", { addSuffixes: true }), `x_${word}`);
    });
  }

  test("1 → no unit word", () => {
    assert.deepEqual(unitWords("1"), { main: "", per: "" });
    assert.equal(metricName("x", "1", "counter", { addSuffixes: true }), "x_total");
  });

  test("units the current shared module does not map pass through (B, KB, $)", () => {
    assert.equal(unitWords("B").main, "B");
    assert.equal(unitWords("KB").main, "KB");
    assert.equal(unitWords("$").main, "");
  });

  test("unit keys are case-sensitive (`S` is not seconds)", () => assert.equal(unitWords("S").main, "S"));
});

describe("every per unit of the table", () => {
  const table: [string, string][] = [
    ["s", "second"],
    ["m", "minute"],
    ["h", "hour"],
    ["d", "day"],
    ["w", "week"],
    ["mo", "month"],
    ["y", "year"],
  ];
  for (const [unit, word] of table) {
    test(`1/${unit} → per_${word}`, () => {
      assert.deepEqual(unitWords(`1/${unit}`), { main: "", per: word });
      assert.equal(metricName("x", `1/${unit}`, "gauge", { addSuffixes: true }), `x_per_${word}`);
    });
  }

  test("`m` is meters as a main unit and minute as a per unit", () => {
    assert.deepEqual(unitWords("m/m"), { main: "meters", per: "minute" });
  });

  test("an unknown per unit passes through, cleaned", () => {
    assert.deepEqual(unitWords("By/req.s"), { main: "bytes", per: "req_s" });
  });
});

describe("unit string parsing", () => {
  test("split at the first `/` only", () => assert.deepEqual(unitWords("By/s/x"), { main: "bytes", per: "s_x" }));
  test("spaces around each part are trimmed", () => assert.deepEqual(unitWords(" By / s "), { main: "bytes", per: "second" }));
  test("a part with `{` or `}` anywhere is dropped", () => {
    assert.deepEqual(unitWords("{request}"), { main: "", per: "" });
    assert.deepEqual(unitWords("{packet}/s"), { main: "", per: "second" });
    assert.deepEqual(unitWords("By/{custom}"), { main: "bytes", per: "" });
    assert.deepEqual(unitWords("k{x}B"), { main: "", per: "" });
  });
  test("empty parts are dropped", () => {
    assert.deepEqual(unitWords(""), { main: "", per: "" });
    assert.deepEqual(unitWords("/"), { main: "", per: "" });
    assert.deepEqual(unitWords("By/"), { main: "bytes", per: "" });
    assert.deepEqual(unitWords("/s"), { main: "", per: "second" });
  });
  test("unknown units are cleaned: invalid characters → `_`, runs collapse, no `_` at the ends", () => {
    assert.deepEqual(unitWords("_unit@@x_"), { main: "unit_x", per: "" });
  });
  test("Unicode in a unit is not a name character (µs is not us)", () => {
    assert.deepEqual(unitWords("µs"), { main: "s", per: "" });
  });
});

describe("metadata UNIT (prometheus.md §1.3)", () => {
  test("By/s → bytes_per_second", () => assert.equal(metadataUnit("By/s"), "bytes_per_second"));
  test("1 → empty", () => assert.equal(metadataUnit("1"), ""));
  test("1/s → per_second", () => assert.equal(metadataUnit("1/s"), "per_second"));
  test("ms → milliseconds", () => assert.equal(metadataUnit("ms"), "milliseconds"));
  test("{request} → empty", () => assert.equal(metadataUnit("{request}"), ""));
});
