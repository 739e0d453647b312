// deploy/kubernetes: every YAML document is a valid Kubernetes object, checked against the
// published Kubernetes OpenAPI schemas that the kubernetes-models package ships as compiled
// validators (types, required fields, enums, quantities, int-or-string); the objects agree with
// each other (selectors, names, ports, the tier's DNS name in the gateway's config); the Alloy
// configurations inside the ConfigMaps are formatted and valid for solder, evaluated with the
// environment their containers get. Negative cases show that each check can fail.
// Like kubeconform without --strict, the schemas do not reject unknown fields (Kubernetes's
// OpenAPI documents do not forbid them); the cross-checks below cover the fields that matter.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { builtinRegistry } from "../../src/components/all.ts";
import { main } from "../../src/cli/main.ts";
import { Controller, hasErrors } from "../../src/runtime/controller.ts";
import { createLogger, memorySink } from "../../src/runtime/logger.ts";
import { MetricsRegistry } from "../../src/runtime/metrics.ts";
import { readSources } from "../../src/runtime/sources.ts";
import { stdlib } from "../../src/runtime/stdlib/index.ts";
import { parseFile } from "../../src/syntax/index.ts";
import { captureIo } from "../helpers/io.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const dir = join(root, "deploy/kubernetes");

type Obj = Record<string, any>;
interface Doc {
  file: string;
  obj: Obj;
}

/** Every YAML document of every file in deploy/kubernetes but kustomization.yaml. */
function loadManifests(): Doc[] {
  const docs: Doc[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml").sort()) {
    for (const d of parseAllDocuments(readFileSync(join(dir, file), "utf8"))) {
      assert.deepEqual(d.errors.map((e) => e.message), [], `${file} is YAML`);
      const obj = d.toJS() as Obj | null;
      if (obj !== null) docs.push({ file, obj });
    }
  }
  return docs;
}

/**
 * Validates one object against the schema of its apiVersion and kind; returns the problems
 * (empty when valid). An apiVersion/kind the schemas do not know is a problem too.
 */
async function schemaProblems(obj: Obj): Promise<string[]> {
  const { apiVersion, kind } = obj;
  if (typeof apiVersion !== "string" || typeof kind !== "string") return ["apiVersion and kind must be strings"];
  let group: Record<string, any>;
  try {
    group = await import(`kubernetes-models/${apiVersion}`);
  } catch {
    return [`unknown apiVersion ${apiVersion}`];
  }
  const Model = group[kind];
  if (typeof Model !== "function" || Model.apiVersion !== apiVersion || Model.kind !== kind) return [`unknown kind ${kind} in ${apiVersion}`];
  try {
    new Model(obj).validate();
    return [];
  } catch (err) {
    return [(err as Error).message];
  }
}

const byKind = (docs: Doc[], kind: string) => docs.filter((d) => d.obj.kind === kind).map((d) => d.obj);
const named = (docs: Doc[], kind: string, name: string) => {
  const found = byKind(docs, kind).find((o) => o.metadata.name === name);
  assert.ok(found, `${kind} ${name} exists`);
  return found!;
};
const clone = <T>(v: T): T => structuredClone(v);
const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

/** The env of a container as the process sees it: literal values, downward API fields filled in. */
function containerEnv(pod: Obj, container: Obj): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.fieldRef?.fieldPath === "metadata.name") env[e.name] = `${pod.metadata?.name ?? "pod"}-0`;
    else assert.fail(`env ${e.name}: only literal values and metadata.name are understood by this test`);
  }
  return env;
}

/** Loads an Alloy config as `solder validate` does, with `env` as the process environment; the error messages. */
async function alloyProblems(text: string, env: Record<string, string>): Promise<string[]> {
  const tmp = mkdtempSync(join(tmpdir(), "solder-deploy-"));
  try {
    const path = join(tmp, "config.alloy");
    writeFileSync(path, text);
    const read = readSources(path);
    if (hasErrors(read.diagnostics)) return read.diagnostics.map((d) => d.message);
    const controller = new Controller({
      registry: builtinRegistry(),
      logger: createLogger(memorySink("error")),
      metrics: new MetricsRegistry(),
      storagePath: "",
      stability: "generally-available",
      globals: stdlib({ version: "", env: (name) => env[name] }),
    });
    const diags = await controller.load(read.sources);
    return diags.filter((d) => d.severity === "error").map((d) => d.message);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Every workload (Deployment, StatefulSet) with its pod template. */
function workloads(docs: Doc[]): Obj[] {
  return docs.map((d) => d.obj).filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet");
}

/** The ConfigMap name mounted at /etc/solder in the workload's solder container. */
function configMapOf(w: Obj): string {
  const spec = w.spec.template.spec;
  const solder = spec.containers.find((c: Obj) => c.name === "solder");
  const mount = solder.volumeMounts.find((m: Obj) => m.mountPath === "/etc/solder");
  const volume = spec.volumes.find((v: Obj) => v.name === mount.name);
  return volume.configMap.name;
}

describe("deploy/kubernetes manifests", () => {
  const docs = loadManifests();

  test("kustomization.yaml lists exactly the manifest files", () => {
    const k = parseAllDocuments(readFileSync(join(dir, "kustomization.yaml"), "utf8"))[0]!.toJS() as Obj;
    assert.equal(k.apiVersion, "kustomize.config.k8s.io/v1beta1");
    assert.equal(k.kind, "Kustomization");
    assert.deepEqual([...k.resources].sort(), [...new Set(docs.map((d) => d.file))].sort());
    // The image tag kustomize sets is the package's version, like the one written in the workloads.
    const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
    assert.deepEqual(k.images, [{ name: "ghcr.io/solder/solder", newTag: version }]);
    for (const w of workloads(docs)) assert.equal(w.spec.template.spec.containers[0].image, `ghcr.io/solder/solder:${version}`);
  });

  test("has the objects the topology needs", () => {
    const kinds = docs.map((d) => `${d.obj.kind}/${d.obj.metadata?.name}`).sort();
    assert.deepEqual(kinds, [
      "ConfigMap/solder-gateway",
      "ConfigMap/solder-tier",
      "Deployment/solder-gateway",
      "HorizontalPodAutoscaler/solder-gateway",
      "PodDisruptionBudget/solder-gateway",
      "PodDisruptionBudget/solder-tier",
      "Service/solder-gateway",
      "Service/solder-tier",
      "StatefulSet/solder-tier",
    ]);
    for (const { obj } of docs) assert.equal(obj.metadata.namespace, undefined, `${obj.kind}/${obj.metadata.name} is namespace-agnostic`);
  });

  for (const { file, obj } of loadManifests()) {
    test(`${file}: ${obj.kind} ${obj.metadata?.name} is valid against the Kubernetes OpenAPI schema`, async () => {
      assert.deepEqual(await schemaProblems(obj), []);
    });
  }

  test("invalid objects are rejected by the schema check", async () => {
    const deployment = named(docs, "Deployment", "solder-gateway");
    const bad: Array<[string, Obj, RegExp]> = [];
    const replicas = clone(deployment);
    replicas.spec.replicas = "two";
    bad.push(["replicas as a string", replicas, /replicas must be integer/]);
    const nameless = clone(deployment);
    delete nameless.spec.template.spec.containers[0].name;
    bad.push(["container without a name", nameless, /must have required property .?name/]);
    const quantity = clone(deployment);
    quantity.spec.template.spec.containers[0].resources.requests.memory = "768 megs";
    bad.push(["memory request that is not a quantity", quantity, /quantity/]);
    const probe = clone(deployment);
    probe.spec.template.spec.containers[0].readinessProbe.httpGet.port = [12345];
    bad.push(["probe port that is neither a number nor a name", probe, /port/]);
    const hpa = clone(named(docs, "HorizontalPodAutoscaler", "solder-gateway"));
    delete hpa.spec.scaleTargetRef;
    bad.push(["HPA without scaleTargetRef", hpa, /scaleTargetRef/]);
    const pdb = clone(named(docs, "PodDisruptionBudget", "solder-tier"));
    pdb.spec.maxUnavailable = { count: 1 };
    bad.push(["PDB maxUnavailable that is an object", pdb, /maxUnavailable/]);
    bad.push(["unknown kind", { ...clone(deployment), kind: "Deploymnet" }, /unknown kind Deploymnet in apps\/v1/]);
    bad.push(["unknown apiVersion", { ...clone(deployment), apiVersion: "apps/v2" }, /unknown apiVersion apps\/v2/]);
    for (const [what, obj, want] of bad) {
      const problems = await schemaProblems(obj);
      assert.ok(problems.length > 0, `${what}: rejected`);
      assert.match(problems.join("; "), want, what);
    }
  });

  test("selectors, names and ports agree across objects", () => {
    for (const w of workloads(docs)) {
      const podLabels = w.spec.template.metadata.labels;
      assert.ok(matches(w.spec.selector.matchLabels, podLabels), `${w.metadata.name}: selector matches its pods`);
      const spec = w.spec.template.spec;
      const volumes = new Set(spec.volumes.map((v: Obj) => v.name));
      for (const c of spec.containers) {
        for (const m of c.volumeMounts ?? []) assert.ok(volumes.has(m.name), `${w.metadata.name}/${c.name}: volume ${m.name} exists`);
        const ports = new Set((c.ports ?? []).map((p: Obj) => p.name));
        for (const probe of [c.readinessProbe, c.livenessProbe].filter(Boolean)) assert.ok(ports.has(probe.httpGet.port), `${c.name}: probe port is a named port of the container`);
      }
      assert.equal(byKind(docs, "ConfigMap").filter((cm) => cm.metadata.name === configMapOf(w)).length, 1, `${w.metadata.name}: its ConfigMap exists`);
      // Every workload has a disruption budget covering its pods.
      assert.equal(byKind(docs, "PodDisruptionBudget").filter((p) => matches(p.spec.selector.matchLabels, podLabels)).length, 1, `${w.metadata.name}: one PDB`);
    }
    // Services select pods of exactly one workload, on ports those pods name.
    for (const svc of byKind(docs, "Service")) {
      const targets = workloads(docs).filter((w) => matches(svc.spec.selector, w.spec.template.metadata.labels));
      assert.equal(targets.length, 1, `Service ${svc.metadata.name} selects one workload`);
      const named = new Set(targets[0]!.spec.template.spec.containers.flatMap((c: Obj) => (c.ports ?? []).map((p: Obj) => p.name)));
      for (const p of svc.spec.ports) assert.ok(named.has(p.targetPort), `Service ${svc.metadata.name}: targetPort ${p.targetPort}`);
    }
    const hpa = named(docs, "HorizontalPodAutoscaler", "solder-gateway");
    const gateway = named(docs, "Deployment", hpa.spec.scaleTargetRef.name);
    assert.equal(hpa.spec.scaleTargetRef.kind, "Deployment");
    assert.equal(gateway.spec.replicas, undefined, "the HPA, not the Deployment, sets the gateway's replicas");
    // An HPA on CPU utilization needs a CPU request to divide by.
    assert.ok(gateway.spec.template.spec.containers.every((c: Obj) => c.resources?.requests?.cpu !== undefined));
    // The StatefulSet's governing Service is headless and selects it.
    const tier = named(docs, "StatefulSet", "solder-tier");
    const headless = named(docs, "Service", tier.spec.serviceName);
    assert.equal(headless.spec.clusterIP, "None");
    assert.notEqual(headless.spec.publishNotReadyAddresses, true, "only ready tier pods join the gateways' ring");
  });

  test("containers: probes on /-/ready and /-/healthy, listening beyond loopback, non-root, read-only root fs", () => {
    for (const w of workloads(docs)) {
      const spec = w.spec.template.spec;
      assert.equal(spec.securityContext.runAsNonRoot, true);
      const solder = spec.containers.find((c: Obj) => c.name === "solder");
      assert.equal(solder.readinessProbe.httpGet.path, "/-/ready");
      assert.equal(solder.livenessProbe.httpGet.path, "/-/healthy");
      const admin = solder.ports.find((p: Obj) => p.name === solder.readinessProbe.httpGet.port);
      assert.ok(solder.args.includes(`--server.http.listen-addr=0.0.0.0:${admin.containerPort}`), "the admin server listens on the pod IP the kubelet probes");
      const storage = solder.args.find((a: string) => a.startsWith("--storage.path="))?.slice("--storage.path=".length);
      assert.ok(solder.volumeMounts.some((m: Obj) => m.mountPath === storage && !m.readOnly), "--storage.path is a writable volume");
      assert.equal(solder.args.at(-1), "/etc/solder/config.alloy");
      for (const c of spec.containers) {
        assert.equal(c.securityContext.readOnlyRootFilesystem, true, `${c.name}: read-only root fs`);
        assert.equal(c.securityContext.allowPrivilegeEscalation, false, `${c.name}: no privilege escalation`);
        assert.ok(c.resources?.limits?.memory, `${c.name}: memory limit`);
      }
      // The reloader watches the config mount and calls solder's reload endpoint on the admin port.
      const reloader = spec.containers.find((c: Obj) => c.name === "config-reloader");
      assert.ok(reloader.args.includes("--volume-dir=/etc/solder"));
      assert.ok(reloader.args.includes(`--webhook-url=http://127.0.0.1:${admin.containerPort}/-/reload`));
      assert.ok(reloader.volumeMounts.some((m: Obj) => m.mountPath === "/etc/solder" && m.subPath === undefined));
    }
  });

  test("the Alloy configurations in the ConfigMaps are formatted and valid with their containers' environment", async () => {
    for (const w of workloads(docs)) {
      const cm = named(docs, "ConfigMap", configMapOf(w));
      const text = cm.data["config.alloy"];
      assert.equal(typeof text, "string", `${cm.metadata.name} has config.alloy`);
      const fmt = captureIo(text);
      assert.equal(await main(["fmt", "--test", "-"], fmt), 0, `${cm.metadata.name}: solder fmt --test\n${fmt.stderrText}`);
      const solder = w.spec.template.spec.containers.find((c: Obj) => c.name === "solder");
      assert.deepEqual(await alloyProblems(text, containerEnv(w, solder)), [], `${cm.metadata.name} validates`);
    }
    // Negative: the tier's config needs the UPSTREAM_OTLP_ENDPOINT its StatefulSet sets.
    const tierConfig = named(docs, "ConfigMap", "solder-tier").data["config.alloy"];
    assert.match((await alloyProblems(tierConfig, {})).join("; "), /at least one endpoint must be specified/);
    // Negative: a broken config is reported.
    assert.ok((await alloyProblems(tierConfig.replace("otelcol.processor.batch.default.input", "otelcol.processor.batch.missing.input"), { UPSTREAM_OTLP_ENDPOINT: "http://x:4318" })).length > 0);
  });

  test("the gateway's load-balancing exporter resolves the tier's headless Service on its OTLP port", () => {
    const gatewayConfig = named(docs, "ConfigMap", configMapOf(named(docs, "Deployment", "solder-gateway"))).data["config.alloy"];
    const { file, diagnostics } = parseFile("gateway.alloy", gatewayConfig);
    assert.deepEqual(diagnostics, []);
    const text = gatewayConfig as string;
    assert.equal(file.body.length > 0, true);
    const hostname = /dns\s*\{[^}]*hostname\s*=\s*"([^"]+)"/.exec(text)?.[1];
    const port = /dns\s*\{[^}]*port\s*=\s*"([^"]+)"/.exec(text)?.[1];
    const tier = named(docs, "StatefulSet", "solder-tier");
    const headless = named(docs, "Service", hostname!);
    assert.equal(headless.metadata.name, tier.spec.serviceName);
    assert.equal(headless.spec.ports.find((p: Obj) => String(p.port) === port)?.targetPort, "otlp-grpc");
    // The tier receives on that port.
    const tierConfig = named(docs, "ConfigMap", configMapOf(tier)).data["config.alloy"] as string;
    assert.match(tierConfig, new RegExp(`endpoint = "0\\.0\\.0\\.0:${port}"`));
  });

  const kubectl = spawnSync("sh", ["-c", "command -v kubectl"], { encoding: "utf8" }).stdout.trim();
  test("kubectl kustomize builds the kustomization into the same objects", { skip: kubectl ? false : "no kubectl installed" }, () => {
    const r = spawnSync(kubectl, ["kustomize", dir], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const built = parseAllDocuments(r.stdout).map((d) => d.toJS() as Obj);
    assert.deepEqual(built.map((o) => `${o.kind}/${o.metadata.name}`).sort(), docs.map((d) => `${d.obj.kind}/${d.obj.metadata.name}`).sort());
    for (const o of built) assert.equal(o.metadata.labels["app.kubernetes.io/part-of"], "solder");
  });
});
