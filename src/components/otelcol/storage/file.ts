// `otelcol.storage.file`: exports a `handler` that exporters use as `sending_queue { storage =
// … }`, so queued requests live on disk and survive a restart or a crash (Alloy's arguments and
// defaults; the Collector's filestorage extension). Where the Collector keeps a bbolt database
// per client, solder keeps an append-only, CRC-checked segment log per exporter (queue_log.ts),
// so bbolt's lock timeout and its compaction tuning have nothing to act on: those arguments are
// accepted and reported as having no effect.

import { type Component, defineComponent } from "../../../runtime/component.ts";
import { type Schema, attr, inert, t } from "../../../runtime/schema.ts";
import { debugMetricsBlock } from "../shared/debug_metrics.ts";
import { StorageHandler, storageCapsule } from "./handler.ts";

export interface CompactionArgs {
  on_start: boolean;
  on_rebound: boolean;
  directory?: string;
  rebound_needed_threshold_mib: number;
  rebound_trigger_threshold_mib: number;
  max_transaction_size: number;
  check_interval: number;
  cleanup_on_start: boolean;
}

export interface FileStorageArgs {
  directory?: string;
  timeout: number;
  create_directory: boolean;
  directory_permissions: string;
  fsync: boolean;
  compaction: CompactionArgs;
}

const LOG_DESIGN = "solder's queue log compacts itself online (segments are deleted or rewritten as soon as acknowledged data outweighs live data)";

const schema: Schema = {
  attrs: {
    directory: attr(t.string),
    timeout: inert(t.duration, 1000, "solder takes no file lock to wait for: each exporter's queue log is opened once by this process"),
    create_directory: attr(t.bool, true),
    directory_permissions: attr(t.string, "0750"),
    fsync: attr(t.bool, false),
  },
  blocks: {
    compaction: {
      defaultPresent: true,
      schema: {
        attrs: {
          on_start: attr(t.bool, false),
          on_rebound: inert(t.bool, false, LOG_DESIGN),
          directory: inert(t.string, undefined, "compaction rewrites live records into the queue log itself; no temporary directory is used"),
          rebound_needed_threshold_mib: inert(t.int, 100, LOG_DESIGN),
          rebound_trigger_threshold_mib: inert(t.int, 10, LOG_DESIGN),
          max_transaction_size: inert(t.int, 65536, LOG_DESIGN),
          check_interval: inert(t.duration, 5000, LOG_DESIGN),
          cleanup_on_start: inert(t.bool, false, "compaction leaves no temporary files behind"),
        },
        validate: validateCompaction,
      },
    },
    debug_metrics: debugMetricsBlock,
  },
  validate: validateArgs,
};

function validateArgs(a: FileStorageArgs): string[] {
  const problems: string[] = [];
  if (a.directory === "") problems.push("directory must not be empty (leave it unset for the default under --storage.path)");
  if (a.create_directory) {
    if (!/^[0-7]+$/.test(a.directory_permissions)) problems.push("directory_permissions value must be a valid octal representation");
    else if (parseInt(a.directory_permissions, 8) & ~0o777) problems.push("directory_permissions contain invalid bits for file access");
  }
  return problems;
}

function validateCompaction(c: CompactionArgs): string[] {
  const problems: string[] = [];
  if (c.max_transaction_size < 0) problems.push("max transaction size for compaction cannot be less than 0");
  if (c.on_rebound && c.check_interval <= 0) problems.push("compaction check interval must be positive when rebound compaction is set");
  return problems;
}

class FileStorage implements Component<FileStorageArgs> {
  readonly handler: StorageHandler;

  constructor(
    id: string,
    private args: FileStorageArgs,
    private readonly dataPath: string,
  ) {
    this.handler = new StorageHandler(id, () => ({
      directory: this.args.directory ?? this.dataPath,
      create_directory: this.args.create_directory,
      directory_permissions: this.args.directory_permissions,
      fsync: this.args.fsync,
      compactOnStart: this.args.compaction.on_start,
    }));
  }

  async run(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  }

  update(args: FileStorageArgs): void {
    this.args = args;
  }
}

/** The component definition. */
export const fileStorage = defineComponent<FileStorageArgs>({
  name: "otelcol.storage.file",
  stability: "public-preview",
  summary: "Exports a handler that keeps exporters' sending queues on disk (append-only, CRC-checked segment logs), so queued data survives a restart or a crash.",
  args: schema,
  exports: ["handler"],
  build(opts, args) {
    const c = new FileStorage(opts.id, args, opts.dataPath);
    opts.onStateChange({ handler: storageCapsule(c.handler) });
    return c;
  },
});
