import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { MissingMetadataError } from "../../../../../../src/components/otelcol/processor/resourcedetection/detector.ts";
import { eksDetector } from "../../../../../../src/components/otelcol/processor/resourcedetection/detectors/eks.ts";
import { CA_CERT, SERVER_CERT, SERVER_KEY } from "../../../receiver/otlp_fixtures.ts";
import { closedPort, context, detect, startFake, type FakeServer, type Routes } from "./fake_metadata.ts";

const SA = "/var/run/secrets/kubernetes.io/serviceaccount";
const FILES = { [`${SA}/token`]: "sa-token\n", [`${SA}/ca.crt`]: CA_CERT };
const ARGS = { node_from_env_var: "K8S_NODE_NAME" };
const EKS = { "cloud.provider": "aws", "cloud.platform": "aws_eks" };

/** A Kubernetes API over HTTPS (test CA) answering /version with `gitVersion`, bearer token required. */
function kubeApi(gitVersion: string): Promise<FakeServer> {
  const routes: Routes = {
    "GET /version": (req) => (req.headers.authorization === "Bearer sa-token" ? { body: JSON.stringify({ major: "1", minor: "29", gitVersion }) } : { status: 401 }),
  };
  return startFake(routes, { tls: { cert: SERVER_CERT, key: SERVER_KEY } });
}

async function withCluster<T>(gitVersion: string, imds: Routes | undefined, fn: (env: Record<string, string>) => Promise<T>): Promise<T> {
  const api = await kubeApi(gitVersion);
  const metadata = imds ? await startFake(imds) : undefined;
  const env: Record<string, string> = { KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: String(api.port) };
  env.AWS_EC2_METADATA_SERVICE_ENDPOINT = metadata ? metadata.url : `http://127.0.0.1:${await closedPort()}`;
  try {
    return await fn(env);
  } finally {
    await api.close();
    await metadata?.close();
  }
}

const IMDS: Routes = {
  "PUT /latest/api/token": { body: "T" },
  "GET /latest/meta-data/instance-id": { body: "i-0abc" },
  "GET /latest/dynamic/instance-identity/document": { body: JSON.stringify({ accountId: "123456789012", instanceId: "i-0abc", region: "us-west-2" }) },
  "GET /latest/meta-data/tags/instance": { body: "Name\neks:cluster-name" },
  "GET /latest/meta-data/tags/instance/eks%3Acluster-name": { body: "prod-cluster" },
};

describe("eks detector", () => {
  test("an EKS cluster version gives cloud.provider and cloud.platform (over TLS with the service account CA)", async () => {
    await withCluster("v1.29.0-eks-5e0fdde", undefined, async (env) => {
      assert.deepEqual(await detect(eksDetector, context(env, { files: FILES }), ARGS), { attributes: EKS, schemaUrl: "https://opentelemetry.io/schemas/1.6.1" });
    });
  });

  test("cloud.account.id and k8s.cluster.name from the node's instance through IMDS", async () => {
    await withCluster("v1.29.0-eks-5e0fdde", IMDS, async (env) => {
      const d = await detect(eksDetector, context(env, { files: FILES }), ARGS, { "cloud.account.id": true, "k8s.cluster.name": true });
      assert.deepEqual(d.attributes, { ...EKS, "cloud.account.id": "123456789012", "k8s.cluster.name": "prod-cluster" });
    });
  });

  test("instance tags missing from IMDS: the cluster name is left out with a warning", async () => {
    const { "GET /latest/meta-data/tags/instance": _t, ...noTags } = IMDS;
    await withCluster("v1.29.0-eks-5e0fdde", noTags, async (env) => {
      const ctx = context(env, { files: FILES });
      const d = await detect(eksDetector, ctx, ARGS, { "cloud.account.id": true, "k8s.cluster.name": true });
      assert.deepEqual(d.attributes, { ...EKS, "cloud.account.id": "123456789012" });
      assert.ok(ctx.lines.some((l) => l.includes("InstanceMetadataTags")));
    });
  });

  test("IMDS unreachable: account and cluster name are left out with a warning", async () => {
    await withCluster("v1.29.0-eks-5e0fdde", undefined, async (env) => {
      const ctx = context(env, { files: FILES });
      assert.deepEqual((await detect(eksDetector, ctx, ARGS, { "cloud.account.id": true })).attributes, EKS);
      assert.ok(ctx.lines.some((l) => l.includes("IMDS is not reachable")));
    });
  });

  test("a malformed identity document is an error", async () => {
    await withCluster("v1.29.0-eks-5e0fdde", { ...IMDS, "GET /latest/dynamic/instance-identity/document": { body: "<html>" } }, async (env) => {
      await assert.rejects(eksDetector.detect(context(env, { files: FILES }), ARGS, (a) => a !== "k8s.cluster.name"), /malformed JSON/);
    });
  });

  test("another Kubernetes distribution is not EKS", async () => {
    await withCluster("v1.29.2+k3s1", undefined, async (env) => {
      assert.deepEqual(await detect(eksDetector, context(env, { files: FILES }), ARGS), { attributes: {} });
      await assert.rejects(eksDetector.detect(context(env, { files: FILES, failOnMissingMetadata: true }), ARGS, () => true), MissingMetadataError);
    });
  });

  test("not on Kubernetes → empty, or MissingMetadataError when asked", async () => {
    assert.deepEqual(await detect(eksDetector, context({}), ARGS), { attributes: {} });
    await assert.rejects(eksDetector.detect(context({}, { failOnMissingMetadata: true }), ARGS, () => true), MissingMetadataError);
  });

  test("an API failure is an error", async () => {
    await withCluster("v1.29.0-eks-1", undefined, async (env) => {
      // Without the service account token the API answers 401.
      await assert.rejects(eksDetector.detect(context(env, { files: { [`${SA}/ca.crt`]: CA_CERT } }), ARGS, () => true), /isEks\(\) error retrieving cluster version: .*401/);
    });
  });

  test("an API that never answers fails at the timeout", async () => {
    const api = await startFake({ "/version": "hang" }, { tls: { cert: SERVER_CERT, key: SERVER_KEY } });
    try {
      const env = { KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: String(api.port) };
      await assert.rejects(eksDetector.detect(context(env, { files: FILES, timeoutMs: 200 }), ARGS, () => true), /no answer/);
    } finally {
      await api.close();
    }
  });

  test("resource_attributes switches", async () => {
    await withCluster("v1.29.0-eks-5e0fdde", undefined, async (env) => {
      assert.deepEqual((await detect(eksDetector, context(env, { files: FILES }), ARGS, { "cloud.provider": false })).attributes, { "cloud.platform": "aws_eks" });
    });
  });
});
