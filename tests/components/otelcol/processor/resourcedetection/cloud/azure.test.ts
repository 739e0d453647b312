import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { MissingMetadataError } from "../../../../../../src/components/otelcol/processor/resourcedetection/detector.ts";
import { aksDetector, clusterName } from "../../../../../../src/components/otelcol/processor/resourcedetection/detectors/aks.ts";
import { azureDetector } from "../../../../../../src/components/otelcol/processor/resourcedetection/detectors/azure.ts";
import { closedPort, context, detect, startFake, type Answer, type Seen } from "./fake_metadata.ts";

const PATH = "/metadata/instance/compute?api-version=2020-09-01&format=json";

const COMPUTE = {
  location: "westeurope",
  name: "vm-web-1",
  vmId: "02aab8a4-74ef-476e-8182-f6d2ba4166a6",
  vmSize: "Standard_D2s_v3",
  subscriptionId: "8d10da13-8125-4ba9-a717-bf7490507b3d",
  resourceGroupName: "MC_rg-prod_aks-prod_westeurope",
  vmScaleSetName: "aks-nodepool1-12345678-vmss",
  zone: "2",
  tagsList: [
    { name: "team", value: "payments" },
    { name: "cost-center", value: "42" },
    { name: "aks-managed-poolName", value: "nodepool1" },
  ],
};

const EXPECTED = {
  "cloud.provider": "azure",
  "cloud.platform": "azure_vm",
  "host.name": "vm-web-1",
  "cloud.region": "westeurope",
  "host.id": "02aab8a4-74ef-476e-8182-f6d2ba4166a6",
  "cloud.account.id": "8d10da13-8125-4ba9-a717-bf7490507b3d",
  "azure.vm.name": "vm-web-1",
  "azure.vm.size": "Standard_D2s_v3",
  "azure.vm.scaleset.name": "aks-nodepool1-12345678-vmss",
  "azure.resourcegroup.name": "MC_rg-prod_aks-prod_westeurope",
};

/** Azure IMDS answering `answer`, only with the `Metadata: true` header. */
async function withImds<T>(answer: Answer, fn: (env: Record<string, string>, seen: Seen[]) => Promise<T>): Promise<T> {
  const fake = await startFake({ [PATH]: (req) => (req.headers.metadata === "true" ? answer : { status: 400, body: "Required metadata header not specified" }) });
  try {
    return await fn({ SOLDER_AZURE_IMDS_ENDPOINT: fake.url }, fake.seen);
  } finally {
    await fake.close();
  }
}

const ok = (doc: unknown): Answer => ({ body: typeof doc === "string" ? doc : JSON.stringify(doc), headers: { "Content-Type": "application/json" } });

describe("azure detector", () => {
  test("reads the compute metadata", async () => {
    await withImds(ok(COMPUTE), async (env, seen) => {
      const d = await detect(azureDetector, context(env), { tags: [] });
      assert.deepEqual(d.attributes, EXPECTED);
      assert.equal(seen[0]!.url, PATH);
    });
  });

  test("tags matching the `tags` regexes become azure.tag.<name>", async () => {
    await withImds(ok(COMPUTE), async (env) => {
      const d = await detect(azureDetector, context(env), { tags: ["^team$", "cost"] });
      assert.deepEqual(d.attributes, { ...EXPECTED, "azure.tag.team": "payments", "azure.tag.cost-center": "42" });
    });
  });

  test("cloud.availability_zone is off by default and can be switched on", async () => {
    await withImds(ok(COMPUTE), async (env) => {
      const d = await detect(azureDetector, context(env), { tags: [] }, { "cloud.availability_zone": true, "host.name": false });
      const { "host.name": _h, ...rest } = EXPECTED;
      assert.deepEqual(d.attributes, { ...rest, "cloud.availability_zone": "2" });
    });
  });

  test("missing fields are left out", async () => {
    await withImds(ok({ location: "eastus", vmId: "id-1" }), async (env) => {
      const d = await detect(azureDetector, context(env), { tags: ["x"] });
      assert.deepEqual(d.attributes, { "cloud.provider": "azure", "cloud.platform": "azure_vm", "cloud.region": "eastus", "host.id": "id-1" });
    });
  });

  test("a malformed document is an error", async () => {
    await withImds(ok("{truncated"), async (env) => {
      await assert.rejects(azureDetector.detect(context(env), { tags: [] }, () => true), /malformed JSON in the Azure IMDS compute metadata/);
    });
    await withImds(ok("[]"), async (env) => {
      await assert.rejects(azureDetector.detect(context(env), { tags: [] }, () => true), /not an object/);
    });
  });

  test("not on Azure: refused, an error status, or no answer → empty (MissingMetadataError when asked)", async () => {
    const refused = { SOLDER_AZURE_IMDS_ENDPOINT: `http://127.0.0.1:${await closedPort()}` };
    assert.deepEqual(await detect(azureDetector, context(refused), { tags: [] }), { attributes: {} });
    await assert.rejects(azureDetector.detect(context(refused, { failOnMissingMetadata: true }), { tags: [] }, () => true), MissingMetadataError);
    await withImds({ status: 404 }, async (env) => {
      assert.deepEqual((await detect(azureDetector, context(env), { tags: [] })).attributes, {});
    });
    await withImds("hang", async (env) => {
      const started = Date.now();
      assert.deepEqual((await detect(azureDetector, context(env, { timeoutMs: 200 }), { tags: [] })).attributes, {});
      assert.ok(Date.now() - started < 2000);
      await assert.rejects(azureDetector.detect(context(env, { timeoutMs: 200, failOnMissingMetadata: true }), { tags: [] }, () => true), MissingMetadataError);
    });
  });

  test("without the override the link-local address is used (never contacted in tests)", async () => {
    const ctx = context({});
    assert.deepEqual((await azureDetector.detect(ctx, { tags: [] }, () => true)).attributes, {});
    assert.deepEqual(ctx.blocked, ["http://169.254.169.254" + PATH]);
  });

  test("the block validates tag regexes", () => {
    assert.deepEqual(azureDetector.block!.validate!({ tags: ["a", "("] })!.length, 1);
  });
});

describe("aks detector", () => {
  test("on Kubernetes with Azure IMDS: provider and platform", async () => {
    await withImds(ok(COMPUTE), async (env) => {
      const d = await detect(aksDetector, context({ ...env, KUBERNETES_SERVICE_HOST: "10.0.0.1" }), {});
      assert.deepEqual(d.attributes, { "cloud.provider": "azure", "cloud.platform": "azure_aks" });
    });
  });

  test("k8s.cluster.name from the generated resource group, when switched on", async () => {
    await withImds(ok(COMPUTE), async (env) => {
      const d = await detect(aksDetector, context({ ...env, KUBERNETES_SERVICE_HOST: "10.0.0.1" }), {}, { "k8s.cluster.name": true, "cloud.provider": false });
      assert.deepEqual(d.attributes, { "cloud.platform": "azure_aks", "k8s.cluster.name": "aks-prod" });
    });
    assert.equal(clusterName("mc_rg_cluster_eastus"), "cluster");
    assert.equal(clusterName("custom-infra-group"), "custom-infra-group");
    assert.equal(clusterName("MC_my_rg_cluster_eastus"), "MC_my_rg_cluster_eastus");
  });

  test("not on Kubernetes: no request at all", async () => {
    await withImds(ok(COMPUTE), async (env, seen) => {
      assert.deepEqual((await detect(aksDetector, context(env), {})).attributes, {});
      assert.equal(seen.length, 0);
      await assert.rejects(aksDetector.detect(context(env, { failOnMissingMetadata: true }), {}, () => true), MissingMetadataError);
    });
  });

  test("Kubernetes elsewhere (IMDS refused or silent) → empty", async () => {
    const env = { KUBERNETES_SERVICE_HOST: "10.0.0.1", SOLDER_AZURE_IMDS_ENDPOINT: `http://127.0.0.1:${await closedPort()}` };
    assert.deepEqual((await detect(aksDetector, context(env), {})).attributes, {});
    await assert.rejects(aksDetector.detect(context(env, { failOnMissingMetadata: true }), {}, () => true), MissingMetadataError);
    await withImds("hang", async (imds) => {
      assert.deepEqual((await detect(aksDetector, context({ ...imds, KUBERNETES_SERVICE_HOST: "h" }, { timeoutMs: 200 }), {})).attributes, {});
    });
  });

  test("a malformed document is an error", async () => {
    await withImds(ok("nope"), async (env) => {
      await assert.rejects(aksDetector.detect(context({ ...env, KUBERNETES_SERVICE_HOST: "h" }), {}, () => true), /malformed JSON/);
    });
  });
});
