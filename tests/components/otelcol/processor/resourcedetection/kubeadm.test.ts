import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { isUnavailable } from "../../../../../src/components/otelcol/processor/resourcedetection/detector.ts";
import { kubeadmDetector } from "../../../../../src/components/otelcol/processor/resourcedetection/detectors/kubeadm.ts";
import { SCHEME_OVERRIDE_ENV } from "../../../../../src/components/otelcol/processor/resourcedetection/detectors/kubernetes_node.ts";
import { all, fakeContext, fakeServer, jsonRoutes, only, silent } from "./local_fakes.ts";

const CM = "/api/v1/namespaces/kube-system/configmaps/kubeadm-config";
const NS = "/api/v1/namespaces/kube-system";
const CLUSTER_CONFIGURATION = `apiServer:
  timeoutForControlPlane: 4m0s
apiVersion: kubeadm.k8s.io/v1beta3
clusterName: prod-eu-1
kind: ClusterConfiguration
kubernetesVersion: v1.29.3
`;

const args = { auth_type: "none", context: "" };
const inCluster = (port: number) => ({ KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: String(port), [SCHEME_OVERRIDE_ENV]: "http" });

async function withApi(routes: Record<string, unknown> | Parameters<typeof fakeServer>[0], fn: (api: Awaited<ReturnType<typeof fakeServer>>) => Promise<void>) {
  const api = await fakeServer(typeof routes === "function" ? routes : jsonRoutes(routes));
  try {
    await fn(api);
  } finally {
    await api.close();
  }
}

describe("kubeadm detector (spec §2.5)", () => {
  test("cluster name from the kubeadm-config ConfigMap, UID from the kube-system namespace", () =>
    withApi({ [CM]: { data: { ClusterConfiguration: CLUSTER_CONFIGURATION } }, [NS]: { metadata: { name: "kube-system", uid: "ns-uid-1" } } }, async (api) => {
      const d = await kubeadmDetector.detect(fakeContext({ env: inCluster(api.port) }), args, all);
      assert.deepEqual(d.attributes, { "k8s.cluster.name": "prod-eu-1", "k8s.cluster.uid": "ns-uid-1" });
    }));

  test("only what is switched on is fetched", () =>
    withApi({ [CM]: { data: { ClusterConfiguration: CLUSTER_CONFIGURATION } } }, async (api) => {
      const d = await kubeadmDetector.detect(fakeContext({ env: inCluster(api.port) }), args, only("k8s.cluster.name"));
      assert.deepEqual(d.attributes, { "k8s.cluster.name": "prod-eu-1" });
      assert.deepEqual(api.requests.map((r) => r.url), [CM]);
    }));

  test("a ClusterConfiguration without clusterName leaves the name out", () =>
    withApi({ [CM]: { data: { ClusterConfiguration: "kind: ClusterConfiguration\n" } }, [NS]: { metadata: { uid: "u" } } }, async (api) => {
      assert.deepEqual((await kubeadmDetector.detect(fakeContext({ env: inCluster(api.port) }), args, all)).attributes, { "k8s.cluster.uid": "u" });
    }));

  test("missing ConfigMap data, missing namespace uid, malformed YAML or JSON are errors", async () => {
    await withApi({ [CM]: { data: {} } }, async (api) => {
      await assert.rejects(kubeadmDetector.detect(fakeContext({ env: inCluster(api.port) }), args, all), /has no data.ClusterConfiguration/);
    });
    await withApi({ [CM]: { data: { ClusterConfiguration: CLUSTER_CONFIGURATION } }, [NS]: { metadata: {} } }, async (api) => {
      await assert.rejects(kubeadmDetector.detect(fakeContext({ env: inCluster(api.port) }), args, all), /namespace kube-system has no metadata.uid/);
    });
    await withApi({ [CM]: { data: { ClusterConfiguration: "clusterName: [unclosed" } } }, async (api) => {
      await assert.rejects(kubeadmDetector.detect(fakeContext({ env: inCluster(api.port) }), args, all), /failed to decode ClusterConfiguration/);
    });
    await withApi({ [CM]: "nope" }, async (api) => {
      await assert.rejects(kubeadmDetector.detect(fakeContext({ env: inCluster(api.port) }), args, all), /malformed response from the kubernetes API/);
    });
  });

  test("not a kubeadm cluster (404) is an error with the status", () =>
    withApi({}, async (api) => {
      await assert.rejects(kubeadmDetector.detect(fakeContext({ env: inCluster(api.port) }), args, all), /answered 404 to GET \/api\/v1\/namespaces\/kube-system\/configmaps\/kubeadm-config/);
    }));

  test("an API that never answers is cut off at the timeout", () =>
    withApi(silent, async (api) => {
      const err = await kubeadmDetector.detect(fakeContext({ env: inCluster(api.port), timeoutMs: 150 }), args, all).catch((e: unknown) => e);
      assert.ok(isUnavailable(err), String(err));
    }));

  test("both attributes on by default", () => {
    assert.deepEqual(kubeadmDetector.attributes, { "k8s.cluster.name": true, "k8s.cluster.uid": true });
  });
});
