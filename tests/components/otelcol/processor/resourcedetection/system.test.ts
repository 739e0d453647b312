import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { NetworkInterfaceInfo } from "node:os";
import { type SystemFacts, canonicalFromHosts, createSystemDetector, firstCpu, hostArchOf, osTypeOf, parseOsRelease, systemDetector } from "../../../../../src/components/otelcol/processor/resourcedetection/detectors/system.ts";
import { all, fakeContext, only } from "./local_fakes.ts";

const HOSTS = `# static table
127.0.0.1   localhost
127.0.1.1   gw01.corp.example.com   gw01   # the gateway
::1         localhost ip6-localhost
`;

const OS_RELEASE = `PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.4 LTS (Jammy Jellyfish)"
ID=ubuntu
`;

const CPUINFO = `processor\t: 0
vendor_id\t: GenuineIntel
cpu family\t: 6
model\t\t: 85
model name\t: Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz
stepping\t: 7
cache size\t: 36608 KB

processor\t: 1
vendor_id\t: OtherVendor
model name\t: second cpu
`;

const iface = (address: string, mac: string, internal = false, family: "IPv4" | "IPv6" = "IPv4"): NetworkInterfaceInfo =>
  ({ address, mac, internal, family, netmask: "", cidr: null }) as unknown as NetworkInterfaceInfo;

/** DNS that knows nothing, recording what was asked. */
function noDns(asked: string[] = []): Pick<SystemFacts, "resolveCname" | "lookup" | "reverse"> {
  const fail = (what: string) => async (name: string): Promise<string[]> => {
    asked.push(`${what} ${name}`);
    throw Object.assign(new Error(`queryX ENOTFOUND ${name}`), { code: "ENOTFOUND" });
  };
  return { resolveCname: fail("cname"), lookup: fail("lookup"), reverse: fail("reverse") };
}

const FACTS: Partial<SystemFacts> = {
  hostname: () => "gw01",
  platform: "linux",
  arch: "x64",
  uname: () => ({ sysname: "Linux", release: "6.5.0-41-generic", version: "#41~22.04.2-Ubuntu SMP", machine: "x86_64" }),
  hostsFile: "/fixture/hosts",
  networkInterfaces: () => ({
    lo: [iface("127.0.0.1", "00:00:00:00:00:00", true)],
    eth0: [iface("10.0.0.5", "0a:1b:2c:3d:4e:5f"), iface("fe80::81b:2cff:fe3d:4e5f", "0a:1b:2c:3d:4e:5f", false, "IPv6")],
    tun0: [iface("10.8.0.2", "00:00:00:00:00:00")],
  }),
  ...noDns(),
};

const FILES = { "/fixture/hosts": HOSTS, "/etc/machine-id": "4f1c5d9e6b7a48e3a1c2d3e4f5a6b7c8\n", "/etc/os-release": OS_RELEASE, "/proc/cpuinfo": CPUINFO };

const detect = (sources: string[], enabled: (a: string) => boolean, facts: Partial<SystemFacts> = {}, files: Record<string, string> = FILES) => {
  const ctx = fakeContext({ files });
  return { ctx, result: createSystemDetector({ ...FACTS, ...facts }).detect(ctx, { hostname_sources: sources }, enabled) };
};

const defaults = (a: string) => systemDetector.attributes[a] ?? false;

describe("system detector: defaults (spec §2.4)", () => {
  test("only host.name and os.type are on by default", () => {
    const on = Object.entries(systemDetector.attributes).filter(([, v]) => v).map(([k]) => k);
    assert.deepEqual(on.sort(), ["host.name", "os.type"]);
  });

  test("hostname_sources defaults to dns, os; bad names are rejected", () => {
    assert.deepEqual(systemDetector.block!.attrs!.hostname_sources!.default, ["dns", "os"]);
    assert.deepEqual(systemDetector.block!.validate!({ hostname_sources: ["os", "bogus", "cname"] }), ["invalid hostname source: bogus"]);
  });

  test("with the defaults: exactly host.name and os.type, schema 1.6.1", async () => {
    const { result } = detect(["os"], defaults);
    const d = await result;
    assert.deepEqual(d.attributes, { "host.name": "gw01", "os.type": "linux" });
    assert.equal(d.schemaUrl, "https://opentelemetry.io/schemas/1.6.1");
  });
});

describe("system detector: hostname sources", () => {
  test("dns: the hosts file gives the canonical name of the line naming the hostname", async () => {
    const asked: string[] = [];
    const d = await detect(["dns"], defaults, noDns(asked)).result;
    assert.equal(d.attributes["host.name"], "gw01.corp.example.com");
    assert.deepEqual(asked, [], "no DNS query when the hosts file answers");
  });

  test("dns: no hosts entry → CNAME of the hostname", async () => {
    const d = await detect(["dns"], defaults, { resolveCname: async () => ["gw01.dc1.example.net."] }, { ...FILES, "/fixture/hosts": "127.0.0.1 localhost\n" }).result;
    assert.equal(d.attributes["host.name"], "gw01.dc1.example.net");
  });

  test("dns: no hosts file and no CNAME → reverse lookup of the hostname's addresses", async () => {
    const facts: Partial<SystemFacts> = {
      ...noDns(),
      lookup: async (h) => (h === "gw01" ? ["10.0.0.5", "10.0.0.6"] : []),
      reverse: async (ip) => {
        if (ip === "10.0.0.5") throw new Error("no PTR");
        return ["gw01-b.example.org."];
      },
    };
    const files: Record<string, string> = { ...FILES };
    delete files["/fixture/hosts"];
    const d = await detect(["dns"], defaults, facts, files).result;
    assert.equal(d.attributes["host.name"], "gw01-b.example.org");
  });

  test("dns fails everywhere → the next source (os) is used", async () => {
    const { result, ctx } = detect(["dns", "os"], defaults, {}, { ...FILES, "/fixture/hosts": "" });
    assert.equal((await result).attributes["host.name"], "gw01");
    assert.ok(ctx.logs.some((l) => l.includes("hostname source failed") && l.includes("source=dns")));
  });

  test("cname: the CNAME with its trailing dot removed", async () => {
    const d = await detect(["cname"], defaults, { resolveCname: async () => ["alias.example.com."] }).result;
    assert.equal(d.attributes["host.name"], "alias.example.com");
  });

  test("lookup: resolve, then the first name a reverse lookup finds", async () => {
    const d = await detect(["lookup"], defaults, { lookup: async () => ["192.0.2.7"], reverse: async () => ["rev.example.com.", "other."] }).result;
    assert.equal(d.attributes["host.name"], "rev.example.com");
  });

  test("sources are tried in order; the first success wins", async () => {
    const d = await detect(["cname", "os", "dns"], defaults, { resolveCname: async () => [] }).result;
    assert.equal(d.attributes["host.name"], "gw01");
  });

  test("a resolver that never answers costs one source's time limit, then the next source wins", async () => {
    const never = () => new Promise<string[]>(() => {});
    const started = Date.now();
    const { result, ctx } = detect(["dns", "os"], defaults, { resolveCname: never, lookup: never, reverse: never, sourceTimeoutMs: 50 }, { ...FILES, "/fixture/hosts": "" });
    assert.equal((await result).attributes["host.name"], "gw01");
    assert.ok(Date.now() - started < 1000);
    assert.ok(ctx.logs.some((l) => l.includes("did not answer within 50ms")));
  });

  test("all sources fail → `all hostname sources failed to get hostname`", async () => {
    await assert.rejects(detect(["cname", "lookup"], defaults).result, /^Error: all hostname sources failed to get hostname$/);
    await assert.rejects(detect(["os"], defaults, { hostname: () => "" }).result, /all hostname sources failed/);
  });

  test("canonicalFromHosts skips comments and matches aliases case-insensitively", () => {
    assert.equal(canonicalFromHosts(HOSTS, "GW01"), "gw01.corp.example.com");
    assert.equal(canonicalFromHosts("# 10.0.0.1 gw01.fake gw01\n", "gw01"), undefined);
    assert.equal(canonicalFromHosts(HOSTS, "nothere"), undefined);
  });
});

describe("system detector: optional attributes", () => {
  test("everything switched on, from fixtures", async () => {
    const d = await detect(["os"], all).result;
    assert.deepEqual(d.attributes, {
      "host.name": "gw01",
      "os.type": "linux",
      "host.arch": "amd64",
      "host.id": "4f1c5d9e6b7a48e3a1c2d3e4f5a6b7c8",
      "os.description": "Ubuntu 22.04.4 LTS (Jammy Jellyfish) (Linux gw01 6.5.0-41-generic #41~22.04.2-Ubuntu SMP x86_64)",
      "os.name": "Ubuntu",
      "os.version": "22.04",
      "host.cpu.vendor.id": "GenuineIntel",
      "host.cpu.family": "6",
      "host.cpu.model.id": "85",
      "host.cpu.model.name": "Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz",
      "host.cpu.stepping": "7",
      "host.cpu.cache.l2.size": 36608,
      "host.ip": ["10.0.0.5", "fe80::81b:2cff:fe3d:4e5f", "10.8.0.2"],
      "host.mac": ["0A-1B-2C-3D-4E-5F"],
      "host.interface": ["eth0", "tun0"],
    });
  });

  test("host.id falls back to /var/lib/dbus/machine-id", async () => {
    const files: Record<string, string> = { ...FILES, "/etc/machine-id": "\n", "/var/lib/dbus/machine-id": "dbus-id\n" };
    assert.equal((await detect(["os"], only("host.id"), {}, files).result).attributes["host.id"], "dbus-id");
  });

  test("no machine id → a warning, host.id left out, the rest still detected", async () => {
    const files: Record<string, string> = { ...FILES };
    delete files["/etc/machine-id"];
    const { result, ctx } = detect(["os"], only("host.id", "host.name"), {}, files);
    assert.deepEqual((await result).attributes, { "host.name": "gw01" });
    assert.ok(ctx.logs.some((l) => l.includes("level=warn") && l.includes("failed to get host ID")));
  });

  test("os.description without os-release is the uname part alone; PRETTY_NAME is the fallback", async () => {
    const none: Record<string, string> = { ...FILES };
    delete none["/etc/os-release"];
    assert.equal((await detect(["os"], only("os.description"), {}, none).result).attributes["os.description"], "Linux gw01 6.5.0-41-generic #41~22.04.2-Ubuntu SMP x86_64");
    const pretty = { ...none, "/usr/lib/os-release": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' };
    assert.match(String((await detect(["os"], only("os.description"), {}, pretty).result).attributes["os.description"]), /^Debian GNU\/Linux 12 \(bookworm\) \(Linux gw01 /);
  });

  test("missing or odd /proc/cpuinfo fields leave those attributes out", async () => {
    const arm = { ...FILES, "/proc/cpuinfo": "processor\t: 0\nBogoMIPS\t: 50.00\nCPU implementer\t: 0x41\n\n" };
    assert.deepEqual((await detect(["os"], (a) => a.startsWith("host.cpu.") || a === "host.name", {}, arm).result).attributes, { "host.name": "gw01" });
    const none: Record<string, string> = { ...FILES };
    delete none["/proc/cpuinfo"];
    const { result, ctx } = detect(["os"], only("host.cpu.vendor.id"), {}, none);
    assert.deepEqual((await result).attributes, {});
    assert.ok(ctx.logs.some((l) => l.includes("failed to read CPU information")));
  });

  test("no external interfaces → no host.ip / host.mac / host.interface", async () => {
    const d = await detect(["os"], only("host.ip", "host.mac", "host.interface"), { networkInterfaces: () => ({ lo: [iface("127.0.0.1", "00:00:00:00:00:00", true)] }) }).result;
    assert.deepEqual(d.attributes, {});
  });

  test("semconv spellings of os.type and host.arch", () => {
    assert.deepEqual(["linux", "darwin", "win32", "freebsd", "sunos", "aix", "openbsd", "netbsd"].map(osTypeOf), ["linux", "darwin", "windows", "freebsd", "solaris", "aix", "openbsd", "netbsd"]);
    assert.deepEqual(["x64", "arm64", "ia32", "arm", "ppc64", "s390x", "riscv64"].map(hostArchOf), ["amd64", "arm64", "x86", "arm32", "ppc64", "s390x", "riscv64"]);
  });

  test("parsers: os-release quoting, first CPU block only", () => {
    assert.deepEqual(parseOsRelease(`NAME='Fedora Linux'\nVERSION_ID=40\n# c\nBAD LINE\nX="a \\"q\\""\n`), { NAME: "Fedora Linux", VERSION_ID: "40", X: 'a "q"' });
    assert.equal(firstCpu(CPUINFO).vendor_id, "GenuineIntel");
  });
});
