// strcase-compatible case conversion (ottl.md §5.3 ConvertCase).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { convertCase, isCaseName, toCamel, toSnake } from "../../../../src/ottl/functions/lib/case.ts";

describe("toSnake", () => {
  const cases: Array<[string, string]> = [
    ["myMetric", "my_metric"],
    ["MyMetricName", "my_metric_name"],
    ["JSONData", "json_data"],
    ["AnyKind of_string", "any_kind_of_string"],
    ["already_snake", "already_snake"],
    ["id1", "id_1"],
    ["http.server.duration", "http_server_duration"],
    ["kebab-case", "kebab_case"],
    ["  padded  ", "padded"],
    ["", ""],
    ["héllo", "héllo"],
  ];
  for (const [input, want] of cases) test(JSON.stringify(input), () => assert.equal(toSnake(input), want));
});

describe("toCamel", () => {
  const cases: Array<[string, string]> = [
    ["my_metric", "MyMetric"],
    ["my_metric_name", "MyMetricName"],
    ["http.server.duration", "HttpServerDuration"],
    ["JSONData", "Jsondata"], // strcase lowers every capital that follows a capital
    ["ID", "Id"],
    ["abc1def", "Abc1Def"],
    ["some-kebab case", "SomeKebabCase"],
    ["", ""],
    // Like strcase, characters other than ASCII letters and digits are dropped.
    ["héllo", "Hllo"],
  ];
  for (const [input, want] of cases) test(JSON.stringify(input), () => assert.equal(toCamel(input), want));
});

describe("convertCase", () => {
  test("lower and upper are Unicode-aware", () => {
    assert.equal(convertCase("ÀB_c", "lower"), "àb_c");
    assert.equal(convertCase("àb_c", "upper"), "ÀB_C");
  });
  test("case names", () => {
    assert.ok(isCaseName("snake"));
    assert.ok(!isCaseName("kebab"));
    assert.ok(!isCaseName("Snake"));
  });
});
