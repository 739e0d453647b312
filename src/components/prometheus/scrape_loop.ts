// One target's scrape loop (alloy-components.md §14; staleness: prometheus.md §4.5): scrape at
// the target's slot in every interval, append the samples and the synthetic series in one
// transaction, mark series that disappeared stale, and on failure report up=0 and mark every
// series of the last successful scrape stale.

import type { Appendable, Appender, Labels, Metadata } from "../../prom/appender.ts";
import { parseText } from "../../prom/textparse.ts";
import type { Host } from "../../runtime/component.ts";
import type { Logger } from "../../runtime/logger.ts";
import { type RequestSettings, type ScrapeBody, fetchScrape, formatOf } from "./scrape_http.ts";
import { type LabelLimits, type Target, checkLabelLimits, delayUntilSlot, mutateLabels, seriesKey } from "./scrape_target.ts";

/** What a loop reads at every scrape, so argument updates apply to the next scrape. */
export interface LoopSettings extends LabelLimits {
  honor_labels: boolean;
  honor_timestamps: boolean;
  track_timestamps_staleness: boolean;
  sample_limit: number;
  extra_metrics: boolean;
  fallbackProtocol: string;
  /** Request settings for this target. */
  request(t: Target): RequestSettings;
  /** A reason every scrape fails now (target_limit exceeded), or undefined. */
  forcedError?: string;
}

export interface LoopContext {
  settings(): LoopSettings;
  appendable: Appendable;
  host?: Host;
  logger: Logger;
  /** Called after each commit with the number of samples forwarded and the commit latency. */
  onCommit(samples: number, seconds: number): void;
}

/** The outcome of the latest scrape, for debug info. */
export interface ScrapeStatus {
  health: "unknown" | "up" | "down";
  lastError: string;
  lastScrape?: Date;
  lastDurationSeconds: number;
}

interface Report {
  up: number;
  durationSeconds: number;
  scraped: number;
  postRelabel: number;
  added: number;
  bodyBytes: number;
}

/** Scrapes one target until stopped. */
export class ScrapeLoop {
  readonly status: ScrapeStatus = { health: "unknown", lastError: "", lastDurationSeconds: 0 };
  /** Series of the previous scrape that staleness tracks, by key. */
  private previous = new Map<string, Labels>();
  /** Keys of every series of the previous scrape, for scrape_series_added. */
  private previousKeys = new Set<string>();
  private readonly sentMetadata = new Map<string, string>();
  /** Synthetic series written so far, to end them when the target goes away. */
  private reported: string[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: Promise<void> | undefined;
  private readonly stopper = new AbortController();

  constructor(
    readonly target: Target,
    private readonly ctx: LoopContext,
  ) {}

  /** Starts scraping at the target's next slot. */
  start(): void {
    this.schedule(delayUntilSlot(this.target, Date.now()));
  }

  /** Stops; with `stale`, marks every series (synthetic ones included) stale, as for a removed target. */
  async stop(stale: boolean): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.stopper.abort();
    await this.inFlight;
    if (stale) await this.commitStaleness(Date.now());
  }

  private schedule(delay: number): void {
    if (this.stopper.signal.aborted) return;
    this.timer = setTimeout(() => {
      const started = Date.now();
      this.inFlight = this.scrape(started).finally(() => {
        this.inFlight = undefined;
        // The next slot, skipping any missed while this scrape ran long.
        const interval = this.target.intervalMs;
        const behind = Date.now() - started;
        this.schedule(interval - (behind % interval));
      });
    }, delay);
  }

  /** One scrape, one transaction. Exposed for tests that drive the loop by hand. */
  async scrape(started = Date.now()): Promise<void> {
    const s = this.ctx.settings();
    const req = s.request(this.target);
    let body: ScrapeBody | undefined;
    let error = s.forcedError;
    if (error === undefined) {
      try {
        body = await fetchScrape(req, this.ctx.host, this.stopper.signal);
      } catch (err) {
        error = (err as Error).message;
      }
    }
    if (this.stopper.signal.aborted) return;
    const durationSeconds = (Date.now() - started) / 1000;
    const report: Report = { up: 0, durationSeconds, scraped: 0, postRelabel: 0, added: 0, bodyBytes: body?.bytes ?? 0 };
    let app = this.ctx.appendable.appender();
    let appended = 0;
    let current = new Map<string, Labels>();
    let keys = new Set<string>();
    if (body !== undefined) {
      try {
        appended = this.appendBody(app, body, s, started, current, keys, report);
        report.up = 1;
      } catch (err) {
        error = (err as Error).message;
        app.rollback();
        app = this.ctx.appendable.appender();
        current = new Map();
        keys = new Set();
        report.added = 0;
      }
    }
    // Whatever was seen last time and not now has ended (all of it when the scrape failed).
    for (const [key, labels] of this.previous) if (!current.has(key)) app.appendStale(labels, started);
    appended += this.appendReport(app, report, s, started);
    this.previous = current;
    this.previousKeys = keys;
    this.record(error, started, durationSeconds);
    await this.commit(app, appended);
  }

  /** Appends the parsed samples; throws (for a rollback) on a parse error or a limit. */
  private appendBody(app: Appender, body: ScrapeBody, s: LoopSettings, ts: number, current: Map<string, Labels>, keys: Set<string>, report: Report): number {
    const parsed = parseText(body.text, formatOf(body.contentType, s.fallbackProtocol), { sampleLimit: s.sample_limit });
    report.scraped = parsed.samples.length;
    let appended = 0;
    for (const sample of parsed.samples) {
      const labels = mutateLabels(sample.labels, this.target.labels, s.honor_labels);
      const limitError = checkLabelLimits(labels, s);
      if (limitError !== undefined) throw new Error(limitError);
      const key = seriesKey(labels);
      // A second sample of one series in one scrape is dropped, as Prometheus does.
      if (keys.has(key)) continue;
      keys.add(key);
      const explicit = s.honor_timestamps ? sample.timestampMs : undefined;
      app.append(labels, explicit ?? ts, sample.value);
      if (sample.exemplar) app.appendExemplar(labels, sample.exemplar);
      appended++;
      if (!this.previousKeys.has(key)) report.added++;
      // Series with their own timestamps are not marked stale unless asked (Prometheus).
      if (explicit === undefined || s.track_timestamps_staleness) current.set(key, labels);
    }
    report.postRelabel = appended;
    this.appendMetadata(app, parsed.metadata);
    return appended;
  }

  private appendMetadata(app: Appender, metadata: Map<string, Metadata>): void {
    for (const [family, md] of metadata) {
      const text = JSON.stringify(md);
      if (this.sentMetadata.get(family) === text) continue;
      this.sentMetadata.set(family, text);
      app.updateMetadata(family, md);
    }
  }

  private appendReport(app: Appender, r: Report, s: LoopSettings, ts: number): number {
    const values: [string, number][] = [
      ["up", r.up],
      ["scrape_duration_seconds", r.durationSeconds],
      ["scrape_samples_scraped", r.scraped],
      ["scrape_samples_post_metric_relabeling", r.postRelabel],
      ["scrape_series_added", r.added],
    ];
    if (s.extra_metrics) {
      values.push(["scrape_timeout_seconds", this.target.timeoutMs / 1000], ["scrape_sample_limit", s.sample_limit], ["scrape_body_size_bytes", r.bodyBytes]);
    }
    for (const [name, value] of values) app.append(this.reportLabels(name), ts, value);
    this.reported = values.map(([name]) => name);
    return values.length;
  }

  private reportLabels(name: string): Labels {
    return mutateLabels([["__name__", name]], this.target.labels, false);
  }

  /** Stale markers for every series and the synthetic ones, in their own transaction. */
  private async commitStaleness(ts: number): Promise<void> {
    if (this.previous.size === 0 && this.reported.length === 0) return;
    const app = this.ctx.appendable.appender();
    for (const labels of this.previous.values()) app.appendStale(labels, ts);
    for (const name of this.reported) app.appendStale(this.reportLabels(name), ts);
    this.previous = new Map();
    this.previousKeys = new Set();
    this.reported = [];
    await this.commit(app, 0);
  }

  private async commit(app: Appender, samples: number): Promise<void> {
    const started = performance.now();
    try {
      await app.commit();
      this.ctx.onCommit(samples, (performance.now() - started) / 1000);
    } catch (err) {
      this.ctx.logger.warn("forwarding scraped samples failed", { target: this.target.url, error: (err as Error).message });
    }
  }

  private record(error: string | undefined, started: number, seconds: number): void {
    const was = this.status.lastError;
    this.status.health = error === undefined ? "up" : "down";
    this.status.lastError = error ?? "";
    this.status.lastScrape = new Date(started);
    this.status.lastDurationSeconds = seconds;
    if (error !== undefined && error !== was) this.ctx.logger.warn("scrape failed", { target: this.target.url, error });
  }
}
