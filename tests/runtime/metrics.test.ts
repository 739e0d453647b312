import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { MetricsRegistry } from "../../src/runtime/metrics.ts";

/** The sample lines of `name` (no HELP/TYPE), sorted. */
function lines(r: MetricsRegistry, name: string): string[] {
  return r
    .expose()
    .split("\n")
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .sort();
}

describe("MetricsRegistry series lookup", () => {
  test("label order and repeated updates reach one series", () => {
    const r = new MetricsRegistry();
    const c = r.counter("c_total", "help");
    c.inc({ a: "1", b: "2" });
    c.inc({ b: "2", a: "1" }, 2);
    for (let i = 0; i < 3; i++) c.inc({ a: "1", b: "2" });
    c.inc();
    assert.deepEqual(lines(r, "c_total"), ['c_total 1', 'c_total{a="1",b="2"} 6']);
  });

  test("views with different const labels keep their own series", () => {
    const root = new MetricsRegistry();
    const x = root.with({ component_id: "x" }).counter("v_total", "help");
    const y = root.with({ component_id: "y" }).counter("v_total", "help");
    x.inc({ reason: "r" });
    y.inc({ reason: "r" }, 5);
    x.inc({ reason: "r" });
    assert.deepEqual(lines(root, "v_total"), ['v_total{component_id="x",reason="r"} 2', 'v_total{component_id="y",reason="r"} 5']);
  });

  test("a removed gauge series comes back on the next update", () => {
    const r = new MetricsRegistry();
    const g = r.gauge("pending", "help");
    g.set({ q: "a" }, 7);
    g.remove({ q: "a" });
    assert.deepEqual(lines(r, "pending"), []);
    g.set({ q: "a" }, 3);
    assert.deepEqual(lines(r, "pending"), ['pending{q="a"} 3']);
  });

  test("series dropped by removeMatching restart from zero when updated again", () => {
    const root = new MetricsRegistry();
    const view = root.with({ component_id: "c" });
    const counter = view.counter("sent_total", "help");
    counter.inc({ remote_name: "r" }, 4);
    root.removeMatching({ component_id: "c" });
    assert.deepEqual(lines(root, "sent_total"), []);
    counter.inc({ remote_name: "r" });
    assert.deepEqual(lines(root, "sent_total"), ['sent_total{component_id="c",remote_name="r"} 1']);
  });

  test("histogram observations with the same labels share a series", () => {
    const r = new MetricsRegistry();
    const h = r.histogram("d_seconds", "help", [1]);
    h.observe({ a: "1" }, 0.5);
    h.observe({ a: "1" }, 2);
    assert.ok(r.expose().includes('d_seconds_count{a="1"} 2'));
    assert.ok(r.expose().includes('d_seconds_bucket{a="1",le="1"} 1'));
  });
});
