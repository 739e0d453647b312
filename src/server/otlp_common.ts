// What the OTLP/HTTP and OTLP/gRPC servers share: the sink they deliver to, client metadata
// from headers, and google.rpc.Status bodies for errors (otlp.md §1 "Errors", §2 "Responses").

import { create, createRegistry, toBinary, toJsonString } from "@bufbuild/protobuf";
import { anyPack } from "@bufbuild/protobuf/wkt";
import { type RetryInfo, RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.ts";
import { StatusSchema } from "../../gen/google/rpc/status_pb.ts";
import type { Batch, ClientMetadata, PartialSuccess, Signal } from "../otlp/batch.ts";
import { Code } from "../otlp/errors.ts";

export type Transport = "http" | "grpc";

/** Where a receiver's servers deliver decoded requests. */
export interface OtlpSink {
  /** True when the signal has a pipeline (its output list is non-empty); otherwise it is not served. */
  accepts(signal: Signal): boolean;
  /**
   * Delivers a non-empty batch. Throws (preferably a PipelineError) when the pipeline refuses
   * it; may report a partial success.
   */
  export(batch: Batch<Signal>, transport: Transport): Promise<PartialSuccess | undefined | void>;
}

/** The three signals, in the order upstream registers them. */
export const SIGNALS: readonly Signal[] = ["traces", "metrics", "logs"];

/** Client metadata from request headers: lowercase keys, one value per header line as Headers joins them. */
export function metadataOf(headers: Headers, skip: ReadonlySet<string>): ClientMetadata {
  const out = new Map<string, string[]>();
  headers.forEach((value, key) => {
    if (key.startsWith(":") || skip.has(key)) return;
    const list = out.get(key);
    if (list) list.push(value);
    else out.set(key, [value]);
  });
  return out;
}

/** A google.rpc.RetryInfo for a delay in milliseconds. */
export function retryInfo(delayMs: number): RetryInfo {
  const ms = Math.max(0, Math.round(delayMs));
  return create(RetryInfoSchema, { retryDelay: { seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 } });
}

const detailsRegistry = createRegistry(RetryInfoSchema);

/** Encodes a google.rpc.Status as binary protobuf or proto3 JSON. */
export function encodeStatus(code: Code, message: string, format: "proto" | "json", retryAfterMs?: number): Uint8Array | string {
  const details = retryAfterMs === undefined ? [] : [anyPack(RetryInfoSchema, retryInfo(retryAfterMs))];
  const status = create(StatusSchema, { code, message, details });
  return format === "json" ? toJsonString(StatusSchema, status, { registry: detailsRegistry }) : toBinary(StatusSchema, status);
}

