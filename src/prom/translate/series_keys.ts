// Series identity for the converter, cheaply: the key of a data point's series and, on first
// sight only, its labels. Per data point the old way sanitised every attribute key, sorted,
// merged with the scope's base labels and joined all names and values into a key. Here the
// work that depends only on the attribute *keys* (label names, collisions, sort order, merge
// with the base) is done once per key list and kept as a plan; a point then costs its values.
//
// Key of a series (within one family and type): the id of its label-name list (interned, so
// equal lists share an id) and its label values in name order, each led by its length as one
// UTF-16 unit (lengths from 0xD800 on: \uffff, the decimal length and `;`), so keys are
// unambiguous whatever the values hold, without scanning them for separators.
// Equal label sets give equal keys, whichever path built them — the duplicate and
// out-of-order checks (emit.ts) depend on that.

import type { KeyValue } from "../../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import type { Label, Labels } from "../appender.ts";
import { compare, labelName, pointLabels } from "./labels.ts";
import { attributeString } from "./values.ts";

/** The labels every series of one scope starts from, sorted, with what keys need of them. */
export interface BaseLabels {
  labels: Labels;
  /** The base's label-name list. */
  names: NameSet;
  /** The series key of a point without attributes (the base alone). */
  key: string;
}

/** An interned label-name list. Ids are never reused. */
export interface NameSet {
  id: number;
  /** Wall clock of the last point that used it; gc() forgets it with its series. */
  lastSeen: number;
}

/** How points whose attribute keys are `keys` get their labels on a base of shape `shape`. */
interface Plan {
  /** Id of the base's name list. */
  shape: number;
  keys: string[];
  /** Attributes without a legal label name, reported per point as before. */
  invalid: number[];
  /** Two keys sanitise to one name: such points take pointLabels (values are joined). */
  slow: boolean;
  /** Label order: i ≥ 0 is attribute i, i < 0 is base label −1 − i. */
  slots: number[];
  /** The label name of each slot. */
  names: string[];
  /** The name list when no attribute value is empty (empty values drop their label). */
  full: NameSet;
}

/** Bounds the plan map (plans are derived and rebuilt on demand; name sets are not bounded this way). */
const PLAN_LIMIT = 10_000;

export class SeriesKeys {
  private readonly nameSets = new Map<string, NameSet>();
  private plans = new Map<string, Plan>();
  private nextId = 0;
  private last: Plan | undefined;
  /** What the last point() found, for labels(). */
  private plan: Plan | undefined;
  private values: string[] = [];
  private slowLabels: Labels | undefined;

  /** The base of a scope (labels sorted by name, no empty values). */
  base(labels: Labels, now: number): BaseLabels {
    const names = this.nameSet(labels.map((l) => l[0]), now);
    let key = `${names.id}\u0000`;
    for (const l of labels) key = addValue(key, l[1]);
    return { labels, names, key };
  }

  /**
   * The series key of a point with attributes `attrs` on `base` (without family and type).
   * Attributes without a legal label name go to `onInvalid`. labels() then gives its labels.
   */
  point(base: BaseLabels, attrs: readonly KeyValue[], now: number, onInvalid: (key: string) => void): string {
    this.slowLabels = undefined;
    if (attrs.length === 0) {
      this.plan = undefined;
      base.names.lastSeen = now;
      return base.key;
    }
    const plan = this.planOf(base, attrs, now);
    this.plan = plan;
    for (const i of plan.invalid) onInvalid(attrs[i]!.key);
    if (plan.slow) {
      const labels = pointLabels(base.labels, attrs);
      this.slowLabels = labels;
      return this.keyOf(labels, now);
    }
    const values = this.values;
    let key = "";
    let dropped = false;
    for (let s = 0; s < plan.slots.length; s++) {
      const slot = plan.slots[s]!;
      const value = slot < 0 ? base.labels[-1 - slot]![1] : attributeString(attrs[slot]!.value);
      values[s] = value;
      if (value === "") dropped = true;
      else key = addValue(key, value);
    }
    if (!dropped) {
      plan.full.lastSeen = now;
      return `${plan.full.id}\u0000${key}`;
    }
    const names: string[] = [];
    for (let s = 0; s < plan.slots.length; s++) if (values[s] !== "") names.push(plan.names[s]!);
    return `${this.nameSet(names, now).id}\u0000${key}`;
  }

  /** The labels of the point last given to point() (sorted, no empty values; a new array). */
  labels(base: BaseLabels): Labels {
    if (this.slowLabels) return this.slowLabels;
    const plan = this.plan;
    if (!plan) return base.labels;
    const out: Label[] = [];
    for (let s = 0; s < plan.slots.length; s++) {
      const slot = plan.slots[s]!;
      if (slot < 0) out.push(base.labels[-1 - slot]!);
      else if (this.values[s] !== "") out.push([plan.names[s]!, this.values[s]!]);
    }
    return out;
  }

  /** Forgets name sets not used since `cutoff`, with every plan (the series using them go at the same cutoff). */
  gc(cutoff: number): void {
    for (const [names, set] of this.nameSets) if (set.lastSeen < cutoff) this.nameSets.delete(names);
    this.plans = new Map();
    this.last = undefined;
  }

  /** The key of any sorted label set, as point() would give it. */
  private keyOf(labels: Labels, now: number): string {
    let key = `${this.nameSet(labels.map((l) => l[0]), now).id}\u0000`;
    for (const l of labels) key = addValue(key, l[1]);
    return key;
  }

  private nameSet(names: readonly string[], now: number): NameSet {
    // Label names are [A-Za-z0-9_:]: \u0000 cannot occur in them.
    const joined = names.join("\u0000");
    let set = this.nameSets.get(joined);
    if (set === undefined) {
      set = { id: this.nextId++, lastSeen: now };
      this.nameSets.set(joined, set);
    } else set.lastSeen = now;
    return set;
  }

  private planOf(base: BaseLabels, attrs: readonly KeyValue[], now: number): Plan {
    const shape = base.names.id;
    const last = this.last;
    if (last !== undefined && last.shape === shape && sameKeys(last.keys, attrs)) return last;
    let mapKey = `${shape}`;
    for (const kv of attrs) mapKey += `\u0000${kv.key}`;
    let plan = this.plans.get(mapKey);
    // Keys may hold \u0000 themselves: a hit must list the very same keys.
    if (plan !== undefined && !sameKeys(plan.keys, attrs)) plan = undefined;
    return (this.last = plan ?? this.newPlan(base, attrs, mapKey, now));
  }

  private newPlan(base: BaseLabels, attrs: readonly KeyValue[], mapKey: string, now: number): Plan {
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
    const plan: Plan = { shape: base.names.id, keys: attrs.map((kv) => kv.key), invalid, slow, slots, names, full: this.nameSet(names, now) };
    if (this.plans.size >= PLAN_LIMIT) this.plans.clear();
    this.plans.set(mapKey, plan);
    return plan;
  }
}

function sameKeys(keys: readonly string[], attrs: readonly KeyValue[]): boolean {
  if (keys.length !== attrs.length) return false;
  for (let i = 0; i < keys.length; i++) if (keys[i] !== attrs[i]!.key) return false;
  return true;
}

/** Appends one value to a key, led by its length (see the file comment). */
function addValue(key: string, value: string): string {
  const n = value.length;
  return n < 0xd800 ? key + String.fromCharCode(n) + value : `${key}\uffff${n};${value}`;
}
