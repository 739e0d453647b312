// The `ecs` detector (spec: alloy-components.md §2.5): the ECS Task Metadata Endpoint (TMDE),
// whose address the ECS agent puts in every container's environment: ECS_CONTAINER_METADATA_URI_V4,
// else the v3 ECS_CONTAINER_METADATA_URI. Neither set → not on ECS. Tests point it at a fake
// server; there is no other address to override.
//
// `<uri>/task` describes the task, `<uri>` this container. A failing or malformed answer is an
// error (upstream: "unable to fetch task metadata"); missing fields just leave attributes out.

import { onlyEnabled, type DetectContext, type Detection, type Detector } from "../detector.ts";
import { absent, field, getText, parseObject } from "./metadata_http.ts";

/** `ecs`: task, cluster, launch type, account/region and awslogs groups/streams of the task. */
export const ecsDetector: Detector = {
  name: "ecs",
  block: {},
  attributes: {
    "aws.ecs.cluster.arn": true,
    "aws.ecs.launchtype": true,
    "aws.ecs.task.arn": true,
    "aws.ecs.task.family": true,
    "aws.ecs.task.id": true,
    "aws.ecs.task.revision": true,
    "aws.log.group.arns": true,
    "aws.log.group.names": true,
    "aws.log.stream.arns": true,
    "aws.log.stream.names": true,
    "cloud.account.id": true,
    "cloud.availability_zone": true,
    "cloud.platform": true,
    "cloud.provider": true,
    "cloud.region": true,
  },
  async detect(ctx, _args, enabled): Promise<Detection> {
    const endpoint = taskMetadataEndpoint(ctx);
    if (endpoint === undefined) return absent(ctx, "ecs", "neither ECS_CONTAINER_METADATA_URI_V4 nor ECS_CONTAINER_METADATA_URI is set");
    const task = await fetchDocument(ctx, `${endpoint}/task`, "task metadata");
    const self = await fetchDocument(ctx, endpoint, "container metadata");

    const taskArn = field(task, "TaskARN") ?? "";
    const { region, account, taskId } = parseTaskArn(taskArn);
    const found: Record<string, string | string[] | undefined> = {
      "cloud.provider": "aws",
      "cloud.platform": "aws_ecs",
      "aws.ecs.task.arn": taskArn,
      "aws.ecs.task.family": field(task, "Family"),
      "aws.ecs.task.revision": field(task, "Revision"),
      "aws.ecs.task.id": taskId,
      "cloud.account.id": account,
      "cloud.region": region,
      "aws.ecs.cluster.arn": clusterArn(field(task, "Cluster") ?? "", region ?? "", account ?? ""),
      // Not every Fargate platform version reports the zone.
      "cloud.availability_zone": field(task, "AvailabilityZone"),
      "aws.ecs.launchtype": launchType(field(task, "LaunchType")),
      ...logAttributes(task, self, account ?? ""),
    };
    return { attributes: onlyEnabled(found, enabled), schemaUrl: "https://opentelemetry.io/schemas/1.39.0" };
  },
};

/** The TMDE base URL, v4 preferred; undefined off ECS. */
function taskMetadataEndpoint(ctx: DetectContext): string | undefined {
  const uri = ctx.env("ECS_CONTAINER_METADATA_URI_V4")?.trim() || ctx.env("ECS_CONTAINER_METADATA_URI")?.trim();
  if (!uri) return undefined;
  try {
    new URL(uri);
  } catch {
    throw new Error(`unable to create task metadata provider: invalid endpoint ${JSON.stringify(uri)}`);
  }
  return uri.replace(/\/+$/, "");
}

async function fetchDocument(ctx: DetectContext, url: string, what: string): Promise<Record<string, unknown>> {
  try {
    return parseObject(await getText(ctx, url), `the ECS ${what}`);
  } catch (err) {
    throw new Error(`unable to fetch ${what}: ${(err as Error).message}`, { cause: err });
  }
}

/** Region, account and task id from `arn:aws:ecs:<region>:<account>:task/[<cluster>/]<id>`. */
export function parseTaskArn(arn: string): { region?: string; account?: string; taskId?: string } {
  const parts = arn.split(":");
  if (parts.length < 6) return {};
  return { region: parts[3], account: parts[4], taskId: parts[5]!.split("/").pop() };
}

/** TMDE reports the cluster as a short name or an ARN; the attribute is always an ARN. */
function clusterArn(cluster: string, region: string, account: string): string | undefined {
  // Upstream would build `arn:aws:ecs:…:cluster/` from nothing; an absent cluster stays absent.
  if (cluster === "") return undefined;
  if (cluster.includes(":")) return cluster;
  return `arn:aws:ecs:${region}:${account}:cluster/${cluster}`;
}

/** Only the two launch types upstream knows, lower-cased (TMDE v4 only). */
function launchType(value: string | undefined): string | undefined {
  const lt = value?.toLowerCase();
  return lt === "ec2" || lt === "fargate" ? lt : undefined;
}

/**
 * The awslogs groups and streams of the task's other running, normal containers (the gateway is
 * assumed to be a sidecar, so its own container is skipped). All four lists or none.
 */
function logAttributes(task: Record<string, unknown>, self: Record<string, unknown>, account: string): Record<string, string[]> {
  const selfId = field(self, "DockerId");
  const groups: string[] = [];
  const groupArns: string[] = [];
  const streams: string[] = [];
  const streamArns: string[] = [];
  const containers = Array.isArray(task.Containers) ? task.Containers : [];
  for (const c of containers as Record<string, unknown>[]) {
    if (c === null || typeof c !== "object") continue;
    const opts = (typeof c.LogOptions === "object" && c.LogOptions !== null ? c.LogOptions : {}) as Record<string, unknown>;
    const group = field(opts, "awslogs-group") ?? "";
    const region = field(opts, "awslogs-region") ?? "";
    const stream = field(opts, "awslogs-stream") ?? "";
    const usable = field(c, "Type") === "NORMAL" && field(c, "KnownStatus") === "RUNNING" && field(c, "LogDriver") === "awslogs";
    if (!usable || field(c, "DockerId") === selfId || (group === "" && region === "" && stream === "")) continue;
    const groupArn = `arn:aws:logs:${region}:${account}:log-group:${group}`;
    groups.push(group);
    groupArns.push(groupArn);
    streams.push(stream);
    streamArns.push(`${groupArn}:log-stream:${stream}`);
  }
  if (groups.length === 0) return {};
  return { "aws.log.group.names": groups, "aws.log.group.arns": groupArns, "aws.log.stream.names": streams, "aws.log.stream.arns": streamArns };
}
