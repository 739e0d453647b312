// `solder validate` reports OTTL errors with file:line:col of the offending character in the
// .alloy file and the column inside the statement (ottl.md §8.1).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

function validate(text: string): { code: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), "solder-ottl-"));
  const file = join(dir, "pipeline.alloy");
  writeFileSync(file, text);
  const r = spawnSync(`${root}node_modules/.bin/bun`, [`${root}src/main.ts`, "validate", file], { encoding: "utf8" });
  return { code: r.status, out: (r.stdout + r.stderr).replaceAll(file, "pipeline.alloy") };
}

const CONFIG = `otelcol.exporter.debug "sink" { }

otelcol.processor.transform "t" {
  error_mode = "ignore"
  metric_statements {
    context    = "datapoint"
    statements = [
      "set(attributes[\\"env\\"], resource.atributes[\\"deployment.environment\\"])",
      \`set(attributes["v"], "unterminated)\`,
      \`sett(attributes["a"], 1)\`,
      \`replace_pattern(attributes["a"], "a(?=b)", "x")\`,
      \`set(attributes["a"])\`,
    ]
  }
  output { metrics = [otelcol.exporter.debug.sink.input] }
}

otelcol.processor.filter "f" {
  logs { log_record = [\`severity_number < SEVERITY_NUMBER_WRN\`] }
  output { logs = [otelcol.exporter.debug.sink.input] }
}
`;

describe("solder validate with OTTL", () => {
  const r = validate(CONFIG);
  test("fails", () => assert.equal(r.code, 1));
  test("unknown path: file:line:col after escapes, column inside the statement", () => {
    assert.match(r.out, /pipeline\.alloy:8:42: OTTL statement 1, column 33: unknown path resource\.atributes in the datapoint context \(did you mean resource\.attributes\?\)/);
  });
  test("unterminated string", () => assert.match(r.out, /pipeline\.alloy:9:29: OTTL statement 2, column 22: unterminated string literal/));
  test("unknown function", () => assert.match(r.out, /pipeline\.alloy:10:8: OTTL statement 3, column 1: undefined function sett \(did you mean set\?\)/));
  test("invalid regex (a JS feature RE2 rejects)", () => assert.match(r.out, /pipeline\.alloy:11:41: OTTL statement 4, column 34: replace_pattern: the regex pattern supplied to replace_pattern is not a valid pattern: error parsing regexp: invalid or unsupported Perl syntax/));
  test("wrong argument count", () => assert.match(r.out, /pipeline\.alloy:12:27: OTTL statement 5, column 20: set expects 2 arguments, got 1 \(missing value\)/));
  test("filter conditions too", () => assert.match(r.out, /pipeline\.alloy:19:43: OTTL condition 1, column 19: unknown enum symbol SEVERITY_NUMBER_WRN in the log context/));
});
