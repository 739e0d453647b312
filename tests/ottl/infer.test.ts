// Context inference for flat statement lists (ottl.md §4.3).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FUNCTIONS } from "../../src/ottl/functions/index.ts";
import { InferenceError, collectUsage, inferContext } from "../../src/ottl/infer.ts";
import { parseCondition, parseStatement } from "../../src/ottl/parser.ts";
import type { SignalName } from "../../src/ottl/contexts/index.ts";

const infer = (signal: SignalName, ...statements: string[]) => inferContext(collectUsage(statements.map((s) => parseStatement(s))), signal, FUNCTIONS);

describe("context inference", () => {
  test("{resource, metric} → metric", () => assert.equal(infer("metrics", 'set(metric.name, resource.attributes["a"])'), "metric"));
  test("{metric, datapoint} → datapoint", () => assert.equal(infer("metrics", 'set(datapoint.attributes["m"], metric.name)'), "datapoint"));
  test("{span, spanevent} → spanevent", () => assert.equal(infer("traces", 'set(span.name, "a")', 'set(spanevent.name, "b")'), "spanevent"));
  test("resource-only statements stay at the resource", () => assert.equal(infer("logs", 'set(resource.attributes["a"], "b")'), "resource"));
  test("instrumentation_scope counts as scope", () => assert.equal(infer("logs", 'set(instrumentation_scope.name, "x")'), "scope"));
  test("metric-only functions pick the metric context", () => assert.equal(infer("metrics", 'convert_sum_to_gauge() where metric.name == "a"'), "metric"));
  test("a function without paths moves down to where it is allowed", () => assert.equal(infer("metrics", "convert_sum_to_gauge()"), "metric"));
  test("enums move the context down to where they are defined", () => assert.equal(infer("traces", 'set(resource.attributes["k"], "v") where resource.attributes["x"] == SPAN_KIND_SERVER'), "span"));
  test("metric-only functions next to datapoint paths fail (pitfall 12)", () => {
    assert.throws(() => infer("metrics", "convert_sum_to_gauge()", 'set(datapoint.attributes["a"], 1)'), InferenceError);
  });
  test("a log path in trace statements fails", () => assert.throws(() => infer("traces", 'set(log.body, "x")'), /log paths cannot be used in traces statements/));
  test("conditions take part", () => {
    const trees = [parseStatement('set(resource.attributes["a"], "b")'), parseCondition('log.body == "x"')];
    assert.equal(inferContext(collectUsage(trees), "logs", FUNCTIONS), "log");
  });
  test("the error points at the offending text", () => {
    try {
      infer("metrics", 'set(datapoint.attributes["a"], 1)', "convert_sum_to_gauge()");
      assert.fail("expected an inference error");
    } catch (err) {
      assert.ok(err instanceof InferenceError);
      assert.equal(err.text, 1);
    }
  });
});
