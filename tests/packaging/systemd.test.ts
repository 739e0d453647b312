// The VM packaging: packaging/solder.service passes `systemd-analyze verify` (Debian's systemd
// package; CI installs it), and the .deb built by scripts/deb.sh installs with
// `dpkg --root=<scratch> --force-script-chrootless -i`, which runs the maintainer scripts with
// $DPKG_ROOT set: every file lands in the scratch root, postinst creates the solder user there
// (useradd --prefix) and the directories with their owners, and the host stays untouched.
// The package wraps a stub executable so this runs without a release build.

import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "solder-packaging-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const have = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
const run = (cmd: string, args: string[], env: Record<string, string> = {}) => {
  const r = spawnSync(cmd, args, { cwd: root, encoding: "utf8", env: { ...process.env, ...env } });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};

const stub = join(dir, "solder-stub");
writeFileSync(stub, `#!/bin/sh\necho "solder, version v0.1.0 (stub)"\n`);
chmodSync(stub, 0o755);

describe("systemd unit", () => {
  test("systemd-analyze verify accepts packaging/solder.service", (t) => {
    if (!have("systemd-analyze")) return t.skip("systemd-analyze is missing (apt-get install systemd; .ci/run installs it)");
    // verify insists that ExecStart's binary exists: point it at the stub, change nothing else.
    const unitDir = join(dir, "unit");
    mkdirSync(unitDir);
    const unit = readFileSync(join(root, "packaging/solder.service"), "utf8");
    assert.match(unit, /^ExecStart=\/usr\/bin\/solder run /m);
    writeFileSync(join(unitDir, "solder.service"), unit.replaceAll("/usr/bin/solder", stub));
    const r = run("systemd-analyze", ["verify", join(unitDir, "solder.service")]);
    // verify exits 0 on mere warnings ("Failed to parse …, ignoring"): demand silence.
    assert.equal(r.code, 0, r.out);
    assert.equal(r.out.trim(), "", r.out);
  });

  test("verify does report a broken directive (the check above is not vacuous)", (t) => {
    if (!have("systemd-analyze")) return t.skip("systemd-analyze is missing");
    const bad = join(dir, "bad");
    mkdirSync(bad);
    const unit = readFileSync(join(root, "packaging/solder.service"), "utf8").replaceAll("/usr/bin/solder", stub);
    writeFileSync(join(bad, "solder.service"), unit.replace(/^Restart=.*$/m, "Restart=sometimes"));
    assert.match(run("systemd-analyze", ["verify", join(bad, "solder.service")]).out, /Failed to parse service restart specifier/);
  });

  test("the unit runs as its own user, reloads with SIGHUP, restarts, and keeps the JIT working", () => {
    const unit = readFileSync(join(root, "packaging/solder.service"), "utf8");
    for (const line of ["User=solder", "EnvironmentFile=/etc/default/solder", "ExecReload=/bin/kill -HUP $MAINPID", "Restart=always", "LimitNOFILE=65536", "NoNewPrivileges=yes", "ProtectSystem=strict"]) {
      assert.ok(unit.split("\n").includes(line), `missing ${line}`);
    }
    assert.doesNotMatch(unit, /^MemoryDenyWriteExecute=(yes|true|1)/m, "the JavaScriptCore JIT needs W+X memory");
    const defaults = readFileSync(join(root, "packaging/solder.default"), "utf8");
    assert.match(defaults, /^CONFIG_FILE="\/etc\/solder\/config\.alloy"$/m);
    assert.match(defaults, /^CUSTOM_ARGS=""$/m);
  });
});

describe(".deb", { skip: !have("dpkg-deb") || !have("dpkg") ? "dpkg is missing" : false }, () => {
  const out = join(dir, "out");
  const scratch = join(dir, "root");
  let deb = "";

  test("scripts/deb.sh builds it with dpkg-deb", () => {
    const r = run("bash", ["scripts/deb.sh", stub, "amd64", out]);
    assert.equal(r.code, 0, r.out);
    deb = /deb: (\S+\.deb)/.exec(r.out)![1]!;
    const info = run("dpkg-deb", ["--info", deb]).out;
    assert.match(info, /Package: solder/);
    assert.match(info, /Architecture: amd64/);
    assert.match(info, /\bpostinst\b/);
    assert.match(run("dpkg-deb", ["--field", deb, "Version"]).out.trim(), /^\d+\.\d+\.\d+$/);
    const files = run("dpkg-deb", ["--contents", deb]).out;
    assert.match(files, /root\/root .*\.\/usr\/bin\/solder\n/);
    const conffiles = run("sh", ["-c", `dpkg-deb --ctrl-tarfile "${deb}" | tar -xOf - ./conffiles`]).out;
    assert.equal(conffiles, "/etc/default/solder\n/etc/solder/config.alloy\n");
  });

  test("dpkg -i into a scratch root puts every file in place and creates the user there", () => {
    for (const d of ["var/lib/dpkg/info", "var/lib/dpkg/updates", "etc"]) mkdirSync(join(scratch, d), { recursive: true });
    writeFileSync(join(scratch, "var/lib/dpkg/status"), "");
    writeFileSync(join(scratch, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
    writeFileSync(join(scratch, "etc/group"), "root:x:0:\n");
    writeFileSync(join(scratch, "etc/shadow"), "root:*::0:99999:7:::\n");
    writeFileSync(join(scratch, "etc/gshadow"), "root:*::\n");
    const hostPasswd = readFileSync("/etc/passwd", "utf8");
    const args = [`--root=${scratch}`, "--force-script-chrootless", "--log=/dev/null"];
    if (process.getuid?.() !== 0) args.push("--force-not-root");
    const r = run("dpkg", [...args, "-i", deb]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /Setting up solder/);

    for (const f of ["usr/bin/solder", "usr/lib/systemd/system/solder.service", "etc/default/solder", "etc/solder/config.alloy", "usr/share/doc/solder/running-on-vms.md"]) {
      assert.ok(existsSync(join(scratch, f)), `${f} is missing`);
    }
    assert.equal(statSync(join(scratch, "usr/bin/solder")).mode & 0o777, 0o755);
    assert.equal(readFileSync(join(scratch, "usr/lib/systemd/system/solder.service"), "utf8"), readFileSync(join(root, "packaging/solder.service"), "utf8"));
    assert.equal(readFileSync(join(scratch, "etc/solder/config.alloy"), "utf8"), readFileSync(join(root, "packaging/config.alloy"), "utf8"));
    assert.match(run(join(scratch, "usr/bin/solder"), ["--version"]).out, /^solder, version/);

    // postinst: the user and group (in the scratch root only), the owned directories.
    const user = readFileSync(join(scratch, "etc/passwd"), "utf8").split("\n").find((l) => l.startsWith("solder:"));
    assert.ok(user, "no solder user in the scratch root");
    const [, , uid, gid, , home, shell] = user.split(":");
    assert.equal(home, "/var/lib/solder");
    assert.equal(shell, "/usr/sbin/nologin");
    assert.ok(Number(uid) > 0 && Number(uid) < 1000, `uid ${uid} is not a system uid`);
    assert.match(readFileSync(join(scratch, "etc/group"), "utf8"), new RegExp(`^solder:x:${gid}:`, "m"));
    for (const d of ["var/lib/solder", "var/lib/solder/data"]) {
      const st = statSync(join(scratch, d));
      assert.ok(st.isDirectory(), d);
      assert.equal(st.mode & 0o777, 0o750, d);
      if (process.getuid?.() === 0) assert.deepEqual([st.uid, st.gid], [Number(uid), Number(gid)], d);
    }
    const conf = statSync(join(scratch, "etc/solder/config.alloy"));
    assert.equal(conf.mode & 0o777, 0o640);
    if (process.getuid?.() === 0) assert.equal(conf.gid, Number(gid));
    assert.equal(readFileSync("/etc/passwd", "utf8"), hostPasswd, "the host's users changed");

    // Reinstalling (an upgrade) keeps the user; purging removes it and the storage.
    assert.equal(run("dpkg", [...args, "-i", deb]).code, 0);
    assert.equal(readFileSync(join(scratch, "etc/passwd"), "utf8").split("\n").filter((l) => l.startsWith("solder:")).length, 1);
    const purge = run("dpkg", [...args, "--purge", "solder"]);
    assert.equal(purge.code, 0, purge.out);
    assert.ok(!existsSync(join(scratch, "usr/bin/solder")));
    assert.ok(!existsSync(join(scratch, "var/lib/solder")));
    assert.doesNotMatch(readFileSync(join(scratch, "etc/passwd"), "utf8"), /^solder:/m);
  });

  test("packaging/install.sh --root does the same without dpkg", () => {
    const alt = join(dir, "alt");
    mkdirSync(join(alt, "etc"), { recursive: true });
    writeFileSync(join(alt, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
    writeFileSync(join(alt, "etc/group"), "root:x:0:\n");
    writeFileSync(join(alt, "etc/shadow"), "");
    writeFileSync(join(alt, "etc/gshadow"), "");
    const r = run("bash", ["packaging/install.sh", "--root", alt, stub]);
    assert.equal(r.code, 0, r.out);
    for (const f of ["usr/bin/solder", "usr/lib/systemd/system/solder.service", "etc/default/solder", "etc/solder/config.alloy", "var/lib/solder/data"]) {
      assert.ok(existsSync(join(alt, f)), `${f} is missing`);
    }
    assert.match(readFileSync(join(alt, "etc/passwd"), "utf8"), /^solder:x:\d+:\d+:/m);
  });
});
