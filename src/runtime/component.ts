// The contract between the runtime and every component. A component file declares, in one
// place, its name, stability, argument schema, exports and a build function; the runtime owns
// evaluation, wiring, health and reload (style: Alloy's component registry, the Collector's
// component lifecycle).

import type { Logger } from "./logger.ts";
import type { Schema } from "./schema.ts";
import type { ObjectValue } from "./value.ts";
import type { MetricsRegistry } from "./metrics.ts";

export type Stability = "experimental" | "public-preview" | "generally-available";

export type HealthState = "unknown" | "healthy" | "unhealthy" | "exited";

export interface Health {
  state: HealthState;
  message: string;
  updatedTime: Date;
}

/** Services of the process that components may use (style: Alloy's component.Host). */
export interface Host {
  /**
   * The pseudo-address of the process's own HTTP server (`--server.http.memory-addr`, default
   * `alloy.internal:12345`). Requests to it never touch the network.
   */
  memoryAddress: string;
  /** Serves a request with the process's own HTTP server, in memory. */
  fetchInMemory(request: Request): Promise<Response>;
}

/** What the runtime hands a component when building it. */
export interface ComponentOptions {
  /** Node id, e.g. `otelcol.processor.batch.default`. */
  id: string;
  /** A directory this component may write to: `<storage.path>/<id>`. Created on first use. */
  dataPath: string;
  logger: Logger;
  metrics: MetricsRegistry;
  /** Publishes new exports; dependents are re-evaluated when they change. */
  onStateChange(exports: ObjectValue): void;
  /** Process services; the controller always provides them, tests that build a component directly may not. */
  host?: Host;
  /**
   * How long the component may spend at shutdown sending what it still holds (queues) before
   * giving it up or leaving it on disk (`--shutdown.drain-timeout`); undefined: its own default.
   */
  drainTimeoutMs?: number;
}

/**
 * A running component.
 *
 * Lifecycle: the runtime calls `build` (no side effects outside memory: no sockets, no files,
 * so that `solder validate` can build without starting), then `run` once, which resolves when
 * the signal aborts and the component has stopped. `update` may be called any time after build
 * with freshly evaluated arguments. After `run` resolves the component is never used again.
 */
export interface Component<A = unknown> {
  /** Runs until `signal` aborts; starts servers, timers and workers. */
  run(signal: AbortSignal): Promise<void>;
  /** Applies new arguments. Throwing keeps the old arguments and marks the component unhealthy. */
  update(args: A): Promise<void> | void;
  /** The component's own view of its health, if it has one. */
  health?(): Health | undefined;
  /** Extra state shown in the UI's debug info (an Alloy-shaped body). */
  debugInfo?(): ObjectValue | undefined;
  /** Serves `/api/v0/component/<id>/...`; `path` is below the id. */
  handle?(request: Request, path: string): Promise<Response> | Response;
}

/** One entry of the registry: everything the runtime needs to know about a component. */
export interface ComponentDefinition<A = any> {
  /** Dotted name, e.g. `otelcol.processor.batch`. */
  name: string;
  stability: Stability;
  /** One sentence for the docs: what the component does. */
  summary?: string;
  /** Argument schema: attributes and blocks, types, defaults, validation. */
  args: Schema;
  /** Names of exported fields (for `field "x" does not exist` and the UI). */
  exports: readonly string[];
  build(opts: ComponentOptions, args: A): Component<A> | Promise<Component<A>>;
}

/** Declares a component; a typed identity that keeps `A` tied between schema and build. */
export function defineComponent<A>(def: ComponentDefinition<A>): ComponentDefinition<A> {
  return def;
}
