// The `openshift` detector (spec: alloy-components.md §2.5): the cluster's Infrastructure
// resource (GET /apis/config.openshift.io/v1/infrastructures/cluster/status) on the OpenShift
// API. `address` defaults to https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT, `token`
// to the pod's service account token, and the CA to the service account's ca.crt unless the
// `tls` block names one. Without an address or token this is not OpenShift; an API failure is
// logged and gives nothing, as upstream.
//
// From the `tls` block, ca_pem/ca_file, cert/key, insecure_skip_verify and server_name apply;
// the other settings are accepted and left to the runtime's defaults.

import { onlyEnabled, type DetectContext, type Detection, type Detector } from "../detector.ts";
import { attr, t } from "../../../../../runtime/schema.ts";
import type { Secret } from "../../../../../runtime/value.ts";
import { tlsClientBlock, type TlsClientArgs } from "../../../exporter/shared/client.ts";
import { absent, field, inClusterApi, kubeGet, type KubeApi } from "./metadata_http.ts";

/** Decoded `openshift` block. */
export interface OpenshiftArgs {
  address?: string;
  /** A bearer token: a string in Alloy, a secret here so it never shows in the UI or API. */
  token?: Secret;
  tls: TlsClientArgs;
}

const INFRASTRUCTURE = "/apis/config.openshift.io/v1/infrastructures/cluster/status";

/** platformStatus.type → provider, platform, and where the region is. */
const CLOUDS: Record<string, { provider?: string; platform?: string; region: (s: Record<string, unknown>) => string | undefined }> = {
  aws: { provider: "aws", platform: "aws_openshift", region: (s) => field(sub(s, "aws"), "region") },
  azure: { provider: "azure", platform: "azure_openshift", region: (s) => field(sub(s, "azure"), "cloudName") },
  gcp: { provider: "gcp", platform: "gcp_openshift", region: (s) => field(sub(s, "gcp"), "region") },
  ibmcloud: { provider: "ibm_cloud", platform: "ibm_cloud_openshift", region: (s) => field(sub(s, "ibmcloud"), "location") },
  openstack: { region: (s) => field(sub(s, "openstack"), "cloudName") },
};

/** `openshift`: cluster name, cloud provider, platform and region from the Infrastructure resource. */
export const openshiftDetector: Detector<OpenshiftArgs> = {
  name: "openshift",
  block: {
    attrs: { address: attr(t.string), token: attr(t.secret) },
    blocks: { tls: tlsClientBlock },
  },
  attributes: {
    "cloud.platform": true,
    "cloud.provider": true,
    "cloud.region": true,
    "k8s.cluster.name": true,
  },
  async detect(ctx, args, enabled): Promise<Detection> {
    const api = await openshiftApi(ctx, args);
    if (typeof api === "string") return absent(ctx, "openshift", api);
    let infra: Record<string, unknown>;
    try {
      infra = await kubeGet(ctx, api, INFRASTRUCTURE);
    } catch (err) {
      ctx.logger.warn("OpenShift detector metadata retrieval failed", { error: (err as Error).message });
      return absent(ctx, "openshift", (err as Error).message);
    }
    const status = sub(infra, "status");
    const platformStatus = sub(status, "platformStatus");
    const cloud = CLOUDS[(field(platformStatus, "type") ?? "").toLowerCase()];
    const attributes = onlyEnabled(
      {
        "k8s.cluster.name": field(status, "infrastructureName"),
        "cloud.provider": cloud?.provider,
        "cloud.platform": cloud?.platform,
        "cloud.region": cloud?.region(platformStatus)?.toLowerCase(),
      },
      enabled,
    );
    return { attributes, schemaUrl: "https://opentelemetry.io/schemas/1.18.0" };
  },
};

/** The API to ask, or why there is none. */
async function openshiftApi(ctx: DetectContext, args: OpenshiftArgs): Promise<KubeApi | string> {
  const inCluster = await inClusterApi(ctx);
  const address = args.address || inCluster?.address;
  if (!address) return "no address: set `address` or run in a pod (KUBERNETES_SERVICE_HOST/PORT)";
  const token = args.token?.value || inCluster?.token;
  if (!token) return "no token: set `token` or mount the service account token";
  return { address, token, tls: await tlsOptions(ctx, args.tls, inCluster) };
}

/** node:tls options from the block; the service account CA when the block names none. */
async function tlsOptions(ctx: DetectContext, tls: TlsClientArgs | undefined, inCluster: KubeApi | undefined): Promise<KubeApi["tls"]> {
  if (tls === undefined) return inCluster?.tls;
  const ca = tls.ca_pem ?? (tls.ca_file !== undefined ? await ctx.readFile(tls.ca_file) : undefined);
  const cert = tls.cert_pem ?? (tls.cert_file !== undefined ? await ctx.readFile(tls.cert_file) : undefined);
  const key = tls.key_pem?.value ?? (tls.key_file !== undefined ? await ctx.readFile(tls.key_file) : undefined);
  const options: NonNullable<KubeApi["tls"]> = { ...(ca === undefined ? inCluster?.tls : { ca }) };
  if (cert !== undefined && key !== undefined) Object.assign(options, { cert, key });
  if (tls.insecure_skip_verify) options.rejectUnauthorized = false;
  if (tls.server_name) options.servername = tls.server_name;
  return Object.keys(options).length > 0 ? options : undefined;
}

/** A nested object member, or an empty object. */
function sub(doc: Record<string, unknown> | undefined, key: string): Record<string, unknown> {
  const v = doc?.[key];
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
