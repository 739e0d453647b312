// Metric names (prometheus.md §1, alloy-components.md §6.3): every row of the reference table,
// the rules one by one, and names without suffixes.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { NameCache, type NameKind, metricName } from "../../../src/prom/translate/names.ts";

const on = { addSuffixes: true };
const off = { addSuffixes: false };

describe("names with suffixes: the reference table (prometheus.md §1.1)", () => {
  const rows: [name: string, unit: string, kind: NameKind, want: string | undefined, namespace?: string][] = [
    ["requests", "", "counter", "requests_total"],
    ["requests_total", "", "counter", "requests_total"],
    ["cpu_usage", "1", "gauge", "cpu_usage_ratio"],
    ["cpu_usage_ratio", "1", "gauge", "cpu_usage_ratio"],
    ["items", "1", "counter", "items_total"],
    ["response_time", "ms", "gauge", "response_time_milliseconds"],
    ["memory_usage", "By", "gauge", "memory_usage_bytes"],
    ["requests", "1/s", "gauge", "requests_per_second"],
    ["throughput", "By/s", "gauge", "throughput_bytes_per_second"],
    ["requests", "1/s", "counter", "app_requests_per_second_total", "app"],
    ["123_requests", "", "counter", "app_123_requests_total", "app"],
    ["custom_metric", "{custom}", "gauge", "custom_metric"],
    ["custom_metric", "By/{custom}", "gauge", "custom_metric_bytes"],
    ["custom_metric", "custom_unit", "gauge", "custom_metric_custom_unit"],
    ["custom_metric", "unit@with#special/chars", "gauge", "custom_metric_unit_with_special_per_chars"],
    ["metric__with__multiple__underscores", "unit__multiple__underscores", "gauge", "metric_with_multiple_underscores_unit_multiple_underscores"],
    ["metric", " By / s ", "gauge", "metric_bytes_per_second"],
    ["metric", "By/", "gauge", "metric_bytes"],
    ["metric", "/", "gauge", "metric"],
    ["uptime", "d", "gauge", "uptime_days"],
    ["requests", "1/m", "gauge", "requests_per_minute"],
    ["invoices", "1/mo", "gauge", "invoices_per_month"],
    ["http.request.duration", "ms", "other", "http_request_duration_milliseconds"],
    ["http.requests", "1", "counter", "http_requests_total"],
    ["request_size", "By", "other", "request_size_bytes"],
    ["active_connections", "", "other", "active_connections"],
    ["@#$%", "", "gauge", undefined],
  ];
  for (const [name, unit, kind, want, namespace] of rows) {
    const label = `${JSON.stringify(name)}${namespace ? ` (namespace ${namespace})` : ""}, unit ${JSON.stringify(unit)}, ${kind} → ${want ?? "dropped"}`;
    test(label, () => assert.equal(metricName(name, unit, kind, { addSuffixes: true, namespace }), want));
  }
});

describe("names with suffixes: the rules (prometheus.md §1.1)", () => {
  test("step 1: every non-alphanumeric character separates tokens; runs collapse, ends vanish", () => {
    assert.equal(metricName("http.server.duration", "", "other", on), "http_server_duration");
    assert.equal(metricName("--a..b//c  d__", "", "other", on), "a_b_c_d");
  });

  test("step 1: `:` separates tokens too (alloy-components §6.3: split on non-letter/non-digit)", () => {
    assert.equal(metricName("job:requests:rate5m", "", "gauge", on), "job_requests_rate5m");
  });

  test("step 3: the unit word is not added when it already is a token anywhere in the name", () => {
    assert.equal(metricName("response_time_seconds", "s", "gauge", on), "response_time_seconds");
    assert.equal(metricName("seconds_spent", "s", "gauge", on), "seconds_spent");
    assert.equal(metricName("bytes.in", "By", "counter", on), "bytes_in_total");
  });

  test("step 3: the per word is not added when `<word>` is already a token (older Collector rule, pinned)", () => {
    assert.equal(metricName("requests_per_second", "1/s", "gauge", on), "requests_per_second");
    assert.equal(metricName("requests_per_second", "1/s", "counter", on), "requests_per_second_total");
  });

  test("step 4: monotonic sums lose every `total` token and end in `_total`", () => {
    assert.equal(metricName("total_requests_total", "", "counter", on), "requests_total");
    assert.equal(metricName("requests_total", "By", "counter", on), "requests_bytes_total");
  });

  test("step 4: `_total` only for monotonic sums, not for gauges, histograms or summaries", () => {
    assert.equal(metricName("requests", "", "gauge", on), "requests");
    assert.equal(metricName("requests", "", "other", on), "requests");
    assert.equal(metricName("requests_total", "", "other", on), "requests_total");
  });

  test("step 5: `_ratio` only for gauges with unit exactly `1`", () => {
    assert.equal(metricName("usage", "1", "gauge", on), "usage_ratio");
    assert.equal(metricName("ratio_usage", "1", "gauge", on), "usage_ratio");
    assert.equal(metricName("usage", "1", "other", on), "usage");
    assert.equal(metricName("usage", " 1", "gauge", on), "usage");
    assert.equal(metricName("usage", "1/s", "gauge", on), "usage_per_second");
  });

  test("suffix order: <name>_<unit>_per_<perunit>_total", () => {
    assert.equal(metricName("io", "By/s", "counter", on), "io_bytes_per_second_total");
  });

  test("step 6: the namespace is its own leading token", () => {
    assert.equal(metricName("x", "", "gauge", { addSuffixes: true, namespace: "my.app" }), "my_app_x");
  });

  test("step 7: a leading digit gets a `_` prefix", () => {
    assert.equal(metricName("5xx.errors", "", "counter", on), "_5xx_errors_total");
    assert.equal(metricName("2fa", "", "gauge", on), "_2fa");
  });

  test("step 8: an empty name, or one with nothing legal in it, is an error (dropped)", () => {
    assert.equal(metricName("", "", "gauge", on), undefined);
    assert.equal(metricName("@#$%", "", "gauge", on), undefined);
    assert.equal(metricName("___", "", "gauge", on), undefined);
  });

  test("step 8: an illegal name is dropped even for counters and with units (never just `total` or `bytes`)", () => {
    assert.equal(metricName("@#$%", "", "counter", on), undefined);
    assert.equal(metricName("...", "By", "gauge", on), undefined);
    assert.equal(metricName("", "", "counter", { addSuffixes: true, namespace: "app" }), undefined);
  });

  test("Unicode: only ASCII letters and digits are name characters (é, ß, emoji, CJK separate tokens)", () => {
    assert.equal(metricName("größe", "", "gauge", on), "gr_e");
    assert.equal(metricName("café.latency", "ms", "gauge", on), "caf_latency_milliseconds");
    assert.equal(metricName("🔥hot🔥", "", "counter", on), "hot_total");
    assert.equal(metricName("请求", "", "gauge", on), undefined);
  });
});

describe("names without suffixes (add_metric_suffixes = false, prometheus.md §1.2)", () => {
  test("no unit, no `_total`, no `_ratio`", () => {
    assert.equal(metricName("requests", "1/s", "counter", off), "requests");
    assert.equal(metricName("cpu", "1", "gauge", off), "cpu");
    assert.equal(metricName("response_time", "ms", "gauge", off), "response_time");
  });

  test("runs of illegal characters become one `_`; `_` and `:` are kept as they are", () => {
    assert.equal(metricName("metric@with#special$chars", "", "gauge", off), "metric_with_special_chars");
    assert.equal(metricName("metric@@##$$name", "", "gauge", off), "metric_name");
    assert.equal(metricName("http.request.duration", "", "gauge", off), "http_request_duration");
    assert.equal(metricName("a__b", "", "gauge", off), "a__b");
    assert.equal(metricName("job:rate5m", "", "gauge", off), "job:rate5m");
  });

  test("illegal characters at either end vanish (Collector's RemovePromForbiddenRunes)", () => {
    assert.equal(metricName(".requests.", "", "gauge", off), "requests");
  });

  test("a leading digit gets `_`, but only without a namespace", () => {
    assert.equal(metricName("123metric", "", "gauge", off), "_123metric");
    assert.equal(metricName("123metric", "", "gauge", { addSuffixes: false, namespace: "app" }), "app_123metric");
  });

  test("the namespace is sanitised the same way and joined with `_`", () => {
    assert.equal(metricName("x", "", "gauge", { addSuffixes: false, namespace: "my.app" }), "my_app_x");
  });

  test("empty, all-illegal and underscore-only names are errors", () => {
    assert.equal(metricName("", "", "gauge", off), undefined);
    assert.equal(metricName("@#$%", "", "gauge", off), undefined);
    assert.equal(metricName("__", "", "gauge", off), undefined);
  });

  test("Unicode becomes `_`", () => {
    assert.equal(metricName("größe", "", "gauge", off), "gr_e");
  });
});

describe("NameCache", () => {
  test("remembers per name, unit and kind", () => {
    const cache = new NameCache(on);
    assert.equal(cache.get("requests", "", "counter"), "requests_total");
    assert.equal(cache.get("requests", "", "gauge"), "requests");
    assert.equal(cache.get("requests", "", "counter"), "requests_total");
    assert.equal(cache.get("requests", "s", "counter"), "requests_seconds_total");
    assert.equal(cache.get("requests", "s", "gauge"), "requests_seconds");
    assert.equal(cache.get("requests", "", "counter"), "requests_total");
    assert.equal(cache.get("@", "", "gauge"), undefined);
    assert.equal(cache.get("@", "", "gauge"), undefined);
  });

  test("stays bounded", () => {
    const cache = new NameCache(on, 2);
    for (let i = 0; i < 10; i++) assert.equal(cache.get(`m${i}`, "", "gauge"), `m${i}`);
  });
});
