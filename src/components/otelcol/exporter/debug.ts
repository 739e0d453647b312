// `otelcol.exporter.debug` (spec: alloy-components.md §9): writes what it receives to the
// process log or to raw outputs. basic/normal log one summary line per batch and never decode
// a lite batch; detailed adds a full text dump of every record (debug_text.ts).

import { open, type FileHandle } from "node:fs/promises";
import type { Batch, Signal } from "../../../otlp/index.ts";
import { type Consumer, consumerCapsule } from "../../../otlp/consumer.ts";
import { WT_LEN, WireReader } from "../../../otlp/wire.ts";
import { defineComponent } from "../../../runtime/component.ts";
import type { Fields, Logger } from "../../../runtime/logger.ts";
import { attr, t } from "../../../runtime/schema.ts";
import { dumpBatch } from "./debug_text.ts";

export interface DebugArgs {
  verbosity: "basic" | "normal" | "detailed";
  sampling_initial: number;
  sampling_thereafter: number;
  use_internal_logger: boolean;
  output_paths: string[];
}

/** The component definition. */
export const debugExporter = defineComponent<DebugArgs>({
  name: "otelcol.exporter.debug",
  summary: "Prints a summary of every batch (or, detailed, every item) through the log or to files.",
  stability: "generally-available",
  args: {
    attrs: {
      verbosity: attr(t.enum("basic", "normal", "detailed"), "basic"),
      sampling_initial: attr(t.int, 2),
      sampling_thereafter: attr(t.int, 1),
      use_internal_logger: attr(t.bool, true),
      output_paths: attr(t.list(t.string), ["stdout"]),
    },
    validate: (a: DebugArgs) => (a.output_paths.length === 0 && !a.use_internal_logger ? "output_paths must not be empty when use_internal_logger is false" : undefined),
  },
  exports: ["input"],
  build(opts, args) {
    const exporter = new DebugExporter(args, opts.logger);
    const input: Consumer = {
      consumeTraces: (b) => exporter.export(b),
      consumeMetrics: (b) => exporter.export(b),
      consumeLogs: (b) => exporter.export(b),
    };
    opts.onStateChange({ input: consumerCapsule(input) });
    return {
      run: (signal) => exporter.run(signal),
      update: (next) => exporter.update(next),
    };
  },
});

/** The summary of one batch: the log message and its count fields. */
export interface Summary {
  msg: string;
  fields: Fields;
}

/** The summary line's message per signal; also the sampler's key. */
const MESSAGES: Record<Signal, string> = { traces: "TracesExporter", metrics: "MetricsExporter", logs: "LogsExporter" };

/** Counts a batch for the summary line; never decodes a lite batch. */
export function summarize(batch: Batch<Signal>): Summary {
  const resources = batch.resourceCount();
  switch (batch.signal) {
    case "traces":
      return { msg: MESSAGES.traces, fields: { "resource spans": resources, spans: batch.itemCount() } };
    case "metrics":
      return { msg: MESSAGES.metrics, fields: { "resource metrics": resources, metrics: countMetrics(batch as Batch<"metrics">), "data points": batch.itemCount() } };
    default:
      return { msg: MESSAGES.logs, fields: { "resource logs": resources, "log records": batch.itemCount() } };
  }
}

// Field numbers on the path request → resource_metrics(1) → scope_metrics(2) → metrics(2).
const LEN_FIELD_1 = (1 << 3) | WT_LEN;
const LEN_FIELD_2 = (2 << 3) | WT_LEN;

/**
 * Number of Metric messages. Batch counts data points but not metrics, so this walks the
 * encoded request (for a lite batch a concatenation of the raw scope bytes) and counts the
 * `metrics` fields, skipping every payload unread.
 */
export function countMetrics(batch: Batch<"metrics">): number {
  const bytes = batch.toBinary();
  return countNested(new WireReader(bytes), bytes.length, [LEN_FIELD_1, LEN_FIELD_2, LEN_FIELD_2]);
}

/** Counts occurrences of the last tag in `path`, descending into the earlier ones. */
function countNested(r: WireReader, end: number, path: number[]): number {
  let n = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag !== path[0]) {
      r.skip(tag & 7, end);
    } else if (path.length === 1) {
      n++;
      r.skip(tag & 7, end);
    } else {
      const childEnd = r.length(end) + r.pos;
      n += countNested(r, childEnd, path.slice(1));
      r.pos = childEnd;
    }
  }
  return n;
}

/** Fields the way zap's console encoder prints them: `{"resource spans": 1, "spans": 2}`. */
function consoleFields(fields: Fields): string {
  return `{${Object.entries(fields).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(", ")}}`;
}

/** zap's per-second sampler: per key, the first `initial` entries of each second, then every `thereafter`th. */
export function createSampler(initial: number, thereafter: number, now: () => number = Date.now): (key: string) => boolean {
  const counters = new Map<string, { n: number; resetAt: number }>();
  return (key) => {
    const t = now();
    let c = counters.get(key);
    if (!c || t >= c.resetAt) {
      c = { n: 0, resetAt: t + 1000 };
      counters.set(key, c);
    }
    c.n++;
    if (c.n <= initial) return true;
    return thereafter > 0 && (c.n - initial) % thereafter === 0;
  };
}

/** Writes to the process logger or, with use_internal_logger = false, raw lines to output_paths. */
class DebugExporter {
  private sample: (key: string) => boolean;
  private raw: RawOutput | undefined;
  private running = false;

  constructor(private args: DebugArgs, private readonly logger: Logger) {
    this.sample = createSampler(args.sampling_initial, args.sampling_thereafter);
    if (!args.use_internal_logger) this.raw = new RawOutput(args.output_paths, logger);
  }

  async export(batch: Batch<Signal>): Promise<void> {
    // One decision per batch, taken before counting, so a dump is never logged without its
    // summary (zap would sample the dump under its own, always different, message).
    if (!this.sample(MESSAGES[batch.signal])) return;
    const summary = summarize(batch);
    const dump = this.args.verbosity === "detailed" ? dumpBatch(batch) : undefined;
    if (this.raw) {
      await this.raw.write(`${summary.msg}\t${consoleFields(summary.fields)}`);
      if (dump !== undefined) await this.raw.write(dump);
      return;
    }
    this.logger.info(summary.msg, summary.fields);
    if (dump !== undefined) this.logger.info(dump);
  }

  async run(signal: AbortSignal): Promise<void> {
    this.running = true;
    await this.raw?.open();
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
    this.running = false;
    await this.raw?.close();
  }

  async update(next: DebugArgs): Promise<void> {
    const prev = this.args;
    this.args = next;
    if (prev.sampling_initial !== next.sampling_initial || prev.sampling_thereafter !== next.sampling_thereafter) {
      this.sample = createSampler(next.sampling_initial, next.sampling_thereafter);
    }
    const samePaths = prev.use_internal_logger === next.use_internal_logger && prev.output_paths.join("\0") === next.output_paths.join("\0");
    if (samePaths) return;
    const old = this.raw;
    this.raw = next.use_internal_logger ? undefined : new RawOutput(next.output_paths, this.logger);
    if (this.running) await this.raw?.open();
    await old?.close();
  }
}

/** stdout, stderr and files (appended; opened in run() so that build has no side effects). */
class RawOutput {
  private files: FileHandle[] = [];
  private opened = false;
  /** Lines for files written before open(); flushed by open(). */
  private early: string[] = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly paths: string[], private readonly logger: Logger) {}

  async open(): Promise<void> {
    for (const p of this.paths) {
      if (p === "stdout" || p === "stderr") continue;
      try {
        this.files.push(await open(p, "a"));
      } catch (err) {
        this.logger.error("failed to open debug exporter output", { path: p, error: err });
      }
    }
    this.opened = true;
    const early = this.early;
    this.early = [];
    for (const line of early) await this.writeFiles(line);
  }

  write(text: string): Promise<void> {
    const line = text.endsWith("\n") ? text : text + "\n";
    for (const p of this.paths) {
      if (p === "stdout") process.stdout.write(line);
      else if (p === "stderr") process.stderr.write(line);
    }
    if (!this.opened) {
      // Before run(): keep a bounded backlog rather than open files during build.
      if (this.early.length < 1000) this.early.push(line);
      return Promise.resolve();
    }
    return this.writeFiles(line);
  }

  async close(): Promise<void> {
    await this.chain;
    const files = this.files;
    this.files = [];
    await Promise.all(files.map((f) => f.close()));
  }

  // Writes are chained so lines from concurrent batches never interleave.
  private writeFiles(line: string): Promise<void> {
    if (this.files.length === 0) return Promise.resolve();
    const files = this.files;
    this.chain = this.chain.then(async () => {
      try {
        await Promise.all(files.map((f) => f.write(line)));
      } catch (err) {
        this.logger.error("failed to write debug exporter output", { error: err });
      }
    });
    return this.chain;
  }
}
