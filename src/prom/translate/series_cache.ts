// The converter's memory of series it has written (spec: alloy-components.md §6.4): the last
// sample time, so that a data point older than the last one written for the same series is
// skipped, and the last exemplar time likewise. Entries not seen for a while are forgotten by
// gc(), which the component calls every `gc_frequency`. Series are found by a hash of family
// and labels (series_keys.ts) and told apart by comparing labels, so a series' labels are kept
// too — a series seen before costs no label building, and the Appender gets the same array.

import type { Labels } from "../appender.ts";

/** What is remembered per series. Times in ms since the epoch; -Infinity = never. */
export interface SeriesState {
  lastTs: number;
  lastExemplarTs: number;
  /** The conversion that wrote `lastTs` (see Emitter.open). */
  lastConversion: number;
  /** When the series last appeared in a batch (wall clock), for gc(). */
  lastSeen: number;
  /** Type tag and family name: with the labels, the identity of the series. */
  prefix: string;
  /** Its labels without `__name__`/`le`/`quantile`. */
  labels: Labels;
  /** Its labels with `__name__` = the family, for types with one series per point. */
  named?: Labels;
  /** The label sets of a histogram's or summary's several series. */
  parts?: SeriesParts;
}

/** A classic histogram's or a summary's series labels, kept with the point series. */
export interface SeriesParts {
  sum: Labels;
  count: Labels;
  /** The `le` (histograms) or `quantile` (summaries) values `labels` were made for. */
  values: string[];
  labels: Labels[];
}

/** The point being looked up: compares its labels with a candidate's, builds them when new. */
export interface SeriesProbe {
  matches(labels: Labels): boolean;
  labels(): Labels;
}

/** Alloy forgets series not seen for 5 minutes (its GC is hard-wired to that age). */
export const SERIES_MAX_AGE_MS = 5 * 60_000;

export class SeriesCache {
  /** By hash; the rare hashes shared by several series hold a list. */
  private readonly series = new Map<number, SeriesState | SeriesState[]>();
  private count = 0;

  /** The state of the series `probe` describes, created on first sight, marked as seen at `now`. */
  touch(hash: number, prefix: string, probe: SeriesProbe, now: number): SeriesState {
    const found = this.series.get(hash);
    if (found !== undefined) {
      if (!Array.isArray(found)) {
        if (found.prefix === prefix && probe.matches(found.labels)) {
          found.lastSeen = now;
          return found;
        }
      } else {
        for (const s of found) {
          if (s.prefix === prefix && probe.matches(s.labels)) {
            s.lastSeen = now;
            return s;
          }
        }
      }
    }
    const state: SeriesState = { lastTs: -Infinity, lastExemplarTs: -Infinity, lastConversion: -1, lastSeen: now, prefix, labels: probe.labels() };
    if (found === undefined) this.series.set(hash, state);
    else if (Array.isArray(found)) found.push(state);
    else this.series.set(hash, [found, state]);
    this.count++;
    return state;
  }

  /** Forgets series last seen before `cutoff`; returns how many were forgotten. */
  gc(cutoff: number): number {
    let removed = 0;
    for (const [hash, found] of this.series) {
      if (!Array.isArray(found)) {
        if (found.lastSeen < cutoff) {
          this.series.delete(hash);
          removed++;
        }
        continue;
      }
      const kept = found.filter((s) => s.lastSeen >= cutoff);
      removed += found.length - kept.length;
      if (kept.length === 0) this.series.delete(hash);
      else this.series.set(hash, kept.length === 1 ? kept[0]! : kept);
    }
    this.count -= removed;
    return removed;
  }

  /** Number of series remembered. */
  get size(): number {
    return this.count;
  }
}
