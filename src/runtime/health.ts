// Component health (spec: alloy-runtime.md §5): the least healthy of evaluation, run and the
// component's own report; on a tie the most recently updated wins.

import type { Health, HealthState } from "./component.ts";

const RANK: Record<HealthState, number> = { healthy: 0, unknown: 1, unhealthy: 2, exited: 3 };

/** A health value stamped now. */
export function health(state: HealthState, message: string): Health {
  return { state, message, updatedTime: new Date() };
}

/** Combines health parts into one. */
export function leastHealthy(parts: Array<Health | undefined>): Health {
  let worst: Health | undefined;
  for (const h of parts) {
    if (!h) continue;
    if (!worst || RANK[h.state] > RANK[worst.state]) worst = h;
    else if (RANK[h.state] === RANK[worst.state] && h.updatedTime > worst.updatedTime) worst = h;
  }
  return worst ?? health("unknown", "");
}

export const HEALTH_STATES: readonly HealthState[] = ["healthy", "unhealthy", "unknown", "exited"];
