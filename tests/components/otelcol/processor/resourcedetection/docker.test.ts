import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SourceUnavailableError, isUnavailable } from "../../../../../src/components/otelcol/processor/resourcedetection/detector.ts";
import { dockerDetector, dockerEndpoint } from "../../../../../src/components/otelcol/processor/resourcedetection/detectors/docker.ts";
import { all, closedPort, fakeContext, fakeServer, jsonRoutes, only, silent } from "./local_fakes.ts";

describe("docker detector (spec §2.5)", () => {
  test("GET /info over the unix socket named by DOCKER_HOST → host.name, os.type", async () => {
    const api = await fakeServer(jsonRoutes({ "/info": { Name: "docker-host-7", OSType: "linux", ServerVersion: "27.0.1" } }), { unix: true });
    try {
      const d = await dockerDetector.detect(fakeContext({ env: { DOCKER_HOST: `unix://${api.socketPath}` } }), {}, all);
      assert.deepEqual(d.attributes, { "host.name": "docker-host-7", "os.type": "linux" });
      assert.deepEqual(api.requests.map((r) => `${r.method} ${r.url}`), ["GET /info"]);
    } finally {
      await api.close();
    }
  });

  test("a tcp:// daemon on loopback works too; GOOS names get semconv spellings", async () => {
    const api = await fakeServer(jsonRoutes({ "/info": { Name: "winbox", OSType: "windows" } }));
    try {
      const d = await dockerDetector.detect(fakeContext({ env: { DOCKER_HOST: `tcp://${api.hostPort}` } }), {}, all);
      assert.deepEqual(d.attributes, { "host.name": "winbox", "os.type": "windows" });
    } finally {
      await api.close();
    }
  });

  test("both attributes are on by default and can be switched off", async () => {
    assert.deepEqual(dockerDetector.attributes, { "host.name": true, "os.type": true });
    const api = await fakeServer(jsonRoutes({ "/info": { Name: "h", OSType: "linux" } }), { unix: true });
    try {
      const d = await dockerDetector.detect(fakeContext({ env: { DOCKER_HOST: `unix://${api.socketPath}` } }), {}, only("os.type"));
      assert.deepEqual(d.attributes, { "os.type": "linux" });
    } finally {
      await api.close();
    }
  });

  test("missing fields are left out, with a warning", async () => {
    const api = await fakeServer(jsonRoutes({ "/info": { ID: "x" } }), { unix: true });
    try {
      const ctx = fakeContext({ env: { DOCKER_HOST: `unix://${api.socketPath}` } });
      assert.deepEqual((await dockerDetector.detect(ctx, {}, all)).attributes, {});
      assert.ok(ctx.logs.some((l) => l.includes("did not report its Name")));
    } finally {
      await api.close();
    }
  });

  test("a malformed or failed answer is an error", async () => {
    const api = await fakeServer((req, res) => (req.url === "/info" ? res.writeHead(200).end("<html>not json") : res.writeHead(500).end("boom")), { unix: true });
    try {
      const ctx = fakeContext({ env: { DOCKER_HOST: `unix://${api.socketPath}` } });
      await assert.rejects(dockerDetector.detect(ctx, {}, all), /malformed response from the docker daemon/);
    } finally {
      await api.close();
    }
    const failing = await fakeServer((_req, res) => res.writeHead(500).end("daemon sad"));
    try {
      await assert.rejects(dockerDetector.detect(fakeContext({ env: { DOCKER_HOST: failing.url } }), {}, all), /docker daemon answered 500 to GET \/info: daemon sad/);
    } finally {
      await failing.close();
    }
  });

  test("no daemon (no socket, refused port) → SourceUnavailableError", async () => {
    const missing = join(mkdtempSync(join(tmpdir(), "solder-rd-")), "docker.sock");
    await assert.rejects(dockerDetector.detect(fakeContext({ env: { DOCKER_HOST: `unix://${missing}` } }), {}, all), SourceUnavailableError);
    const port = await closedPort();
    await assert.rejects(dockerDetector.detect(fakeContext({ env: { DOCKER_HOST: `tcp://127.0.0.1:${port}` } }), {}, all), SourceUnavailableError);
  });

  test("a daemon that never answers is cut off when the timeout fires", async () => {
    const api = await fakeServer(silent, { unix: true });
    try {
      const started = Date.now();
      const err = await dockerDetector.detect(fakeContext({ env: { DOCKER_HOST: `unix://${api.socketPath}` }, timeoutMs: 150 }), {}, all).catch((e: unknown) => e);
      assert.ok(isUnavailable(err), String(err));
      assert.ok(Date.now() - started < 1500);
    } finally {
      await api.close();
    }
  });

  test("DOCKER_HOST forms; the default is /var/run/docker.sock", () => {
    assert.deepEqual(dockerEndpoint(undefined), { base: "http://docker", socketPath: "/var/run/docker.sock" });
    assert.deepEqual(dockerEndpoint("tcp://127.0.0.1:2375"), { base: "http://127.0.0.1:2375" });
    assert.deepEqual(dockerEndpoint("http://127.0.0.1:2375/"), { base: "http://127.0.0.1:2375" });
    assert.throws(() => dockerEndpoint("npipe:////./pipe/docker_engine"), /unsupported DOCKER_HOST/);
  });
});
