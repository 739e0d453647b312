// Edge instrumentation (src/ui/flow.ts): consumers found in arguments are wrapped per edge,
// counted without decoding, tapped for live debugging, and stable across re-evaluations.

import { expect, test } from "bun:test";
import { Batch } from "../../src/otlp/batch.ts";
import { type Consumer, consumerCapsule } from "../../src/otlp/consumer.ts";
import { Flow } from "../../src/ui/flow.ts";
import { Capsule, Secret } from "../../src/runtime/value.ts";

function sink(): Consumer & { got: number } {
  const c = {
    got: 0,
    consumeTraces: async (b: Batch<"traces">) => void (c.got += b.itemCount()),
    consumeMetrics: async () => {},
    consumeLogs: async () => {},
  };
  return c;
}

const spans = (n: number) =>
  Batch.fromJson("traces", JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: Array.from({ length: n }, (_, i) => ({ name: `s${i}`, traceId: "01".repeat(16), spanId: "02".repeat(8) })) }] }] }));

test("a registered consumer in the arguments is counted as an edge from the evaluated component", async () => {
  const flow = new Flow();
  const b = sink();
  flow.registerExports("b", { input: consumerCapsule(b) });
  const args = flow.wrapArgs("a", { output: { traces: [b], metrics: [] }, token: new Secret("x"), n: 1 });
  expect(args.output.traces[0]).not.toBe(b);
  expect(args.token).toBeInstanceOf(Secret);
  await args.output.traces[0]!.consumeTraces(spans(3));
  expect(b.got).toBe(3);
  expect(flow.counts().find((c) => c.kind === "traces")).toEqual({ from: "a", to: "b", kind: "traces", items: 3 });
});

test("wrappers are stable per edge, and unknown objects are left alone", () => {
  const flow = new Flow();
  const b = sink();
  const other = sink();
  flow.registerExports("b", { input: consumerCapsule(b) });
  const one = flow.wrapArgs("a", { list: [b, other] });
  const two = flow.wrapArgs("a", { list: [b, other] });
  expect(one.list[0]).toBe(two.list[0]);
  expect(one.list[1]).toBe(other);
  expect(flow.wrapArgs("c", { list: [b] }).list[0]).not.toBe(one.list[0]);
  const plain = { x: [1, 2] };
  expect(flow.wrapArgs("a", plain)).toBe(plain);
});

test("counting does not upgrade a lite batch", async () => {
  const flow = new Flow();
  const b = sink();
  flow.registerExports("b", { input: consumerCapsule(b) });
  const w = flow.wrapArgs("a", [b])[0]!;
  const lite = Batch.decode("traces", spans(2).toBinary());
  expect(lite.isLite()).toBe(true);
  await w.consumeTraces(lite);
  expect(lite.isLite()).toBe(true);
});

test("taps see what a component emits until unsubscribed", async () => {
  const flow = new Flow();
  const b = sink();
  flow.registerExports("b", { input: consumerCapsule(b) });
  const w = flow.wrapArgs("a", [b])[0]!;
  const seen: string[] = [];
  const off = flow.tap("a", { offer: (batch, to) => seen.push(`${to}:${batch.itemCount()}`) });
  await w.consumeTraces(spans(2));
  off();
  await w.consumeTraces(spans(1));
  expect(seen).toEqual(["b:2"]);
});

test("prometheus appenders count committed samples only", async () => {
  const flow = new Flow();
  const appended: number[] = [];
  const appendable = {
    appender: () => ({
      append: (_l: unknown, _t: number, v: number) => void appended.push(v),
      commit: async () => {},
      rollback: () => {},
    }),
  };
  flow.registerExports("rw", { receiver: new Capsule("MetricsReceiver", appendable) });
  const w = flow.wrapArgs("scrape", { forward_to: [appendable] }).forward_to[0]!;
  const app = w.appender();
  app.append([], 0, 1);
  app.append([], 0, 2);
  await app.commit();
  const app2 = w.appender();
  app2.append([], 0, 3);
  app2.rollback();
  expect(appended).toEqual([1, 2, 3]);
  expect(flow.counts().find((c) => c.kind === "prometheus")?.items).toBe(2);
});

test("the counting wrapper keeps a consumer's readOnly capability (fan-outs then skip the copy)", () => {
  const flow = new Flow();
  const ro: Consumer = { ...sink(), readOnly: true };
  const rw = sink();
  flow.registerExports("ro", { input: consumerCapsule(ro) });
  flow.registerExports("rw", { input: consumerCapsule(rw) });
  const args = flow.wrapArgs("a", { output: { traces: [ro, rw] } });
  expect(args.output.traces[0]).not.toBe(ro);
  expect(args.output.traces[0]!.readOnly).toBe(true);
  expect(args.output.traces[1]!.readOnly).toBeFalsy();
});
