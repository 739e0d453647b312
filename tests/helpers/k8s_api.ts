// A fake Kubernetes API server on 127.0.0.1 for tests: serves list and watch of
// discovery.k8s.io/v1 EndpointSlices in one namespace, for the label selector
// kubernetes.io/service-name=<service>. The test changes the slices at any time; open watches get
// ADDED / MODIFIED / DELETED events as chunked JSON lines. Requires a bearer token.

import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeEndpoint {
  addresses: string[];
  ready?: boolean;
  hostname?: string;
}

export interface FakeK8sApi {
  /** The port on 127.0.0.1 (KUBERNETES_SERVICE_PORT). */
  readonly port: number;
  /** Requests seen, as `METHOD path?query`. */
  readonly requests: string[];
  /** Creates or replaces a slice; open watches see ADDED or MODIFIED. */
  setSlice(name: string, endpoints: FakeEndpoint[]): void;
  /** Deletes a slice; open watches see DELETED. */
  deleteSlice(name: string): void;
  /** Sends an ERROR event (410 Gone, "too old resource version") to every open watch and ends it. */
  expireWatches(): void;
  /** Number of watches open now. */
  openWatches(): number;
  /** The next list answers this HTTP status instead (once). */
  failNextList(status: number): void;
  close(): Promise<void>;
}

/** Starts the fake API for `service` in `namespace`; requests must carry `Bearer <token>`. */
export async function startFakeK8sApi(opts: { namespace: string; service: string; token: string }): Promise<FakeK8sApi> {
  const slices = new Map<string, { obj: Record<string, unknown> }>();
  const watches = new Set<ServerResponse>();
  const requests: string[] = [];
  let version = 100;
  let failList = 0;
  const sliceObj = (name: string, endpoints: FakeEndpoint[]) => ({
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name, namespace: opts.namespace, resourceVersion: String(++version), labels: { "kubernetes.io/service-name": opts.service } },
    addressType: "IPv4",
    endpoints: endpoints.map((e) => ({ addresses: e.addresses, ...(e.hostname ? { hostname: e.hostname } : {}), conditions: e.ready === undefined ? {} : { ready: e.ready } })),
    ports: [{ name: "grpc", port: 4317, protocol: "TCP" }],
  });
  const send = (type: string, object: unknown) => {
    for (const w of watches) if (!w.writableEnded) w.write(`${JSON.stringify({ type, object })}\n`);
  };
  const path = `/apis/discovery.k8s.io/v1/namespaces/${opts.namespace}/endpointslices`;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push(`${req.method} ${req.url}`);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.headers.authorization !== `Bearer ${opts.token}`) {
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ kind: "Status", code: 401, message: "Unauthorized" }));
      return;
    }
    if (url.pathname !== path || url.searchParams.get("labelSelector") !== `kubernetes.io/service-name=${opts.service}`) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ kind: "Status", code: 404, message: `not found: ${url.pathname}` }));
      return;
    }
    if (url.searchParams.get("watch") === "true") {
      res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
      res.flushHeaders();
      watches.add(res);
      res.on("close", () => watches.delete(res));
      return;
    }
    if (failList > 0) {
      res.writeHead(failList, { "content-type": "application/json" }).end(JSON.stringify({ kind: "Status", code: failList, message: "injected failure" }));
      failList = 0;
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({ kind: "EndpointSliceList", apiVersion: "discovery.k8s.io/v1", metadata: { resourceVersion: String(version) }, items: [...slices.values()].map((s) => s.obj) }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    setSlice(name, endpoints) {
      const existed = slices.has(name);
      const obj = sliceObj(name, endpoints);
      slices.set(name, { obj });
      send(existed ? "MODIFIED" : "ADDED", obj);
    },
    deleteSlice(name) {
      const s = slices.get(name);
      if (!s) return;
      slices.delete(name);
      send("DELETED", { ...s.obj, metadata: { ...(s.obj.metadata as object), resourceVersion: String(++version) } });
    },
    expireWatches() {
      send("ERROR", { kind: "Status", apiVersion: "v1", status: "Failure", message: "too old resource version", reason: "Expired", code: 410 });
      for (const w of watches) w.end();
      watches.clear();
    },
    openWatches: () => watches.size,
    failNextList(status) {
      failList = status;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const w of watches) w.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
