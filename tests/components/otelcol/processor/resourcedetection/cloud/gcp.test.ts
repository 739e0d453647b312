import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { MissingMetadataError } from "../../../../../../src/components/otelcol/processor/resourcedetection/detector.ts";
import { gcpDetector } from "../../../../../../src/components/otelcol/processor/resourcedetection/detectors/gcp.ts";
import { closedPort, context, detect, startFake, type Answer, type Routes, type Seen } from "./fake_metadata.ts";

const ARGS = { labels: [] as string[] };

/** A Google metadata server serving `values` (paths under /computeMetadata/v1/). */
function metadataServer(values: Record<string, string | Answer>): Routes {
  // "hang" is an Answer, any other string a body.
  const routes: Routes = {};
  for (const [path, v] of Object.entries(values)) {
    const answer: Answer = typeof v === "string" && v !== "hang" ? { body: v } : (v as Answer);
    routes[`/computeMetadata/v1/${path}`] = (req: Seen) => (req.headers["metadata-flavor"] === "Google" ? answer : { status: 403 });
  }
  return routes;
}

async function withServer<T>(values: Record<string, string | Answer>, fn: (env: Record<string, string>, seen: Seen[]) => Promise<T>): Promise<T> {
  const fake = await startFake(metadataServer(values), { always: { "Metadata-Flavor": "Google" } });
  try {
    return await fn({ GCE_METADATA_HOST: fake.host }, fake.seen);
  } finally {
    await fake.close();
  }
}

const GCE = {
  "project/project-id": "my-project",
  "instance/machine-type": "projects/123/machineTypes/n1-standard-1",
  "instance/zone": "projects/123/zones/us-central1-c",
  "instance/id": "1472385723456792345",
  "instance/name": "my-vm-1234",
  "instance/hostname": "my-vm-1234.c.my-project.internal",
  "instance/region": "projects/123/regions/us-central1",
  "instance/attributes/created-by": "projects/123/zones/us-central1-c/instanceGroupManagers/my-mig",
};

describe("gcp detector", () => {
  test("Compute Engine, in a zonal managed instance group", async () => {
    await withServer(GCE, async (env) => {
      const d = await detect(gcpDetector, context(env), ARGS);
      assert.deepEqual(d.attributes, {
        "cloud.provider": "gcp",
        "cloud.account.id": "my-project",
        "cloud.platform": "gcp_compute_engine",
        "cloud.availability_zone": "us-central1-c",
        "cloud.region": "us-central1",
        "host.type": "projects/123/machineTypes/n1-standard-1",
        "host.id": "1472385723456792345",
        "host.name": "my-vm-1234",
        "gcp.gce.instance_group_manager.name": "my-mig",
        "gcp.gce.instance_group_manager.zone": "us-central1-c",
      });
    });
  });

  test("gcp.gce.instance.* when switched on; a regional group", async () => {
    await withServer({ ...GCE, "instance/attributes/created-by": "projects/123/regions/us-central1/instanceGroupManagers/web" }, async (env) => {
      const d = await detect(gcpDetector, context(env), ARGS, { "gcp.gce.instance.name": true, "gcp.gce.instance.hostname": true, "host.type": false });
      assert.equal(d.attributes["gcp.gce.instance.name"], "my-vm-1234");
      assert.equal(d.attributes["gcp.gce.instance.hostname"], "my-vm-1234.c.my-project.internal");
      assert.equal(d.attributes["gcp.gce.instance_group_manager.region"], "us-central1");
      assert.equal(d.attributes["gcp.gce.instance_group_manager.zone"], undefined);
      assert.equal(d.attributes["host.type"], undefined);
    });
  });

  test("GKE: regional cluster, and zonal with workload identity (no instance name)", async () => {
    const gke = { ...GCE, "instance/attributes/cluster-name": "prod", "instance/attributes/cluster-location": "us-central1" };
    await withServer(gke, async (env) => {
      const d = await detect(gcpDetector, context({ ...env, KUBERNETES_SERVICE_HOST: "10.0.0.1" }), ARGS);
      assert.deepEqual(d.attributes, {
        "cloud.provider": "gcp",
        "cloud.account.id": "my-project",
        "cloud.platform": "gcp_kubernetes_engine",
        "cloud.region": "us-central1",
        "k8s.cluster.name": "prod",
        "host.id": "1472385723456792345",
        "host.name": "my-vm-1234",
      });
    });
    await withServer({ ...gke, "instance/attributes/cluster-location": "us-central1-a", "instance/name": { status: 404 } }, async (env) => {
      const ctx = context({ ...env, KUBERNETES_SERVICE_HOST: "10.0.0.1" });
      const d = await detect(gcpDetector, ctx, ARGS);
      assert.equal(d.attributes["cloud.availability_zone"], "us-central1-a");
      assert.equal(d.attributes["cloud.region"], undefined);
      assert.equal(d.attributes["host.name"], undefined);
      assert.ok(ctx.lines.some((l) => l.includes("host.name")));
    });
  });

  test("Kubernetes without a cluster-location attribute is plain Compute Engine", async () => {
    await withServer(GCE, async (env) => {
      const d = await detect(gcpDetector, context({ ...env, KUBERNETES_SERVICE_HOST: "10.0.0.1" }), ARGS);
      assert.equal(d.attributes["cloud.platform"], "gcp_compute_engine");
    });
  });

  test("Cloud Run service and job", async () => {
    await withServer(GCE, async (env) => {
      const run = await detect(gcpDetector, context({ ...env, K_CONFIGURATION: "svc", K_SERVICE: "svc", K_REVISION: "svc-00001-abc" }), ARGS);
      assert.deepEqual(run.attributes, {
        "cloud.provider": "gcp",
        "cloud.account.id": "my-project",
        "cloud.platform": "gcp_cloud_run",
        "faas.name": "svc",
        "faas.version": "svc-00001-abc",
        "faas.instance": "1472385723456792345",
        "cloud.region": "us-central1",
      });
      const job = await detect(gcpDetector, context({ ...env, CLOUD_RUN_JOB: "nightly", CLOUD_RUN_EXECUTION: "nightly-ajg89", CLOUD_RUN_TASK_INDEX: "2" }), ARGS);
      assert.deepEqual(job.attributes, {
        "cloud.provider": "gcp",
        "cloud.account.id": "my-project",
        "cloud.platform": "gcp_cloud_run",
        "faas.name": "nightly",
        "faas.instance": "1472385723456792345",
        "cloud.region": "us-central1",
        "gcp.cloud_run.job.execution": "nightly-ajg89",
        "gcp.cloud_run.job.task_index": "2",
      });
    });
  });

  test("Cloud Functions", async () => {
    await withServer(GCE, async (env) => {
      const d = await detect(gcpDetector, context({ ...env, FUNCTION_TARGET: "Handle", K_SERVICE: "fn", K_REVISION: "3", K_CONFIGURATION: "fn" }), ARGS);
      assert.equal(d.attributes["cloud.platform"], "gcp_cloud_functions");
      assert.equal(d.attributes["faas.name"], "fn");
      assert.equal(d.attributes["faas.version"], "3");
    });
  });

  test("App Engine standard and flexible", async () => {
    const gae = { GAE_SERVICE: "default", GAE_VERSION: "20240101t000000", GAE_INSTANCE: "00c61b117c" };
    await withServer({ ...GCE, "instance/zone": "projects/123/zones/us16" }, async (env) => {
      const std = await detect(gcpDetector, context({ ...env, ...gae, GAE_ENV: "standard" }), ARGS);
      assert.deepEqual(std.attributes, {
        "cloud.provider": "gcp",
        "cloud.account.id": "my-project",
        "cloud.platform": "gcp_app_engine",
        "faas.name": "default",
        "faas.version": "20240101t000000",
        "faas.instance": "00c61b117c",
        "cloud.availability_zone": "us16",
        "cloud.region": "us-central1",
      });
    });
    await withServer(GCE, async (env) => {
      const flex = await detect(gcpDetector, context({ ...env, ...gae }), ARGS);
      assert.equal(flex.attributes["cloud.platform"], "gcp_app_engine");
      assert.equal(flex.attributes["cloud.availability_zone"], "us-central1-c");
      assert.equal(flex.attributes["cloud.region"], "us-central1");
    });
  });

  test("an unknown platform gives provider and project only", async () => {
    await withServer({ "project/project-id": "p" }, async (env) => {
      assert.deepEqual((await detect(gcpDetector, context(env), ARGS)).attributes, { "cloud.provider": "gcp", "cloud.account.id": "p" });
    });
  });

  test("unreadable values are left out with a warning (partial result, as upstream)", async () => {
    await withServer({ ...GCE, "instance/zone": "projects/1/zones/nozone", "instance/id": { status: 500 } }, async (env) => {
      const ctx = context(env);
      const d = await detect(gcpDetector, ctx, ARGS);
      assert.equal(d.attributes["cloud.availability_zone"], "nozone");
      assert.equal(d.attributes["cloud.region"], undefined);
      assert.equal(d.attributes["host.id"], undefined);
      assert.equal(d.attributes["host.name"], "my-vm-1234");
      assert.ok(ctx.lines.some((l) => l.includes("could not be read") && l.includes("host.id")));
    });
    await withServer({ ...GCE, "project/project-id": { status: 500 } }, async (env) => {
      const d = await detect(gcpDetector, context(env), ARGS);
      assert.equal(d.attributes["cloud.account.id"], undefined);
      assert.equal(d.attributes["cloud.platform"], "gcp_compute_engine");
    });
  });

  test("a metadata server that never answers → empty at the timeout (MissingMetadataError when asked)", async () => {
    await withServer({ "project/project-id": "hang" }, async (env) => {
      const started = Date.now();
      assert.deepEqual(await detect(gcpDetector, context(env, { timeoutMs: 200 }), ARGS), { attributes: {} });
      assert.ok(Date.now() - started < 2000);
      await assert.rejects(gcpDetector.detect(context(env, { timeoutMs: 200, failOnMissingMetadata: true }), ARGS, () => true), MissingMetadataError);
    });
  });

  test("not on GCP: refused → empty (MissingMetadataError when asked)", async () => {
    const env = { GCE_METADATA_HOST: `127.0.0.1:${await closedPort()}` };
    assert.deepEqual(await detect(gcpDetector, context(env), ARGS), { attributes: {} });
    await assert.rejects(gcpDetector.detect(context(env, { failOnMissingMetadata: true }), ARGS, () => true), MissingMetadataError);
  });

  test("without GCE_METADATA_HOST: 169.254.169.254, and only a Google server counts (nothing is sent in tests)", async () => {
    const refused = context({});
    assert.deepEqual((await gcpDetector.detect(refused, ARGS, () => true)).attributes, {});
    assert.deepEqual(refused.blocked, ["http://169.254.169.254/computeMetadata/v1/project/project-id"]);
    // Something else at the link-local address (no Metadata-Flavor: Google answer header).
    const other = context({}, { offline: () => new Response("p", { status: 200 }) });
    assert.deepEqual((await gcpDetector.detect(other, ARGS, () => true)).attributes, {});
    const google = context({}, { offline: (url) => (url.endsWith("project-id") ? new Response("p", { headers: { "Metadata-Flavor": "Google" } }) : new Response("", { status: 404, headers: { "Metadata-Flavor": "Google" } })) });
    assert.deepEqual((await gcpDetector.detect(google, ARGS, () => true)).attributes, { "cloud.provider": "gcp", "cloud.account.id": "p" });
  });

  test("labels is accepted without effect", () => {
    assert.match(gcpDetector.block!.attrs!.labels!.noEffect!, /Compute Engine API/);
  });
});
