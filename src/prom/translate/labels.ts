// Attribute keys → label names, attribute sets → label sets (spec: alloy-components.md §6.2,
// prometheus.md §2). Label sets are built as maps (later sources override earlier ones) and
// handed out sorted by name, as the Appender contract requires.

import type { KeyValue } from "../../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import type { Label, Labels } from "../appender.ts";
import { attributeString } from "./values.ts";

const nameCache = new Map<string, string | null>();
const NAME_CACHE_LIMIT = 10_000;

/**
 * The label name for an attribute key, or undefined when none is legal (empty, or nothing but
 * `_`). Alloy's rule (§6.2): every character other than an ASCII letter, digit or `_` becomes
 * `_`, without collapsing (`a..b` → `a__b`); then a leading digit gets `key_` and a single
 * leading `_` gets `key` (`_foo` → `key_foo`); `__x` keeps its double underscore.
 */
export function labelName(key: string): string | undefined {
  let found = nameCache.get(key);
  if (found === undefined) {
    if (nameCache.size >= NAME_CACHE_LIMIT) nameCache.clear();
    found = sanitize(key) ?? null;
    nameCache.set(key, found);
  }
  return found ?? undefined;
}

function sanitize(key: string): string | undefined {
  let name = "";
  let onlyUnderscores = true;
  // for…of walks code points, so one astral character becomes one `_`, not two.
  for (const ch of key) {
    const c = ch.charCodeAt(0);
    const legal = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    name += legal ? ch : "_";
    if (legal) onlyUnderscores = false;
  }
  if (name === "" || onlyUnderscores) return undefined;
  const first = name.charCodeAt(0);
  if (first >= 0x30 && first <= 0x39) return `key_${name}`;
  if (first === 0x5f && name.charCodeAt(1) !== 0x5f) return `key${name}`;
  return name;
}

/**
 * Label names and values of an attribute list. Keys that sanitise to the same name are joined
 * with `;` in the order of their original keys (`a.b=1`, `a_b=2` → `a_b="1;2"`, spec §2);
 * empty values take no part in a join. A value may be "" — it then removes a label of that
 * name from the sources beneath (Prometheus treats empty and absent alike). Illegal keys are
 * reported to `onInvalid` and skipped.
 */
export function attributeLabels(attrs: readonly KeyValue[], onInvalid?: (key: string) => void): Map<string, string> {
  const out = new Map<string, string>();
  const names: (string | undefined)[] = new Array(attrs.length);
  let collided = false;
  for (let i = 0; i < attrs.length; i++) {
    const kv = attrs[i]!;
    const name = labelName(kv.key);
    names[i] = name;
    if (name === undefined) {
      onInvalid?.(kv.key);
    } else if (out.has(name)) {
      collided = true;
    } else {
      out.set(name, attributeString(kv.value));
    }
  }
  return collided ? joinCollisions(attrs, names) : out;
}

/** The slow path of attributeLabels: sort by original key, then join per label name. */
function joinCollisions(attrs: readonly KeyValue[], names: readonly (string | undefined)[]): Map<string, string> {
  const order = attrs.map((_, i) => i).filter((i) => names[i] !== undefined);
  order.sort((a, b) => compare(attrs[a]!.key, attrs[b]!.key) || a - b);
  const parts = new Map<string, string[]>();
  let previousKey: string | undefined;
  for (const i of order) {
    const kv = attrs[i]!;
    // A key repeated verbatim (invalid OTLP) counts once: the first, like pdata's Get.
    if (kv.key === previousKey) continue;
    previousKey = kv.key;
    const name = names[i]!;
    const list = parts.get(name) ?? [];
    const value = attributeString(kv.value);
    if (value !== "") list.push(value);
    parts.set(name, list);
  }
  const out = new Map<string, string>();
  for (const [name, values] of parts) out.set(name, values.join(";"));
  return out;
}

/**
 * The labels of a data point: `base` (sorted, lower precedence) with the point's attributes on
 * top — the same result as sortedLabels(overrideLabels(new Map(base), attributeLabels(attrs)))
 * without building maps, which matters per data point. Colliding keys take that slow path.
 */
export function pointLabels(base: Labels, attrs: readonly KeyValue[], onInvalid?: (key: string) => void): Label[] {
  const own: Label[] = [];
  for (const kv of attrs) {
    const name = labelName(kv.key);
    if (name === undefined) onInvalid?.(kv.key);
    else own.push([name, attributeString(kv.value)]);
  }
  if (own.length > 1) own.sort(byName);
  for (let i = 1; i < own.length; i++) {
    // Invalid keys were reported above already.
    if (own[i]![0] === own[i - 1]![0]) return sortedLabels(overrideLabels(new Map(base), attributeLabels(attrs)));
  }
  const out: Label[] = [];
  let b = 0;
  for (const label of own) {
    while (b < base.length && base[b]![0] < label[0]) out.push(base[b++]!);
    if (b < base.length && base[b]![0] === label[0]) b++;
    if (label[1] !== "") out.push(label);
  }
  while (b < base.length) out.push(base[b++]!);
  return out;
}

function byName(a: Label, b: Label): number {
  return compare(a[0], b[0]);
}

/** Applies `overrides` on top of `into`: set, or delete where the override is empty. */
export function overrideLabels(into: Map<string, string>, overrides: ReadonlyMap<string, string>): Map<string, string> {
  for (const [name, value] of overrides) {
    if (value === "") into.delete(name);
    else into.set(name, value);
  }
  return into;
}

/** The map as labels sorted by name; empty values are left out (spec §2: no empty values). */
export function sortedLabels(map: ReadonlyMap<string, string>): Label[] {
  const out: Label[] = [];
  for (const [name, value] of map) if (value !== "") out.push([name, value]);
  return out.sort(byName);
}

/**
 * `labels` with `reserved` (sorted by name) merged in; a reserved name replaces a label of the
 * same name. For `__name__`, `le` and `quantile`, which always win (spec §2).
 */
export function withReserved(labels: Labels, reserved: Labels): Label[] {
  const out: Label[] = [];
  let r = 0;
  for (const label of labels) {
    while (r < reserved.length && compare(reserved[r]![0], label[0]) < 0) out.push(reserved[r++]!);
    if (r < reserved.length && reserved[r]![0] === label[0]) continue;
    out.push(label);
  }
  while (r < reserved.length) out.push(reserved[r++]!);
  return out;
}

/** Byte-wise order for the ASCII label names the sanitiser produces. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A string identifying a label set, for maps keyed by series. */
export function labelsKey(labels: Labels): string {
  let key = "";
  for (const [name, value] of labels) key += `${name}\u0000${value}\u0001`;
  return key;
}
