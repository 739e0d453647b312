// The `kubernetes_node` detector (spec: alloy-components.md §2.5): reads the Node object the
// gateway runs on from the Kubernetes API → k8s.node.name, k8s.node.uid. The node's name comes
// from an environment variable (`node_from_env_var`, set through the downward API).
//
// Also the small Kubernetes API client `kubeadm` shares: `auth_type` "none" and
// "serviceAccount" talk to the in-cluster API (https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT),
// "kubeConfig" to the cluster of a kubeconfig context.
//
// SOLDER_KUBERNETES_API_SCHEME (solder-specific): "http" makes the in-cluster requests use plain
// HTTP instead of HTTPS — for tests against a fake API on 127.0.0.1, or a local `kubectl proxy`.
// SOLDER_KUBERNETES_SERVICE_ACCOUNT_DIR (solder-specific, for tests): where the service account's
// token, ca.crt and namespace files are read instead of /var/run/secrets/kubernetes.io/serviceaccount.

import { homedir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import type { DetectContext, Detection, Detector, HttpGetOptions } from "../detector.ts";
import { httpGet, onlyEnabled, parseJson } from "../detector.ts";
import { attr, t, type AttrSpec } from "../../../../../runtime/schema.ts";

/** The environment variable that switches in-cluster requests to plain HTTP (tests only). */
export const SCHEME_OVERRIDE_ENV = "SOLDER_KUBERNETES_API_SCHEME";

/** The environment variable that moves the service account directory (tests only). */
export const SERVICE_ACCOUNT_DIR_ENV = "SOLDER_KUBERNETES_SERVICE_ACCOUNT_DIR";

const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** The directory holding the pod's service account files (token, ca.crt, namespace). */
export function serviceAccountDir(env: (name: string) => string | undefined): string {
  return env(SERVICE_ACCOUNT_DIR_ENV) || SERVICE_ACCOUNT_DIR;
}
const AUTH_TYPES = ["none", "serviceAccount", "kubeConfig", "tls"];

/** Alloy's Kubernetes API arguments, shared by `kubernetes_node` and `kubeadm`. */
export interface KubernetesApiArgs {
  auth_type: string;
  /** The kubeconfig context to use with auth_type "kubeConfig" (default: the current one). */
  context: string;
}

/** The attributes of KubernetesApiArgs (Alloy's default auth_type for these detectors is "none"). */
export const kubernetesApiAttrs: Record<string, AttrSpec> = { auth_type: attr(t.string, "none"), context: attr(t.string, "") };

/** Alloy's message for a bad auth_type. */
export function validateKubernetesApi(a: KubernetesApiArgs): string[] {
  return AUTH_TYPES.includes(a.auth_type) ? [] : [`invalid auth_type "${a.auth_type}"`];
}

/** Where and how to reach the API server. */
export interface KubernetesClient {
  base: string;
  headers: Record<string, string>;
  tls?: HttpGetOptions["tls"];
}

/** Builds the client for `auth_type` (reads the service account or kubeconfig files). */
export async function kubernetesClient(ctx: DetectContext, a: KubernetesApiArgs): Promise<KubernetesClient> {
  switch (a.auth_type) {
    case "none":
      // Upstream: no credentials, and the server certificate is not verified.
      return { base: inClusterBase(ctx), headers: {}, tls: { rejectUnauthorized: false } };
    case "serviceAccount": {
      const base = inClusterBase(ctx);
      const dir = serviceAccountDir((n) => ctx.env(n));
      const token = (await ctx.readFile(`${dir}/token`)).trim();
      // Over plain HTTP (the test-only scheme override) there is no certificate to check.
      const ca = base.startsWith("http:") ? undefined : await ctx.readFile(`${dir}/ca.crt`);
      return { base, headers: { authorization: `Bearer ${token}` }, ...(ca === undefined ? {} : { tls: { ca } }) };
    }
    case "kubeConfig":
      return kubeconfigClient(ctx, a.context);
    default:
      throw new Error(`auth_type "${a.auth_type}" is not supported by solder: the block has no client certificate settings; use "serviceAccount" or "kubeConfig"`);
  }
}

function inClusterBase(ctx: DetectContext): string {
  const host = ctx.env("KUBERNETES_SERVICE_HOST");
  const port = ctx.env("KUBERNETES_SERVICE_PORT");
  if (!host || !port) throw new Error("unable to load k8s config, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined");
  const scheme = ctx.env(SCHEME_OVERRIDE_ENV) === "http" ? "http" : "https";
  return `${scheme}://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

type Yaml = Record<string, unknown>;

/** The named entry of a kubeconfig list (`clusters`, `users`, `contexts`). */
function named(doc: Yaml, list: string, name: string): Yaml {
  const entry = (Array.isArray(doc[list]) ? (doc[list] as Yaml[]) : []).find((e) => e?.name === name);
  const inner = entry?.[list.slice(0, -1)];
  if (!inner || typeof inner !== "object") throw new Error(`kubeconfig has no ${list.slice(0, -1)} named "${name}"`);
  return inner as Yaml;
}

/** Client from a kubeconfig ($KUBECONFIG's first file, else ~/.kube/config). */
async function kubeconfigClient(ctx: DetectContext, contextName: string): Promise<KubernetesClient> {
  const path = ctx.env("KUBECONFIG")?.split(process.platform === "win32" ? ";" : ":").find(Boolean) ?? join(ctx.env("HOME") ?? homedir(), ".kube", "config");
  const doc = parseYaml(await ctx.readFile(path)) as Yaml;
  if (!doc || typeof doc !== "object") throw new Error(`${path} is not a kubeconfig`);
  const name = contextName || String(doc["current-context"] ?? "");
  if (!name) throw new Error(`${path} has no current-context; set context`);
  const context = named(doc, "contexts", name);
  const cluster = named(doc, "clusters", String(context.cluster));
  const user = context.user === undefined ? {} : named(doc, "users", String(context.user));
  const str = (o: Yaml, k: string) => (typeof o[k] === "string" ? (o[k] as string) : undefined);
  const fromB64 = (s: string | undefined) => (s === undefined ? undefined : new TextDecoder().decode(Uint8Array.from(atob(s), (c) => c.charCodeAt(0))));
  const fileOrData = async (o: Yaml, file: string, data: string) => fromB64(str(o, data)) ?? (str(o, file) ? await ctx.readFile(str(o, file)!) : undefined);

  const server = str(cluster, "server");
  if (!server) throw new Error(`kubeconfig cluster "${context.cluster}" has no server`);
  if (user.exec || user["auth-provider"]) throw new Error("kubeconfig credential plugins (exec, auth-provider) are not supported by solder");
  const headers: Record<string, string> = {};
  const token = str(user, "token") ?? (str(user, "tokenFile") ? (await ctx.readFile(str(user, "tokenFile")!)).trim() : undefined);
  if (token) headers.authorization = `Bearer ${token}`;
  else if (str(user, "username")) headers.authorization = `Basic ${btoa(`${str(user, "username")}:${str(user, "password") ?? ""}`)}`;
  const tls: NonNullable<HttpGetOptions["tls"]> = { rejectUnauthorized: cluster["insecure-skip-tls-verify"] !== true };
  const ca = await fileOrData(cluster, "certificate-authority", "certificate-authority-data");
  const cert = await fileOrData(user, "client-certificate", "client-certificate-data");
  const key = await fileOrData(user, "client-key", "client-key-data");
  if (ca) tls.ca = ca;
  if (cert) tls.cert = cert;
  if (key) tls.key = key;
  if (str(cluster, "tls-server-name")) tls.servername = str(cluster, "tls-server-name")!;
  return { base: server.replace(/\/+$/, ""), headers, tls };
}

/** GETs an API path and returns the decoded object; a non-200 status is an error naming the path. */
export async function kubernetesGet(ctx: DetectContext, client: KubernetesClient, path: string): Promise<Record<string, unknown>> {
  const res = await httpGet(client.base + path, { signal: ctx.signal, headers: client.headers, ...(client.tls ? { tls: client.tls } : {}) });
  if (res.status !== 200) throw new Error(`kubernetes API answered ${res.status} to GET ${path}: ${res.body.slice(0, 200)}`);
  const obj = parseJson(res.body, `the kubernetes API (${path})`);
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) throw new Error(`malformed response from the kubernetes API (${path}): not a JSON object`);
  return obj as Record<string, unknown>;
}

/** `metadata.<field>` of an API object, when it is a non-empty string. */
export function metadataField(obj: Record<string, unknown>, field: string): string | undefined {
  const meta = obj.metadata as Record<string, unknown> | undefined;
  const v = meta && typeof meta === "object" ? meta[field] : undefined;
  return typeof v === "string" && v !== "" ? v : undefined;
}

export interface KubernetesNodeArgs extends KubernetesApiArgs {
  node_from_env_var: string;
}

/** `kubernetes_node`: name and UID of the node named by `node_from_env_var`. */
export const kubernetesNodeDetector: Detector<KubernetesNodeArgs> = {
  name: "kubernetes_node",
  block: {
    attrs: { ...kubernetesApiAttrs, node_from_env_var: attr(t.string, "K8S_NODE_NAME") },
    validate: validateKubernetesApi,
  },
  attributes: { "k8s.node.name": true, "k8s.node.uid": true },
  async detect(ctx, args, enabled): Promise<Detection> {
    const nodeName = ctx.env(args.node_from_env_var);
    if (!nodeName) throw new Error(`node name can't be found: the environment variable ${args.node_from_env_var} is not set (set it from spec.nodeName with the downward API)`);
    const client = await kubernetesClient(ctx, args);
    const node = await kubernetesGet(ctx, client, `/api/v1/nodes/${encodeURIComponent(nodeName)}`);
    const uid = metadataField(node, "uid");
    if (uid === undefined) throw new Error(`kubernetes node "${nodeName}" has no metadata.uid`);
    return { attributes: onlyEnabled({ "k8s.node.name": metadataField(node, "name") ?? nodeName, "k8s.node.uid": uid }, enabled), schemaUrl: "https://opentelemetry.io/schemas/1.6.1" };
  },
};
