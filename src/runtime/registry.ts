// The component registry: name → definition. Registration is strict so that mistakes fail in
// tests (style: Alloy's component.Register).

import type { ComponentDefinition, Stability } from "./component.ts";

const NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

export class Registry {
  private readonly defs = new Map<string, ComponentDefinition>();

  /** Adds a definition; throws on a malformed or duplicate name. */
  register(def: ComponentDefinition): this {
    if (!NAME.test(def.name)) throw new Error(`invalid component name "${def.name}": want lowercase dot-separated identifiers`);
    if (this.defs.has(def.name)) throw new Error(`component "${def.name}" registered twice`);
    this.defs.set(def.name, def);
    return this;
  }

  get(name: string): ComponentDefinition | undefined {
    return this.defs.get(name);
  }

  names(): string[] {
    return [...this.defs.keys()].sort();
  }

  /** Registered names closest to `name` (edit distance), for "did you mean" hints. */
  suggest(name: string, max = 3): string[] {
    const scored = this.names().map((n) => ({ n, d: editDistance(name, n) }));
    const limit = Math.max(3, Math.floor(name.length / 3));
    return scored
      .filter((s) => s.d <= limit)
      .sort((a, b) => a.d - b.d || (a.n < b.n ? -1 : 1))
      .slice(0, max)
      .map((s) => s.n);
  }
}

const RANK: Record<Stability, number> = { experimental: 0, "public-preview": 1, "generally-available": 2 };

/** True when a component of stability `s` may run at minimum level `min`. */
export function stabilityAllowed(s: Stability, min: Stability): boolean {
  return RANK[s] >= RANK[min];
}

export function isStability(s: string): s is Stability {
  return s in RANK;
}

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
