// The `debug_metrics` block shared by otelcol components (spec: alloy-components.md §0.3).

import { type BlockSpec, inert, t } from "../../../runtime/schema.ts";

export interface DebugMetricsArgs {
  disable_high_cardinality_metrics: boolean;
}

/** `debug_metrics { disable_high_cardinality_metrics = … }`. */
export const debugMetricsBlock: BlockSpec = {
  defaultPresent: true,
  schema: {
    attrs: {
      disable_high_cardinality_metrics: inert(t.bool, true, "solder's own metrics never carry peer addresses or ports"),
    },
  },
};
