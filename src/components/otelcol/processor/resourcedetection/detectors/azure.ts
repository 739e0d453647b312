// The `azure` detector (spec: alloy-components.md §2.5) and the Azure IMDS client it shares with
// `aks`: GET http://169.254.169.254/metadata/instance/compute?api-version=2020-09-01&format=json
// with the header `Metadata: true`.
//
// Endpoint override: Azure SDKs have no standard variable for it, so solder reads
// SOLDER_AZURE_IMDS_ENDPOINT, a base URL such as `http://127.0.0.1:8080` that replaces
// `http://169.254.169.254` (the path and query are kept). Tests use it; production leaves it unset.
//
// No answer or a non-200 answer → not on Azure (upstream treats every IMDS failure so). A 200
// whose body is not a JSON object is an error here, where upstream would also say "not on
// Azure": such a body means something is wrong, and the core logs and retries errors.
// Fields missing from the document leave their attributes out.

import { onlyEnabled, type DetectContext, type Detection, type Detector } from "../detector.ts";
import { attr, t } from "../../../../../runtime/schema.ts";
import { absent, compileRegex, field, matchesAny, parseObject, regexProblems, send, StatusError } from "./metadata_http.ts";

const DEFAULT_BASE = "http://169.254.169.254";
const COMPUTE_PATH = "/metadata/instance/compute?api-version=2020-09-01&format=json";
const TAG_PREFIX = "azure.tag.";

/** The Azure IMDS compute metadata, or why IMDS is unavailable (not on Azure). */
export async function fetchAzureCompute(ctx: DetectContext): Promise<{ compute: Record<string, unknown> } | { unavailable: string }> {
  const base = (ctx.env("SOLDER_AZURE_IMDS_ENDPOINT")?.trim() || DEFAULT_BASE).replace(/\/+$/, "");
  const url = base + COMPUTE_PATH;
  let reply;
  try {
    reply = await send(ctx, url, { headers: { Metadata: "true" } });
  } catch (err) {
    return { unavailable: `Azure IMDS did not answer: ${(err as Error).message}` };
  }
  if (reply.status !== 200) return { unavailable: new StatusError(reply.status, url).message };
  return { compute: parseObject(reply.body, "the Azure IMDS compute metadata") };
}

/** Decoded `azure` block. */
export interface AzureArgs {
  tags: string[];
}

/** `azure`: VM, subscription, resource group and region from Azure IMDS, plus selected VM tags. */
export const azureDetector: Detector<AzureArgs> = {
  name: "azure",
  block: {
    attrs: { tags: attr(t.list(t.string), []) },
    validate: (a: AzureArgs) => regexProblems("tags", a.tags),
  },
  attributes: {
    "azure.resourcegroup.name": true,
    "azure.vm.name": true,
    "azure.vm.scaleset.name": true,
    "azure.vm.size": true,
    "cloud.account.id": true,
    "cloud.availability_zone": false,
    "cloud.platform": true,
    "cloud.provider": true,
    "cloud.region": true,
    "host.id": true,
    "host.name": true,
  },
  async detect(ctx, args, enabled): Promise<Detection> {
    const result = await fetchAzureCompute(ctx);
    if ("unavailable" in result) return absent(ctx, "azure", result.unavailable);
    const c = result.compute;
    const attributes = onlyEnabled(
      {
        "cloud.provider": "azure",
        "cloud.platform": "azure_vm",
        "host.name": field(c, "name"),
        "cloud.region": field(c, "location"),
        "host.id": field(c, "vmId"),
        "cloud.account.id": field(c, "subscriptionId"),
        "cloud.availability_zone": field(c, "zone"),
        "azure.vm.name": field(c, "name"),
        "azure.vm.size": field(c, "vmSize"),
        "azure.vm.scaleset.name": field(c, "vmScaleSetName"),
        "azure.resourcegroup.name": field(c, "resourceGroupName"),
      },
      enabled,
    );
    if (args.tags.length > 0) Object.assign(attributes, matchingTags(c, args.tags));
    return { attributes, schemaUrl: "https://opentelemetry.io/schemas/1.6.1" };
  },
};

/** `azure.tag.<name>` for the VM tags (`tagsList`) whose names match one of `patterns`. */
function matchingTags(compute: Record<string, unknown>, patterns: string[]): Record<string, string> {
  const regexes = patterns.map(compileRegex);
  const out: Record<string, string> = {};
  const list = Array.isArray(compute.tagsList) ? (compute.tagsList as unknown[]) : [];
  for (const tag of list) {
    if (tag === null || typeof tag !== "object") continue;
    const name = field(tag as Record<string, unknown>, "name");
    const value = field(tag as Record<string, unknown>, "value");
    if (name !== undefined && value !== undefined && matchesAny(regexes, name)) out[TAG_PREFIX + name] = value;
  }
  return out;
}
