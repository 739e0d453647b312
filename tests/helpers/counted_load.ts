// A steady OTLP/HTTP load whose every span is numbered (attribute `load.n`), so that an end-to-end
// test can say exactly which items a server acknowledged and which of them arrived at a sink:
// sent, acknowledged (200), refused with a retryable status (429/502/503/504), failed (anything
// else: connection refused or reset, timeouts), arrived, duplicates, lost.

import { create, toBinary } from "@bufbuild/protobuf";
import { ExportTraceServiceRequestSchema } from "../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import type { Received } from "./otlp_sink.ts";

const KEY = "load.n";

/** The encoded request carrying items [first, first + n). */
export function numberedTraces(first: number, n: number): Uint8Array<ArrayBuffer> {
  const spans = Array.from({ length: n }, (_, i) => {
    const k = first + i;
    const id = new Uint8Array(8);
    new DataView(id.buffer).setUint32(4, k + 1);
    return {
      traceId: Uint8Array.from({ length: 16 }, (_, j) => (j === 15 ? 1 : j + 1)),
      spanId: id,
      name: "load",
      kind: 2,
      startTimeUnixNano: 1_700_000_000_000_000_000n + BigInt(k),
      endTimeUnixNano: 1_700_000_000_000_100_000n + BigInt(k),
      attributes: [{ key: KEY, value: { value: { case: "intValue" as const, value: BigInt(k) } } }],
    };
  });
  return toBinary(
    ExportTraceServiceRequestSchema,
    create(ExportTraceServiceRequestSchema, {
      resourceSpans: [{ resource: { attributes: [{ key: "service.name", value: { value: { case: "stringValue", value: "load" } } }] }, scopeSpans: [{ spans }] }],
    }),
  );
}

export interface LoadCounts {
  sent: number;
  acknowledged: number;
  refusedRetryable: number;
  failed: number;
  /** Item numbers the server answered 200 for. */
  acked: Set<number>;
}

/** Sends numbered requests from `workers` loops until stopped; resolves the counts when stopped. */
export function startCountedLoad(url: string, opts: { workers: number; batchSize: number; pauseMs?: number }): { stop(): Promise<LoadCounts>; counts: LoadCounts } {
  const counts: LoadCounts = { sent: 0, acknowledged: 0, refusedRetryable: 0, failed: 0, acked: new Set() };
  let next = 0;
  let stopped = false;
  const worker = async () => {
    // Bounded: stop() ends every loop; each request has its own 5 s timeout.
    while (!stopped) {
      const first = next;
      next += opts.batchSize;
      counts.sent += opts.batchSize;
      let status = 0;
      try {
        const r = await fetch(`${url}/v1/traces`, { method: "POST", headers: { "content-type": "application/x-protobuf" }, body: numberedTraces(first, opts.batchSize), signal: AbortSignal.timeout(5000) });
        await r.arrayBuffer();
        status = r.status;
      } catch {
        status = 0;
      }
      if (status === 200) {
        counts.acknowledged += opts.batchSize;
        for (let k = first; k < first + opts.batchSize; k++) counts.acked.add(k);
      } else if ([429, 502, 503, 504].includes(status)) {
        counts.refusedRetryable += opts.batchSize;
        await new Promise((r) => setTimeout(r, 20));
      } else {
        counts.failed += opts.batchSize;
        await new Promise((r) => setTimeout(r, 20));
      }
      if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
    }
  };
  const loops = Array.from({ length: opts.workers }, worker);
  return {
    counts,
    async stop() {
      stopped = true;
      await Promise.all(loops);
      return counts;
    },
  };
}

/** Every `load.n` in the requests a sink received, with how often each arrived. */
export function arrivedItems(requests: readonly Received[]): Map<number, number> {
  const seen = new Map<number, number>();
  for (const r of requests) {
    if (r.signal !== "traces") continue;
    for (const rs of r.batch().full() as { scopeSpans: { spans: { attributes: { key: string; value?: { value: { case?: string; value?: unknown } } }[] }[] }[] }[]) {
      for (const ss of rs.scopeSpans) {
        for (const span of ss.spans) {
          const a = span.attributes.find((x) => x.key === KEY);
          if (a?.value?.value.case === "intValue") {
            const n = Number(a.value.value.value as bigint);
            seen.set(n, (seen.get(n) ?? 0) + 1);
          }
        }
      }
    }
  }
  return seen;
}

/** How acknowledged items fared at the sink. */
export function tally(acked: Set<number>, arrived: Map<number, number>): { arrived: number; duplicates: number; lost: number[] } {
  let duplicates = 0;
  let total = 0;
  for (const c of arrived.values()) {
    total += c;
    duplicates += c - 1;
  }
  const lost: number[] = [];
  for (const n of acked) if (!arrived.has(n)) lost.push(n);
  return { arrived: total, duplicates, lost };
}

/** Peak resident set size of a Linux process in MiB (VmHWM), or undefined when unavailable. */
export async function peakRssMiB(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const { readFileSync } = await import("node:fs");
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 102.4) / 10 : undefined;
  } catch {
    return undefined;
  }
}
