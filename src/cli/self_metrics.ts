// The process's own metrics on /metrics (spec: alloy-runtime.md §6). Names follow Alloy's so
// that existing dashboards and alerts keep working.

import type { Controller } from "../runtime/controller.ts";
import { HEALTH_STATES } from "../runtime/health.ts";
import type { MetricsRegistry } from "../runtime/metrics.ts";
import { runtimeName } from "../platform/index.ts";
import { VERSION } from "../version.ts";

export interface LoadMetrics {
  /** Records the outcome of a (re)load. */
  loaded(ok: boolean): void;
}

/** Registers build info, component health, evaluation and reload metrics. */
export function registerSelfMetrics(metrics: MetricsRegistry, controller: Controller): LoadMetrics {
  const controllerLabels = { controller_path: "/", controller_id: "" };
  metrics.gauge("alloy_build_info", "A metric with a constant '1' value labeled by version, revision, branch and runtime from which solder was built.")
    .set({ version: `v${VERSION}`, revision: "", branch: "", goversion: runtimeName() }, 1);
  metrics.gaugeFunc("alloy_component_controller_running_components", "Total number of running components, by health.", () => {
    const counts = new Map<string, number>(HEALTH_STATES.map((s) => [s, 0]));
    for (const e of controller.list()) {
      if (e.node.kind !== "component") continue;
      const s = controller.healthOf(e).state;
      counts.set(s, (counts.get(s) ?? 0) + 1);
    }
    return [...counts].map(([health_type, value]) => ({ labels: { ...controllerLabels, health_type }, value }));
  });
  metrics.gaugeFunc("alloy_component_graph_connection", "Edges of the component graph (1 per edge).", () =>
    controller.list().flatMap((e) => [...e.node.dependsOn].map((to) => ({ labels: { ...controllerLabels, from: e.node.id, to }, value: 1 }))),
  );
  metrics.counterFunc("alloy_component_evaluations_total", "Component evaluations since start.", () => [
    { labels: controllerLabels, value: controller.counters.evaluations },
  ]);
  metrics.gaugeFunc("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", () => [
    { labels: {}, value: Math.round(Date.now() / 1000 - process.uptime()) },
  ]);
  metrics.gaugeFunc("process_resident_memory_bytes", "Resident memory size in bytes.", () => [{ labels: {}, value: process.memoryUsage().rss }]);
  metrics.counterFunc("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", () => {
    const u = process.cpuUsage();
    return [{ labels: {}, value: (u.user + u.system) / 1e6 }];
  });
  const lastOk = metrics.gauge("alloy_config_last_load_successful", "Whether the last configuration load succeeded (1) or not (0).");
  const failures = metrics.counter("alloy_config_load_failures_total", "Configuration loads that failed.");
  const loads = metrics.counter("alloy_config_loads_total", "Configuration loads attempted, initial and reloads.");
  return {
    loaded(ok) {
      loads.inc();
      lastOk.set({}, ok ? 1 : 0);
      if (!ok) failures.inc();
    },
  };
}
