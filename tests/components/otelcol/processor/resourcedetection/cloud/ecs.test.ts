import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { MissingMetadataError } from "../../../../../../src/components/otelcol/processor/resourcedetection/detector.ts";
import { ecsDetector, parseTaskArn } from "../../../../../../src/components/otelcol/processor/resourcedetection/detectors/ecs.ts";
import { context, detect, startFake, type Routes } from "./fake_metadata.ts";

const TASK_ARN = "arn:aws:ecs:us-west-2:123456789012:task/my-cluster/1dc5c17a422548870a1d26ea3c2f4ab0";

const container = (dockerId: string, extra: Record<string, unknown> = {}) => ({
  DockerId: dockerId,
  Type: "NORMAL",
  KnownStatus: "RUNNING",
  LogDriver: "awslogs",
  LogOptions: { "awslogs-group": `/ecs/${dockerId}`, "awslogs-region": "us-west-2", "awslogs-stream": `ecs/${dockerId}/1` },
  ...extra,
});

const TASK = {
  Cluster: "my-cluster",
  TaskARN: TASK_ARN,
  Family: "web",
  Revision: "26",
  AvailabilityZone: "us-west-2a",
  LaunchType: "FARGATE",
  Containers: [
    container("self"),
    container("app"),
    container("stopped", { KnownStatus: "STOPPED" }),
    container("internal", { Type: "CNI_PAUSE" }),
    container("json", { LogDriver: "json-file" }),
    container("nolog", { LogOptions: {} }),
  ],
};

const EXPECTED = {
  "cloud.provider": "aws",
  "cloud.platform": "aws_ecs",
  "aws.ecs.task.arn": TASK_ARN,
  "aws.ecs.task.family": "web",
  "aws.ecs.task.revision": "26",
  "aws.ecs.task.id": "1dc5c17a422548870a1d26ea3c2f4ab0",
  "cloud.account.id": "123456789012",
  "cloud.region": "us-west-2",
  "aws.ecs.cluster.arn": "arn:aws:ecs:us-west-2:123456789012:cluster/my-cluster",
  "cloud.availability_zone": "us-west-2a",
  "aws.ecs.launchtype": "fargate",
  "aws.log.group.names": ["/ecs/app"],
  "aws.log.group.arns": ["arn:aws:logs:us-west-2:123456789012:log-group:/ecs/app"],
  "aws.log.stream.names": ["ecs/app/1"],
  "aws.log.stream.arns": ["arn:aws:logs:us-west-2:123456789012:log-group:/ecs/app:log-stream:ecs/app/1"],
};

function tmde(task: unknown = TASK, self: unknown = container("self")): Routes {
  return { "/v4/abc/task": { body: typeof task === "string" ? task : JSON.stringify(task) }, "/v4/abc": { body: JSON.stringify(self) } };
}

async function withTmde<T>(routes: Routes, fn: (base: string) => Promise<T>): Promise<T> {
  const fake = await startFake(routes);
  try {
    return await fn(`${fake.url}/v4/abc`);
  } finally {
    await fake.close();
  }
}

describe("ecs detector", () => {
  test("task metadata v4: task, cluster, account, zone, launch type and the other containers' logs", async () => {
    await withTmde(tmde(), async (base) => {
      const d = await detect(ecsDetector, context({ ECS_CONTAINER_METADATA_URI_V4: base }), {});
      assert.deepEqual(d.attributes, EXPECTED);
    });
  });

  test("v3 endpoint when v4 is not set; a cluster ARN is kept; EC2 launch type", async () => {
    const task = { ...TASK, Cluster: "arn:aws:ecs:us-west-2:123456789012:cluster/other", LaunchType: "EC2", Containers: [] };
    await withTmde(tmde(task), async (base) => {
      const d = await detect(ecsDetector, context({ ECS_CONTAINER_METADATA_URI: base }), {});
      assert.equal(d.attributes["aws.ecs.cluster.arn"], "arn:aws:ecs:us-west-2:123456789012:cluster/other");
      assert.equal(d.attributes["aws.ecs.launchtype"], "ec2");
      assert.equal(d.attributes["aws.log.group.names"], undefined);
    });
  });

  test("missing fields are left out", async () => {
    await withTmde(tmde({ TaskARN: "arn:aws:ecs:us-east-1:111122223333:task/abcd" }), async (base) => {
      const d = await detect(ecsDetector, context({ ECS_CONTAINER_METADATA_URI_V4: base }), {});
      assert.deepEqual(d.attributes, {
        "cloud.provider": "aws",
        "cloud.platform": "aws_ecs",
        "aws.ecs.task.arn": "arn:aws:ecs:us-east-1:111122223333:task/abcd",
        "aws.ecs.task.id": "abcd",
        "cloud.account.id": "111122223333",
        "cloud.region": "us-east-1",
      });
    });
  });

  test("malformed JSON and error statuses are errors", async () => {
    await withTmde(tmde("{oops"), async (base) => {
      await assert.rejects(ecsDetector.detect(context({ ECS_CONTAINER_METADATA_URI_V4: base }), {}, () => true), /unable to fetch task metadata: malformed JSON/);
    });
    await withTmde({ "/v4/abc/task": { status: 500 } }, async (base) => {
      await assert.rejects(ecsDetector.detect(context({ ECS_CONTAINER_METADATA_URI_V4: base }), {}, () => true), /unable to fetch task metadata: .*500/);
    });
    await assert.rejects(ecsDetector.detect(context({ ECS_CONTAINER_METADATA_URI_V4: "not a url" }), {}, () => true), /invalid endpoint/);
  });

  test("an endpoint that never answers fails at the timeout", async () => {
    await withTmde({ "/v4/abc/task": "hang" }, async (base) => {
      const started = Date.now();
      await assert.rejects(ecsDetector.detect(context({ ECS_CONTAINER_METADATA_URI_V4: base }, { timeoutMs: 200 }), {}, () => true), /unable to fetch task metadata: no answer/);
      assert.ok(Date.now() - started < 2000);
    });
  });

  test("not on ECS: no endpoint variable → empty, or MissingMetadataError when asked", async () => {
    assert.deepEqual(await detect(ecsDetector, context({}), {}), { attributes: {} });
    await assert.rejects(ecsDetector.detect(context({}, { failOnMissingMetadata: true }), {}, () => true), MissingMetadataError);
  });

  test("resource_attributes switches", async () => {
    await withTmde(tmde(), async (base) => {
      const d = await detect(ecsDetector, context({ ECS_CONTAINER_METADATA_URI_V4: base }), {}, { "aws.log.stream.arns": false, "cloud.platform": false });
      const { "aws.log.stream.arns": _s, "cloud.platform": _p, ...rest } = EXPECTED;
      assert.deepEqual(d.attributes, rest);
    });
  });

  test("task ARN forms", () => {
    assert.deepEqual(parseTaskArn("arn:aws:ecs:eu-west-1:1:task/c/id1"), { region: "eu-west-1", account: "1", taskId: "id1" });
    assert.deepEqual(parseTaskArn("arn:aws:ecs:eu-west-1:1:task/id2"), { region: "eu-west-1", account: "1", taskId: "id2" });
    assert.deepEqual(parseTaskArn("garbage"), {});
  });
});
