// Components that exist only for tests: small, observable, and enough to exercise the graph.

import { defineComponent } from "../../src/runtime/component.ts";
import { Registry } from "../../src/runtime/registry.ts";
import { attr, required, t } from "../../src/runtime/schema.ts";
import { Capsule, type Value } from "../../src/runtime/value.ts";

/** What the test components did, for assertions. */
export const events: string[] = [];

export interface ValueArgs {
  value: Value;
}

/** `test.value "x" { value = … }` exports `{ value }`; its instance counts builds and updates. */
export const testValue = defineComponent<ValueArgs>({
  name: "test.value",
  stability: "generally-available",
  args: { attrs: { value: attr(t.any, null) } },
  exports: ["value", "instance"],
  build(opts, args) {
    const instance = Math.random();
    events.push(`build ${opts.id}`);
    opts.onStateChange({ value: args.value, instance });
    return {
      async run(signal) {
        events.push(`run ${opts.id}`);
        await new Promise<void>((r) => signal.addEventListener("abort", () => r()));
        events.push(`stop ${opts.id}`);
      },
      update(next) {
        events.push(`update ${opts.id}`);
        opts.onStateChange({ value: next.value, instance });
      },
    };
  },
});

export interface SumArgs {
  inputs: number[];
  timeout: number;
  name?: string;
}

/** `test.sum "x" { inputs = [...] }` exports `{ sum }`; also has a duration and a nested block. */
export const testSum = defineComponent<SumArgs & { options?: { scale: number } }>({
  name: "test.sum",
  stability: "generally-available",
  args: {
    attrs: { inputs: required(t.list(t.number)), timeout: attr(t.duration, 5000), name: attr(t.string) },
    blocks: { options: { schema: { attrs: { scale: attr(t.number, 1) } } } },
    validate: (a: SumArgs) => (a.inputs.length > 10 ? "inputs must have at most 10 elements" : undefined),
  },
  exports: ["sum"],
  build(opts, args) {
    const publish = (a: typeof args) => opts.onStateChange({ sum: a.inputs.reduce((x, y) => x + y, 0) * (a.options?.scale ?? 1) });
    publish(args);
    return {
      run: (signal) => new Promise<void>((r) => signal.addEventListener("abort", () => r())),
      update: publish,
    };
  },
});

/** `test.sink "x" {}` exports `input`, a capsule that records what it receives. */
export const testSink = defineComponent<Record<string, never>>({
  name: "test.sink",
  stability: "generally-available",
  args: {},
  exports: ["input"],
  build(opts) {
    opts.onStateChange({ input: new Capsule("test.Receiver", (x: string) => events.push(`${opts.id} got ${x}`)) });
    return { run: (signal) => new Promise<void>((r) => signal.addEventListener("abort", () => r())), update() {} };
  },
});

/** `test.source "x" { forward_to = [...] }` sends a message to each receiver when updated. */
export const testSource = defineComponent<{ forward_to: Array<(x: string) => void>; message: string }>({
  name: "test.source",
  stability: "generally-available",
  args: { attrs: { forward_to: required(t.list(t.capsule("test.Receiver"))), message: attr(t.string, "hello") } },
  exports: [],
  build(opts, args) {
    let current = args;
    return {
      run: (signal) => new Promise<void>((r) => signal.addEventListener("abort", () => r())),
      update(next) {
        current = next;
        for (const f of current.forward_to) f(current.message);
      },
    };
  },
});

/** `test.experimental "x" {}`: only allowed with --stability.level=experimental. */
export const testExperimental = defineComponent<Record<string, never>>({
  name: "test.experimental",
  stability: "experimental",
  args: {},
  exports: [],
  build: () => ({ run: async () => {}, update() {} }),
});

/** A registry with every test component. */
export function testRegistry(): Registry {
  return new Registry().register(testValue).register(testSum).register(testSink).register(testSource).register(testExperimental).register(testTicker);
}

/** `test.ticker "t" { ticks = 3 }` publishes `count` 1..ticks from its run loop, like a component whose state changes over time. */
export const testTicker = defineComponent<{ ticks: number }>({
  name: "test.ticker",
  stability: "generally-available",
  args: { attrs: { ticks: attr(t.int, 3) } },
  exports: ["count"],
  build(opts, args) {
    opts.onStateChange({ count: 0 });
    return {
      async run(signal) {
        for (let i = 1; i <= args.ticks && !signal.aborted; i++) {
          await new Promise((r) => setTimeout(r, 2));
          opts.onStateChange({ count: i });
        }
        await new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener("abort", () => r())));
      },
      update() {},
    };
  },
});
