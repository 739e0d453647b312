// `otelcol.processor.resourcedetection` (spec: alloy-components.md §2): detects facts about the
// gateway's host and platform once when it starts, and writes them onto the resource of every
// ResourceSpans / ResourceMetrics / ResourceLogs that passes. Only resources change, so batches
// stay lite. The detectors themselves live in resourcedetection/detectors/, listed in
// resourcedetection/registry.ts.

import { readFile } from "node:fs/promises";
import { create } from "@bufbuild/protobuf";
import { type AnyValue, AnyValueSchema, KeyValueSchema } from "../../../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import type { Resource } from "../../../../gen/opentelemetry/proto/resource/v1/resource_pb.ts";
import type { Batch, Signal } from "../../../otlp/batch.ts";
import { type Consumer, consumerCapsule } from "../../../otlp/consumer.ts";
import { PipelineError } from "../../../otlp/errors.ts";
import { type ComponentDefinition, type Health, defineComponent } from "../../../runtime/component.ts";
import { health } from "../../../runtime/health.ts";
import type { Logger } from "../../../runtime/logger.ts";
import { type BlockSpec, type Schema, attr, t } from "../../../runtime/schema.ts";
import { Secret } from "../../../runtime/value.ts";
import { type DebugMetricsArgs, debugMetricsBlock } from "../shared/debug_metrics.ts";
import { type OutputArgs, deliver, outputBlock, unsupported } from "../shared/output.ts";
import { type DetectContext, type DetectedValue, type Detector, MissingMetadataError, isUnavailable } from "./resourcedetection/detector.ts";
import { DETECTORS } from "./resourcedetection/registry.ts";

export interface ResourceDetectionArgs {
  detectors: string[];
  override: boolean;
  /** Milliseconds. */
  timeout: number;
  fail_on_missing_metadata: boolean;
  output: OutputArgs;
  debug_metrics: DebugMetricsArgs;
  /** One decoded block per configurable detector, keyed by its name (`system`, `docker`, …). */
  [detectorBlock: string]: unknown;
}

/** What the component reads from the outside world; tests replace it, production uses the real one. */
export interface ResourceDetectionDeps {
  detectors: readonly Detector<any>[];
  env(name: string): string | undefined;
  readFile(path: string): Promise<string>;
  fetch: typeof fetch;
  /** The first wait before a failed detector is retried; doubles each time (spec §2.1: ~1s). */
  initialBackoffMs: number;
}

const PRODUCTION: ResourceDetectionDeps = {
  detectors: DETECTORS,
  env: (name) => process.env[name],
  readFile: (path) => readFile(path, "utf8"),
  fetch: ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init)) as typeof fetch,
  initialBackoffMs: 1000,
};

/** The merged result of one detection run. */
export interface Detected {
  attributes: [string, DetectedValue][];
  schemaUrl: string;
  /** Set when a detector failed (spec §2.1: the component is unhealthy and processes nothing). */
  error?: string;
}

/** The block of one detector: its own arguments plus `resource_attributes { <attr> { enabled } }`. */
function detectorBlock(d: Detector<any>): BlockSpec | undefined {
  const names = Object.keys(d.attributes);
  if (!d.block && names.length === 0) return undefined;
  const blocks: Record<string, BlockSpec> = { ...d.block?.blocks };
  if (names.length > 0) {
    const perAttribute = names.map((n): [string, BlockSpec] => [n, { defaultPresent: true, schema: { attrs: { enabled: attr(t.bool, d.attributes[n]) } } }]);
    blocks.resource_attributes = { defaultPresent: true, schema: { blocks: Object.fromEntries(perAttribute) } };
  }
  return { defaultPresent: true, schema: { ...d.block, blocks } };
}

/** The argument schema for a set of detectors (spec §2 table and validation messages). */
export function resourceDetectionSchema(detectors: readonly Detector<any>[]): Schema {
  const blocks: Record<string, BlockSpec> = { output: outputBlock, debug_metrics: debugMetricsBlock };
  for (const d of detectors) {
    const b = detectorBlock(d);
    if (b) blocks[d.name] = b;
  }
  const known = new Set(detectors.map((d) => d.name));
  return {
    attrs: {
      detectors: attr(t.list(t.string), ["env"]),
      override: attr(t.bool, true),
      timeout: attr(t.duration, 5000),
      fail_on_missing_metadata: attr(t.bool, false),
    },
    blocks,
    validate(a: ResourceDetectionArgs) {
      if (a.detectors.length === 0) return ["at least one detector must be specified"];
      return a.detectors.filter((n) => !known.has(n)).map((n) => `invalid detector: ${n}`);
    },
  };
}

/** Builds the component definition around `deps` (tests pass fakes). */
export function createResourceDetection(overrides: Partial<ResourceDetectionDeps> = {}): ComponentDefinition<ResourceDetectionArgs> {
  const deps = { ...PRODUCTION, ...overrides };
  return defineComponent<ResourceDetectionArgs>({
    name: "otelcol.processor.resourcedetection",
    summary: "Detects host and platform facts once at start and writes them onto the resource of all telemetry.",
    stability: "generally-available",
    args: resourceDetectionSchema(deps.detectors),
    exports: ["input"],
    build(opts, args) {
      const p = new ResourceDetection(args, opts.logger, deps);
      const input: Consumer = {
        consumeTraces: (b) => p.consume(b),
        consumeMetrics: (b) => p.consume(b),
        consumeLogs: (b) => p.consume(b),
      };
      opts.onStateChange({ input: consumerCapsule(input) });
      return { run: (s) => p.run(s), update: (a) => p.update(a), health: () => p.health() };
    },
  });
}

/** The component definition. */
export const resourceDetectionProcessor = createResourceDetection();

/** A promise with its resolve function. */
interface Pending {
  promise: Promise<Detected>;
  resolve(d: Detected): void;
}

function pending(): Pending {
  let resolve!: (d: Detected) => void;
  const promise = new Promise<Detected>((r) => (resolve = r));
  return { promise, resolve };
}

/** Detection state, the cached result, and enrichment of every batch. */
class ResourceDetection {
  private waiting: Pending = pending();
  private result: Detected | undefined;
  /** Bumped by every new detection run, so a superseded run's result is ignored. */
  private generation = 0;
  private current: AbortController | undefined;
  private running: Promise<void> | undefined;
  private started = false;
  private stopped = false;

  constructor(
    private args: ResourceDetectionArgs,
    private readonly logger: Logger,
    private readonly deps: ResourceDetectionDeps,
  ) {}

  /** Detects once (spec §2.1), then waits for the abort. */
  async run(signal: AbortSignal): Promise<void> {
    this.started = true;
    this.detect();
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
    this.stopped = true;
    this.current?.abort(new DOMException("component stopped", "AbortError"));
    await this.running;
  }

  /** New arguments; a change of anything detection depends on runs detection again. */
  update(next: ResourceDetectionArgs): void {
    const redetect = detectionKey(this.args, this.deps.detectors) !== detectionKey(next, this.deps.detectors);
    this.args = next;
    if (redetect && this.started && !this.stopped) this.detect();
  }

  health(): Health | undefined {
    if (this.result?.error !== undefined) return health("unhealthy", `resource detection failed: ${this.result.error}`);
    return undefined;
  }

  /** Enriches the batch's resources and hands it on; waits (up to `timeout`) while detection runs. */
  async consume(batch: Batch<Signal>): Promise<void> {
    const outputs = this.args.output[batch.signal];
    if (outputs.length === 0) throw unsupported(batch.signal);
    const detected = this.result ?? (await this.awaitDetection());
    if (detected.error !== undefined) throw PipelineError.retryable(`resource detection failed: ${detected.error}`);
    enrich(batch, detected, this.args.override);
    await deliver(outputs, batch);
  }

  private async awaitDetection(): Promise<Detected> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), this.args.timeout)));
    try {
      const d = await Promise.race([this.waiting.promise, expired]);
      if (d === undefined) throw PipelineError.retryable("resource detection has not finished yet");
      return d;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Starts a detection run, superseding any run still going. */
  private detect(): void {
    this.current?.abort(new DOMException("superseded by new arguments", "AbortError"));
    const ctl = new AbortController();
    this.current = ctl;
    const generation = ++this.generation;
    if (this.result !== undefined) {
      // Data arriving from now on waits for the new result rather than using the old one.
      this.result = undefined;
      this.waiting = pending();
    }
    const waiting = this.waiting;
    const plan = planDetection(this.args, this.deps.detectors);
    this.running = detectAll(plan, this.args, this.deps, this.logger, ctl.signal)
      .catch((err: unknown): Detected => ({ attributes: [], schemaUrl: "", error: messageOf(err) }))
      .then((d) => {
        if (generation !== this.generation) return;
        this.result = d;
        waiting.resolve(d);
      });
  }
}

/** Everything that detection depends on, as a comparable string (secrets included, in memory only). */
function detectionKey(a: ResourceDetectionArgs, detectors: readonly Detector<any>[]): string {
  const blocks = detectors.map((d) => [d.name, a[d.name]]);
  return canonical([a.detectors, a.timeout, a.fail_on_missing_metadata, blocks]);
}

function canonical(v: unknown): string {
  if (v instanceof Secret) return `secret:${JSON.stringify(v.value)}`;
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const entries = Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(v) ?? "undefined";
}

/** One detector to run, with its decoded block and attribute switches. */
export interface PlannedDetector {
  detector: Detector<any>;
  args: Record<string, unknown>;
  enabled(attribute: string): boolean;
}

/** The listed detectors in `detectors` order, each with its block (defaults applied). */
export function planDetection(a: ResourceDetectionArgs, detectors: readonly Detector<any>[]): PlannedDetector[] {
  return a.detectors.map((name) => {
    const detector = detectors.find((d) => d.name === name);
    if (!detector) throw new Error(`invalid detector: ${name}`); // validation rejects this earlier
    const args = (a[name] as Record<string, unknown> | undefined) ?? {};
    const switches = (args.resource_attributes ?? {}) as Record<string, { enabled: boolean } | undefined>;
    return { detector, args, enabled: (attribute: string) => switches[attribute]?.enabled ?? detector.attributes[attribute] ?? false };
  });
}

type Outcome = { attributes: Record<string, DetectedValue>; schemaUrl: string } | { error: string };

/**
 * Runs all detectors concurrently, each retried with exponential backoff until `timeout`
 * (spec §2.1), and merges the results in list order: the first detector to provide a key wins.
 */
export async function detectAll(plan: PlannedDetector[], a: ResourceDetectionArgs, deps: ResourceDetectionDeps, logger: Logger, stop: AbortSignal): Promise<Detected> {
  logger.info("began detecting resource information");
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new DOMException(`no result within timeout ${a.timeout}ms`, "TimeoutError")), a.timeout);
  const signal = AbortSignal.any([stop, deadline.signal]);
  try {
    const outcomes = await Promise.all(plan.map((p) => detectOne(p, a, deps, logger, signal)));
    if (stop.aborted) return { attributes: [], schemaUrl: "", error: "stopped before detection finished" };
    return merge(plan, outcomes, logger);
  } finally {
    clearTimeout(timer);
  }
}

function merge(plan: PlannedDetector[], outcomes: Outcome[], logger: Logger): Detected {
  const attributes = new Map<string, DetectedValue>();
  let schemaUrl = "";
  const errors: string[] = [];
  outcomes.forEach((o, i) => {
    if ("error" in o) return void errors.push(`${plan[i]!.detector.name}: ${o.error}`);
    for (const [k, v] of Object.entries(o.attributes)) if (!attributes.has(k)) attributes.set(k, v);
    if (schemaUrl === "") schemaUrl = o.schemaUrl; // upstream MergeSchemaURL keeps the first
  });
  const detected: Detected = { attributes: [...attributes], schemaUrl };
  if (errors.length > 0) detected.error = errors.join("; ");
  logger.info("detected resource information", { resource: JSON.stringify(Object.fromEntries(attributes)) });
  return detected;
}

/** One detector: attempts until success or `signal`; an unreachable source at the end gives nothing. */
async function detectOne(p: PlannedDetector, a: ResourceDetectionArgs, deps: ResourceDetectionDeps, logger: Logger, signal: AbortSignal): Promise<Outcome> {
  const name = p.detector.name;
  const ctx: DetectContext = {
    signal,
    logger: logger.child({ detector: name }),
    env: deps.env,
    fetch: deps.fetch,
    readFile: deps.readFile,
    failOnMissingMetadata: a.fail_on_missing_metadata,
  };
  let wait = deps.initialBackoffMs;
  let last: unknown;
  while (!signal.aborted) {
    try {
      const d = await untilAborted(p.detector.detect(ctx, p.args, p.enabled), signal);
      return { attributes: d.attributes, schemaUrl: d.schemaUrl ?? "" };
    } catch (err) {
      last = err;
      if (signal.aborted) break;
      logger.warn("failed to detect resource", { detector: name, error: messageOf(err) });
      await sleep(jitter(wait), signal);
      wait *= 2;
    }
  }
  if (last === undefined) last = signal.reason;
  if ((signal.reason as Error | undefined)?.name !== "TimeoutError") return { error: "stopped" }; // the component stopped; nothing to report
  if (isUnavailable(last) && !(last instanceof MissingMetadataError)) {
    if (a.fail_on_missing_metadata) return { error: `source unavailable: ${messageOf(last)}` };
    logger.warn("resource detector could not reach its source; it contributes nothing", { detector: name, error: messageOf(last) });
    return { attributes: {}, schemaUrl: "" };
  }
  return { error: messageOf(last) };
}

/** Rejects with the signal's reason as soon as it aborts, whatever `p` does. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => (signal.removeEventListener("abort", onAbort), resolve(v)),
      (e) => (signal.removeEventListener("abort", onAbort), reject(e)),
    );
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => (clearTimeout(timer), signal.removeEventListener("abort", done), resolve());
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** ±50% randomisation, so many gateways restarted together do not retry in step. */
function jitter(ms: number): number {
  return ms * (0.5 + Math.random());
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Applies the detected set to every resource of the batch (spec §2.2); never decodes items. */
export function enrich(batch: Batch<Signal>, detected: Detected, override: boolean): void {
  if (detected.schemaUrl !== "") batch.setSchemaUrlIfEmpty(detected.schemaUrl);
  if (detected.attributes.length === 0) return;
  for (const r of batch.resources()) mergeInto(r, detected.attributes, override);
}

/** override: detected values replace the client's; otherwise only missing keys are added. */
export function mergeInto(resource: Resource, detected: readonly [string, DetectedValue][], override: boolean): void {
  const index = new Map<string, number>();
  resource.attributes.forEach((kv, i) => index.has(kv.key) || index.set(kv.key, i));
  for (const [key, value] of detected) {
    const i = index.get(key);
    if (i === undefined) index.set(key, resource.attributes.push(create(KeyValueSchema, { key, value: anyValue(value) })) - 1);
    else if (override) resource.attributes[i]!.value = anyValue(value);
  }
}

/** A fresh AnyValue per resource, so that no two resources share a mutable message. */
function anyValue(v: DetectedValue): AnyValue {
  if (typeof v === "string") return create(AnyValueSchema, { value: { case: "stringValue", value: v } });
  if (typeof v === "boolean") return create(AnyValueSchema, { value: { case: "boolValue", value: v } });
  if (typeof v === "number") {
    return Number.isInteger(v) ? create(AnyValueSchema, { value: { case: "intValue", value: BigInt(v) } }) : create(AnyValueSchema, { value: { case: "doubleValue", value: v } });
  }
  const values = v.map((s) => ({ value: { case: "stringValue" as const, value: s } }));
  return create(AnyValueSchema, { value: { case: "arrayValue", value: { values } } });
}
