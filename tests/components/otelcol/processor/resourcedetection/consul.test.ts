import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { SourceUnavailableError, isUnavailable } from "../../../../../src/components/otelcol/processor/resourcedetection/detector.ts";
import { type ConsulArgs, consulDetector, consulEndpoint } from "../../../../../src/components/otelcol/processor/resourcedetection/detectors/consul.ts";
import { Secret } from "../../../../../src/runtime/value.ts";
import { all, closedPort, fakeContext, fakeServer, jsonRoutes, only, silent } from "./local_fakes.ts";

const SELF = {
  Config: { Datacenter: "dc1", NodeName: "consul-node-3", NodeID: "7a1b9c3e-1111-2222-3333-444455556666", Revision: "x" },
  Meta: { rack: "r12", team: "obs", secret_thing: "no" },
};

const args = (over: Partial<ConsulArgs> = {}): ConsulArgs => ({ address: "", datacenter: "", namespace: "", meta: [], ...over });

async function withAgent(route: Parameters<typeof fakeServer>[0], fn: (addr: string, requests: Awaited<ReturnType<typeof fakeServer>>["requests"]) => Promise<void>) {
  const agent = await fakeServer(route);
  try {
    await fn(agent.hostPort, agent.requests);
  } finally {
    await agent.close();
  }
}

describe("consul detector (spec §2.5)", () => {
  test("agent self → host.name, host.id, cloud.region", () =>
    withAgent(jsonRoutes({ "/v1/agent/self": SELF }), async (address, requests) => {
      const d = await consulDetector.detect(fakeContext(), args({ address }), all);
      assert.deepEqual(d.attributes, { "host.name": "consul-node-3", "cloud.region": "dc1", "host.id": "7a1b9c3e-1111-2222-3333-444455556666" });
      assert.deepEqual(requests.map((r) => r.url), ["/v1/agent/self"]);
      assert.equal(requests[0]!.headers["x-consul-token"], undefined);
    }));

  test("token header, datacenter and namespace query parameters", () =>
    withAgent(jsonRoutes({ "/v1/agent/self": SELF }), async (address, requests) => {
      await consulDetector.detect(fakeContext(), args({ address: `http://${address}`, token: new Secret("s3cr3t"), datacenter: "dc9", namespace: "team-a" }), all);
      assert.equal(requests[0]!.url, "/v1/agent/self?dc=dc9&ns=team-a");
      assert.equal(requests[0]!.headers["x-consul-token"], "s3cr3t");
    }));

  test("address and token default to CONSUL_HTTP_ADDR and CONSUL_HTTP_TOKEN", () =>
    withAgent(jsonRoutes({ "/v1/agent/self": SELF }), async (address, requests) => {
      const d = await consulDetector.detect(fakeContext({ env: { CONSUL_HTTP_ADDR: address, CONSUL_HTTP_TOKEN: "from-env" } }), args(), all);
      assert.equal(d.attributes["host.name"], "consul-node-3");
      assert.equal(requests[0]!.headers["x-consul-token"], "from-env");
    }));

  test("meta: only allow-listed node meta keys become attributes", () =>
    withAgent(jsonRoutes({ "/v1/agent/self": SELF }), async (address) => {
      const d = await consulDetector.detect(fakeContext(), args({ address, meta: ["rack", "team", "absent"] }), only("host.name"));
      assert.deepEqual(d.attributes, { "host.name": "consul-node-3", rack: "r12", team: "obs" });
    }));

  test("missing Config fields are errors naming the field", () =>
    withAgent(jsonRoutes({ "/v1/agent/self": { Config: { Datacenter: "dc1", NodeID: "id" } } }), async (address) => {
      await assert.rejects(consulDetector.detect(fakeContext(), args({ address }), all), /failed getting consul hostname: was 'NodeName' returned by consul\?/);
    }));

  test("no Config at all, or a malformed body, is an error", async () => {
    await withAgent(jsonRoutes({ "/v1/agent/self": { Member: {} } }), async (address) => {
      await assert.rejects(consulDetector.detect(fakeContext(), args({ address }), all), /was 'Config' returned by consul/);
    });
    await withAgent(jsonRoutes({ "/v1/agent/self": "{not json" }), async (address) => {
      await assert.rejects(consulDetector.detect(fakeContext(), args({ address }), all), /malformed response from the consul agent/);
    });
  });

  test("an error status (ACL denied) is an error with the status", () =>
    withAgent((_req, res) => res.writeHead(403).end("Permission denied"), async (address) => {
      await assert.rejects(consulDetector.detect(fakeContext(), args({ address }), all), /consul answered 403: Permission denied/);
    }));

  test("no agent listening → SourceUnavailableError", async () => {
    const port = await closedPort();
    await assert.rejects(consulDetector.detect(fakeContext(), args({ address: `127.0.0.1:${port}` }), all), SourceUnavailableError);
  });

  test("an agent that never answers is cut off at the timeout", () =>
    withAgent(silent, async (address) => {
      const err = await consulDetector.detect(fakeContext({ timeoutMs: 150 }), args({ address }), all).catch((e: unknown) => e);
      assert.ok(isUnavailable(err), String(err));
    }));

  test("endpoint rules", () => {
    const env = (vars: Record<string, string>) => (n: string) => vars[n];
    assert.deepEqual(consulEndpoint("", env({})), { base: "http://127.0.0.1:8500" });
    assert.deepEqual(consulEndpoint("", env({ CONSUL_HTTP_ADDR: "10.1.1.1:8501", CONSUL_HTTP_SSL: "true" })), { base: "https://10.1.1.1:8501" });
    assert.deepEqual(consulEndpoint("https://c.example:8501/", env({})), { base: "https://c.example:8501" });
    assert.deepEqual(consulEndpoint("unix:///run/consul.sock", env({})), { base: "http://consul", socketPath: "/run/consul.sock" });
  });

  test("block arguments and default switches", () => {
    assert.deepEqual(Object.keys(consulDetector.block!.attrs!).sort(), ["address", "datacenter", "meta", "namespace", "token"]);
    assert.deepEqual(consulDetector.attributes, { "cloud.region": true, "host.id": true, "host.name": true });
  });
});
