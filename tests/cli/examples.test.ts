// Every shipped configuration — examples/ and the built-in default pipeline — is valid and
// already in canonical format, so users copying one start from something that works.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { main } from "../../src/cli/main.ts";
import { DEFAULT_PIPELINE } from "../../src/cli/default_pipeline.ts";
import { captureIo } from "../helpers/io.ts";

const dir = new URL("../../examples/", import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith(".alloy"));

describe("shipped configurations", () => {
  test("examples/default.alloy and the packages' /etc/solder/config.alloy are the built-in default pipeline", () => {
    assert.equal(readFileSync(new URL("default.alloy", dir), "utf8"), DEFAULT_PIPELINE);
    assert.equal(readFileSync(new URL("../../packaging/config.alloy", import.meta.url), "utf8"), DEFAULT_PIPELINE);
  });

  for (const f of files) {
    test(`examples/${f} is formatted and valid`, async () => {
      const path = new URL(f, dir).pathname;
      const fmt = captureIo();
      assert.equal(await main(["fmt", "--test", path], fmt), 0, fmt.stderrText);
      const validate = captureIo();
      // An example whose run command asks for a lower stability level is validated with it.
      const level = /^\/\/.*solder run .*(--stability\.level=[a-z-]+)/m.exec(readFileSync(path, "utf8"))?.[1];
      assert.equal(await main(["validate", ...(level ? [level] : []), path], validate), 0, validate.stderrText);
    });
  }
});
