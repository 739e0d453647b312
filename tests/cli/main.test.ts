import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { VERSION } from "../../src/version.ts";
import { captureIo } from "../helpers/io.ts";

const dir = mkdtempSync(join(tmpdir(), "solder-cli-"));

function file(name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

async function run(args: string[], stdin = "") {
  const io = captureIo(stdin);
  const code = await main(args, io);
  return { code, out: io.stdoutText, err: io.stderrText };
}

describe("version and help", () => {
  test("--version prints the package version", async () => {
    const r = await run(["--version"]);
    assert.equal(r.code, 0);
    assert.match(r.out, new RegExp(`^solder, version v${VERSION.replace(/\./g, "\\.")} \\(`));
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    assert.equal(pkg.version, VERSION);
  });

  test("--help lists the commands; no arguments prints help and exits 2", async () => {
    const r = await run(["--help"]);
    assert.equal(r.code, 0);
    for (const c of ["run", "validate", "fmt"]) assert.match(r.out, new RegExp(`\\n  ${c} `));
    assert.equal((await run([])).code, 2);
  });

  test("command help shows the flags with their defaults", async () => {
    const r = await run(["run", "--help"]);
    assert.equal(r.code, 0);
    assert.match(r.out, /--server\.http\.listen-addr <value>.*\(default "127\.0\.0\.1:12345"\)/);
    assert.match(r.out, /--storage\.path <value>.*\(default "data-solder\/"\)/);
    assert.match(r.out, /--stability\.level/);
  });

  test("unknown command and unknown flag are usage errors (exit 2)", async () => {
    const a = await run(["frobnicate"]);
    assert.equal(a.code, 2);
    assert.match(a.err, /unknown command "frobnicate"/);
    const b = await run(["validate", "--nope", "x.alloy"]);
    assert.equal(b.code, 2);
    assert.match(b.err, /unknown flag: --nope/);
    const c = await run(["validate", "--stability.level=beta", file("ok0.alloy", "")]);
    assert.equal(c.code, 2);
    assert.match(c.err, /invalid --stability\.level "beta"/);
  });
});

describe("validate", () => {
  test("a valid file exits 0 and prints nothing", async () => {
    const r = await run(["validate", file("ok.alloy", `logging {\n  level  = "debug"\n  format = "json"\n}\n`)]);
    assert.deepEqual([r.code, r.err], [0, ""]);
  });

  test("an empty file is a valid, empty configuration", async () => {
    assert.equal((await run(["validate", file("empty.alloy", "")])).code, 0);
  });

  test("every problem is reported at once as file:line:col: message with a snippet", async () => {
    const p = file("bad.alloy", `logging {\n  level = 3 +\n}\n\notelcol.procesor.batch "x" { }\n`);
    const r = await run(["validate", p]);
    assert.equal(r.code, 1);
    assert.match(r.err, new RegExp(`Error: ${p.replace(/[.\\/]/g, "\\$&")}:3:1: expected expression, got }`));
    const q = file("bad2.alloy", `logging {\n  level = "loud"\n  colour = "red"\n}\nnot_a.component "x" { }\nlogging { }\n`);
    const s = await run(["validate", q]);
    assert.equal(s.code, 1);
    const lines = s.err.split("\n").filter((l) => l.startsWith("Error: "));
    assert.ok(lines.length >= 3, s.err);
    assert.ok(lines.some((l) => l.endsWith(`:5:1: cannot find the definition of component name "not_a.component"`)), s.err);
    assert.ok(lines.some((l) => /:6:1: block logging already declared at .*:1:1$/.test(l)), s.err);
    assert.match(s.err, /\n2 \|   level = "loud"\n/);
  });

  test("a directory loads every *.alloy file directly inside it", async () => {
    const d = join(dir, "conf.d");
    mkdirSync(d);
    writeFileSync(join(d, "a.alloy"), `logging { level = "warn" }\n`);
    writeFileSync(join(d, "b.alloy"), `livedebugging { enabled = true }\n`);
    writeFileSync(join(d, "ignored.txt"), `this is not alloy`);
    mkdirSync(join(d, "nested"));
    writeFileSync(join(d, "nested", "c.alloy"), `broken {{{`);
    assert.equal((await run(["validate", d])).code, 0);
    writeFileSync(join(d, "c.alloy"), `logging { }\n`);
    const r = await run(["validate", d]);
    assert.equal(r.code, 1);
    assert.match(r.err, /c\.alloy:1:1: block logging already declared at .*a\.alloy:1:1/);
  });

  test("a missing path is a diagnostic, not a crash", async () => {
    const r = await run(["validate", join(dir, "missing.alloy")]);
    assert.equal(r.code, 1);
    assert.match(r.err, /could not read configuration: no such file or directory/);
  });

  describe("bad input never crashes or hangs", () => {
    const cases: Array<[string, () => Uint8Array | string, RegExp]> = [
      ["binary", () => new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0, 0, 255, 254]), /Error: .*:1:\d+: /],
      ["not UTF-8", () => new Uint8Array([...new TextEncoder().encode('logging { level = "'), 0xc3, 0x28, ...new TextEncoder().encode('" }\n')]), /invalid UTF-8/],
      ["10 MB", () => `logging {\n${"  // padding padding padding padding padding padding padding\n".repeat(170_000)}  level = 1 +\n}\n`, /expected expression/],
      ["10,000 levels of nesting", () => `x = ${"[".repeat(10_000)}${"]".repeat(10_000)}\n`, /nest/],
      ["10,000 nested blocks", () => `${"a {\n".repeat(10_000)}${"}\n".repeat(10_000)}`, /nest/],
    ];
    for (const [name, make, want] of cases) {
      test(name, async () => {
        const started = Date.now();
        const r = await run(["validate", file(`input-${name.replace(/\W/g, "_")}.alloy`, make())]);
        assert.equal(r.code, 1);
        assert.match(r.err, want);
        assert.ok(r.err.length < 200_000, `diagnostics stay readable (${r.err.length} bytes)`);
        assert.ok(Date.now() - started < 20_000, "finishes promptly");
      });
    }
  });
});

describe("fmt", () => {
  const messy = `logging {\nlevel="debug"\n  format =   "json"\n}\n`;

  test("prints the canonical layout", async () => {
    const r = await run(["fmt", file("messy.alloy", messy)]);
    assert.equal(r.code, 0);
    assert.equal(r.out, `logging {\n\tlevel  = "debug"\n\tformat = "json"\n}\n`);
  });

  test("--test exits 1 on an unformatted file and 0 on a formatted one", async () => {
    assert.equal((await run(["fmt", "--test", file("messy2.alloy", messy)])).code, 1);
    const formatted = (await run(["fmt", file("messy3.alloy", messy)])).out;
    assert.equal((await run(["fmt", "-t", file("fine.alloy", formatted)])).code, 0);
  });

  test("--write rewrites the file; --write with --test is refused", async () => {
    const p = file("messy4.alloy", messy);
    assert.equal((await run(["fmt", "-w", p])).code, 0);
    assert.equal(readFileSync(p, "utf8"), `logging {\n\tlevel  = "debug"\n\tformat = "json"\n}\n`);
    assert.equal((await run(["fmt", "--write", "--test", p])).code, 2);
  });

  test("reads stdin when no file or - is given", async () => {
    for (const args of [["fmt"], ["fmt", "-"]]) {
      const r = await run(args, messy);
      assert.equal(r.code, 0);
      assert.match(r.out, /^logging \{\n\tlevel  = "debug"/);
    }
  });

  test("syntax errors fail fmt with positions; component validity is not checked", async () => {
    const r = await run(["fmt", "-"], `a {\n  b = \n}\n`);
    assert.equal(r.code, 1);
    assert.match(r.err, /<stdin>:3:1: expected expression, got }/);
    assert.equal((await run(["fmt", "-"], `no.such.component "x" {\n\tbogus = 1\n}\n`)).code, 0);
  });
});
