import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { MissingMetadataError } from "../../../../../../src/components/otelcol/processor/resourcedetection/detector.ts";
import { ec2Detector, type Ec2Args } from "../../../../../../src/components/otelcol/processor/resourcedetection/detectors/ec2.ts";
import { closedPort, context, detect, startFake, type Routes, type Seen } from "./fake_metadata.ts";

const DOC = JSON.stringify({
  accountId: "123456789012",
  architecture: "x86_64",
  availabilityZone: "us-west-2b",
  imageId: "ami-5fb8c835",
  instanceId: "i-1234567890abcdef0",
  instanceType: "t2.micro",
  privateIp: "10.158.112.84",
  region: "us-west-2",
  version: "2017-09-30",
});

const EXPECTED = {
  "cloud.provider": "aws",
  "cloud.platform": "aws_ec2",
  "cloud.region": "us-west-2",
  "cloud.account.id": "123456789012",
  "cloud.availability_zone": "us-west-2b",
  "host.id": "i-1234567890abcdef0",
  "host.image.id": "ami-5fb8c835",
  "host.type": "t2.micro",
  "host.name": "ip-10-158-112-84.us-west-2.compute.internal",
};

const ARGS: Ec2Args = { tags: [], tags_from_imds: false, max_attempts: 3, max_backoff: 5, fail_on_missing_metadata: false };

/** IMDSv2: every GET must carry the token the PUT handed out. */
function imdsV2(extra: Routes = {}): Routes {
  const authed = (body: string) => (req: Seen) => (req.headers["x-aws-ec2-metadata-token"] === "TOKEN-1" ? { body } : { status: 401 });
  return {
    "PUT /latest/api/token": (req) => (req.headers["x-aws-ec2-metadata-token-ttl-seconds"] === "21600" ? { body: "TOKEN-1" } : { status: 400 }),
    "GET /latest/meta-data/instance-id": authed("i-1234567890abcdef0"),
    "GET /latest/dynamic/instance-identity/document": authed(DOC),
    "GET /latest/meta-data/hostname": authed("ip-10-158-112-84.us-west-2.compute.internal"),
    ...extra,
  };
}

async function withImds<T>(routes: Routes, fn: (env: Record<string, string>, seen: Seen[]) => Promise<T>): Promise<T> {
  const fake = await startFake(routes);
  try {
    return await fn({ AWS_EC2_METADATA_SERVICE_ENDPOINT: fake.url + "/" }, fake.seen);
  } finally {
    await fake.close();
  }
}

describe("ec2 detector", () => {
  test("IMDSv2: token first, then identity document and hostname", async () => {
    await withImds(imdsV2(), async (env, seen) => {
      const d = await detect(ec2Detector, context(env), ARGS);
      assert.deepEqual(d.attributes, EXPECTED);
      assert.equal(d.schemaUrl, "https://opentelemetry.io/schemas/1.6.1");
      assert.deepEqual(
        seen.map((s) => `${s.method} ${s.url}`),
        ["PUT /latest/api/token", "GET /latest/meta-data/instance-id", "GET /latest/dynamic/instance-identity/document", "GET /latest/meta-data/hostname"],
      );
    });
  });

  for (const status of [403, 404, 405, 500]) {
    test(`falls back to IMDSv1 when the token request answers ${status}`, async () => {
      const routes: Routes = {
        "PUT /latest/api/token": { status },
        "GET /latest/meta-data/instance-id": { body: "i-1234567890abcdef0" },
        "GET /latest/dynamic/instance-identity/document": { body: DOC },
        "GET /latest/meta-data/hostname": { body: "ip-10-158-112-84.us-west-2.compute.internal" },
      };
      await withImds(routes, async (env, seen) => {
        const d = await detect(ec2Detector, context(env), { ...ARGS, max_attempts: 1 });
        assert.deepEqual(d.attributes, EXPECTED);
        assert.ok(seen.filter((s) => s.method === "GET").every((s) => s.headers["x-aws-ec2-metadata-token"] === undefined));
      });
    });
  }

  test("a token request rejected with 400 means no usable IMDS", async () => {
    await withImds(imdsV2({ "PUT /latest/api/token": { status: 400 } }), async (env) => {
      assert.deepEqual((await detect(ec2Detector, context(env), ARGS)).attributes, {});
    });
  });

  test("fields missing from the identity document are left out", async () => {
    await withImds(imdsV2({ "GET /latest/dynamic/instance-identity/document": { body: '{"instanceId":"i-1","region":"eu-west-1"}' } }), async (env) => {
      const d = await detect(ec2Detector, context(env), { ...ARGS, max_attempts: 1 });
      assert.deepEqual(d.attributes, { "cloud.provider": "aws", "cloud.platform": "aws_ec2", "cloud.region": "eu-west-1", "host.id": "i-1", "host.name": EXPECTED["host.name"] });
    });
  });

  test("a malformed identity document is an error", async () => {
    await withImds(imdsV2({ "GET /latest/dynamic/instance-identity/document": { body: "{not json" } }), async (env) => {
      await assert.rejects(ec2Detector.detect(context(env), ARGS, () => true), /failed getting identity document: malformed JSON/);
    });
  });

  test("a failing hostname request is an error", async () => {
    await withImds(imdsV2({ "GET /latest/meta-data/hostname": { status: 404 } }), async (env) => {
      await assert.rejects(ec2Detector.detect(context(env), ARGS, () => true), /failed getting hostname: .*404/);
    });
  });

  test("5xx answers are retried up to max_attempts", async () => {
    let calls = 0;
    const flaky = () => (++calls < 3 ? { status: 503 } : { body: "i-1234567890abcdef0" });
    await withImds({ ...imdsV2(), "PUT /latest/api/token": { status: 404 }, "GET /latest/meta-data/instance-id": flaky, "GET /latest/dynamic/instance-identity/document": { body: DOC }, "GET /latest/meta-data/hostname": { body: "h" } }, async (env) => {
      const d = await detect(ec2Detector, context(env), ARGS);
      assert.equal(d.attributes["host.id"], "i-1234567890abcdef0");
      assert.equal(calls, 3);
    });
    calls = 0;
    await withImds({ "PUT /latest/api/token": { status: 404 }, "GET /latest/meta-data/instance-id": flaky }, async (env) => {
      assert.deepEqual((await detect(ec2Detector, context(env), { ...ARGS, max_attempts: 2 })).attributes, {});
      assert.equal(calls, 2);
    });
  });

  test("an IMDS that never answers is 'not on EC2' when the timeout fires", async () => {
    await withImds({ "PUT /latest/api/token": "hang", "GET /latest/meta-data/instance-id": "hang" }, async (env) => {
      const started = Date.now();
      assert.deepEqual((await detect(ec2Detector, context(env, { timeoutMs: 200 }), ARGS)).attributes, {});
      assert.ok(Date.now() - started < 2000);
      await assert.rejects(ec2Detector.detect(context(env, { timeoutMs: 200, failOnMissingMetadata: true }), ARGS, () => true), MissingMetadataError);
    });
  });

  test("not on EC2: connection refused → empty, or MissingMetadataError when asked", async () => {
    const env = { AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${await closedPort()}` };
    assert.deepEqual(await detect(ec2Detector, context(env), ARGS), { attributes: {} });
    await assert.rejects(ec2Detector.detect(context(env, { failOnMissingMetadata: true }), ARGS, () => true), MissingMetadataError);
    await assert.rejects(ec2Detector.detect(context(env), { ...ARGS, fail_on_missing_metadata: true }, () => true), MissingMetadataError);
  });

  test("AWS_EC2_METADATA_DISABLED=true sends nothing", async () => {
    await withImds(imdsV2(), async (env, seen) => {
      const ctx = context({ ...env, AWS_EC2_METADATA_DISABLED: "true" });
      assert.deepEqual((await detect(ec2Detector, ctx, ARGS)).attributes, {});
      assert.equal(seen.length, 0);
    });
  });

  test("without an override the link-local IMDS address is used (never contacted in tests)", async () => {
    const ctx = context({});
    assert.deepEqual((await ec2Detector.detect(ctx, ARGS, () => true)).attributes, {});
    assert.deepEqual(ctx.blocked, ["http://169.254.169.254/latest/api/token", "http://169.254.169.254/latest/meta-data/instance-id"]);
    const v6 = context({ AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: "IPv6" });
    await ec2Detector.detect(v6, ARGS, () => true);
    assert.equal(v6.blocked[0], "http://[fd00:ec2::254]/latest/api/token");
  });

  test("resource_attributes switches", async () => {
    await withImds(imdsV2(), async (env) => {
      const d = await detect(ec2Detector, context(env), ARGS, { "host.name": false, "cloud.account.id": false });
      const { "host.name": _n, "cloud.account.id": _a, ...rest } = EXPECTED;
      assert.deepEqual(d.attributes, rest);
    });
  });

  test("tags_from_imds: matching tag keys become ec2.tag.<key>", async () => {
    const tags = imdsV2({
      "GET /latest/meta-data/tags/instance": { body: "Name\nenvironment\nOther" },
      "GET /latest/meta-data/tags/instance/Name": { body: "web-1" },
      "GET /latest/meta-data/tags/instance/environment": { body: "prod" },
      "GET /latest/meta-data/tags/instance/Other": { body: "never read" },
    });
    await withImds(tags, async (env, seen) => {
      const d = await detect(ec2Detector, context(env), { ...ARGS, tags: ["^Name$", "(?i)^ENV"], tags_from_imds: true });
      assert.deepEqual(d.attributes, { ...EXPECTED, "ec2.tag.Name": "web-1", "ec2.tag.environment": "prod" });
      assert.ok(!seen.some((s) => s.url.endsWith("/Other")));
    });
  });

  test("tag failures only warn", async () => {
    await withImds(imdsV2(), async (env) => {
      const ctx = context(env);
      const d = await detect(ec2Detector, ctx, { ...ARGS, tags: [".*"], tags_from_imds: true });
      assert.deepEqual(d.attributes, EXPECTED);
      assert.ok(ctx.lines.some((l) => l.includes("failed fetching ec2 instance tags")));
    });
  });

  test("tags through DescribeTags are not supported: warned at load and at detection", async () => {
    const warn = ec2Detector.block!.warn!({ ...ARGS, tags: ["Name"] });
    assert.match(warn[0]!, /tags_from_imds = true/);
    assert.deepEqual(ec2Detector.block!.warn!({ ...ARGS, tags: ["Name"], tags_from_imds: true }), []);
    await withImds(imdsV2(), async (env, seen) => {
      const ctx = context(env);
      assert.deepEqual((await detect(ec2Detector, ctx, { ...ARGS, tags: ["Name"] })).attributes, EXPECTED);
      assert.ok(!seen.some((s) => s.url.includes("/tags/")));
      assert.ok(ctx.lines.some((l) => l.includes("DescribeTags")));
    });
  });

  test("the block validates tag regexes", () => {
    const problems = ec2Detector.block!.validate!({ ...ARGS, tags: ["ok", "[broken"] });
    assert.equal((problems as string[]).length, 1);
    assert.match((problems as string[])[0]!, /^tags: invalid regex "\[broken"/);
  });
});
