// The `otelcol.Handler` capsule an otelcol.storage.* component exports (style: the Collector's
// storage extension, whose clients are named after the component that asks for one). Exporters
// take it as `sending_queue { storage = … }` and open one queue log per exporter.

import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { Capsule } from "../../../runtime/value.ts";
import { HANDLER_TYPE } from "../auth/handler.ts";
import { QueueLog, type QueueLogOptions } from "./queue_log.ts";

/** The settings the handler reads each time a queue is opened. */
export interface StorageSettings {
  directory: string;
  create_directory: boolean;
  /** Octal, e.g. "0750". */
  directory_permissions: string;
  fsync: boolean;
  compactOnStart: boolean;
}

/** What otelcol.storage.file exports as `handler`. */
export class StorageHandler {
  /** Directories with an open log: two exporters (or two runs of one) must not share one. */
  private readonly inUse = new Set<string>();

  constructor(
    /** The component's id, e.g. `otelcol.storage.file.queue`. */
    readonly id: string,
    private readonly settings: () => StorageSettings,
  ) {}

  /**
   * Opens (creating if allowed) the queue log of `owner` (an exporter's component id) and reads
   * back what it holds. Throws with a readable message when the directory is unusable.
   */
  openQueue(owner: string, extra: Pick<QueueLogOptions, "onCorruption" | "segmentBytes"> = {}): QueueLog {
    const s = this.settings();
    ensureDirectory(s.directory, s.create_directory, s.directory_permissions);
    const dir = join(s.directory, owner);
    if (this.inUse.has(dir)) throw new Error(`${this.id}: the queue of ${owner} is already open`);
    mkdirSync(dir, { recursive: true, mode: parseInt(s.directory_permissions, 8) });
    const log = new QueueLog(dir, { fsync: () => this.settings().fsync, compactOnOpen: s.compactOnStart, ...extra });
    this.inUse.add(dir);
    const close = log.close.bind(log);
    log.close = () => {
      this.inUse.delete(dir);
      close();
    };
    return log;
  }

  toJSON(): { handler: string } {
    return { handler: this.id };
  }

  toString(): string {
    return `handler(${this.id})`;
  }
}

/** The `handler` export. */
export function storageCapsule(h: StorageHandler): Capsule<StorageHandler> {
  return new Capsule(HANDLER_TYPE, h);
}

/** Checks a `sending_queue.storage` value; the message, or undefined when it is usable. */
export function checkStorage(storage: unknown): string | undefined {
  if (storage === undefined || storage instanceof StorageHandler) return undefined;
  return "storage: not a storage extension (use otelcol.storage.file.<label>.handler)";
}

function ensureDirectory(dir: string, create: boolean, permissions: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`problem accessing the storage directory ${dir}: ${(err as Error).message}`);
    if (!create) throw new Error(`the storage directory ${dir} does not exist; set create_directory = true to create it`);
    const mode = parseInt(permissions, 8);
    // Minus the process umask, as in the Collector.
    mkdirSync(dir, { recursive: true, mode });
    return;
  }
  if (!isDir) throw new Error(`the storage path ${dir} is not a directory`);
}
