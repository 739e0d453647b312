// `discovery.relabel` (spec: alloy-components.md §12): applies relabel rules to a list of
// targets and exports the survivors as `output`, plus the compiled rules as `rules`. Pure
// computation: the result is republished whenever the arguments change.

import { labelsOf } from "../../prom/appender.ts";
import { type RelabelRule, type RuleArgs, applyRules, compileRules, ruleBlock, rulesCapsule } from "../../prom/relabel.ts";
import { defineComponent } from "../../runtime/component.ts";
import { required, t } from "../../runtime/schema.ts";
import type { ObjectValue } from "../../runtime/value.ts";

export interface DiscoveryRelabelArgs {
  targets: Array<Record<string, string>>;
  rule: RuleArgs[];
}

/** The relabeled targets: dropped ones, and ones left without labels, disappear (§12). */
export function relabelTargets(targets: ReadonlyArray<Record<string, string>>, rules: readonly RelabelRule[]): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  for (const target of targets) {
    const labels = applyRules(labelsOf(target), rules);
    if (labels && labels.length > 0) out.push(Object.fromEntries(labels));
  }
  return out;
}

function exportsOf(args: DiscoveryRelabelArgs): ObjectValue {
  const rules = compileRules(args.rule);
  return { output: relabelTargets(args.targets, rules), rules: rulesCapsule(rules) };
}

/** The component definition. */
export const discoveryRelabel = defineComponent<DiscoveryRelabelArgs>({
  name: "discovery.relabel",
  summary: "Rewrites, filters and drops discovery targets with Prometheus relabel rules.",
  stability: "generally-available",
  args: {
    attrs: { targets: required(t.list(t.map(t.string))) },
    blocks: { rule: ruleBlock },
  },
  exports: ["output", "rules"],
  build(opts, args) {
    opts.onStateChange(exportsOf(args));
    return {
      run: (signal) => new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true }))),
      update: (next) => opts.onStateChange(exportsOf(next)),
    };
  },
});
