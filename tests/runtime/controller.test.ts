import { describe, test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { Controller } from "../../src/runtime/controller.ts";
import { createLogger, memorySink } from "../../src/runtime/logger.ts";
import { MetricsRegistry } from "../../src/runtime/metrics.ts";
import { stdlib } from "../../src/runtime/stdlib/index.ts";
import { formatShort } from "../../src/syntax/diag.ts";
import type { Stability } from "../../src/runtime/component.ts";
import { events, testRegistry } from "./testcomponents.ts";

function newController(stability: Stability = "generally-available") {
  return new Controller({
    registry: testRegistry(),
    logger: createLogger(memorySink()),
    metrics: new MetricsRegistry(),
    storagePath: "/nonexistent",
    stability,
    globals: stdlib({ version: "0.0.0-test", stability, env: (n) => (n === "SOLDER_TEST" ? "from-env" : undefined) }),
    shutdownDeadlineMs: 1000,
  });
}

async function load(c: Controller, text: string, name = "main.alloy") {
  return (await c.load([{ name, text }])).map(formatShort);
}

function exportsOf(c: Controller, id: string) {
  return c.get(id)?.exports;
}

beforeEach(() => {
  events.length = 0;
});

describe("graph building", () => {
  test("fan-out and fan-in evaluate dependencies first", async () => {
    const c = newController();
    const errs = await load(c, `
test.sum "total" {
  inputs = [test.value.a.value, test.value.b.value, test.sum.double.sum]
}
test.value "a" { value = 2 }
test.value "b" { value = test.value.a.value * 10 }
test.sum "double" { inputs = [test.value.a.value, test.value.a.value] }
`);
    assert.deepEqual(errs, []);
    assert.equal(exportsOf(c, "test.sum.total")?.sum, 2 + 20 + 4);
    const order = c.list().map((e) => e.node.id);
    assert.ok(order.indexOf("test.value.a") < order.indexOf("test.value.b"));
    assert.ok(order.indexOf("test.sum.double") < order.indexOf("test.sum.total"));
    assert.deepEqual(c.dependents("test.value.a").sort(), ["test.sum.double", "test.sum.total", "test.value.b"]);
  });

  test("missing reference names the chain and its position", async () => {
    const c = newController();
    const errs = await load(c, `test.sum "s" {\n  inputs = [test.value.nope.value]\n}\n`);
    assert.deepEqual(errs, [`main.alloy:2:13: component "test.value.nope.value" does not exist or is out of scope`]);
  });

  test("cycle is reported once per block, naming the cycle", async () => {
    const c = newController();
    const errs = await load(c, `test.value "a" { value = test.value.b.value }\ntest.value "b" { value = test.value.a.value }\n`);
    assert.equal(errs.length, 2);
    for (const e of errs) assert.match(e, /cycle detected: test\.value\.(a|b), test\.value\.(a|b)$/);
    assert.match(errs[0]!, /^main\.alloy:1:1:/);
    assert.match(errs[1]!, /^main\.alloy:2:1:/);
  });

  test("self reference", async () => {
    const c = newController();
    const errs = await load(c, `test.value "a" { value = test.value.a.value }\n`);
    assert.deepEqual(errs, ["main.alloy:1:26: cannot reference self"]);
  });

  test("unknown component suggests the nearest names", async () => {
    const c = newController();
    const diags = await c.load([{ name: "m.alloy", text: `test.vaule "a" { }\n` }]);
    assert.equal(diags.length, 1);
    assert.equal(formatShort(diags[0]!), `m.alloy:1:1: cannot find the definition of component name "test.vaule"`);
    assert.match(diags[0]!.hint ?? "", /"test\.value"/);
  });

  test("duplicate labels across files point at the first declaration", async () => {
    const c = newController();
    const diags = await c.load([
      { name: "a.alloy", text: `test.value "x" { }\n` },
      { name: "b.alloy", text: `\n  test.value "x" { }\n` },
    ]);
    assert.deepEqual(diags.map(formatShort), ["b.alloy:2:3: block test.value.x already declared at a.alloy:1:1"]);
  });

  test("a component needs a label", async () => {
    const c = newController();
    assert.deepEqual(await load(c, `test.value { }\n`), [`main.alloy:1:1: component "test.value" must have a label`]);
  });

  test("stability level gates components", async () => {
    const errs = await load(newController(), `test.experimental "x" { }\n`);
    assert.equal(errs.length, 1);
    assert.match(errs[0]!, /stability level "experimental".*minimum allowed stability level "generally-available"/);
    assert.deepEqual(await load(newController("experimental"), `test.experimental "x" { }\n`), []);
  });

  test("all problems are reported at once", async () => {
    const c = newController();
    const errs = await load(c, `
test.vaule "a" { }
test.sum "s" { inputs = [missing.thing] }
test.value "v" { value = 1 }
test.value "v" { value = 2 }
`);
    assert.equal(errs.length, 3, errs.join("\n"));
  });

  test("top-level attributes and module blocks are rejected clearly", async () => {
    const errs = await load(newController(), `x = 1\nargument "a" { }\ndeclare "d" { }\n`);
    assert.equal(errs.length, 3);
    assert.match(errs[0]!, /1:1: unrecognized attribute name "x"/);
    assert.match(errs[1]!, /argument blocks only allowed inside a module/);
    assert.match(errs[2]!, /"declare" blocks \(modules\) are not supported/);
  });
});

describe("argument checking", () => {
  test("unknown attribute, unknown block, wrong type, missing required", async () => {
    const errs = await load(newController(), `test.sum "s" {\n  bogus = 1\n  nope { }\n}\ntest.sum "t" {\n  inputs = "x"\n}\n`);
    assert.deepEqual(errs.sort(), [
      `main.alloy:1:1: missing required attribute "inputs"`,
      `main.alloy:2:3: unrecognized attribute name "bogus"`,
      `main.alloy:3:3: unrecognized block name "nope"`,
      `main.alloy:6:12: expected list(number), got string`,
    ]);
  });

  test("bad duration uses Go's message", async () => {
    const errs = await load(newController(), `test.sum "s" {\n  inputs = []\n  timeout = "1d"\n}\n`);
    assert.deepEqual(errs, [`main.alloy:3:13: time: unknown unit "d" in duration "1d"`]);
  });

  test("defaults, durations, nested blocks and numbers from strings", async () => {
    const c = newController();
    assert.deepEqual(await load(c, `test.sum "s" {\n  inputs = ["1", 2]\n  timeout = "1m30s"\n  options { scale = 3 }\n}\n`), []);
    assert.deepEqual(c.get("test.sum.s")?.args, { inputs: [1, 2], timeout: 90_000, options: { scale: 3 } });
    assert.equal(exportsOf(c, "test.sum.s")?.sum, 9);
  });

  test("schema validation names the key", async () => {
    const errs = await load(newController(), `test.sum "s" { inputs = [1,2,3,4,5,6,7,8,9,10,11] }\n`);
    assert.deepEqual(errs, [`main.alloy:1:1: inputs must have at most 10 elements`]);
  });

  test("capsules must be of the declared type", async () => {
    const c = newController();
    const errs = await load(c, `test.sink "k" { }\ntest.source "s" { forward_to = [test.sink.k.input, 1] }\n`);
    assert.deepEqual(errs, [`main.alloy:2:32: expected test.Receiver, got number`]);
  });

  test("stdlib functions are available, sys.env reads the environment", async () => {
    const c = newController();
    assert.deepEqual(await load(c, `test.value "a" { value = string.to_upper(sys.env("SOLDER_TEST")) + "!" }\n`), []);
    assert.equal(exportsOf(c, "test.value.a")?.value, "FROM-ENV!");
  });

  test("the logging block retunes the logger", async () => {
    const sink = memorySink("info");
    const c = new Controller({
      registry: testRegistry(), logger: createLogger(sink), metrics: new MetricsRegistry(), storagePath: "",
      stability: "generally-available", globals: stdlib({ version: "t" }),
    });
    assert.deepEqual((await c.load([{ name: "m", text: `logging {\n  level = "debug"\n  format = "json"\n}\n` }])).map(formatShort), []);
    assert.equal(sink.level, "debug");
    assert.equal(sink.format, "json");
    const bad = (await c.load([{ name: "m", text: `logging { level = "loud" }\n` }])).map(formatShort);
    assert.equal(bad.length, 1);
    assert.match(bad[0]!, /invalid value "loud": must be one of "debug", "info", "warn", "error"/);
  });
});

describe("lifecycle and reload", () => {
  test("start runs components; stop stops dependents first", async () => {
    const c = newController();
    await load(c, `test.value "a" { value = 1 }\ntest.value "b" { value = test.value.a.value }\n`);
    c.start();
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(c.healthOf(c.get("test.value.a")!).state, "healthy");
    await c.stop();
    assert.deepEqual(events.filter((e) => e.startsWith("stop")), ["stop test.value.b", "stop test.value.a"]);
    await c.stop(); // idempotent
  });

  test("stop: each component after all of its dependents, also across branches", async () => {
    const c = newController();
    await load(c, `test.value "a" { value = 1 }\ntest.value "b" { value = test.value.a.value }\ntest.value "c" { value = test.value.b.value }\ntest.value "d" { value = test.value.a.value }\ntest.value "e" { value = 3 }\n`);
    c.start();
    await new Promise((r) => setTimeout(r, 10));
    await c.stop();
    const stops = events.filter((e) => e.startsWith("stop"));
    assert.equal(stops.length, 5);
    const at = (id: string) => stops.indexOf(`stop test.value.${id}`);
    assert.ok(at("c") < at("b") && at("b") < at("a") && at("d") < at("a"), stops.join(", "));
  });

  test("reload keeps unchanged components, updates arguments, stops removed, starts new", async () => {
    const c = newController();
    await load(c, `test.value "keep" { value = 1 }\ntest.value "gone" { value = 2 }\n`);
    c.start();
    const keep = c.get("test.value.keep")!;
    const instance = keep.exports.instance;
    const errs = await load(c, `test.value "keep" { value = 10 }\ntest.value "new" { value = test.value.keep.value + 1 }\n`);
    assert.deepEqual(errs, []);
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(c.get("test.value.keep"), keep);
    assert.equal(keep.exports.instance, instance, "same instance kept its state");
    assert.equal(keep.exports.value, 10);
    assert.equal(c.get("test.value.gone"), undefined);
    assert.equal(exportsOf(c, "test.value.new")?.value, 11);
    assert.ok(events.includes("stop test.value.gone"));
    assert.ok(events.includes("run test.value.new"));
    assert.equal(events.filter((e) => e === "build test.value.keep").length, 1);
    await c.stop();
  });

  test("an invalid file leaves the running graph untouched", async () => {
    const c = newController();
    await load(c, `test.value "a" { value = 1 }\n`);
    c.start();
    const before = c.get("test.value.a");
    for (const bad of [`test.value "a" { value = `, `test.value "a" { value = test.value.zzz.value }\n`, `test.nope "a" {}\n`]) {
      const errs = await load(c, bad);
      assert.ok(errs.length > 0, bad);
      assert.equal(c.get("test.value.a"), before);
      assert.equal(c.get("test.value.a")!.exports.value, 1);
      assert.equal(c.healthOf(before!).state, "healthy");
    }
    assert.ok(!events.includes("stop test.value.a"));
    await c.stop();
  });

  test("a failed evaluation on reload keeps the last good arguments and marks the component unhealthy", async () => {
    const c = newController();
    await load(c, `test.sum "s" { inputs = [1, 2] }\ntest.value "v" { value = 5 }\n`);
    c.start();
    const errs = await load(c, `test.sum "s" { inputs = "bad" }\ntest.value "v" { value = 6 }\n`);
    assert.equal(errs.length, 1);
    const s = c.get("test.sum.s")!;
    assert.deepEqual(s.args?.inputs, [1, 2]);
    assert.equal(s.exports.sum, 3);
    const h = c.healthOf(s);
    assert.equal(h.state, "unhealthy");
    assert.match(h.message, /^component evaluation failed: expected list\(number\), got string/);
    assert.equal(exportsOf(c, "test.value.v")?.value, 6, "the rest of the new graph is live");
    await c.stop();
  });

  test("changed exports re-evaluate dependents", async () => {
    const c = newController();
    await load(c, `test.sink "k" { }\ntest.source "s" { forward_to = [test.sink.k.input] }\ntest.sum "x" { inputs = [1] }\ntest.value "v" { value = test.sum.x.sum }\n`);
    c.start();
    const sum = c.get("test.sum.x")!;
    // Publishing new exports from inside the component (as a component does at run time).
    await load(c, `test.sink "k" { }\ntest.source "s" { forward_to = [test.sink.k.input] }\ntest.sum "x" { inputs = [1, 41] }\ntest.value "v" { value = test.sum.x.sum }\n`);
    assert.equal(exportsOf(c, "test.value.v")?.value, 42);
    assert.equal(c.get("test.sum.x"), sum);
    assert.ok(events.includes("test.sink.k got hello"));
    await c.stop();
  });

  test("exports published at run time re-evaluate dependents in order", async () => {
    const c = newController();
    await load(c, `test.ticker "t" { ticks = 3 }
test.value "v" { value = test.ticker.t.count * 2 }
test.value "w" { value = test.value.v.value + 1 }
`);
    assert.equal(exportsOf(c, "test.value.w")?.value, 1);
    c.start();
    for (let i = 0; i < 100 && exportsOf(c, "test.value.w")?.value !== 7; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(exportsOf(c, "test.value.v")?.value, 6);
    assert.equal(exportsOf(c, "test.value.w")?.value, 7);
    await c.stop();
  });
});

describe("diagnostics stay to the point", () => {
  test("references to a block already reported as unknown are not reported again", async () => {
    const errs = await load(newController(), `test.nope "a" { }\ntest.sum "s" { inputs = [test.nope.a.value] }\n`);
    assert.deepEqual(errs, [`main.alloy:1:1: cannot find the definition of component name "test.nope"`]);
  });

  test("argument errors are reported in the same run as graph errors", async () => {
    const errs = await load(newController(), `test.value "a" { value = missing.x }\ntest.sum "s" { inputs = "bad" }\n`);
    assert.deepEqual(errs.sort(), [
      `main.alloy:1:26: component "missing.x" does not exist or is out of scope`,
      `main.alloy:2:25: expected list(number), got string`,
    ]);
  });
});

describe("settings without effect", () => {
  test("writing one gives a warning naming it and the reason; the load succeeds", async () => {
    const { Registry } = await import("../../src/runtime/registry.ts");
    const { inert, t, attr } = await import("../../src/runtime/schema.ts");
    const { defineComponent } = await import("../../src/runtime/component.ts");
    const registry = new Registry().register(
      defineComponent<{ size: number; real: number }>({
        name: "test.tuned",
        stability: "generally-available",
        args: { attrs: { size: inert(t.bytesize, 1024, "the runtime manages its buffers"), real: attr(t.int, 1) } },
        exports: [],
        build: () => ({ run: async () => {}, update() {} }),
      }),
    );
    const c = new Controller({
      registry, logger: createLogger(memorySink()), metrics: new MetricsRegistry(), storagePath: "",
      stability: "generally-available", globals: stdlib({ version: "t" }),
    });
    const diags = await c.load([{ name: "m.alloy", text: `test.tuned "a" {\n  size = "4KiB"\n}\ntest.tuned "b" { real = 2 }\n` }]);
    assert.deepEqual(diags.map((d) => `${d.severity} ${formatShort(d)}`), [
      `warning m.alloy:2:3: "size" has no effect in solder: the runtime manages its buffers`,
    ]);
    assert.deepEqual(c.get("test.tuned.a")?.args, { size: 4096, real: 1 });
  });
});
