// Diagnostics snippets never show the value of a secret-typed argument, even for a file that
// fails to load; line numbers stay right when a masked value spans lines.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { renderDiagnostics } from "../../src/cli/diagnostics.ts";
import { diag } from "../../src/syntax/diag.ts";

const TEXT = `otelcol.auth.bearer "t" {
  token = "tok-abc-123"
  bogus = 1
}
http {
  auth {
    basic {
      username = "u"
      password = "pw-on-one-line"
    }
  }
  tls {
    cert_file = "c"
    key_pem = "-----BEGIN PRIVATE KEY-----
line-two-of-the-key
-----END PRIVATE KEY-----"
    nope = true
  }
}
`;

const at = (line: number, col: number) => ({ start: { line, col, offset: 0 }, end: { line, col: col + 1, offset: 0 } });

describe("renderDiagnostics", () => {
  test("masks secret values in snippets and keeps line numbers", () => {
    const out = renderDiagnostics(
      [diag("a.alloy", at(2, 3) as never, "near the token"), diag("a.alloy", at(3, 3) as never, "unrecognized attribute name \"bogus\""), diag("a.alloy", at(9, 7) as never, "near the password"), diag("a.alloy", at(17, 5) as never, "after the key")],
      [{ name: "a.alloy", text: TEXT }],
    );
    for (const s of ["tok-abc-123", "pw-on-one-line", "line-two-of-the-key"]) assert.ok(!out.includes(s), `${s} shown:\n${out}`);
    assert.match(out, /token = \(secret\)/);
    assert.match(out, /password = \(secret\)/);
    assert.match(out, /17 \|\s+nope = true/, "the line after a multi-line secret keeps its number");
    assert.match(out, /username = "u"/, "non-secret values are shown");
  });
  test("masks secrets of components inside declare and foreach bodies too", () => {
    const text = `declare "m" {
  otelcol.auth.bearer "t" {
    token = "tok-in-declare"
    bogus = 1
  }
}
foreach "f" {
  collection = [1]
  var = "x"
  template {
    otelcol.auth.basic "b" {
      username = "u"
      password = "pw-in-foreach"
      bogus = 2
    }
  }
}
`;
    const out = renderDiagnostics([diag("m.alloy", at(4, 5) as never, "unrecognized attribute name \"bogus\""), diag("m.alloy", at(14, 7) as never, "unrecognized attribute name \"bogus\"")], [{ name: "m.alloy", text }]);
    for (const s of ["tok-in-declare", "pw-in-foreach"]) assert.ok(!out.includes(s), `${s} shown:\n${out}`);
    assert.match(out, /token = \(secret\)/);
    assert.match(out, /password = \(secret\)/);
  });
});

