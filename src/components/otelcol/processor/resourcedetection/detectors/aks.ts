// The `aks` detector (spec: alloy-components.md §2.5): on AKS when KUBERNETES_SERVICE_HOST is set
// and Azure IMDS answers (see azure.ts, including the SOLDER_AZURE_IMDS_ENDPOINT override).
// k8s.cluster.name (off by default) comes from the node's infrastructure resource group, which
// AKS names `MC_<resource group>_<cluster name>_<location>` unless the user chose a custom name.

import { onlyEnabled, type Detection, type Detector } from "../detector.ts";
import { fetchAzureCompute } from "./azure.ts";
import { absent, field } from "./metadata_http.ts";

/** `aks`: cloud provider/platform on AKS, and the cluster name from the resource group. */
export const aksDetector: Detector = {
  name: "aks",
  block: {},
  attributes: {
    "cloud.platform": true,
    "cloud.provider": true,
    "k8s.cluster.name": false,
  },
  async detect(ctx, _args, enabled): Promise<Detection> {
    if (!ctx.env("KUBERNETES_SERVICE_HOST")) return absent(ctx, "aks", "KUBERNETES_SERVICE_HOST is not set");
    const result = await fetchAzureCompute(ctx);
    if ("unavailable" in result) return absent(ctx, "aks", result.unavailable);
    const group = field(result.compute, "resourceGroupName");
    const attributes = onlyEnabled(
      {
        "cloud.provider": "azure",
        "cloud.platform": "azure_aks",
        "k8s.cluster.name": group === undefined ? undefined : clusterName(group),
      },
      enabled,
    );
    return { attributes, schemaUrl: "https://opentelemetry.io/schemas/1.6.1" };
  },
};

/**
 * The cluster name inside a generated `MC_<group>_<cluster>_<location>` resource group; any
 * other name (a custom group, or underscores in the group or cluster name) is returned whole,
 * which still identifies the cluster: Azure does not let two clusters share it.
 */
export function clusterName(resourceGroup: string): string {
  const parts = resourceGroup.split("_");
  if (parts.length !== 4 || parts[0]!.toLowerCase() !== "mc") return resourceGroup;
  return parts[2]!;
}
