// The Prometheus text 0.0.4 and OpenMetrics 1.0 parsers (alloy-components.md §14). Runtime
// neutral: runs under Bun and Deno.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type ParsedSample, SampleLimitError, TextParseError, parseText } from "../../src/prom/textparse.ts";

/** Samples as `name{a="b"} value @ts` strings, for compact assertions. */
function show(samples: ParsedSample[]): string[] {
  return samples.map((s) => {
    const name = s.labels.find(([n]) => n === "__name__")?.[1] ?? "";
    const rest = s.labels.filter(([n]) => n !== "__name__").map(([n, v]) => `${n}=${JSON.stringify(v)}`);
    return `${name}{${rest.join(",")}} ${s.value}${s.timestampMs !== undefined ? ` @${s.timestampMs}` : ""}`;
  });
}

function parseError(body: string, format: "prometheus" | "openmetrics"): TextParseError {
  try {
    parseText(body, format);
  } catch (err) {
    assert.ok(err instanceof TextParseError, String(err));
    return err;
  }
  assert.fail(`expected a parse error for ${JSON.stringify(body)}`);
}

describe("Prometheus text format 0.0.4", () => {
  test("counters, gauges, untyped, HELP and TYPE", () => {
    const r = parseText(
      [
        "# HELP http_requests_total The total number of requests.",
        "# TYPE http_requests_total counter",
        'http_requests_total{method="post",code="200"} 1027 1395066363000',
        'http_requests_total{method="post",code="400"}    3   1395066363000',
        "",
        "# A plain comment",
        "#TYPE not_metadata counter",
        "# TYPE temperature gauge",
        "temperature -3.5",
        "# TYPE raw untyped",
        "raw 1e3",
        "no_metadata 7",
        "",
      ].join("\n"),
      "prometheus",
    );
    assert.deepEqual(show(r.samples), [
      'http_requests_total{code="200",method="post"} 1027 @1395066363000',
      'http_requests_total{code="400",method="post"} 3 @1395066363000',
      "temperature{} -3.5",
      "raw{} 1000",
      "no_metadata{} 7",
    ]);
    assert.deepEqual(r.metadata.get("http_requests_total"), { type: "counter", help: "The total number of requests.", unit: "" });
    assert.deepEqual(r.metadata.get("temperature"), { type: "gauge", help: "", unit: "" });
    assert.deepEqual(r.metadata.get("raw"), { type: "unknown", help: "", unit: "" });
    assert.equal(r.metadata.has("not_metadata"), false);
  });

  test("labels are sorted pairs with __name__", () => {
    const [s] = parseText('m{z="1",a="2"} 1\n', "prometheus").samples;
    assert.deepEqual(s!.labels, [
      ["__name__", "m"],
      ["a", "2"],
      ["z", "1"],
    ]);
  });

  test("histograms and summaries are ordinary series", () => {
    const r = parseText(
      [
        "# TYPE rpc histogram",
        'rpc_bucket{le="0.5"} 1',
        'rpc_bucket{le="+Inf"} 3',
        "rpc_sum 4.5",
        "rpc_count 3",
        "# TYPE lat summary",
        'lat{quantile="0.99"} NaN',
        "lat_sum 0",
        "lat_count 0",
      ].join("\n"),
      "prometheus",
    );
    assert.equal(show(r.samples).join(" | "), 'rpc_bucket{le="0.5"} 1 | rpc_bucket{le="+Inf"} 3 | rpc_sum{} 4.5 | rpc_count{} 3 | lat{quantile="0.99"} NaN | lat_sum{} 0 | lat_count{} 0');
    assert.equal(r.metadata.get("rpc")!.type, "histogram");
    assert.equal(r.metadata.get("lat")!.type, "summary");
  });

  test("label value escapes \\\\ \\\" \\n; HELP escapes \\\\ and \\n only", () => {
    const r = parseText(['# HELP m a\\\\b\\nc \\"q\\"', 'm{path="C:\\\\x",q="say \\"hi\\"",nl="a\\nb",odd="\\t"} 1'].join("\n"), "prometheus");
    assert.deepEqual(r.samples[0]!.labels, [
      ["__name__", "m"],
      ["nl", "a\nb"],
      ["odd", "\\t"],
      ["path", "C:\\x"],
      ["q", 'say "hi"'],
    ]);
    assert.equal(r.metadata.get("m")!.help, 'a\\b\nc \\"q\\"');
  });

  test("special values and a trailing comma", () => {
    const r = parseText('a NaN\nb +Inf\nc -Inf\nd{x="1",} 0.25\ne Inf\n', "prometheus");
    assert.deepEqual(
      r.samples.map((s) => s.value),
      [NaN, Infinity, -Infinity, 0.25, Infinity],
    );
  });

  test("UTF-8 quoted metric names", () => {
    const [s] = parseText('{"my.metric", "a.b"="c"} 2\n', "prometheus").samples;
    assert.deepEqual(s!.labels, [
      ["__name__", "my.metric"],
      ["a.b", "c"],
    ]);
  });

  test("a body without a final newline", () => {
    assert.deepEqual(show(parseText("a 1", "prometheus").samples), ["a{} 1"]);
  });

  const bad: [string, number, RegExp][] = [
    ["ok 1\nbad{a=1} 2", 2, /'"' to start value of label "a"/],
    ["ok 1\n\nm{a=\"x} 1", 3, /unterminated value of label "a"/],
    ["m abc", 1, /invalid value "abc"/],
    ["m", 1, /expected a value/],
    ["m 1 12.5", 1, /invalid timestamp "12.5"/],
    ["m 1 2 3", 1, /unexpected "3" after the timestamp/],
    ["# TYPE m countr", 1, /unknown metric type "countr"/],
    ['m{a="1",a="2"} 1', 1, /duplicate label name "a"/],
    ["{} 1", 1, /sample without a metric name/],
    ["1m 1", 1, /expected metric name/],
    ['m{a="1" b="2"} 1', 1, /expected ',' or '}'/],
    ["m-x 1", 1, /invalid metric name "m-x"/],
    ['m{1a="x"} 1', 1, /invalid label name/],
  ];
  for (const [body, line, message] of bad) {
    test(`rejects ${JSON.stringify(body)} at line ${line}`, () => {
      const err = parseError(body, "prometheus");
      assert.equal(err.line, line);
      assert.match(err.message, message);
      assert.match(err.message, new RegExp(`^line ${line}: `));
    });
  }

  test("sampleLimit stops the parse", () => {
    assert.throws(() => parseText("a 1\nb 2\nc 3\n", "prometheus", { sampleLimit: 2 }), SampleLimitError);
    assert.equal(parseText("a 1\nb 2\n", "prometheus", { sampleLimit: 2 }).samples.length, 2);
  });

  test("linear time on a large body", () => {
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i++) lines.push(`m{i="${i}",path="/a/b/c"} ${i} 1700000000000`);
    const started = Date.now();
    const r = parseText(lines.join("\n"), "prometheus");
    assert.equal(r.samples.length, 100_000);
    assert.ok(Date.now() - started < 5_000);
  });
});

describe("OpenMetrics 1.0 text", () => {
  test("families, UNIT, float-second timestamps, _created skipped, EOF", () => {
    const r = parseText(
      [
        "# TYPE req counter",
        "# UNIT req_seconds seconds",
        "# HELP req Requests \\\"served\\\".",
        'req_total{code="200"} 10 1700000000.123',
        'req_created{code="200"} 1699999999',
        "# TYPE info_m info",
        'info_m_info{version="1.2"} 1',
        "# TYPE st stateset",
        'st{st="a"} 1',
        'st{st="b"} 0',
        "# TYPE g gauge",
        "g +Inf",
        "# TYPE h histogram",
        'h_bucket{le="1"} 2',
        'h_bucket{le="+Inf"} 3',
        "h_count 3",
        "h_sum 2.5",
        "h_created 1",
        "# EOF",
        "",
      ].join("\n"),
      "openmetrics",
    );
    assert.deepEqual(show(r.samples), [
      'req_total{code="200"} 10 @1700000000123',
      'info_m_info{version="1.2"} 1',
      'st{st="a"} 1',
      'st{st="b"} 0',
      "g{} Infinity",
      'h_bucket{le="1"} 2',
      'h_bucket{le="+Inf"} 3',
      "h_count{} 3",
      "h_sum{} 2.5",
    ]);
    assert.deepEqual(r.metadata.get("req"), { type: "counter", help: 'Requests "served".', unit: "" });
    assert.deepEqual(r.metadata.get("req_seconds"), { type: "unknown", help: "", unit: "seconds" });
    assert.equal(r.metadata.get("info_m")!.type, "info");
    assert.equal(r.metadata.get("st")!.type, "stateset");
  });

  test("exemplars with and without timestamps", () => {
    const r = parseText(
      [
        "# TYPE foo histogram",
        'foo_bucket{le="0.1"} 8 # {trace_id="0123456789abcdef0123456789abcdef",span_id="0123456789abcdef"} 0.054',
        'foo_bucket{le="+Inf"} 17 1520879607.789 # {trace_id="KOO5S4vxi0o"} 10 1520879607.789',
        "# EOF",
      ].join("\n"),
      "openmetrics",
    );
    assert.deepEqual(r.samples[0]!.exemplar, {
      labels: [
        ["span_id", "0123456789abcdef"],
        ["trace_id", "0123456789abcdef0123456789abcdef"],
      ],
      value: 0.054,
    });
    assert.equal(r.samples[0]!.timestampMs, undefined);
    assert.deepEqual(r.samples[1]!.exemplar, { labels: [["trace_id", "KOO5S4vxi0o"]], value: 10, timestampMs: 1520879607789 });
    assert.equal(r.samples[1]!.timestampMs, 1520879607789);
  });

  const bad: [string, number, RegExp][] = [
    ["a 1\n", 2, /data does not end with # EOF/],
    ["a 1", 2, /data does not end with # EOF/],
    ["a 1\n# EOF\nb 2\n", 3, /unexpected data after # EOF/],
    ["a 1\n\n# EOF", 2, /unexpected empty line/],
    ["# comment here\n# EOF", 1, /unknown comment/],
    ["a  1\n# EOF", 1, /invalid value ""|expected a value/],
    ['a{b = "c"} 1\n# EOF', 1, /expected '='/],
    ["a 1 # {x=\"y\"}\n# EOF", 1, /expected a space before the exemplar value/],
    ["a 1 # {x=\"y\"} z\n# EOF", 1, /invalid exemplar value "z"/],
    [`a 1 # {trace_id="${"x".repeat(130)}"} 1\n# EOF`, 1, /exceeding the limit of 128/],
    ["# TYPE a counter\n# UNIT a seconds\n# EOF", 2, /unit "seconds" is not a suffix of metric "a"/],
    ["# TYPE a untyped\n# EOF", 1, /unknown metric type "untyped"/],
    ["a 1 NaN\n# EOF", 1, /invalid timestamp "NaN"/],
  ];
  for (const [body, line, message] of bad) {
    test(`rejects ${JSON.stringify(body.slice(0, 40))} at line ${line}`, () => {
      const err = parseError(body, "openmetrics");
      assert.equal(err.line, line);
      assert.match(err.message, message);
    });
  }
});
