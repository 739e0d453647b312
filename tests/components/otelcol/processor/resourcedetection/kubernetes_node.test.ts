import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { SourceUnavailableError, isUnavailable } from "../../../../../src/components/otelcol/processor/resourcedetection/detector.ts";
import { type KubernetesNodeArgs, SCHEME_OVERRIDE_ENV, kubernetesNodeDetector, validateKubernetesApi } from "../../../../../src/components/otelcol/processor/resourcedetection/detectors/kubernetes_node.ts";
import { all, closedPort, fakeContext, fakeServer, jsonRoutes, only, silent } from "./local_fakes.ts";

const NODE = { kind: "Node", apiVersion: "v1", metadata: { name: "node-a", uid: "0b9c2f4e-aaaa-bbbb-cccc-0123456789ab", labels: {} } };

const args = (over: Partial<KubernetesNodeArgs> = {}): KubernetesNodeArgs => ({ auth_type: "none", context: "", node_from_env_var: "K8S_NODE_NAME", ...over });

/** The in-cluster environment pointing at a fake API on loopback, over plain HTTP. */
const inCluster = (port: number, extra: Record<string, string> = {}) => ({ KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: String(port), [SCHEME_OVERRIDE_ENV]: "http", K8S_NODE_NAME: "node-a", ...extra });

async function withApi(route: Parameters<typeof fakeServer>[0], fn: (api: Awaited<ReturnType<typeof fakeServer>>) => Promise<void>) {
  const api = await fakeServer(route);
  try {
    await fn(api);
  } finally {
    await api.close();
  }
}

describe("kubernetes_node detector (spec §2.5)", () => {
  test("auth_type none: GET the node named by K8S_NODE_NAME, no credentials", () =>
    withApi(jsonRoutes({ "/api/v1/nodes/node-a": NODE }), async (api) => {
      const d = await kubernetesNodeDetector.detect(fakeContext({ env: inCluster(api.port) }), args(), all);
      assert.deepEqual(d.attributes, { "k8s.node.name": "node-a", "k8s.node.uid": "0b9c2f4e-aaaa-bbbb-cccc-0123456789ab" });
      assert.equal(api.requests[0]!.url, "/api/v1/nodes/node-a");
      assert.equal(api.requests[0]!.headers.authorization, undefined);
    }));

  test("node_from_env_var names another variable; switches apply", () =>
    withApi(jsonRoutes({ "/api/v1/nodes/other": { metadata: { name: "other", uid: "u-2" } } }), async (api) => {
      const d = await kubernetesNodeDetector.detect(fakeContext({ env: inCluster(api.port, { MY_NODE: "other" }) }), args({ node_from_env_var: "MY_NODE" }), only("k8s.node.uid"));
      assert.deepEqual(d.attributes, { "k8s.node.uid": "u-2" });
    }));

  test("auth_type serviceAccount sends the mounted token", () =>
    withApi(jsonRoutes({ "/api/v1/nodes/node-a": NODE }), async (api) => {
      const files = { "/var/run/secrets/kubernetes.io/serviceaccount/token": "sa-token\n", "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt": "-----BEGIN CERTIFICATE-----\n" };
      await kubernetesNodeDetector.detect(fakeContext({ env: inCluster(api.port), files }), args({ auth_type: "serviceAccount" }), all);
      assert.equal(api.requests[0]!.headers.authorization, "Bearer sa-token");
    }));

  test("auth_type serviceAccount without the mounted files is an error", async () => {
    const port = await closedPort();
    await assert.rejects(kubernetesNodeDetector.detect(fakeContext({ env: inCluster(port) }), args({ auth_type: "serviceAccount" }), all), /ENOENT/);
    assert.equal(isUnavailable(await kubernetesNodeDetector.detect(fakeContext({ env: inCluster(port) }), args({ auth_type: "serviceAccount" }), all).catch((e: unknown) => e)), false, "a missing token file is a real error");
  });

  test("auth_type kubeConfig: server and token of the chosen context", () =>
    withApi(jsonRoutes({ "/api/v1/nodes/node-a": NODE }), async (api) => {
      const kubeconfig = `apiVersion: v1
kind: Config
current-context: wrong
clusters:
  - name: fake
    cluster: { server: "${api.url}" }
  - name: elsewhere
    cluster: { server: "http://127.0.0.1:1" }
users:
  - name: me
    user: { token: kc-token }
contexts:
  - name: wrong
    context: { cluster: elsewhere, user: me }
  - name: test
    context: { cluster: fake, user: me }
`;
      const ctx = fakeContext({ env: { KUBECONFIG: "/fixture/kubeconfig", K8S_NODE_NAME: "node-a" }, files: { "/fixture/kubeconfig": kubeconfig } });
      const d = await kubernetesNodeDetector.detect(ctx, args({ auth_type: "kubeConfig", context: "test" }), all);
      assert.equal(d.attributes["k8s.node.uid"], NODE.metadata.uid);
      assert.equal(api.requests[0]!.headers.authorization, "Bearer kc-token");
    }));

  test("kubeConfig naming a context that does not exist is an error", async () => {
    const ctx = fakeContext({ env: { KUBECONFIG: "/k", K8S_NODE_NAME: "n" }, files: { "/k": "contexts: []\nclusters: []\n" } });
    await assert.rejects(kubernetesNodeDetector.detect(ctx, args({ auth_type: "kubeConfig", context: "nope" }), all), /kubeconfig has no context named "nope"/);
  });

  test("missing node name variable, or no in-cluster environment, is an error", async () => {
    await assert.rejects(kubernetesNodeDetector.detect(fakeContext({ env: { KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: "1" } }), args(), all), /node name can't be found: the environment variable K8S_NODE_NAME is not set/);
    await assert.rejects(kubernetesNodeDetector.detect(fakeContext({ env: { K8S_NODE_NAME: "n" } }), args(), all), /KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined/);
  });

  test("a node without metadata.uid, a 404 and a malformed body are errors", async () => {
    await withApi(jsonRoutes({ "/api/v1/nodes/node-a": { metadata: { name: "node-a" } } }), async (api) => {
      await assert.rejects(kubernetesNodeDetector.detect(fakeContext({ env: inCluster(api.port) }), args(), all), /has no metadata.uid/);
    });
    await withApi(jsonRoutes({}), async (api) => {
      await assert.rejects(kubernetesNodeDetector.detect(fakeContext({ env: inCluster(api.port) }), args(), all), /kubernetes API answered 404 to GET \/api\/v1\/nodes\/node-a/);
    });
    await withApi(jsonRoutes({ "/api/v1/nodes/node-a": "[[[" }), async (api) => {
      await assert.rejects(kubernetesNodeDetector.detect(fakeContext({ env: inCluster(api.port) }), args(), all), /malformed response from the kubernetes API/);
    });
  });

  test("no API listening → SourceUnavailableError; an API that never answers is cut off at the timeout", async () => {
    const port = await closedPort();
    await assert.rejects(kubernetesNodeDetector.detect(fakeContext({ env: inCluster(port) }), args(), all), SourceUnavailableError);
    await withApi(silent, async (api) => {
      const err = await kubernetesNodeDetector.detect(fakeContext({ env: inCluster(api.port), timeoutMs: 150 }), args(), all).catch((e: unknown) => e);
      assert.ok(isUnavailable(err), String(err));
    });
  });

  test("block: auth_type default none, Alloy's message for a bad one", () => {
    assert.equal(kubernetesNodeDetector.block!.attrs!.auth_type!.default, "none");
    assert.equal(kubernetesNodeDetector.block!.attrs!.node_from_env_var!.default, "K8S_NODE_NAME");
    assert.deepEqual(validateKubernetesApi({ auth_type: "magic", context: "" }), ['invalid auth_type "magic"']);
    assert.deepEqual(validateKubernetesApi({ auth_type: "kubeConfig", context: "" }), []);
  });
});
