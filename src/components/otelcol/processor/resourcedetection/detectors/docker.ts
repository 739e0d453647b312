// The `docker` detector (spec: alloy-components.md §2.5): asks the Docker daemon the gateway can
// reach (DOCKER_HOST, default the unix socket /var/run/docker.sock) for its host's name and OS,
// via the Engine API's GET /info. No daemon there → the core logs it and uses nothing.

import type { DetectContext, Detection, Detector } from "../detector.ts";
import { httpGet, onlyEnabled, parseJson } from "../detector.ts";
import { osTypeOf } from "./system.ts";

/** The daemon's address when DOCKER_HOST is unset. */
export const DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";

/** Where to send the request: an HTTP base URL, and the unix socket when there is one. */
export function dockerEndpoint(dockerHost: string | undefined): { base: string; socketPath?: string } {
  const host = dockerHost || DEFAULT_DOCKER_HOST;
  if (host.startsWith("unix://")) return { base: "http://docker", socketPath: host.slice("unix://".length) };
  if (host.startsWith("tcp://")) return { base: `http://${host.slice("tcp://".length)}` };
  if (host.startsWith("http://") || host.startsWith("https://")) return { base: host.replace(/\/+$/, "") };
  throw new Error(`unsupported DOCKER_HOST ${JSON.stringify(host)}: solder speaks to unix://, tcp:// and http(s):// daemons`);
}

async function dockerInfo(ctx: DetectContext): Promise<Record<string, unknown>> {
  const { base, socketPath } = dockerEndpoint(ctx.env("DOCKER_HOST"));
  const res = await httpGet(`${base}/info`, { signal: ctx.signal, ...(socketPath ? { socketPath } : {}) });
  if (res.status !== 200) throw new Error(`docker daemon answered ${res.status} to GET /info: ${res.body.slice(0, 200)}`);
  const info = parseJson(res.body, "the docker daemon");
  if (info === null || typeof info !== "object" || Array.isArray(info)) throw new Error("malformed response from the docker daemon: not a JSON object");
  return info as Record<string, unknown>;
}

/** `docker`: host.name and os.type of the Docker daemon's host. */
export const dockerDetector: Detector = {
  name: "docker",
  attributes: { "host.name": true, "os.type": true },
  async detect(ctx, _args, enabled): Promise<Detection> {
    const info = await dockerInfo(ctx);
    const name = typeof info.Name === "string" ? info.Name : undefined;
    // The daemon reports Go's GOOS ("linux", "windows"); semconv spells a few differently.
    const osType = typeof info.OSType === "string" && info.OSType !== "" ? osTypeOf(goosToPlatform(info.OSType)) : undefined;
    if (name === undefined) ctx.logger.warn("docker daemon did not report its Name; host.name left out");
    if (osType === undefined) ctx.logger.warn("docker daemon did not report its OSType; os.type left out");
    return { attributes: onlyEnabled({ "host.name": name, "os.type": osType }, enabled), schemaUrl: "https://opentelemetry.io/schemas/1.6.1" };
  },
};

/** GOOS → process.platform for the names that differ, so osTypeOf applies. */
function goosToPlatform(goos: string): string {
  return { windows: "win32", solaris: "sunos", zos: "os390" }[goos] ?? goos;
}
