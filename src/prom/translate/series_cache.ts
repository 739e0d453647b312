// The converter's memory of series it has written (spec: alloy-components.md §6.4): the last
// sample time, so that a data point older than the last one written for the same series is
// skipped, and the last exemplar time likewise. Entries not seen for a while are forgotten by
// gc(), which the component calls every `gc_frequency`. The series' labels are kept too, so
// that a series seen before costs no label building (and hands the Appender the same array).

import type { Labels } from "../appender.ts";

/** What is remembered per series. Times in ms since the epoch; -Infinity = never. */
export interface SeriesState {
  lastTs: number;
  lastExemplarTs: number;
  /** The conversion that wrote `lastTs` (see Emitter.open). */
  lastConversion: number;
  /** When the series last appeared in a batch (wall clock), for gc(). */
  lastSeen: number;
  /** Its labels without `__name__`/`le`/`quantile`, set when first written. */
  labels?: Labels;
  /** Its labels with `__name__` = the family, for types with one series per point. */
  named?: Labels;
}

/** Alloy forgets series not seen for 5 minutes (its GC is hard-wired to that age). */
export const SERIES_MAX_AGE_MS = 5 * 60_000;

export class SeriesCache {
  private readonly series = new Map<string, SeriesState>();

  /** The state of a series, created on first sight, marked as seen at `now`. */
  touch(key: string, now: number): SeriesState {
    let state = this.series.get(key);
    if (state === undefined) {
      state = { lastTs: -Infinity, lastExemplarTs: -Infinity, lastConversion: -1, lastSeen: now };
      this.series.set(key, state);
    } else {
      state.lastSeen = now;
    }
    return state;
  }

  /** Forgets series last seen before `cutoff`; returns how many were forgotten. */
  gc(cutoff: number): number {
    let removed = 0;
    for (const [key, state] of this.series) {
      if (state.lastSeen < cutoff) {
        this.series.delete(key);
        removed++;
      }
    }
    return removed;
  }

  /** Number of series remembered. */
  get size(): number {
    return this.series.size;
  }
}
