// Parsers for the Prometheus text exposition format 0.0.4 and OpenMetrics 1.0 text, the bodies
// `prometheus.scrape` reads (spec: alloy-components.md §14). One pass over the body, line by
// line; errors name the 1-based line. Classic histograms and summaries are ordinary series
// (`_bucket`/`_sum`/`_count`, `quantile`); metadata is collected per family.

import type { Exemplar, Label, Labels, Metadata, MetricType } from "./appender.ts";
import { Cursor, TextParseError, parseIntTimestamp, parseSecondsTimestamp, parseValue, unescapeHelp } from "./textlex.ts";

export { TextParseError } from "./textlex.ts";

export type TextFormat = "prometheus" | "openmetrics";

/** One sample line. */
export interface ParsedSample {
  /** Sorted by name, `__name__` included. */
  labels: Labels;
  value: number;
  /** Milliseconds since the epoch, when the line carries a timestamp. */
  timestampMs?: number;
  exemplar?: Exemplar;
}

export interface ParsedText {
  samples: ParsedSample[];
  /** By family name (`http_requests`, not `http_requests_total` in OpenMetrics). */
  metadata: Map<string, Metadata>;
}

export interface ParseOptions {
  /** Stop with SampleLimitError after this many samples; 0 = none. */
  sampleLimit?: number;
}

/** The body holds more samples than `sampleLimit` (Prometheus's message). */
export class SampleLimitError extends Error {
  constructor() {
    super("sample limit exceeded");
    this.name = "SampleLimitError";
  }
}

const PROM_TYPES: Record<string, MetricType> = { counter: "counter", gauge: "gauge", histogram: "histogram", summary: "summary", untyped: "unknown" };
const OM_TYPES: Record<string, MetricType> = {
  counter: "counter",
  gauge: "gauge",
  histogram: "histogram",
  gaugehistogram: "gaugehistogram",
  summary: "summary",
  info: "info",
  stateset: "stateset",
  unknown: "unknown",
};
// OpenMetrics: the longest exemplar label set, in runes of names and values.
const MAX_EXEMPLAR_RUNES = 128;
// `_created` series of these types carry creation times, not values; Prometheus skips them.
const CREATED_TYPES: ReadonlySet<MetricType> = new Set(["counter", "histogram", "summary", "gaugehistogram"]);
const SUFFIXES = ["_total", "_bucket", "_count", "_sum", "_created", "_gcount", "_gsum", "_info"];

/** Parses a whole exposition body; throws TextParseError (with the line) on bad input. */
export function parseText(body: string, format: TextFormat, opts: ParseOptions = {}): ParsedText {
  const p = new Parser(format, opts.sampleLimit ?? 0);
  let start = 0;
  let lineNo = 0;
  while (start < body.length) {
    let end = body.indexOf("\n", start);
    if (end < 0) end = body.length;
    lineNo++;
    if (p.eof) throw new TextParseError(lineNo, "unexpected data after # EOF");
    p.line(new Cursor(body.slice(start, end), lineNo));
    start = end + 1;
  }
  if (format === "openmetrics" && !p.eof) throw new TextParseError(lineNo + 1, "data does not end with # EOF");
  return { samples: p.samples, metadata: p.metadata };
}

/** The family a sample name belongs to: itself if it has metadata, else without a known suffix. */
function familyOf(name: string, metadata: Map<string, Metadata>): string {
  if (metadata.has(name)) return name;
  for (const s of SUFFIXES) if (name.endsWith(s) && metadata.has(name.slice(0, -s.length))) return name.slice(0, -s.length);
  return name;
}

class Parser {
  readonly samples: ParsedSample[] = [];
  readonly metadata = new Map<string, Metadata>();
  eof = false;
  private readonly om: boolean;

  constructor(
    format: TextFormat,
    private readonly sampleLimit: number,
  ) {
    this.om = format === "openmetrics";
  }

  line(c: Cursor): void {
    if (!this.om) c.skipBlanks();
    if (c.done) {
      if (this.om) c.fail("unexpected empty line");
      return;
    }
    if (c.peek() === 35) this.comment(c); // #
    else this.sample(c);
  }

  private comment(c: Cursor): void {
    c.pos++;
    if (this.om) {
      if (c.text === "# EOF") {
        this.eof = true;
        return;
      }
      c.expectSpace("the comment keyword");
    } else if (c.skipBlanks() === 0) return; // `#foo`: a plain comment
    const keyword = c.readName();
    if (keyword !== "HELP" && keyword !== "TYPE" && (keyword !== "UNIT" || !this.om)) {
      if (this.om) c.fail(`unknown comment ${JSON.stringify(c.text)}; OpenMetrics allows only HELP, TYPE, UNIT and EOF`);
      return; // any other comment is ignored in text 0.0.4
    }
    if (this.om) c.expectSpace("the metric name");
    else if (c.skipBlanks() === 0) c.fail(`expected a blank after ${keyword}, got ${c.here()}`);
    const family = c.peek() === 34 ? c.readQuoted("metric name") : c.readName();
    if (!family) c.fail(`expected metric name after ${keyword}, got ${c.here()}`);
    let rest = "";
    if (!c.done) {
      if (this.om) c.expectSpace(`the ${keyword} text`);
      else if (c.skipBlanks() === 0) c.fail(`invalid metric name ${JSON.stringify(family + c.text.slice(c.pos))} in ${keyword} line`);
      rest = c.text.slice(c.pos);
    }
    const md = this.metadata.get(family) ?? { type: "unknown" as MetricType, help: "", unit: "" };
    if (keyword === "HELP") md.help = unescapeHelp(rest, this.om);
    else if (keyword === "TYPE") md.type = this.type(c, rest.trim());
    else {
      if (rest && !family.endsWith(`_${rest}`)) c.fail(`unit ${JSON.stringify(rest)} is not a suffix of metric ${JSON.stringify(family)}`);
      md.unit = rest;
    }
    this.metadata.set(family, md);
  }

  private type(c: Cursor, word: string): MetricType {
    const type = (this.om ? OM_TYPES : PROM_TYPES)[word];
    if (type === undefined) c.fail(`unknown metric type ${JSON.stringify(word)}`);
    return type;
  }

  private sample(c: Cursor): void {
    let name = c.readName();
    let labels: Label[] = [];
    const blanks = !this.om;
    if (blanks && name && !c.done && c.peek() !== 123) {
      if (c.skipBlanks() === 0) c.fail(`invalid metric name ${JSON.stringify(name + c.readToken())}`);
    }
    if (c.peek() === 123) {
      const set = c.readLabelSet(blanks);
      if (set.name !== undefined) {
        if (name) c.fail(`metric name given twice (${JSON.stringify(name)} and ${JSON.stringify(set.name)})`);
        name = set.name;
      }
      labels = set.labels;
      if (blanks) c.skipBlanks();
      else c.expectSpace("the value");
    } else if (!name) c.fail(`expected metric name, got ${c.here()}`);
    else if (this.om) c.expectSpace("the value");
    if (!name) c.fail("sample without a metric name");

    const valueToken = c.readToken();
    const value = parseValue(valueToken);
    if (value === undefined) c.fail(valueToken ? `invalid value ${JSON.stringify(valueToken)}` : "expected a value");
    const sample: ParsedSample = { labels: sortLabels(c, name, labels), value };
    this.suffix(c, sample);

    const md = this.metadata.get(familyOf(name, this.metadata));
    if (name.endsWith("_created") && md && CREATED_TYPES.has(md.type) && this.om) return;
    if (this.sampleLimit > 0 && this.samples.length >= this.sampleLimit) throw new SampleLimitError();
    this.samples.push(sample);
  }

  /** The optional timestamp and (OpenMetrics) exemplar after the value. */
  private suffix(c: Cursor, s: ParsedSample): void {
    if (!this.om) {
      c.skipBlanks();
      if (c.done) return;
      const token = c.readToken();
      s.timestampMs = parseIntTimestamp(token);
      if (s.timestampMs === undefined) c.fail(`invalid timestamp ${JSON.stringify(token)}`);
      c.skipBlanks();
      if (!c.done) c.fail(`unexpected ${c.here()} after the timestamp`);
      return;
    }
    if (c.done) return;
    c.expectSpace("the timestamp or exemplar");
    if (c.peek() !== 35) {
      const token = c.readToken();
      s.timestampMs = parseSecondsTimestamp(token);
      if (s.timestampMs === undefined) c.fail(`invalid timestamp ${JSON.stringify(token)}`);
      if (c.done) return;
      c.expectSpace("the exemplar");
    }
    s.exemplar = this.exemplar(c);
  }

  /** ` # {trace_id="…"} 1.0 1234.5` */
  private exemplar(c: Cursor): Exemplar {
    c.expectChar("#", "'#' to start an exemplar");
    c.expectSpace("the exemplar labels");
    const set = c.readLabelSet(false);
    if (set.name !== undefined) c.fail("an exemplar has no metric name");
    let runes = 0;
    for (const [n, v] of set.labels) runes += [...n].length + [...v].length;
    if (runes > MAX_EXEMPLAR_RUNES) c.fail(`exemplar labels have ${runes} runes, exceeding the limit of ${MAX_EXEMPLAR_RUNES}`);
    c.expectSpace("the exemplar value");
    const token = c.readToken();
    const value = parseValue(token);
    if (value === undefined) c.fail(`invalid exemplar value ${JSON.stringify(token)}`);
    const ex: Exemplar = { labels: sortLabels(c, undefined, set.labels), value };
    if (c.done) return ex;
    c.expectSpace("the exemplar timestamp");
    const ts = c.readToken();
    ex.timestampMs = parseSecondsTimestamp(ts);
    if (ex.timestampMs === undefined) c.fail(`invalid exemplar timestamp ${JSON.stringify(ts)}`);
    if (!c.done) c.fail(`unexpected ${c.here()} after the exemplar`);
    return ex;
  }
}

/** Adds `__name__`, sorts, rejects duplicates (bare names were checked while reading; quoted ones may be any UTF-8). */
function sortLabels(c: Cursor, name: string | undefined, labels: Label[]): Labels {
  if (name !== undefined) {
    if (name === "") c.fail("empty metric name");
    labels.push(["__name__", name]);
  }
  labels.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (let i = 1; i < labels.length; i++) {
    if (labels[i]![0] === labels[i - 1]![0]) c.fail(`duplicate label name ${JSON.stringify(labels[i]![0])}`);
  }
  return labels;
}
