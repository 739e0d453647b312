// A tiny npm registry on 127.0.0.1 for tests that install packages (bunx, bun install) without
// the public registry. It serves the "packument" protocol — GET /<name> (scoped names as
// /@scope%2fname or /@scope/name) → the package's versions with dist.tarball/integrity/shasum —
// and GET of each tarball. Every requested path is recorded; a package it does not hold answers
// 404 and is listed in `unknown`, so a test can fail naming what an install tried to fetch.
// Pointed to as HTTP(S)_PROXY as well, it also catches (and refuses) requests for other hosts.
//
// packDependencyClosure() fills it from the repo's node_modules: the given dependencies and their
// transitive runtime dependencies (dependencies, plus installed optional and peer dependencies),
// each packed with `npm pack <dir>` at its exact installed version.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { dirname, join } from "node:path";

/** One version of one package the registry serves. */
export interface RegistryPackage {
  /** The package's package.json (name, version, dependencies, peerDependencies, bin, …). */
  manifest: PackageJson;
  /** The tarball produced by `npm pack`. */
  tarball: string;
}

export interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  bin?: string | Record<string, string>;
  engines?: Record<string, string>;
  os?: string[];
  cpu?: string[];
  [key: string]: unknown;
}

export interface NpmRegistry {
  /** http://127.0.0.1:PORT/ (with the trailing slash, as registry settings expect). */
  url: string;
  /** Every request, in order, as "METHOD path" (its own origin taken off a proxied one). */
  requests: string[];
  /**
   * Package names that were asked for and are not served (each answered 404), and requests for
   * other hosts that came through it as a proxy ("GET http://…", "CONNECT host:443").
   */
  unknown: string[];
  close(): Promise<void>;
}

/** Fields of a package.json that go into a packument version entry. */
const VERSION_FIELDS = [
  "name", "version", "description", "license", "main", "module", "type", "types", "exports", "bin",
  "dependencies", "optionalDependencies", "peerDependencies", "peerDependenciesMeta", "engines", "os", "cpu",
] as const;

/** Starts the registry on 127.0.0.1 (a port chosen by the OS). */
export async function startNpmRegistry(packages: RegistryPackage[]): Promise<NpmRegistry> {
  const byName = new Map<string, { versions: Map<string, Record<string, unknown>>; latest: string }>();
  const tarballs = new Map<string, Buffer>(); // URL path → bytes
  const requests: string[] = [];
  const unknown: string[] = [];
  let origin = "";
  const server: Server = createServer((req, res) => {
    let path = (req.url ?? "/").split("?")[0]!;
    // Through a proxy setting, a request comes with its absolute URL: ours is served, any other
    // is a request meant for somewhere else.
    if (/^[a-z]+:\/\//i.test(path)) {
      if (!path.startsWith(`${origin}/`)) {
        requests.push(`${req.method} ${path}`);
        unknown.push(`${req.method} ${path}`);
        res.writeHead(403).end();
        return;
      }
      path = path.slice(origin.length);
    }
    requests.push(`${req.method} ${path}`);
    const bytes = tarballs.get(path);
    if (bytes && (req.method === "GET" || req.method === "HEAD")) {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": bytes.length });
      res.end(req.method === "HEAD" ? undefined : bytes);
      return;
    }
    const name = decodeURIComponent(path.slice(1)).replace(/\/$/, "");
    const pkg = byName.get(name);
    if (!pkg || (req.method !== "GET" && req.method !== "HEAD")) {
      if (!unknown.includes(name)) unknown.push(name);
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "Not found" }));
      return;
    }
    const body = JSON.stringify({
      name,
      "dist-tags": { latest: pkg.latest },
      versions: Object.fromEntries(pkg.versions),
      modified: new Date(0).toISOString(),
    });
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(req.method === "HEAD" ? undefined : body);
  });
  // A proxied HTTPS request (CONNECT host:port) is one for somewhere else: refused and listed.
  server.on("connect", (req, socket) => {
    requests.push(`CONNECT ${req.url}`);
    unknown.push(`CONNECT ${req.url}`);
    socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const base = `http://127.0.0.1:${port}`;
  origin = base;

  for (const { manifest, tarball } of packages) {
    const bytes = readFileSync(tarball);
    const file = `${manifest.name.replace(/^@[^/]+\//, "")}-${manifest.version}.tgz`;
    const urlPath = `/${manifest.name}/-/${file}`;
    tarballs.set(urlPath, bytes);
    const entry: Record<string, unknown> = {};
    for (const f of VERSION_FIELDS) if (manifest[f] !== undefined) entry[f] = manifest[f];
    entry.dist = {
      tarball: `${base}${urlPath}`,
      integrity: `sha512-${createHash("sha512").update(bytes).digest("base64")}`,
      shasum: createHash("sha1").update(bytes).digest("hex"),
    };
    let pkg = byName.get(manifest.name);
    if (!pkg) byName.set(manifest.name, (pkg = { versions: new Map(), latest: manifest.version }));
    pkg.versions.set(manifest.version, entry);
    if (Bun.semver.order(manifest.version, pkg.latest) > 0) pkg.latest = manifest.version;
  }

  return {
    url: `${base}/`,
    requests,
    unknown,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readPackageJson(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PackageJson;
}

/** Where `name` resolves from the package in `fromDir` (Node's node_modules lookup, up to `root`). */
function resolvePackageDir(name: string, fromDir: string, root: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dir === root || dirname(dir) === dir) return undefined;
  }
}

/**
 * Packs `deps` (names, resolved from `root`'s node_modules) and all their transitive runtime
 * dependencies into `dest` with one `npm pack` (lifecycle scripts off), at their installed
 * versions. A missing required dependency throws; optional and peer dependencies that are not
 * installed are left out (an installer would skip or not need them).
 */
export function packDependencyClosure(root: string, deps: string[], dest: string): RegistryPackage[] {
  const dirs = new Map<string, PackageJson>(); // package dir → package.json
  const queue: { name: string; from: string; required: boolean }[] = deps.map((name) => ({ name, from: root, required: true }));
  while (queue.length > 0) {
    const { name, from, required } = queue.shift()!;
    const dir = resolvePackageDir(name, from, root);
    if (!dir) {
      if (required) throw new Error(`${name} (needed by ${from}) is not installed under ${root}node_modules`);
      continue;
    }
    if (dirs.has(dir)) continue;
    const pkg = readPackageJson(dir);
    dirs.set(dir, pkg);
    for (const n of Object.keys(pkg.dependencies ?? {})) queue.push({ name: n, from: dir, required: !(n in (pkg.optionalDependencies ?? {})) });
    for (const n of Object.keys(pkg.optionalDependencies ?? {})) queue.push({ name: n, from: dir, required: false });
    for (const n of Object.keys(pkg.peerDependencies ?? {})) queue.push({ name: n, from: dir, required: !pkg.peerDependenciesMeta?.[n]?.optional });
  }
  const list = [...dirs.keys()];
  const out = execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", dest, ...list], {
    cwd: dest,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const infos = JSON.parse(out) as { name: string; version: string; filename: string }[];
  return list.map((dir) => {
    const manifest = dirs.get(dir)!;
    const info = infos.find((i) => i.name === manifest.name && i.version === manifest.version);
    if (!info) throw new Error(`npm pack did not report ${manifest.name}@${manifest.version}`);
    return { manifest, tarball: join(dest, info.filename) };
  });
}
