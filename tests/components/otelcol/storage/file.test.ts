import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FileStorageArgs, fileStorage } from "../../../../src/components/otelcol/storage/file.ts";
import { StorageHandler } from "../../../../src/components/otelcol/storage/handler.ts";
import { createLogger, memorySink } from "../../../../src/runtime/logger.ts";
import { MetricsRegistry } from "../../../../src/runtime/metrics.ts";
import type { Capsule } from "../../../../src/runtime/value.ts";
import { decode } from "../exporter/harness.ts";

async function build(text: string, dataPath: string): Promise<StorageHandler> {
  const { args, errors } = decode(fileStorage, text);
  assert.deepEqual(errors, []);
  let handler: StorageHandler | undefined;
  await fileStorage.build(
    { id: "otelcol.storage.file.q", dataPath, logger: createLogger(memorySink()), metrics: new MetricsRegistry(), onStateChange: (e) => (handler = (e.handler as Capsule<StorageHandler>).value) },
    args as FileStorageArgs,
  );
  return handler!;
}

describe("otelcol.storage.file", () => {
  test("Alloy's defaults", () => {
    const { args, errors, warnings } = decode(fileStorage, "");
    assert.deepEqual(errors, []);
    assert.deepEqual(warnings, []);
    assert.equal(args.directory, undefined);
    assert.equal(args.timeout, 1000);
    assert.equal(args.create_directory, true);
    assert.equal(args.directory_permissions, "0750");
    assert.equal(args.fsync, false);
    assert.equal(args.compaction.on_start, false);
    assert.equal(args.compaction.max_transaction_size, 65536);
    assert.equal(args.compaction.check_interval, 5000);
  });

  test("arguments that cannot act on solder's log are accepted with a warning", () => {
    const { errors, warnings } = decode(fileStorage, `timeout = "2s"\ncompaction {\n on_rebound = true\n rebound_needed_threshold_mib = 5\n}`);
    assert.deepEqual(errors, []);
    assert.equal(warnings.length, 3, warnings.join("\n"));
    assert.ok(warnings.some((w) => w.includes("timeout")));
  });

  test("validation as Alloy's", () => {
    assert.deepEqual(decode(fileStorage, `directory_permissions = "0999"`).errors, ["directory_permissions value must be a valid octal representation"]);
    assert.deepEqual(decode(fileStorage, `directory_permissions = "07777"`).errors, ["directory_permissions contain invalid bits for file access"]);
    assert.deepEqual(decode(fileStorage, `compaction { max_transaction_size = -1 }`).errors, ["max transaction size for compaction cannot be less than 0"]);
    assert.deepEqual(decode(fileStorage, `compaction {\n on_rebound = true\n check_interval = "0s"\n}`).errors, ["compaction check interval must be positive when rebound compaction is set"]);
  });

  test("the default directory is the component's data path; queues get one directory per exporter", async () => {
    const base = mkdtempSync(join(tmpdir(), "solder-fs-"));
    const dataPath = join(base, "otelcol.storage.file.q");
    const h = await build("", dataPath);
    assert.ok(!existsSync(dataPath), "building writes nothing");
    const log = h.openQueue("otelcol.exporter.otlp.a");
    assert.deepEqual(log.openAndRecover(), []);
    assert.ok(statSync(join(dataPath, "otelcol.exporter.otlp.a")).isDirectory());
    assert.equal(statSync(dataPath).mode & 0o777 & ~0o750, 0);
    assert.throws(() => h.openQueue("otelcol.exporter.otlp.a"), /already open/);
    log.close();
    h.openQueue("otelcol.exporter.otlp.a").close();
  });

  test("create_directory = false needs an existing directory", async () => {
    const base = mkdtempSync(join(tmpdir(), "solder-fs-"));
    const h = await build(`directory = "${join(base, "missing")}"\ncreate_directory = false`, base);
    assert.throws(() => h.openQueue("x"), /does not exist; set create_directory = true/);
    const ok = await build(`directory = "${base}"\ncreate_directory = false`, "/nonexistent");
    ok.openQueue("x").close();
  });
});
