// Graph rates (src/ui/rates.ts) and the live-debugging sampler (src/ui/debug.ts).

import { expect, test } from "bun:test";
import { Batch } from "../../src/otlp/batch.ts";
import { Sampler, parseSampleProb } from "../../src/ui/debug.ts";
import type { EdgeCount } from "../../src/ui/flow.ts";
import { computeRates, snapshot } from "../../src/ui/rates.ts";
import { renderBatch } from "../../src/ui/render.ts";

const c = (items: number, kind: EdgeCount["kind"] = "traces"): EdgeCount => ({ from: "a", to: "b", kind, items });

test("rates are the change over the window, per second", () => {
  const r = computeRates(snapshot([c(10)]), snapshot([c(40), c(6, "prometheus")]), 2);
  expect(r).toEqual([
    { componentID: "a", targetComponentIDs: ["b"], type: "otel_trace", rate: 15 },
    { componentID: "a", targetComponentIDs: ["b"], type: "prometheus_metric", rate: 3 },
  ]);
});

test("a stalled edge reports 0, an unused kind nothing, a reset counter from zero", () => {
  expect(computeRates(snapshot([c(5)]), snapshot([c(5), c(0, "logs")]), 1)).toEqual([{ componentID: "a", targetComponentIDs: ["b"], type: "otel_trace", rate: 0 }]);
  expect(computeRates(snapshot([c(50)]), snapshot([c(4)]), 2)[0]!.rate).toBe(2);
});

test("sampleProb parsing", () => {
  expect(parseSampleProb(null)).toBe(1);
  expect(parseSampleProb("0.25")).toBe(0.25);
  expect(parseSampleProb("2")).toBeUndefined();
  expect(parseSampleProb("x")).toBeUndefined();
});

const batch = () => Batch.fromJson("traces", JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: "service.name", value: { stringValue: "svc" } }] }, scopeSpans: [{ spans: [{ name: "checkout", traceId: "01".repeat(16), spanId: "02".repeat(8), startTimeUnixNano: "1000000", endTimeUnixNano: "3000000" }] }] }] }));

test("the sampler caps batches per second and renders them readably", () => {
  const s = new Sampler(1, 2);
  for (let i = 0; i < 5; i++) s.offer(batch(), "b");
  const out = s.drain();
  expect(out.length).toBe(3);
  expect(out[0]).toContain('span "checkout"');
  expect(out[0]).toContain('service.name="svc"');
  expect(out[0]).toContain("duration=2.000ms");
  expect(out[2]).toContain("3 batch(es) not shown");
  expect(s.drain()).toEqual([]);
});

test("the sampler honours the probability", () => {
  let n = 0;
  const s = new Sampler(0.5, 100, () => (n++ % 2 === 0 ? 0.1 : 0.9));
  for (let i = 0; i < 10; i++) s.offer(batch(), "b");
  expect(s.drain().length).toBe(5);
  const never = new Sampler(0);
  never.offer(batch(), "b");
  expect(never.drain()).toEqual([]);
});

test("rendering cuts a big batch short", () => {
  const spans = Array.from({ length: 80 }, (_, i) => ({ name: `s${i}`, traceId: "01".repeat(16), spanId: "02".repeat(8) }));
  const text = renderBatch(Batch.fromJson("traces", JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] })), "b");
  expect(text).toContain("… 30 more");
});
