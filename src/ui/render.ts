// Renders a batch as readable text for live debugging: one line per resource, per span, metric
// data point or log record, cut short after a limit so a huge batch cannot stall the stream.

import type { Batch, Signal } from "../otlp/batch.ts";

type Json = Record<string, any>;

/** Most items printed per batch; the rest is summarised as a count. */
export const MAX_ITEMS = 50;

/** Text for one sampled batch, `to` naming the consumer it was sent to. */
export function renderBatch(batch: Batch<Signal>, to: string): string {
  const doc = JSON.parse(batch.toJson()) as Json;
  const lines: string[] = [`${batch.signal} → ${to}: ${batch.itemCount()} item(s)`];
  const budget = { left: MAX_ITEMS, skipped: 0 };
  const key = batch.signal === "traces" ? "resourceSpans" : batch.signal === "metrics" ? "resourceMetrics" : "resourceLogs";
  for (const r of (doc[key] ?? []) as Json[]) {
    lines.push(`  resource ${attrs(r.resource?.attributes)}`);
    for (const s of (r.scopeSpans ?? r.scopeMetrics ?? r.scopeLogs ?? []) as Json[]) {
      const scope = s.scope?.name ? `${s.scope.name}${s.scope.version ? "@" + s.scope.version : ""}` : "";
      if (scope) lines.push(`    scope ${scope}`);
      for (const line of itemLines(batch.signal, s)) {
        if (budget.left-- > 0) lines.push("      " + line);
        else budget.skipped++;
      }
    }
  }
  if (budget.skipped > 0) lines.push(`  … ${budget.skipped} more`);
  return lines.join("\n");
}

function itemLines(signal: Signal, scope: Json): string[] {
  if (signal === "traces") return ((scope.spans ?? []) as Json[]).map(spanLine);
  if (signal === "logs") return ((scope.logRecords ?? []) as Json[]).map(logLine);
  return ((scope.metrics ?? []) as Json[]).flatMap(metricLines);
}

function spanLine(s: Json): string {
  const ms = (Number(BigInt(s.endTimeUnixNano ?? 0) - BigInt(s.startTimeUnixNano ?? 0)) / 1e6).toFixed(3);
  const status = s.status?.code ? ` status=${s.status.code}${s.status.message ? ":" + s.status.message : ""}` : "";
  return `span "${s.name}" trace_id=${s.traceId ?? ""} span_id=${s.spanId ?? ""} kind=${s.kind ?? 0} duration=${ms}ms${status} ${attrs(s.attributes)}`.trimEnd();
}

function logLine(l: Json): string {
  const sev = l.severityText || (l.severityNumber ? `sev${l.severityNumber}` : "");
  return `log ${time(l.timeUnixNano ?? l.observedTimeUnixNano)} ${sev} ${JSON.stringify(anyValue(l.body))} ${attrs(l.attributes)}`.trimEnd();
}

function metricLines(m: Json): string[] {
  const kind = ["gauge", "sum", "histogram", "exponentialHistogram", "summary"].find((k) => m[k] !== undefined) ?? "empty";
  const points = (m[kind]?.dataPoints ?? []) as Json[];
  if (points.length === 0) return [`metric ${m.name} (${kind})`];
  return points.map((p) => {
    const v = p.asDouble ?? p.asInt ?? (p.count !== undefined ? `count=${p.count} sum=${p.sum ?? ""}` : "");
    return `metric ${m.name}${m.unit ? ` [${m.unit}]` : ""} (${kind}) ${v} ${attrs(p.attributes)}`.trimEnd();
  });
}

function attrs(list: Json[] | undefined): string {
  return (list ?? []).map((a) => `${a.key}=${JSON.stringify(anyValue(a.value))}`).join(" ");
}

function anyValue(v: Json | undefined): unknown {
  if (!v) return null;
  if ("stringValue" in v) return v.stringValue;
  if ("intValue" in v) return Number(v.intValue);
  if ("doubleValue" in v) return v.doubleValue;
  if ("boolValue" in v) return v.boolValue;
  if ("bytesValue" in v) return v.bytesValue;
  if ("arrayValue" in v) return ((v.arrayValue.values ?? []) as Json[]).map(anyValue);
  if ("kvlistValue" in v) return Object.fromEntries(((v.kvlistValue.values ?? []) as Json[]).map((a) => [a.key, anyValue(a.value)]));
  return null;
}

function time(nanos: string | undefined): string {
  if (!nanos || nanos === "0") return "-";
  return new Date(Number(BigInt(nanos) / 1_000_000n)).toISOString();
}
