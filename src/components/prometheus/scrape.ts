// prometheus.scrape (spec: alloy-components.md §14): scrapes every target in the Prometheus text
// or OpenMetrics format and appends the samples, with the synthetic series and stale markers,
// to the `forward_to` receivers. One loop per target; an update keeps the loops of unchanged
// targets, stops removed ones (with stale markers) and starts new ones.

import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { type Appendable, RECEIVER_TYPE, fanout } from "../../prom/appender.ts";
import { type ComponentOptions, defineComponent } from "../../runtime/component.ts";
import { formatDuration } from "../../runtime/duration.ts";
import { type Schema, attr, inert, required, t } from "../../runtime/schema.ts";
import type { ObjectValue, Secret } from "../../runtime/value.ts";
import { type LoopSettings, ScrapeLoop } from "./scrape_loop.ts";
import { PROTOCOLS, type RequestSettings, acceptHeader } from "./scrape_http.ts";
import { type Target, buildTarget } from "./scrape_target.ts";

export interface ScrapeArgs {
  targets: Record<string, string>[];
  forward_to: Appendable[];
  job_name?: string;
  scrape_interval: number;
  scrape_timeout: number;
  metrics_path: string;
  scheme: string;
  params: Record<string, string[]>;
  honor_labels: boolean;
  honor_timestamps: boolean;
  track_timestamps_staleness: boolean;
  enable_compression: boolean;
  follow_redirects: boolean;
  body_size_limit: number;
  sample_limit: number;
  target_limit: number;
  label_limit: number;
  label_name_length_limit: number;
  label_value_length_limit: number;
  scrape_protocols: string[];
  scrape_fallback_protocol: string;
  metric_name_escaping_scheme: string;
  extra_metrics: boolean;
  bearer_token?: Secret;
  bearer_token_file?: string;
  http_headers: Record<string, Secret[]>;
  basic_auth?: { username: string; password?: Secret; password_file?: string };
  authorization?: { type: string; credentials?: Secret; credentials_file?: string };
  oauth2?: unknown;
  tls_config?: { ca_pem?: string; ca_file?: string; cert_pem?: string; cert_file?: string; key_pem?: Secret; key_file?: string; server_name?: string; insecure_skip_verify: boolean };
}

const DEFAULT_PROTOCOLS = ["OpenMetricsText1.0.0", "OpenMetricsText0.0.1", "PrometheusText1.0.0", "PrometheusText0.0.4"];
const NO_PROXY = "requests use the runtime's fetch; proxies are not supported by prometheus.scrape in solder";

/** Checks the arguments as a whole (messages as Alloy's and Prometheus's). */
export function validateScrapeArgs(a: ScrapeArgs): string[] {
  const p: string[] = [];
  if (a.scrape_interval <= 0) p.push("scrape_interval must be greater than 0");
  if (a.scrape_timeout > a.scrape_interval) {
    p.push(`scrape_timeout (${formatDuration(a.scrape_timeout)}) greater than scrape_interval (${formatDuration(a.scrape_interval)}) for scrape config with job name ${JSON.stringify(a.job_name ?? "")}`);
  }
  const seen = new Set<string>();
  for (const sp of a.scrape_protocols) {
    if (!PROTOCOLS.includes(sp)) p.push(`unknown scrape protocol ${sp}, supported: [${PROTOCOLS.join(" ")}]`);
    if (seen.has(sp)) p.push(`duplicated protocol in scrape_protocols, got [${a.scrape_protocols.join(" ")}]`);
    seen.add(sp);
  }
  if (a.scrape_protocols.length === 0) p.push("scrape_protocols cannot be empty");
  if (!PROTOCOLS.includes(a.scrape_fallback_protocol)) p.push(`unknown scrape protocol ${a.scrape_fallback_protocol}, supported: [${PROTOCOLS.join(" ")}]`);
  const auth = [a.basic_auth, a.authorization, a.oauth2, a.bearer_token, a.bearer_token_file].filter((x) => x !== undefined).length;
  if (auth > 1) p.push("at most one of basic_auth, authorization, oauth2, bearer_token & bearer_token_file must be configured");
  return p;
}

const secretMap = t.map(t.list(t.secret));

/** The argument schema. */
export const scrapeSchema: Schema = {
  attrs: {
    targets: required(t.list(t.map(t.string))),
    forward_to: required(t.list(t.capsule(RECEIVER_TYPE))),
    job_name: attr(t.string),
    scrape_interval: attr(t.duration, 60_000),
    scrape_timeout: attr(t.duration, 10_000),
    metrics_path: attr(t.string, "/metrics"),
    scheme: attr(t.enum("http", "https"), "http"),
    params: attr(t.map(t.list(t.string)), {}),
    honor_labels: attr(t.bool, false),
    honor_timestamps: attr(t.bool, true),
    track_timestamps_staleness: attr(t.bool, false),
    enable_compression: attr(t.bool, true),
    enable_http2: inert(t.bool, true, "requests use the runtime's fetch, which picks the HTTP version itself"),
    follow_redirects: attr(t.bool, true),
    body_size_limit: attr(t.bytesize, 0),
    sample_limit: attr(t.int, 0),
    target_limit: attr(t.int, 0),
    label_limit: attr(t.int, 0),
    label_name_length_limit: attr(t.int, 0),
    label_value_length_limit: attr(t.int, 0),
    scrape_protocols: attr(t.list(t.string), DEFAULT_PROTOCOLS),
    scrape_fallback_protocol: attr(t.string, "PrometheusText0.0.4"),
    scrape_native_histograms: inert(t.bool, false, "native histograms need the protobuf format, which solder does not parse"),
    scrape_classic_histograms: inert(t.bool, false, "classic histograms are always scraped"),
    convert_classic_histograms_to_nhcb: inert(t.bool, false, "classic histograms are sent as _bucket/_sum/_count series"),
    metric_name_validation_scheme: inert(t.enum("legacy", "utf8"), "legacy", "scraped names are accepted as exposed (quoted UTF-8 names included)"),
    metric_name_escaping_scheme: attr(t.enum("underscores", "allow-utf-8", "dots", "values"), "underscores"),
    extra_metrics: attr(t.bool, false),
    bearer_token: attr(t.secret),
    bearer_token_file: attr(t.string),
    http_headers: attr(secretMap, {}),
    proxy_url: inert(t.string, undefined, NO_PROXY),
    no_proxy: inert(t.string, undefined, NO_PROXY),
    proxy_from_environment: inert(t.bool, false, NO_PROXY),
    proxy_connect_header: inert(secretMap, undefined, NO_PROXY),
  },
  blocks: {
    basic_auth: { schema: { attrs: { username: attr(t.string, ""), password: attr(t.secret), password_file: attr(t.string) } } },
    authorization: { schema: { attrs: { type: attr(t.string, "Bearer"), credentials: attr(t.secret), credentials_file: attr(t.string) } } },
    oauth2: { noEffect: "OAuth 2.0 token exchange is not implemented; requests go without a token", schema: { attrs: { ...Object.fromEntries(["client_id", "client_secret_file", "scopes", "token_url", "endpoint_params", "proxy_url", "no_proxy", "proxy_from_environment"].map((k) => [k, attr(t.any)])), client_secret: attr(t.secret), proxy_connect_header: attr(secretMap) }, blocks: { tls_config: { schema: { attrs: {} } } } } },
    tls_config: {
      schema: {
        attrs: {
          ca_pem: attr(t.string),
          ca_file: attr(t.string),
          cert_pem: attr(t.string),
          cert_file: attr(t.string),
          key_pem: attr(t.secret),
          key_file: attr(t.string),
          server_name: attr(t.string),
          insecure_skip_verify: attr(t.bool, false),
          min_version: inert(t.string, undefined, "the runtime's TLS defaults apply"),
        },
      },
    },
    clustering: { noEffect: "solder runs as a single instance; every target is scraped here", schema: { attrs: { enabled: attr(t.bool, false) } } },
  },
  validate: validateScrapeArgs,
};

/** `prometheus.scrape`. */
export const scrape = defineComponent<ScrapeArgs>({
  name: "prometheus.scrape",
  summary: "Scrapes Prometheus and OpenMetrics targets and forwards the samples to `prometheus.*` receivers.",
  stability: "generally-available",
  args: scrapeSchema,
  exports: [],
  build(opts, args) {
    const scraper = new Scraper(opts, args);
    return {
      run: (signal) => scraper.run(signal),
      update: (next) => scraper.update(next),
      debugInfo: () => scraper.debugInfo(),
    };
  },
});

/** The per-target loops of one component. */
export class Scraper {
  private args: ScrapeArgs;
  private targets: Target[] = [];
  private readonly loops = new Map<string, ScrapeLoop>();
  private readonly appendable: Appendable;
  private running = false;
  private readonly targetsGauge;
  private readonly forwarded;
  private readonly latency;

  constructor(
    private readonly opts: ComponentOptions,
    args: ScrapeArgs,
  ) {
    this.args = args;
    this.appendable = fanout(() => this.args.forward_to);
    this.targetsGauge = opts.metrics.gauge("prometheus_scrape_targets_gauge", "Number of targets this component is configured to scrape");
    this.forwarded = opts.metrics.counter("prometheus_forwarded_samples_total", "Total number of samples sent to downstream components.");
    this.latency = opts.metrics.histogram("prometheus_fanout_latency", "Write latency for sending to direct and indirect components");
    this.targets = this.resolveTargets(args);
  }

  /** Scrapes until aborted; on shutdown no stale markers are written (the process may come back). */
  async run(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    this.running = true;
    await this.sync();
    await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    this.running = false;
    await Promise.all([...this.loops.values()].map((l) => l.stop(false)));
    this.loops.clear();
  }

  /** New arguments: settings apply at the next scrape; the target set is reconciled. */
  async update(next: ScrapeArgs): Promise<void> {
    this.args = next;
    this.targets = this.resolveTargets(next);
    if (this.running) await this.sync();
  }

  /** Per-target state in the shape of Alloy's target debug info. */
  debugInfo(): ObjectValue {
    const targets = [...this.loops.values()].map((l) => ({
      job: l.target.labels.find(([n]) => n === "job")?.[1] ?? "",
      url: l.target.url,
      health: l.status.health,
      labels: Object.fromEntries(l.target.labels),
      last_error: l.status.lastError,
      last_scrape: l.status.lastScrape?.toISOString() ?? "",
      last_scrape_duration: formatDuration(l.status.lastDurationSeconds * 1000),
    }));
    return { targets };
  }

  private resolveTargets(a: ScrapeArgs): Target[] {
    const defaults = { jobName: a.job_name ?? this.opts.id, scheme: a.scheme, metricsPath: a.metrics_path, params: a.params, intervalMs: a.scrape_interval, timeoutMs: a.scrape_timeout };
    const out = new Map<string, Target>();
    for (const raw of a.targets) {
      const target = buildTarget(raw, defaults);
      if (typeof target === "string") this.opts.logger.warn("dropping target", { target: JSON.stringify(raw), reason: target });
      else out.set(target.key, target);
    }
    this.targetsGauge.set({}, out.size);
    return [...out.values()];
  }

  private async sync(): Promise<void> {
    const wanted = new Set(this.targets.map((t) => t.key));
    const removed = [...this.loops].filter(([key]) => !wanted.has(key));
    for (const [key] of removed) this.loops.delete(key);
    for (const target of this.targets) {
      if (this.loops.has(target.key)) continue;
      const loop = new ScrapeLoop(target, {
        settings: () => this.settings(),
        appendable: this.appendable,
        host: this.opts.host,
        logger: this.opts.logger,
        onCommit: (samples, seconds) => {
          this.forwarded.inc({}, samples);
          this.latency.observe({}, seconds);
        },
      });
      this.loops.set(target.key, loop);
      loop.start();
    }
    await Promise.all(removed.map(([, loop]) => loop.stop(true)));
  }

  private settings(): LoopSettings {
    const a = this.args;
    const accept = acceptHeader(a.scrape_protocols, a.metric_name_escaping_scheme);
    const tls = a.tls_config ? () => tlsOptions(a) : undefined;
    const forcedError = a.target_limit > 0 && this.targets.length > a.target_limit ? `target_limit exceeded (number of targets: ${this.targets.length}, limit: ${a.target_limit})` : undefined;
    return {
      ...a,
      fallbackProtocol: a.scrape_fallback_protocol,
      forcedError,
      request: (target): RequestSettings => ({
        url: target.url,
        address: target.address,
        timeoutMs: target.timeoutMs,
        accept,
        compression: a.enable_compression,
        followRedirects: a.follow_redirects,
        bodySizeLimit: a.body_size_limit,
        headers: () => requestHeaders(a),
        tls,
      }),
    };
  }
}

/** http_headers plus the Authorization header; credential files are read per request so rotations apply. */
async function requestHeaders(a: ScrapeArgs): Promise<Record<string, string>> {
  const h: Record<string, string> = {};
  for (const [name, values] of Object.entries(a.http_headers)) if (values.length > 0) h[name] = values.map((v) => v.value).join(", ");
  const read = async (file: string) => (await readFile(file, "utf8")).trim();
  if (a.basic_auth) {
    const password = a.basic_auth.password_file !== undefined ? await read(a.basic_auth.password_file) : (a.basic_auth.password?.value ?? "");
    h.Authorization = `Basic ${toBase64(`${a.basic_auth.username}:${password}`)}`;
  } else if (a.authorization) {
    const credentials = a.authorization.credentials_file !== undefined ? await read(a.authorization.credentials_file) : (a.authorization.credentials?.value ?? "");
    h.Authorization = `${a.authorization.type} ${credentials}`;
  } else if (a.bearer_token !== undefined) h.Authorization = `Bearer ${a.bearer_token.value}`;
  else if (a.bearer_token_file !== undefined) h.Authorization = `Bearer ${await read(a.bearer_token_file)}`;
  return h;
}

function toBase64(s: string): string {
  let bin = "";
  for (const b of new TextEncoder().encode(s)) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** tls_config as Bun's fetch `tls` option; files are read at each scrape so rotated certificates apply. */
function tlsOptions(a: ScrapeArgs): object | undefined {
  const c = a.tls_config;
  if (!c) return undefined;
  const file = (path: string | undefined) => (path === undefined ? undefined : readFileSync(path, "utf8"));
  return {
    rejectUnauthorized: !c.insecure_skip_verify,
    ca: c.ca_pem ?? file(c.ca_file),
    cert: c.cert_pem ?? file(c.cert_file),
    key: c.key_pem?.value ?? file(c.key_file),
    serverName: c.server_name,
  };
}
