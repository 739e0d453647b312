// The `eks` detector (spec: alloy-components.md §2.5). On EKS when KUBERNETES_SERVICE_HOST/PORT
// are set and the cluster's version (GET /version on the in-cluster API, with the pod's service
// account token and CA) contains "-eks-"; any other cluster → not on EKS; an API failure → error.
//
// cloud.provider and cloud.platform need nothing more. The two attributes off by default come,
// as upstream, from the node's EC2 instance when IMDS answers (one probe attempt):
// cloud.account.id from the identity document, k8s.cluster.name from the instance tags
// `aws:eks:cluster-name`, `eks:cluster-name` or `kubernetes.io/cluster/<name>` — read here from
// IMDS (needs InstanceMetadataTags=enabled) because upstream's source, the EC2 DescribeInstances
// API, needs AWS credentials and request signing, which solder does not do. Without IMDS
// (Fargate, hop limit) upstream also uses that API: solder warns and leaves them out.

import { onlyEnabled, type DetectContext, type Detection, type Detector } from "../detector.ts";
import { inert, t } from "../../../../../runtime/schema.ts";
import { openImds, parseIdentityDocument, type Imds } from "./ec2.ts";
import { absent, field, inClusterApi, kubeGet, StatusError } from "./metadata_http.ts";

/** Decoded `eks` block. */
export interface EksArgs {
  node_from_env_var: string;
}

const CLUSTER_TAGS = ["aws:eks:cluster-name", "eks:cluster-name"];
const CLUSTER_TAG_PREFIX = "kubernetes.io/cluster/";
// Upstream's defaults for the IMDS calls after the single-attempt probe.
const RETRY = { maxAttempts: 3, maxBackoff: 20_000 };

/** `eks`: cloud provider/platform on EKS, account and cluster name from the node's instance. */
export const eksDetector: Detector<EksArgs> = {
  name: "eks",
  block: {
    attrs: {
      node_from_env_var: inert(t.string, "K8S_NODE_NAME", "it names the node whose EC2 instance upstream looks up through the EC2 API when IMDS is unreachable; solder does not call that API"),
    },
  },
  attributes: {
    "cloud.account.id": false,
    "cloud.platform": true,
    "cloud.provider": true,
    "k8s.cluster.name": false,
  },
  async detect(ctx, _args, enabled): Promise<Detection> {
    const api = await inClusterApi(ctx);
    if (api === undefined) return absent(ctx, "eks", "KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT are not set");
    let version: string;
    try {
      version = field(await kubeGet(ctx, api, "/version"), "gitVersion") ?? "";
    } catch (err) {
      throw new Error(`isEks() error retrieving cluster version: ${(err as Error).message}`, { cause: err });
    }
    if (!version.includes("-eks-")) return absent(ctx, "eks", `cluster version ${JSON.stringify(version)} is not an EKS version`);

    const found: Record<string, string | undefined> = { "cloud.provider": "aws", "cloud.platform": "aws_eks" };
    if (enabled("cloud.account.id") || enabled("k8s.cluster.name")) Object.assign(found, await fromInstance(ctx, enabled));
    return { attributes: onlyEnabled(found, enabled), schemaUrl: "https://opentelemetry.io/schemas/1.6.1" };
  },
};

/** cloud.account.id and k8s.cluster.name of the node's EC2 instance, through IMDS. */
async function fromInstance(ctx: DetectContext, enabled: (a: string) => boolean): Promise<Record<string, string | undefined>> {
  const probe = openImds(ctx, { ...RETRY, maxAttempts: 1 });
  const reachable = probe !== undefined && (await probe.get("meta-data/instance-id").then(() => true, () => false));
  if (!reachable) {
    ctx.logger.warn("eks detector: IMDS is not reachable; cloud.account.id and k8s.cluster.name would need the EC2 API, which solder does not call");
    return {};
  }
  const imds = openImds(ctx, RETRY)!;
  const out: Record<string, string | undefined> = {};
  if (enabled("cloud.account.id")) out["cloud.account.id"] = parseIdentityDocument(await imds.get("dynamic/instance-identity/document")).accountId;
  if (enabled("k8s.cluster.name")) out["k8s.cluster.name"] = await clusterNameFromTags(ctx, imds);
  return out;
}

/** The cluster name from the instance tags in IMDS; undefined (with a warning) when tags are not exposed. */
async function clusterNameFromTags(ctx: DetectContext, imds: Imds): Promise<string | undefined> {
  let keys: string[];
  try {
    keys = (await imds.get("meta-data/tags/instance")).split("\n").map((k) => k.trim());
  } catch (err) {
    if (!(err instanceof StatusError && err.status === 404)) throw err;
    ctx.logger.warn("eks detector: instance tags are not in IMDS (InstanceMetadataTags=enabled is needed); k8s.cluster.name is left out");
    return undefined;
  }
  for (const key of keys) {
    if (CLUSTER_TAGS.includes(key)) return imds.get(`meta-data/tags/instance/${encodeURIComponent(key)}`);
    if (key.startsWith(CLUSTER_TAG_PREFIX)) return key.slice(CLUSTER_TAG_PREFIX.length);
  }
  return undefined;
}
