import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { MissingMetadataError } from "../../../../../../src/components/otelcol/processor/resourcedetection/detector.ts";
import { openshiftDetector, type OpenshiftArgs } from "../../../../../../src/components/otelcol/processor/resourcedetection/detectors/openshift.ts";
import type { TlsClientArgs } from "../../../../../../src/components/otelcol/exporter/shared/client.ts";
import { CA_CERT, SERVER_CERT, SERVER_KEY } from "../../../receiver/otlp_fixtures.ts";
import { closedPort, context, detect, startFake, type Answer, type FakeServer } from "./fake_metadata.ts";
import { Secret } from "../../../../../../src/runtime/value.ts";

const SA = "/var/run/secrets/kubernetes.io/serviceaccount";
const FILES = { [`${SA}/token`]: "sa-token", [`${SA}/ca.crt`]: CA_CERT };
const PATH = "/apis/config.openshift.io/v1/infrastructures/cluster/status";

const TLS: TlsClientArgs = {
  insecure: false,
  insecure_skip_verify: false,
  min_version: "",
  max_version: "",
  cipher_suites: [],
  curve_preferences: [],
  include_system_ca_certs_pool: false,
  reload_interval: 0,
};

const infra = (platformStatus: Record<string, unknown>) => ({ status: { infrastructureName: "ocp-abc12", platformStatus } });

/** An OpenShift API over HTTPS answering the Infrastructure resource for `token`. */
function api(answer: Answer, token = "sa-token"): Promise<FakeServer> {
  return startFake({ [PATH]: (req) => (req.headers.authorization === `Bearer ${token}` ? answer : { status: 401 }) }, { tls: { cert: SERVER_CERT, key: SERVER_KEY } });
}

async function inCluster<T>(answer: Answer, fn: (env: Record<string, string>, server: FakeServer) => Promise<T>): Promise<T> {
  const server = await api(answer);
  try {
    return await fn({ KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: String(server.port) }, server);
  } finally {
    await server.close();
  }
}

const json = (v: unknown): Answer => ({ body: JSON.stringify(v) });

describe("openshift detector", () => {
  const cases: [string, Record<string, unknown>, Record<string, string>][] = [
    ["AWS", { type: "AWS", aws: { region: "US-EAST-1" } }, { "cloud.provider": "aws", "cloud.platform": "aws_openshift", "cloud.region": "us-east-1" }],
    ["Azure", { type: "Azure", azure: { cloudName: "AzurePublicCloud" } }, { "cloud.provider": "azure", "cloud.platform": "azure_openshift", "cloud.region": "azurepubliccloud" }],
    ["GCP", { type: "GCP", gcp: { region: "europe-west1" } }, { "cloud.provider": "gcp", "cloud.platform": "gcp_openshift", "cloud.region": "europe-west1" }],
    ["IBMCloud", { type: "IBMCloud", ibmcloud: { location: "eu-de" } }, { "cloud.provider": "ibm_cloud", "cloud.platform": "ibm_cloud_openshift", "cloud.region": "eu-de" }],
    ["OpenStack", { type: "OpenStack", openstack: { cloudName: "Lab" } }, { "cloud.region": "lab" }],
    ["BareMetal", { type: "BareMetal" }, {}],
  ];
  for (const [name, platformStatus, expected] of cases) {
    test(`in-cluster, ${name}`, async () => {
      await inCluster(json(infra(platformStatus)), async (env) => {
        const d = await detect(openshiftDetector, context(env, { files: FILES }), { tls: TLS });
        assert.deepEqual(d.attributes, { "k8s.cluster.name": "ocp-abc12", ...expected });
      });
    });
  }

  test("explicit address, token and tls block", async () => {
    const server = await api(json(infra({ type: "AWS", aws: { region: "eu-west-1" } })), "explicit");
    try {
      const args: OpenshiftArgs = { address: server.url, token: new Secret("explicit"), tls: { ...TLS, ca_pem: CA_CERT } };
      const d = await detect(openshiftDetector, context({}), args);
      assert.equal(d.attributes["cloud.region"], "eu-west-1");
      // The CA file named by the block is read through the detection context.
      const byFile = await detect(openshiftDetector, context({}, { files: { "/etc/ca.pem": CA_CERT } }), { ...args, tls: { ...TLS, ca_file: "/etc/ca.pem" } });
      assert.equal(byFile.attributes["k8s.cluster.name"], "ocp-abc12");
    } finally {
      await server.close();
    }
  });

  test("missing fields are left out", async () => {
    await inCluster(json({ status: {} }), async (env) => {
      assert.deepEqual((await detect(openshiftDetector, context(env, { files: FILES }), { tls: TLS })).attributes, {});
    });
  });

  test("API failures (error status, malformed JSON, no answer) → logged, empty; MissingMetadataError when asked", async () => {
    for (const answer of [{ status: 403 }, { body: "<html>" }] as Answer[]) {
      await inCluster(answer, async (env) => {
        const ctx = context(env, { files: FILES });
        assert.deepEqual((await detect(openshiftDetector, ctx, { tls: TLS })).attributes, {});
        assert.ok(ctx.lines.some((l) => l.includes("OpenShift detector metadata retrieval failed")));
        await assert.rejects(openshiftDetector.detect(context(env, { files: FILES, failOnMissingMetadata: true }), { tls: TLS }, () => true), MissingMetadataError);
      });
    }
    await inCluster("hang", async (env) => {
      const started = Date.now();
      assert.deepEqual((await detect(openshiftDetector, context(env, { files: FILES, timeoutMs: 200 }), { tls: TLS })).attributes, {});
      assert.ok(Date.now() - started < 2000);
    });
  });

  test("not in a cluster (no address or no token) → empty; MissingMetadataError when asked", async () => {
    assert.deepEqual((await detect(openshiftDetector, context({}), { tls: TLS })).attributes, {});
    const env = { KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: String(await closedPort()) };
    assert.deepEqual((await detect(openshiftDetector, context(env), { tls: TLS })).attributes, {});
    await assert.rejects(openshiftDetector.detect(context({}, { failOnMissingMetadata: true }), { tls: TLS }, () => true), MissingMetadataError);
  });

  test("resource_attributes switches", async () => {
    await inCluster(json(infra({ type: "AWS", aws: { region: "us-east-1" } })), async (env) => {
      const d = await detect(openshiftDetector, context(env, { files: FILES }), { tls: TLS }, { "k8s.cluster.name": false, "cloud.region": false });
      assert.deepEqual(d.attributes, { "cloud.provider": "aws", "cloud.platform": "aws_openshift" });
    });
  });
});
