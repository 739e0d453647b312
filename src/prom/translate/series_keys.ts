// Series identity for the converter, cheaply: a hash of a data point's series and, on first
// sight only, its labels. Per data point the old way sanitised every attribute key, sorted,
// merged with the scope's base labels and joined all names and values into a string key. Here
// the work that depends only on the attribute *keys* (label names, collisions, sort order,
// merge with the base) is done once per key list and kept as a plan; a point then costs its
// values: one pass over them for the hash, and a comparison with the labels of the series the
// hash finds (series_cache.ts), so a hash collision never merges two series.
//
// The hash is FNV-1a-like over the family, then per label the hash of its name and its
// value's UTF-16 units (two per step). Equal label sets hash equally whichever path built them
// (plan, colliding keys, empty values, no attributes) — the duplicate and out-of-order checks
// (emit.ts) depend on it.

import type { KeyValue } from "../../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import type { Label, Labels } from "../appender.ts";
import { compare, labelName, pointLabels } from "./labels.ts";
import { attributeString } from "./values.ts";

/** The labels every series of one scope starts from, sorted, with what plans need of them. */
export interface BaseLabels {
  labels: Labels;
  /** The label names, joined: plans are per base names and attribute keys. */
  names: string;
}

/** How points whose attribute keys are `keys` get their labels on a base whose names are `base`. */
interface Plan {
  base: string;
  keys: string[];
  /** Attributes without a legal label name, reported per point as before. */
  invalid: number[];
  /** Two keys sanitise to one name: such points take pointLabels (values are joined). */
  slow: boolean;
  /** Label order: i ≥ 0 is attribute i, i < 0 is base label −1 − i. */
  slots: number[];
  /** The label name of each slot, and its hash. */
  names: string[];
  nameHashes: number[];
}

/** Bounds the plan map: plans are derived, rebuilt on demand. */
const PLAN_LIMIT = 10_000;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a-style hash of a string, two UTF-16 units per step, continuing from `h`. */
export function hashString(h: number, s: string): number {
  const n = s.length;
  let i = 0;
  for (; i + 1 < n; i += 2) h = Math.imul(h ^ (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16)), FNV_PRIME);
  if (i < n) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}

/** The hash a series of family `prefix` (type tag + name) starts from. */
export function prefixHash(prefix: string): number {
  return hashString(FNV_OFFSET, prefix);
}

/** Mixes one label (name hash, value) into `h`; the end of the value is marked. */
function mixLabel(h: number, nameHash: number, value: string): number {
  h = Math.imul(h ^ nameHash, FNV_PRIME);
  h = hashString(h, value);
  return Math.imul(h ^ 0xffff_ffff, FNV_PRIME);
}

function nameHash(name: string): number {
  return hashString(FNV_OFFSET, name) | 0;
}

/** A family's series prefix (type tag + name) and the hash its series start from. */
export interface Family {
  prefix: string;
  seed: number;
}

export class SeriesKeys {
  private plans = new Map<string, Plan>();
  /** Per type tag, per family name (the name cache's strings: their hashes are cached). */
  private readonly families = new Map<string, Map<string, Family>>();
  private last: Plan | undefined;
  /** What the last point() found, for matches() and labels(). */
  private at: BaseLabels | undefined;
  private plan: Plan | undefined;
  private values: string[] = [];
  private slowLabels: Labels | undefined;

  /** The prefix and hash seed of family `name` of type `tag`. */
  family(tag: string, name: string): Family {
    let byName = this.families.get(tag);
    if (byName === undefined) this.families.set(tag, (byName = new Map()));
    let f = byName.get(name);
    if (f === undefined) {
      if (byName.size >= PLAN_LIMIT) byName.clear();
      const prefix = tag + name;
      f = { prefix, seed: prefixHash(prefix) };
      byName.set(name, f);
    }
    return f;
  }

  /** The base of a scope (labels sorted by name, no empty values). */
  base(labels: Labels): BaseLabels {
    return { labels, names: labels.map((l) => l[0]).join("\u0000") };
  }

  /**
   * The hash of the series of a point with attributes `attrs` on `base`, starting from
   * prefixHash(family). Attributes without a legal label name go to `onInvalid`. matches() and
   * labels() then refer to this point.
   */
  point(seed: number, base: BaseLabels, attrs: readonly KeyValue[], onInvalid: (key: string) => void): number {
    this.at = base;
    this.slowLabels = undefined;
    this.plan = undefined;
    if (attrs.length === 0) return hashLabels(seed, base.labels);
    const plan = this.planOf(base, attrs);
    for (const i of plan.invalid) onInvalid(attrs[i]!.key);
    if (plan.slow) {
      const labels = pointLabels(base.labels, attrs);
      this.slowLabels = labels;
      return hashLabels(seed, labels);
    }
    this.plan = plan;
    const values = this.values;
    let h = seed;
    for (let s = 0; s < plan.slots.length; s++) {
      const slot = plan.slots[s]!;
      const value = slot < 0 ? base.labels[-1 - slot]![1] : attributeString(attrs[slot]!.value);
      values[s] = value;
      // An empty value means no label (it also removed the base label of that name).
      if (value !== "") h = mixLabel(h, plan.nameHashes[s]!, value);
    }
    return h | 0;
  }

  /** Whether `labels` are exactly the labels of the point last given to point(). */
  matches(labels: Labels): boolean {
    const plan = this.plan;
    if (plan === undefined) return sameLabels(this.slowLabels ?? this.at!.labels, labels);
    let j = 0;
    for (let s = 0; s < plan.slots.length; s++) {
      const value = this.values[s]!;
      if (value === "") continue;
      const l = labels[j++];
      if (l === undefined || l[0] !== plan.names[s] || l[1] !== value) return false;
    }
    return j === labels.length;
  }

  /** The labels of the point last given to point() (sorted, no empty values; a new array). */
  labels(): Labels {
    const plan = this.plan;
    if (plan === undefined) return this.slowLabels ?? this.at!.labels;
    const base = this.at!.labels;
    const out: Label[] = [];
    for (let s = 0; s < plan.slots.length; s++) {
      const slot = plan.slots[s]!;
      if (slot < 0) out.push(base[-1 - slot]!);
      else if (this.values[s] !== "") out.push([plan.names[s]!, this.values[s]!]);
    }
    return out;
  }

  private planOf(base: BaseLabels, attrs: readonly KeyValue[]): Plan {
    const last = this.last;
    if (last !== undefined && last.base === base.names && sameKeys(last.keys, attrs)) return last;
    let mapKey = base.names;
    for (const kv of attrs) mapKey += `\u0001${kv.key}`;
    let plan = this.plans.get(mapKey);
    // Keys may hold the separators themselves: a hit must be for the very same names and keys.
    if (plan !== undefined && (plan.base !== base.names || !sameKeys(plan.keys, attrs))) plan = undefined;
    return (this.last = plan ?? this.newPlan(base, attrs, mapKey));
  }

  private newPlan(base: BaseLabels, attrs: readonly KeyValue[], mapKey: string): Plan {
    const baseNames = base.labels.map((l) => l[0]);
    const invalid: number[] = [];
    const own: { name: string; index: number }[] = [];
    attrs.forEach((kv, index) => {
      const name = labelName(kv.key);
      if (name === undefined) invalid.push(index);
      else own.push({ name, index });
    });
    own.sort((a, b) => compare(a.name, b.name));
    let slow = false;
    for (let i = 1; i < own.length; i++) if (own[i]!.name === own[i - 1]!.name) slow = true;
    const slots: number[] = [];
    const names: string[] = [];
    if (!slow) {
      // The merge of pointLabels: attributes win over base labels of the same name.
      let b = 0;
      for (const o of own) {
        while (b < baseNames.length && baseNames[b]! < o.name) (slots.push(-1 - b), names.push(baseNames[b++]!));
        if (b < baseNames.length && baseNames[b] === o.name) b++;
        slots.push(o.index);
        names.push(o.name);
      }
      while (b < baseNames.length) (slots.push(-1 - b), names.push(baseNames[b++]!));
    }
    const plan: Plan = { base: base.names, keys: attrs.map((kv) => kv.key), invalid, slow, slots, names, nameHashes: names.map(nameHash) };
    if (this.plans.size >= PLAN_LIMIT) this.plans.clear();
    this.plans.set(mapKey, plan);
    return plan;
  }
}

/** The hash of a built label set, as point() computes it from a plan. */
function hashLabels(seed: number, labels: Labels): number {
  let h = seed;
  for (const [name, value] of labels) h = mixLabel(h, nameHash(name), value);
  return h | 0;
}

function sameKeys(keys: readonly string[], attrs: readonly KeyValue[]): boolean {
  if (keys.length !== attrs.length) return false;
  for (let i = 0; i < keys.length; i++) if (keys[i] !== attrs[i]!.key) return false;
  return true;
}

function sameLabels(a: Labels, b: Labels): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]![0] !== b[i]![0] || a[i]![1] !== b[i]![1]) return false;
  return true;
}
