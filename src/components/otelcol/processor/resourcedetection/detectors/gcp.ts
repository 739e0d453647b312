// The `gcp` detector (spec: alloy-components.md §2.5), following the OpenTelemetry GCP resource
// detector upstream uses. It reads the metadata server (GET /computeMetadata/v1/<path> with
// `Metadata-Flavor: Google`) at http://169.254.169.254, or at the host[:port] in
// GCE_METADATA_HOST as the Google SDKs do (tests point it at 127.0.0.1). As in the Go client, a
// set GCE_METADATA_HOST means "on GCP"; otherwise the first request must reach a server that
// answers with `Metadata-Flavor: Google`, or this is not GCP.
//
// The platform is chosen from the environment and the metadata server, in upstream's order:
// GKE (KUBERNETES_SERVICE_HOST and a `cluster-location` instance attribute), Cloud Functions
// (FUNCTION_TARGET), Cloud Run (K_CONFIGURATION), Cloud Run jobs (CLOUD_RUN_JOB), App Engine
// standard (GAE_ENV=standard), App Engine flexible (GAE_SERVICE), Compute Engine (an instance
// machine type). A value that cannot be read leaves its attribute out with a warning, as
// upstream returns a partial resource.

import { onlyEnabled, type DetectContext, type Detection, type Detector } from "../detector.ts";
import { inert, t } from "../../../../../runtime/schema.ts";
import { absent, send, StatusError, Unreachable } from "./metadata_http.ts";

type Found = Record<string, string | undefined>;
type Platform = "gke" | "cloud_functions" | "cloud_run" | "cloud_run_job" | "app_engine_standard" | "app_engine_flex" | "gce" | "unknown";

/** Reads metadata paths and records what could not be read. */
interface Reader {
  ctx: DetectContext;
  base: string;
  failures: string[];
}

/** `gcp`: project, platform, location and host/function identity on Google Cloud. */
export const gcpDetector: Detector<{ labels: string[] }> = {
  name: "gcp",
  block: {
    attrs: {
      labels: inert(t.list(t.string), [], "GCE instance labels are read through the Compute Engine API with OAuth credentials, which solder does not call"),
    },
  },
  attributes: {
    "cloud.account.id": true,
    "cloud.availability_zone": true,
    "cloud.platform": true,
    "cloud.provider": true,
    "cloud.region": true,
    // Accepted for configurations written for older releases; upstream now reports the instance
    // id as faas.instance and no longer sets faas.id.
    "faas.id": true,
    "faas.instance": true,
    "faas.name": true,
    "faas.version": true,
    "gcp.cloud_run.job.execution": true,
    "gcp.cloud_run.job.task_index": true,
    "gcp.gce.instance.hostname": false,
    "gcp.gce.instance.name": false,
    "gcp.gce.instance_group_manager.name": true,
    "gcp.gce.instance_group_manager.region": true,
    "gcp.gce.instance_group_manager.zone": true,
    "host.id": true,
    "host.name": true,
    "host.type": true,
    "k8s.cluster.name": true,
  },
  async detect(ctx, _args, enabled): Promise<Detection> {
    const host = ctx.env("GCE_METADATA_HOST")?.trim();
    const r: Reader = { ctx, base: `http://${host || "169.254.169.254"}/computeMetadata/v1/`, failures: [] };
    let project: string | undefined;
    try {
      project = await probeProject(r, Boolean(host));
    } catch (err) {
      if (!(err instanceof Unreachable || err instanceof NotGoogle)) throw err;
      return absent(ctx, "gcp", err.message);
    }
    const platform = await choosePlatform(r);
    const found: Found = { "cloud.provider": "gcp", "cloud.account.id": project, ...(await PLATFORMS[platform](r)) };
    if (r.failures.length > 0) ctx.logger.warn("gcp detector: some attributes could not be read and are left out", { failures: r.failures.join("; ") });
    return { attributes: onlyEnabled(found, enabled), schemaUrl: "https://opentelemetry.io/schemas/1.6.1" };
  },
};

class NotGoogle extends Error {}

/** The project id; also proves the metadata server is Google's (else NotGoogle / Unreachable). */
async function probeProject(r: Reader, hostFromEnv: boolean): Promise<string | undefined> {
  const url = r.base + "project/project-id";
  const reply = await send(r.ctx, url, { headers: { "Metadata-Flavor": "Google" } });
  if (!hostFromEnv && reply.headers.get("Metadata-Flavor") !== "Google") throw new NotGoogle(`${url} is not a Google metadata server`);
  if (reply.status === 200) return reply.body.trim();
  r.failures.push(`cloud.account.id: ${new StatusError(reply.status, url).message}`);
  return undefined;
}

/** GETs one metadata path (trimmed); a failure is thrown. */
async function metadata(r: Reader, path: string): Promise<string> {
  const url = r.base + path;
  const reply = await send(r.ctx, url, { headers: { "Metadata-Flavor": "Google" } });
  if (reply.status !== 200) throw new StatusError(reply.status, url);
  return reply.body.trim();
}

/** Like `metadata`, but a failure is recorded for the warning and gives undefined. */
async function optional(r: Reader, attribute: string, read: () => Promise<string>): Promise<string | undefined> {
  try {
    return await read();
  } catch (err) {
    r.failures.push(`${attribute}: ${(err as Error).message}`);
    return undefined;
  }
}

/** True when the path can be read. */
function exists(r: Reader, path: string): Promise<boolean> {
  return metadata(r, path).then(
    () => true,
    () => false,
  );
}

async function choosePlatform(r: Reader): Promise<Platform> {
  const env = (name: string) => r.ctx.env(name);
  if (env("KUBERNETES_SERVICE_HOST") !== undefined && (await exists(r, "instance/attributes/cluster-location"))) return "gke";
  if (env("FUNCTION_TARGET") !== undefined) return "cloud_functions";
  if (env("K_CONFIGURATION") !== undefined) return "cloud_run";
  if (env("CLOUD_RUN_JOB") !== undefined) return "cloud_run_job";
  if (env("GAE_ENV") === "standard") return "app_engine_standard";
  if (env("GAE_SERVICE") !== undefined) return "app_engine_flex";
  if (await exists(r, "instance/machine-type")) return "gce";
  return "unknown";
}

/** An environment variable, recorded as a failure when unset. */
function fromEnv(r: Reader, attribute: string, name: string): string | undefined {
  const v = r.ctx.env(name);
  if (v === undefined) r.failures.push(`${attribute}: environment variable ${name} is not set`);
  return v;
}

/** The last `/` segment: `projects/1/zones/us-central1-a` → `us-central1-a`. */
function lastSegment(value: string): string {
  return value.slice(value.lastIndexOf("/") + 1);
}

/** Zone and region from instance/zone; the region is the zone without its last `-suffix`. */
async function zoneAndRegion(r: Reader): Promise<Found> {
  const zone = await optional(r, "cloud.availability_zone", async () => lastSegment(await metadata(r, "instance/zone")));
  if (zone === undefined) return {};
  const dash = zone.lastIndexOf("-");
  if (zone === "" || dash < 0) {
    r.failures.push(`cloud.region: zone ${JSON.stringify(zone)} names no region`);
    return { "cloud.availability_zone": zone };
  }
  return { "cloud.availability_zone": zone, "cloud.region": zone.slice(0, dash) };
}

/** The region of a serverless instance, from instance/region. */
async function serverlessRegion(r: Reader): Promise<string | undefined> {
  return optional(r, "cloud.region", async () => lastSegment(await metadata(r, "instance/region")));
}

/** A GKE cluster-location is a zone (two dashes) or a region (one). */
async function gkeLocation(r: Reader): Promise<Found> {
  const loc = await optional(r, "cloud.region", () => metadata(r, "instance/attributes/cluster-location"));
  if (loc === undefined) return {};
  const dashes = loc.split("-").length - 1;
  if (dashes === 1) return { "cloud.region": loc };
  if (dashes === 2) return { "cloud.availability_zone": loc };
  r.failures.push(`cloud.region: unrecognized format for cluster location ${JSON.stringify(loc)}`);
  return {};
}

/** The managed instance group from `created-by`: `projects/…/(zones|regions)/<loc>/instanceGroupManagers/<name>`. */
async function instanceGroupManager(r: Reader): Promise<Found> {
  let createdBy: string;
  try {
    createdBy = await metadata(r, "instance/attributes/created-by");
  } catch {
    return {}; // not part of a managed instance group
  }
  const m = /\/(zones|regions)\/([^/]+)\/instanceGroupManagers\/([^/]+)$/.exec(createdBy);
  if (!m) return {};
  const scope = m[1] === "zones" ? "zone" : "region";
  return { "gcp.gce.instance_group_manager.name": m[3], [`gcp.gce.instance_group_manager.${scope}`]: m[2] };
}

const PLATFORMS: Record<Platform, (r: Reader) => Promise<Found>> = {
  gke: async (r) => ({
    "cloud.platform": "gcp_kubernetes_engine",
    ...(await gkeLocation(r)),
    "k8s.cluster.name": await optional(r, "k8s.cluster.name", () => metadata(r, "instance/attributes/cluster-name")),
    "host.id": await optional(r, "host.id", () => metadata(r, "instance/id")),
    // Not readable under GKE workload identity: upstream logs and goes on.
    "host.name": await optional(r, "host.name", () => metadata(r, "instance/name")),
  }),
  cloud_functions: async (r) => ({
    "cloud.platform": "gcp_cloud_functions",
    "faas.name": fromEnv(r, "faas.name", "K_SERVICE"),
    "faas.version": fromEnv(r, "faas.version", "K_REVISION"),
    "faas.instance": await optional(r, "faas.instance", () => metadata(r, "instance/id")),
    "cloud.region": await serverlessRegion(r),
  }),
  cloud_run: async (r) => ({
    "cloud.platform": "gcp_cloud_run",
    "faas.name": fromEnv(r, "faas.name", "K_SERVICE"),
    "faas.version": fromEnv(r, "faas.version", "K_REVISION"),
    "faas.instance": await optional(r, "faas.instance", () => metadata(r, "instance/id")),
    "cloud.region": await serverlessRegion(r),
  }),
  cloud_run_job: async (r) => ({
    "cloud.platform": "gcp_cloud_run",
    "faas.name": fromEnv(r, "faas.name", "CLOUD_RUN_JOB"),
    "faas.instance": await optional(r, "faas.instance", () => metadata(r, "instance/id")),
    "cloud.region": await serverlessRegion(r),
    "gcp.cloud_run.job.execution": fromEnv(r, "gcp.cloud_run.job.execution", "CLOUD_RUN_EXECUTION"),
    "gcp.cloud_run.job.task_index": fromEnv(r, "gcp.cloud_run.job.task_index", "CLOUD_RUN_TASK_INDEX"),
  }),
  app_engine_standard: async (r) => ({
    "cloud.platform": "gcp_app_engine",
    ...appEngineService(r),
    "cloud.availability_zone": await optional(r, "cloud.availability_zone", async () => lastSegment(await metadata(r, "instance/zone"))),
    "cloud.region": await serverlessRegion(r),
  }),
  app_engine_flex: async (r) => ({
    "cloud.platform": "gcp_app_engine",
    ...(await zoneAndRegion(r)),
    ...appEngineService(r),
  }),
  gce: async (r) => ({
    "cloud.platform": "gcp_compute_engine",
    ...(await zoneAndRegion(r)),
    // The metadata value as is (`projects/<n>/machineTypes/<type>`), as upstream reports it.
    "host.type": await optional(r, "host.type", () => metadata(r, "instance/machine-type")),
    "host.id": await optional(r, "host.id", () => metadata(r, "instance/id")),
    "host.name": await optional(r, "host.name", () => metadata(r, "instance/name")),
    "gcp.gce.instance.name": await optional(r, "gcp.gce.instance.name", () => metadata(r, "instance/name")),
    "gcp.gce.instance.hostname": await optional(r, "gcp.gce.instance.hostname", () => metadata(r, "instance/hostname")),
    ...(await instanceGroupManager(r)),
  }),
  // A metadata server but no known platform: only the provider and the project.
  unknown: async () => ({}),
};

function appEngineService(r: Reader): Found {
  return {
    "faas.name": fromEnv(r, "faas.name", "GAE_SERVICE"),
    "faas.version": fromEnv(r, "faas.version", "GAE_VERSION"),
    "faas.instance": fromEnv(r, "faas.instance", "GAE_INSTANCE"),
  };
}
