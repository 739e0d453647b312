// Structured logging in Alloy's shape: logfmt (default) or JSON lines on stderr, with `ts`,
// `level`, `msg`, and for component logs `component_path` and `component_id`.

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFormat = "logfmt" | "json";

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export type Fields = Record<string, unknown>;

/** Where log lines go; shared by a logger and all its children so that `logging` can retune them. */
export interface LogSink {
  level: LogLevel;
  format: LogFormat;
  write(line: string): void;
}

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: Fields): Logger;
  readonly sink: LogSink;
}

/** A sink writing to stderr. */
export function stderrSink(level: LogLevel = "info", format: LogFormat = "logfmt"): LogSink {
  return { level, format, write: (line) => process.stderr.write(line + "\n") };
}

/** A sink that keeps lines in memory (for tests). */
export function memorySink(level: LogLevel = "debug", format: LogFormat = "logfmt"): LogSink & { lines: string[] } {
  const lines: string[] = [];
  return { level, format, lines, write: (line) => lines.push(line) };
}

/** Creates a logger on `sink` with constant `fields`. */
export function createLogger(sink: LogSink, fields: Fields = {}): Logger {
  const log = (level: LogLevel) => (msg: string, extra?: Fields) => {
    if (RANK[level] < RANK[sink.level]) return;
    const all: Fields = { ts: new Date().toISOString(), level, msg, ...fields, ...extra };
    sink.write(sink.format === "json" ? JSON.stringify(all, jsonReplacer) : toLogfmt(all));
  };
  return {
    sink,
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    child: (more) => createLogger(sink, { ...fields, ...more }),
  };
}

function jsonReplacer(_key: string, v: unknown): unknown {
  if (v instanceof Error) return v.message;
  if (typeof v === "bigint") return v.toString();
  return v;
}

/** Renders fields as one logfmt line, quoting values that need it. */
export function toLogfmt(fields: Fields): string {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k === "" || /[\s"=\\]/.test(k) ? JSON.stringify(k) : k}=${logfmtValue(v)}`)
    .join(" ");
}

function logfmtValue(v: unknown): string {
  const s = v instanceof Error ? v.message : typeof v === "string" ? v : typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);
  return s === "" || /[\s"=\\]/.test(s) || /[\x00-\x1f]/.test(s) ? JSON.stringify(s) : s;
}

/** True when `s` names a log level. */
export function isLogLevel(s: string): s is LogLevel {
  return s in RANK;
}
