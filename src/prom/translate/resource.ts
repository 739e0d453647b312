// Labels that come from the resource and the scope: `job`/`instance`, `target_info`,
// `otel_scope_info`, scope labels and resource_to_telemetry_conversion
// (spec: alloy-components.md §6.1, prometheus.md §4.1–§4.3).

import type { InstrumentationScope, KeyValue } from "../../../gen/opentelemetry/proto/common/v1/common_pb.ts";
import type { Labels } from "../appender.ts";
import { attributeLabels, overrideLabels, sortedLabels, withReserved } from "./labels.ts";
import { attributeString } from "./values.ts";

export const SERVICE_NAME = "service.name";
export const SERVICE_NAMESPACE = "service.namespace";
export const SERVICE_INSTANCE_ID = "service.instance.id";
export const TARGET_INFO = "target_info";
export const SCOPE_INFO = "otel_scope_info";
export const SCOPE_NAME_LABEL = "otel_scope_name";
export const SCOPE_VERSION_LABEL = "otel_scope_version";

/** `job` and `instance` of a resource; "" means the label is absent. */
export interface Identity {
  job: string;
  instance: string;
}

/**
 * job = `service.namespace/service.name`, or `service.name` alone; none without a
 * service.name (a namespace alone is not used). instance = `service.instance.id` (spec §4.1).
 */
export function identityOf(attrs: readonly KeyValue[]): Identity {
  const name = find(attrs, SERVICE_NAME);
  const namespace = find(attrs, SERVICE_NAMESPACE);
  const instance = find(attrs, SERVICE_INSTANCE_ID);
  let job = "";
  if (name !== undefined) job = namespace !== undefined ? `${attributeString(namespace.value)}/${attributeString(name.value)}` : attributeString(name.value);
  return { job, instance: instance === undefined ? "" : attributeString(instance.value) };
}

/** The first attribute with this key, as pdata's Map.Get finds it. */
function find(attrs: readonly KeyValue[], key: string): KeyValue | undefined {
  for (const kv of attrs) if (kv.key === key) return kv;
  return undefined;
}

function isIdentifying(key: string): boolean {
  return key === SERVICE_NAME || key === SERVICE_NAMESPACE || key === SERVICE_INSTANCE_ID;
}

/** Labels of `job` and `instance`, in a map that later sources override. */
export function identityLabels(id: Identity): Map<string, string> {
  const m = new Map<string, string>();
  if (id.job !== "") m.set("job", id.job);
  if (id.instance !== "") m.set("instance", id.instance);
  return m;
}

/**
 * `target_info{job, instance, <resource attributes>}`: the three service attributes are left
 * out unless `keepIdentifying` (they already are job and instance). Resource attributes are
 * applied after job/instance, as Alloy's converter sets them.
 */
export function targetInfoLabels(attrs: readonly KeyValue[], id: Identity, keepIdentifying: boolean, name: string, onInvalid?: (key: string) => void): Labels {
  const kept = keepIdentifying ? attrs : attrs.filter((kv) => !isIdentifying(kv.key));
  const labels = overrideLabels(identityLabels(id), attributeLabels(kept, onInvalid));
  return withReserved(sortedLabels(labels), [["__name__", name]]);
}

/** Name and version of a scope; "" when absent. */
export interface ScopeIdentity {
  name: string;
  version: string;
}

export function scopeIdentity(scope: InstrumentationScope | undefined): ScopeIdentity {
  return { name: scope?.name ?? "", version: scope?.version ?? "" };
}

/** `otel_scope_info{job, instance, otel_scope_name, otel_scope_version, <scope attributes>}`. */
export function scopeInfoLabels(scope: InstrumentationScope | undefined, id: Identity, name: string, onInvalid?: (key: string) => void): Labels {
  const s = scopeIdentity(scope);
  const labels = identityLabels(id);
  labels.set(SCOPE_NAME_LABEL, s.name);
  labels.set(SCOPE_VERSION_LABEL, s.version);
  overrideLabels(labels, attributeLabels(scope?.attributes ?? [], onInvalid));
  return withReserved(sortedLabels(labels), [["__name__", name]]);
}

/**
 * The labels every series of one scope starts from, lowest precedence first: job/instance,
 * then scope labels (when `includeScopeLabels`), then — with resource_to_telemetry_conversion —
 * every resource attribute. Data-point attributes go on top of this (they win on clashes,
 * spec §6.1), and `__name__`/`le`/`quantile` on top of everything.
 */
export function scopeBaseLabels(id: Identity, scope: ScopeIdentity, includeScopeLabels: boolean, promoted: ReadonlyMap<string, string> | undefined): Map<string, string> {
  const labels = identityLabels(id);
  if (includeScopeLabels) {
    if (scope.name !== "") labels.set(SCOPE_NAME_LABEL, scope.name);
    if (scope.version !== "") labels.set(SCOPE_VERSION_LABEL, scope.version);
  }
  return promoted ? overrideLabels(labels, promoted) : labels;
}
