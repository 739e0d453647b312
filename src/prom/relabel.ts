// Prometheus relabeling (spec: alloy-components.md §11): the `rule` block shared by
// discovery.relabel, prometheus.relabel and remote_write's `write_relabel_config`, its
// validation (Prometheus's messages), compiled rules and `applyRules`. Patterns are RE2 (re2js),
// fully anchored as `^(?s:<regex>)$`, as Prometheus compiles them.

import { createHash } from "node:crypto";
import { type Regex, compileRegex } from "../ottl/regex.ts";
import { type BlockSpec, type Schema, attr, t } from "../runtime/schema.ts";
import { Capsule } from "../runtime/value.ts";
import type { Label, Labels } from "./appender.ts";

export type RelabelAction =
  | "replace"
  | "keep"
  | "drop"
  | "keepequal"
  | "dropequal"
  | "hashmod"
  | "labelmap"
  | "labeldrop"
  | "labelkeep"
  | "lowercase"
  | "uppercase";

const ACTIONS: ReadonlySet<string> = new Set<RelabelAction>(["replace", "keep", "drop", "keepequal", "dropequal", "hashmod", "labelmap", "labeldrop", "labelkeep", "lowercase", "uppercase"]);

/** One decoded `rule` block. */
export interface RuleArgs {
  action: string;
  /** Undefined when not written: labeldrop/labelkeep tell "absent" from `[]`, as Prometheus does (nil vs empty). */
  source_labels?: string[];
  separator: string;
  regex: string;
  target_label: string;
  replacement: string;
  modulus: number;
}

/** A validated, compiled rule. */
export interface RelabelRule {
  readonly action: RelabelAction;
  readonly sourceLabels: readonly string[];
  readonly separator: string;
  /** The pattern as written (un-anchored), for display. */
  readonly pattern: string;
  readonly regex: Regex;
  readonly targetLabel: string;
  readonly replacement: string;
  readonly modulus: number;
}

/** The Alloy type name of the `rules` export. */
export const RELABEL_RULES_TYPE = "RelabelRules";

const DEFAULT_REGEX = "(.*)";
const DEFAULT_REPLACEMENT = "$1";
const DEFAULT_SEPARATOR = ";";

// Prometheus's relabelTarget: a label name that may contain `$1` / `${name}` references.
const RELABEL_TARGET = /^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The `rule` block's schema: attributes, defaults and Prometheus's validation. */
export const ruleSchema: Schema = {
  attrs: {
    action: attr(t.string, "replace"),
    source_labels: attr(t.list(t.string)),
    separator: attr(t.string, DEFAULT_SEPARATOR),
    regex: attr(t.string, DEFAULT_REGEX),
    target_label: attr(t.string, ""),
    replacement: attr(t.string, DEFAULT_REPLACEMENT),
    modulus: attr(t.int, 0),
  },
  validate: (args: RuleArgs) => validateRule(args),
};

/** The repeated `rule` block (also usable as `write_relabel_config`). */
export const ruleBlock: BlockSpec = { repeated: true, schema: ruleSchema };

/** Prometheus's relabel Config.Validate, plus the regex compile check; undefined when valid. */
export function validateRule(r: RuleArgs): string | undefined {
  const a = r.action;
  if (a === "") return "relabel action cannot be empty";
  if (!ACTIONS.has(a)) return `unrecognized action type "${a}"`;
  // Alloy compiles the regex while decoding, so its error comes before Validate's.
  try {
    compileAnchored(r.regex);
  } catch (err) {
    return (err as Error).message;
  }
  if (!Number.isInteger(r.modulus) || r.modulus < 0) return `modulus must be a non-negative integer, got ${r.modulus}`;
  if (a === "hashmod" && r.modulus === 0) return "relabel configuration for hashmod requires non-zero modulus";
  const needsTarget = ["replace", "hashmod", "lowercase", "uppercase", "keepequal", "dropequal"].includes(a);
  if (needsTarget && r.target_label === "") return `relabel configuration for ${a} action requires 'target_label' value`;
  const templatedTarget = ["replace", "lowercase", "uppercase", "keepequal", "dropequal"].includes(a);
  if (templatedTarget && !RELABEL_TARGET.test(r.target_label)) return `${JSON.stringify(r.target_label)} is invalid 'target_label' for ${a} action`;
  const noReplacement = ["lowercase", "uppercase", "keepequal", "dropequal"].includes(a);
  if (noReplacement && r.replacement !== DEFAULT_REPLACEMENT && r.replacement !== "") return `'replacement' can not be set for ${a} action`;
  if (a === "labelmap" && !RELABEL_TARGET.test(r.replacement)) return `${JSON.stringify(r.replacement)} is invalid 'replacement' for ${a} action`;
  if (a === "hashmod" && !LABEL_NAME.test(r.target_label)) return `${JSON.stringify(r.target_label)} is invalid 'target_label' for ${a} action`;
  if ((a === "keepequal" || a === "dropequal") && (r.regex !== DEFAULT_REGEX || r.modulus !== 0 || r.separator !== DEFAULT_SEPARATOR || r.replacement !== DEFAULT_REPLACEMENT)) {
    return `${a} action requires only 'source_labels' and 'target_label', and no other fields`;
  }
  if ((a === "labeldrop" || a === "labelkeep") && (r.source_labels !== undefined || r.target_label !== "" || r.modulus !== 0 || r.separator !== DEFAULT_SEPARATOR || r.replacement !== DEFAULT_REPLACEMENT)) {
    return `${a} action requires only 'regex', and no other fields`;
  }
  return undefined;
}

/** Compiles decoded (and validated) rule blocks; throws on an invalid rule. */
export function compileRules(rules: readonly RuleArgs[]): RelabelRule[] {
  return rules.map((r) => {
    const problem = validateRule(r);
    if (problem) throw new Error(problem);
    return {
      action: r.action as RelabelAction,
      sourceLabels: r.source_labels ?? [],
      separator: r.separator,
      pattern: r.regex,
      regex: compileAnchored(r.regex),
      targetLabel: r.target_label,
      replacement: r.replacement,
      modulus: r.modulus,
    };
  });
}

/** Wraps compiled rules for export as `rules`. */
export function rulesCapsule(rules: readonly RelabelRule[]): Capsule<readonly RelabelRule[]> {
  return new Capsule(RELABEL_RULES_TYPE, rules);
}

// Prometheus compiles every pattern fully anchored, with `.` matching newlines.
function compileAnchored(pattern: string): Regex {
  return compileRegex(`^(?s:${pattern})$`, (message) => {
    throw new Error(message);
  });
}

/**
 * Runs `rules` top to bottom over `labels` (sorted pairs). Returns the result, sorted, or
 * undefined when a rule dropped the item. An empty result is returned as is: callers drop it.
 */
export function applyRules(labels: Labels, rules: readonly RelabelRule[]): Labels | undefined {
  if (rules.length === 0) return labels;
  const lb = new Map<string, string>(labels);
  for (const rule of rules) if (!applyRule(lb, rule)) return undefined;
  return [...lb].sort(byName);
}

function byName(a: Label, b: Label): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

// Like Prometheus's labels.Builder.Set: an empty value deletes the label.
function set(lb: Map<string, string>, name: string, value: string): void {
  if (value === "") lb.delete(name);
  else lb.set(name, value);
}

/** One rule over the label builder; false when the item is dropped (Prometheus relabel.go relabel()). */
function applyRule(lb: Map<string, string>, rule: RelabelRule): boolean {
  const value = rule.sourceLabels.map((n) => lb.get(n) ?? "").join(rule.separator);
  switch (rule.action) {
    case "drop":
      return !rule.regex.test(value);
    case "keep":
      return rule.regex.test(value);
    case "dropequal":
      return (lb.get(rule.targetLabel) ?? "") !== value;
    case "keepequal":
      return (lb.get(rule.targetLabel) ?? "") === value;
    case "replace":
      replace(lb, rule, value);
      return true;
    case "lowercase":
      set(lb, rule.targetLabel, value.toLowerCase());
      return true;
    case "uppercase":
      set(lb, rule.targetLabel, value.toUpperCase());
      return true;
    case "hashmod":
      set(lb, rule.targetLabel, hashmod(value, rule.modulus));
      return true;
    case "labelmap":
      // Iterate a snapshot, as Builder.Range does: labels added here are not mapped again.
      for (const [name, v] of [...lb]) {
        if (!rule.regex.test(name)) continue;
        const mapped = rule.regex.replaceAll(name, rule.replacement);
        // `$1_x` names group "1_x" (Go's Expand) and may expand to ""; a nameless label is never valid.
        if (mapped !== "") set(lb, mapped, v);
      }
      return true;
    case "labeldrop":
      for (const name of [...lb.keys()]) if (rule.regex.test(name)) lb.delete(name);
      return true;
    case "labelkeep":
      for (const name of [...lb.keys()]) if (!rule.regex.test(name)) lb.delete(name);
      return true;
  }
}

function replace(lb: Map<string, string>, rule: RelabelRule, value: string): void {
  const match = rule.regex.firstMatch(value);
  if (!match) return;
  const target = rule.regex.expand(rule.targetLabel, value, match);
  if (!LABEL_NAME.test(target)) return;
  set(lb, target, rule.regex.expand(rule.replacement, value, match));
}

/** Prometheus's hashmod: big-endian uint64 of bytes 8..15 of MD5(value), mod `modulus`, in decimal. */
export function hashmod(value: string, modulus: number): string {
  const sum = createHash("md5").update(value, "utf8").digest();
  return (sum.readBigUInt64BE(8) % BigInt(modulus)).toString();
}
