// The top-level `http` block: decoding, defaults, validation (with file:line:col), and how a
// load hands it to the server (applied, kept on a bad reload, withdrawn when removed).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Controller } from "../../src/runtime/controller.ts";
import type { HttpBlockArgs } from "../../src/runtime/http_block.ts";
import { createLogger, memorySink } from "../../src/runtime/logger.ts";
import { MetricsRegistry } from "../../src/runtime/metrics.ts";
import { stdlib } from "../../src/runtime/stdlib/index.ts";
import { formatShort } from "../../src/syntax/diag.ts";
import { testRegistry } from "./testcomponents.ts";

function setup(applyHttp?: (a: HttpBlockArgs | undefined) => Promise<void>) {
  const applied: (HttpBlockArgs | undefined)[] = [];
  const c = new Controller({
    registry: testRegistry(),
    logger: createLogger(memorySink()),
    metrics: new MetricsRegistry(),
    storagePath: "/nonexistent",
    stability: "generally-available",
    globals: stdlib({ version: "0.0.0-test", stability: "generally-available", env: (n) => (n === "PW" ? "from-env-pw" : undefined) }),
    shutdownDeadlineMs: 1000,
    applyHttp: async (a) => {
      applied.push(a);
      await applyHttp?.(a);
    },
  });
  const load = async (text: string) => (await c.load([{ name: "main.alloy", text }])).map(formatShort);
  return { c, applied, load };
}

describe("http block decoding", () => {
  test("auth and tls with defaults; the password is a secret", async () => {
    const { applied, load } = setup();
    const errs = await load(`
http {
  auth {
    basic {
      username = "admin"
      password = sys.env("PW")
    }
  }
  tls {
    cert_file = "/c.pem"
    key_file  = "/k.pem"
  }
}
`);
    assert.deepEqual(errs, []);
    assert.equal(applied.length, 1);
    const a = applied[0]!;
    assert.equal(a.auth?.basic?.username, "admin");
    assert.equal(a.auth?.basic?.password.value, "from-env-pw");
    assert.equal(String(a.auth?.basic?.password), "(secret)", "a Secret never prints its value");
    assert.equal(a.auth?.filter, undefined, "no filter block: every path is authenticated");
    assert.deepEqual(
      { ...a.tls, key_pem: a.tls?.key_pem },
      {
        cert_pem: "",
        cert_file: "/c.pem",
        key_pem: undefined,
        key_file: "/k.pem",
        client_ca_pem: "",
        client_ca_file: "",
        client_auth_type: "NoClientCert",
        cipher_suites: [],
        curve_preferences: [],
        min_version: "",
        max_version: "",
      },
    );
  });

  test("filter defaults: paths [] and authenticate_matching_paths true (warned: authenticates nothing)", async () => {
    const { applied, load } = setup();
    const errs = await load(`http {\n  auth {\n    basic {\n      username = "a"\n      password = "b"\n    }\n    filter { }\n  }\n}\n`);
    assert.deepEqual(applied[0]?.auth?.filter, { paths: [], authenticate_matching_paths: true });
    assert.deepEqual(errs, ["main.alloy:2:3: auth.filter with authenticate_matching_paths = true and no paths authenticates no request"]);
  });

  test("filter without basic is warned about", async () => {
    const { load } = setup();
    const errs = await load(`http {\n  auth {\n    filter { paths = ["/metrics"] }\n  }\n}\n`);
    assert.deepEqual(errs, ["main.alloy:2:3: auth.filter has no effect without auth.basic: no request is authenticated"]);
  });

  test("missing username/password and wrong types point at the place", async () => {
    const { applied, load } = setup();
    const errs = await load(`http {\n  auth {\n    basic {\n      username = "a"\n    }\n  }\n}\n`);
    assert.deepEqual(errs, [`main.alloy:3:5: missing required attribute "password"`]);
    const errs2 = await load(`http {\n  auth {\n    filter {\n      paths = "/metrics"\n    }\n  }\n}\n`);
    assert.equal(errs2.length, 1);
    assert.match(errs2[0]!, /^main\.alloy:4:15: .*list/);
    assert.equal(applied.length, 0, "nothing is applied from a failed load");
  });

  test("tls validation, worded as Alloy words it", async () => {
    const cases: [string, string[]][] = [
      [`tls { }`, ["must specify either cert_pem or cert_file", "must specify either key_pem or key_file"]],
      [`tls {\n    cert_pem = "x"\n    cert_file = "y"\n    key_file = "k"\n  }`, ["cannot specify both cert_pem and cert_file"]],
      [`tls {\n    cert_file = "c"\n    key_pem = "x"\n    key_file = "k"\n  }`, ["cannot specify both key_pem and key_file"]],
      [`tls {\n    cert_file = "c"\n    key_file = "k"\n    client_ca_file = "ca"\n  }`, ["cannot specify client_ca_pem or client_ca_file when client_auth_type is NoClientCert"]],
      [`tls {\n    cert_file = "c"\n    key_file = "k"\n    client_auth_type = "RequireAndVerifyClientCert"\n    client_ca_file = "ca"\n    client_ca_pem = "x"\n  }`, ["cannot specify both client_ca_pem and client_ca_file"]],
      [`tls {\n    cert_file = "c"\n    key_file = "k"\n    min_version = "1.2"\n  }`, [`min_version: unknown TLS version "1.2" (want one of TLS10, TLS11, TLS12, TLS13)`]],
      [`tls {\n    cert_file = "c"\n    key_file = "k"\n    min_version = "TLS13"\n    max_version = "TLS12"\n  }`, ["min_version TLS13 is newer than max_version TLS12"]],
      [`tls {\n    cert_file = "c"\n    key_file = "k"\n    cipher_suites = ["TLS_FOO"]\n    curve_preferences = ["P256"]\n  }`, [`cipher_suites: unknown cipher "TLS_FOO"`, `curve_preferences: unknown curve "P256"`]],
    ];
    for (const [body, want] of cases) {
      const { load } = setup();
      const errs = await load(`http {\n  ${body}\n}\n`);
      assert.deepEqual(errs, want.map((m) => `main.alloy:2:3: ${m}`), body);
    }
  });

  test("client_auth_type is one of Alloy's five names", async () => {
    const { load } = setup();
    const errs = await load(`http {\n  tls {\n    cert_file = "c"\n    key_file = "k"\n    client_auth_type = "require"\n  }\n}\n`);
    assert.equal(errs.length, 1);
    assert.match(errs[0]!, /^main\.alloy:5:24: .*RequireAndVerifyClientCert/);
  });

  test("a label, a second http block and unknown blocks are refused", async () => {
    const { load } = setup();
    assert.deepEqual(await load(`http "x" { }\n`), [`main.alloy:1:6: block "http" does not support specifying labels`]);
    const twice = await load(`http { }\nhttp { }\n`);
    assert.equal(twice.length, 1);
    assert.match(twice[0]!, /^main\.alloy:2:1: block http already declared at main\.alloy:1:1/);
    assert.deepEqual(await load(`http {\n  tls {\n    cert_file = "c"\n    key_file = "k"\n    windows_certificate_filter { }\n  }\n}\n`), [
      `main.alloy:5:5: unrecognized block name "windows_certificate_filter"`,
    ]);
  });
});

describe("http block and reloads", () => {
  const withAuth = (pw: string) => `http {\n  auth {\n    basic {\n      username = "u"\n      password = "${pw}"\n    }\n  }\n}\n`;

  test("applied on every load, withdrawn (undefined) when removed", async () => {
    const { applied, load } = setup();
    assert.deepEqual(await load(withAuth("one")), []);
    assert.deepEqual(await load(withAuth("two")), []);
    assert.deepEqual(await load(`test.value "v" { value = 1 }\n`), []);
    assert.equal(applied.length, 3);
    assert.equal(applied[0]?.auth?.basic?.password.value, "one");
    assert.equal(applied[1]?.auth?.basic?.password.value, "two");
    assert.equal(applied[2], undefined);
  });

  test("a reload with a bad http block keeps the last good settings applied", async () => {
    const { applied, load } = setup();
    await load(withAuth("one"));
    const errs = await load(`http {\n  auth {\n    basic { username = "u" }\n  }\n}\n`);
    assert.equal(errs.length, 1);
    assert.equal(applied.length, 1, "the broken block was not applied and nothing was withdrawn");
  });

  test("a server that refuses the settings fails the load at the block", async () => {
    const { load } = setup(async () => {
      throw new Error("failed to read cert_file: ENOENT");
    });
    assert.deepEqual(await load(`test.value "v" { value = 1 }\nhttp { }\n`), ["main.alloy:2:1: failed to read cert_file: ENOENT"]);
  });
});
