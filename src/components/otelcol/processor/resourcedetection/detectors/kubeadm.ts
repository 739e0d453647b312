// The `kubeadm` detector (spec: alloy-components.md §2.5): the cluster's name from kubeadm's
// ConfigMap kube-system/kubeadm-config (ClusterConfiguration.clusterName) and its UID, taken as
// the UID of the kube-system namespace. Uses the Kubernetes client of kubernetes_node.ts.

import { parse as parseYaml } from "yaml";
import type { DetectContext, Detection, Detector } from "../detector.ts";
import { onlyEnabled } from "../detector.ts";
import { type KubernetesApiArgs, type KubernetesClient, kubernetesApiAttrs, kubernetesClient, kubernetesGet, metadataField, validateKubernetesApi } from "./kubernetes_node.ts";

const CONFIG_MAP = "/api/v1/namespaces/kube-system/configmaps/kubeadm-config";
const KUBE_SYSTEM = "/api/v1/namespaces/kube-system";

/** clusterName of kubeadm's ClusterConfiguration (YAML inside the ConfigMap's data). */
async function clusterName(ctx: DetectContext, client: KubernetesClient): Promise<string | undefined> {
  const cm = await kubernetesGet(ctx, client, CONFIG_MAP);
  const data = cm.data as Record<string, unknown> | undefined;
  const text = data && typeof data === "object" ? data.ClusterConfiguration : undefined;
  if (typeof text !== "string") throw new Error("ConfigMap kube-system/kubeadm-config has no data.ClusterConfiguration");
  let config: unknown;
  try {
    config = parseYaml(text);
  } catch (err) {
    throw new Error(`failed to decode ClusterConfiguration of ConfigMap kube-system/kubeadm-config: ${(err as Error).message}`);
  }
  const name = config && typeof config === "object" ? (config as Record<string, unknown>).clusterName : undefined;
  return typeof name === "string" ? name : undefined;
}

/** `kubeadm`: k8s.cluster.name and k8s.cluster.uid of a kubeadm-built cluster. */
export const kubeadmDetector: Detector<KubernetesApiArgs> = {
  name: "kubeadm",
  block: { attrs: { ...kubernetesApiAttrs }, validate: validateKubernetesApi },
  attributes: { "k8s.cluster.name": true, "k8s.cluster.uid": true },
  async detect(ctx, args, enabled): Promise<Detection> {
    const client = await kubernetesClient(ctx, args);
    const found: Record<string, string | undefined> = {};
    // Only what is switched on is fetched, as upstream does.
    if (enabled("k8s.cluster.name")) found["k8s.cluster.name"] = await clusterName(ctx, client);
    if (enabled("k8s.cluster.uid")) {
      found["k8s.cluster.uid"] = metadataField(await kubernetesGet(ctx, client, KUBE_SYSTEM), "uid");
      if (found["k8s.cluster.uid"] === undefined) throw new Error("namespace kube-system has no metadata.uid");
    }
    return { attributes: onlyEnabled(found, enabled), schemaUrl: "https://opentelemetry.io/schemas/1.6.1" };
  },
};
