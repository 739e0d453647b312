// OTLP nanosecond timestamps → Prometheus milliseconds (spec: prometheus.md §3).

const NS_PER_MS = 1_000_000n;

/**
 * Truncating division in BigInt: nanosecond timestamps exceed 2^53, so a float division can
 * land on the neighbouring millisecond. 0 stays 0 ("unset"; callers drop such points).
 */
export function timestampMs(unixNano: bigint): number {
  return unixNano === 0n ? 0 : Number(unixNano / NS_PER_MS);
}

/** OTLP `flags` bit 0: the point carries no value; Prometheus gets a stale marker (spec §4.5). */
export const FLAG_NO_RECORDED_VALUE = 1;

/** Whether a data point is flagged as having no recorded value. */
export function noRecordedValue(flags: number): boolean {
  return (flags & FLAG_NO_RECORDED_VALUE) !== 0;
}
