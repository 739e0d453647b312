// The `system` detector (spec: alloy-components.md §2.4): the gateway host's name (from the
// `hostname_sources`, tried in order), OS family, and — when switched on — machine id, OS
// description, architecture, CPU, addresses, MACs and interfaces. Every outside fact comes
// through SystemFacts or the DetectContext, so tests run against fixtures, never real DNS.

import * as dns from "node:dns/promises";
import * as os from "node:os";
import type { DetectContext, Detection, DetectedValue, Detector } from "../detector.ts";
import { onlyEnabled } from "../detector.ts";
import { attr, t } from "../../../../../runtime/schema.ts";

/** The semantic-conventions version the system detector reports (upstream: semconv 1.6.1). */
export const SYSTEM_SCHEMA_URL = "https://opentelemetry.io/schemas/1.6.1";

const SOURCES = ["dns", "os", "cname", "lookup"] as const;

export interface SystemArgs {
  hostname_sources: string[];
}

/** The host facts the detector reads besides files; tests replace any of them. */
export interface SystemFacts {
  hostname(): string;
  /** `process.platform`. */
  platform: string;
  /** `process.arch`. */
  arch: string;
  /** uname: sysname, release, version, machine. */
  uname(): { sysname: string; release: string; version: string; machine: string };
  networkInterfaces(): NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  /** Where the hosts file is (`/etc/hosts`). */
  hostsFile: string;
  resolveCname(host: string): Promise<string[]>;
  /** Forward lookup through the system resolver (getaddrinfo: hosts file, then DNS). */
  lookup(host: string): Promise<string[]>;
  reverse(ip: string): Promise<string[]>;
  /**
   * How long one hostname source may take. A resolver that never answers would otherwise use up
   * the whole detection `timeout`, leaving no time for the next source (typically "os").
   */
  sourceTimeoutMs: number;
}

const NODE_FACTS: SystemFacts = {
  hostname: () => os.hostname(),
  platform: process.platform,
  arch: process.arch,
  uname: () => ({ sysname: os.type(), release: os.release(), version: os.version(), machine: os.machine() }),
  networkInterfaces: () => os.networkInterfaces(),
  hostsFile: process.platform === "win32" ? "C:\\Windows\\System32\\drivers\\etc\\hosts" : "/etc/hosts",
  resolveCname: (host) => dns.resolveCname(host),
  lookup: async (host) => (await dns.lookup(host, { all: true })).map((a) => a.address),
  reverse: (ip) => dns.reverse(ip),
  sourceTimeoutMs: 2000,
};

// process.platform → semconv os.type (upstream: GOOS mapping).
const OS_TYPES: Record<string, string> = {
  linux: "linux", android: "linux", darwin: "darwin", win32: "windows", cygwin: "windows", freebsd: "freebsd",
  netbsd: "netbsd", openbsd: "openbsd", sunos: "solaris", aix: "aix", os390: "z_os", dragonfly: "dragonflybsd",
};

// process.arch → semconv host.arch (upstream: GOARCH mapping; Node's ppc64 is the little-endian one).
const ARCHES: Record<string, string> = { x64: "amd64", arm64: "arm64", ia32: "x86", arm: "arm32", ppc: "ppc32", ppc64: "ppc64", s390x: "s390x" };

/** Semconv os.type for a `process.platform` value. */
export function osTypeOf(platform: string): string {
  return OS_TYPES[platform] ?? platform;
}

/** Semconv host.arch for a `process.arch` value. */
export function hostArchOf(arch: string): string {
  return ARCHES[arch] ?? arch;
}

/** Every attribute and whether it is on by default (spec §2.4: only host.name and os.type). */
const ATTRIBUTES: Record<string, boolean> = {
  "host.name": true,
  "os.type": true,
  "host.id": false,
  "host.arch": false,
  "host.ip": false,
  "host.mac": false,
  "host.interface": false,
  "host.cpu.vendor.id": false,
  "host.cpu.family": false,
  "host.cpu.model.id": false,
  "host.cpu.model.name": false,
  "host.cpu.stepping": false,
  "host.cpu.cache.l2.size": false,
  "os.description": false,
  "os.name": false,
  "os.version": false,
  "os.build.id": false,
};

/** The system detector reading `facts`. */
export function createSystemDetector(overrides: Partial<SystemFacts> = {}): Detector<SystemArgs> {
  const facts: SystemFacts = { ...NODE_FACTS, ...overrides };
  return {
    name: "system",
    block: {
      attrs: { hostname_sources: attr(t.list(t.string), ["dns", "os"]) },
      validate: (a: SystemArgs) => a.hostname_sources.filter((s) => !(SOURCES as readonly string[]).includes(s)).map((s) => `invalid hostname source: ${s}`),
    },
    attributes: ATTRIBUTES,
    detect: (ctx, args, enabled) => detectSystem(facts, ctx, args, enabled),
  };
}

/** `system`, reading the real host. */
export const systemDetector: Detector<SystemArgs> = createSystemDetector();

async function detectSystem(facts: SystemFacts, ctx: DetectContext, args: SystemArgs, enabled: (a: string) => boolean): Promise<Detection> {
  const hostname = await hostnameFrom(facts, ctx, args.hostname_sources);
  const found: Record<string, DetectedValue | undefined> = { "host.name": hostname, "os.type": osTypeOf(facts.platform) };
  if (enabled("host.arch")) found["host.arch"] = hostArchOf(facts.arch);
  if (enabled("host.id")) found["host.id"] = await hostId(facts, ctx);
  if (["os.description", "os.name", "os.version", "os.build.id"].some(enabled)) Object.assign(found, await osFacts(facts, ctx));
  if (Object.keys(ATTRIBUTES).some((a) => a.startsWith("host.cpu.") && enabled(a))) Object.assign(found, await cpuFacts(ctx));
  if (enabled("host.ip") || enabled("host.mac") || enabled("host.interface")) Object.assign(found, networkFacts(facts));
  return { attributes: onlyEnabled(found, enabled), schemaUrl: SYSTEM_SCHEMA_URL };
}

/** Tries the sources in order; the first that yields a name wins (spec §2.4). */
async function hostnameFrom(facts: SystemFacts, ctx: DetectContext, sources: string[]): Promise<string> {
  for (const source of sources) {
    try {
      const name = await withinMs(hostnameBy(source, facts, ctx), facts.sourceTimeoutMs, `hostname source ${source} did not answer`);
      if (name) return name;
      ctx.logger.debug("hostname source gave an empty name", { source });
    } catch (err) {
      ctx.logger.debug("hostname source failed", { source, error: (err as Error).message });
    }
  }
  throw new Error("all hostname sources failed to get hostname");
}

/** Rejects after `ms`, whatever `p` does. */
function withinMs<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${message} within ${ms}ms`)), ms)));
  return Promise.race([p, expired]).finally(() => clearTimeout(timer));
}

function hostnameBy(source: string, facts: SystemFacts, ctx: DetectContext): Promise<string> {
  switch (source) {
    case "os":
      return Promise.resolve(facts.hostname());
    case "dns":
      return fqdn(facts, ctx);
    case "cname":
      return cname(facts, facts.hostname());
    case "lookup":
      return reverseLookup(facts, facts.hostname());
    default:
      return Promise.reject(new Error(`invalid hostname source: ${source}`));
  }
}

/**
 * The FQDN as Go's go-fqdn finds it: the hosts-file line naming the OS hostname gives its
 * canonical name; otherwise the CNAME of the hostname; otherwise the reverse lookup of its addresses.
 */
async function fqdn(facts: SystemFacts, ctx: DetectContext): Promise<string> {
  const host = facts.hostname();
  let hosts: string | undefined;
  try {
    hosts = await ctx.readFile(facts.hostsFile);
  } catch (err) {
    ctx.logger.debug("cannot read the hosts file", { path: facts.hostsFile, error: (err as Error).message });
  }
  const fromHosts = hosts === undefined ? undefined : canonicalFromHosts(hosts, host);
  if (fromHosts) return fromHosts;
  try {
    return await cname(facts, host);
  } catch {
    return reverseLookup(facts, host);
  }
}

/** The canonical name (first name) of the first hosts-file line that lists `host`. */
export function canonicalFromHosts(text: string, host: string): string | undefined {
  for (const raw of text.split("\n")) {
    const fields = raw.replace(/#.*/, "").trim().split(/\s+/);
    if (fields.length < 2) continue;
    if (fields.slice(1).some((name) => name.toLowerCase() === host.toLowerCase())) return fields[1];
  }
  return undefined;
}

async function cname(facts: SystemFacts, host: string): Promise<string> {
  const names = await facts.resolveCname(host);
  const name = trimDot(names[0] ?? "");
  if (!name) throw new Error(`no CNAME for ${host}`);
  return name;
}

/** Resolves the name to addresses and returns the first name a reverse lookup finds. */
async function reverseLookup(facts: SystemFacts, host: string): Promise<string> {
  for (const ip of await facts.lookup(host)) {
    try {
      const names = await facts.reverse(ip);
      if (names.length > 0 && names[0]) return trimDot(names[0]);
    } catch {
      // the next address may have a PTR record
    }
  }
  throw new Error(`no reverse DNS name for the addresses of ${host}`);
}

function trimDot(s: string): string {
  return s.endsWith(".") ? s.slice(0, -1) : s;
}

/** The machine id; a failure is a warning and leaves host.id out (spec §2.4). */
async function hostId(facts: SystemFacts, ctx: DetectContext): Promise<string | undefined> {
  const paths = facts.platform === "linux" ? ["/etc/machine-id", "/var/lib/dbus/machine-id"] : ["/etc/hostid"];
  for (const path of paths) {
    try {
      const id = (await ctx.readFile(path)).trim();
      if (id) return id;
    } catch {
      // try the next file
    }
  }
  ctx.logger.warn("failed to get host ID", { tried: paths.join(",") });
  return undefined;
}

/** Parses os-release(5): KEY=value lines, values optionally quoted. */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^\s*([A-Za-z0-9_]+)=(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2]!.trim();
    if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.endsWith(v[0]!)) v = v.slice(1, -1).replace(/\\(["'`$\\])/g, "$1");
    out[m[1]!] = v;
  }
  return out;
}

/** os.description (`<NAME VERSION> (<uname>)`, as the OTel Go SDK writes it), os.name/version/build.id. */
async function osFacts(facts: SystemFacts, ctx: DetectContext): Promise<Record<string, string | undefined>> {
  let release: Record<string, string> = {};
  for (const path of ["/etc/os-release", "/usr/lib/os-release"]) {
    try {
      release = parseOsRelease(await ctx.readFile(path));
      break;
    } catch {
      // the next file, or none on non-Linux hosts
    }
  }
  const u = facts.uname();
  const uname = [u.sysname, facts.hostname(), u.release, u.version, u.machine].filter(Boolean).join(" ");
  const version = release.VERSION || release.VERSION_ID;
  const pretty = release.NAME && version ? `${release.NAME} ${version}` : release.PRETTY_NAME;
  return {
    "os.description": pretty ? `${pretty} (${uname})` : uname,
    "os.name": release.NAME,
    "os.version": release.VERSION_ID,
    "os.build.id": release.BUILD_ID,
  };
}

/** host.cpu.* from the first processor in /proc/cpuinfo; missing file or fields leave them out. */
async function cpuFacts(ctx: DetectContext): Promise<Record<string, DetectedValue | undefined>> {
  let text: string;
  try {
    text = await ctx.readFile("/proc/cpuinfo");
  } catch (err) {
    ctx.logger.warn("failed to read CPU information", { error: (err as Error).message });
    return {};
  }
  const cpu = firstCpu(text);
  const cache = /^(\d+)/.exec(cpu["cache size"] ?? "");
  return {
    "host.cpu.vendor.id": cpu.vendor_id,
    "host.cpu.family": cpu["cpu family"],
    "host.cpu.model.id": cpu.model,
    "host.cpu.model.name": cpu["model name"],
    "host.cpu.stepping": cpu.stepping,
    "host.cpu.cache.l2.size": cache ? Number(cache[1]) : undefined,
  };
}

/** The `key : value` pairs of the first block (blocks are separated by blank lines). */
export function firstCpu(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    if (line.trim() === "") {
      if (Object.keys(out).length > 0) break;
      continue;
    }
    const i = line.indexOf(":");
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

/** Addresses, MACs and names of the non-loopback interfaces (Node lists only those that are up). */
function networkFacts(facts: SystemFacts): Record<string, string[]> {
  const ips: string[] = [];
  const macs: string[] = [];
  const names: string[] = [];
  for (const [name, addrs] of Object.entries(facts.networkInterfaces())) {
    const external = (addrs ?? []).filter((a) => !a.internal);
    if (external.length === 0) continue;
    names.push(name);
    for (const a of external) ips.push(a.address);
    const mac = external.find((a) => a.mac && a.mac !== "00:00:00:00:00:00")?.mac;
    if (mac) macs.push(mac.toUpperCase().replaceAll(":", "-"));
  }
  return { "host.ip": ips, "host.mac": macs, "host.interface": names };
}
