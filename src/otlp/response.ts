// Export*ServiceResponse bodies for the receiver (encode) and the exporters (decode), in binary
// protobuf or OTLP/JSON (otlp.md §1 "Success and partial success", §2 "Responses").

import { create } from "@bufbuild/protobuf";
import type { Message } from "@bufbuild/protobuf";
import { type Signal, codecs } from "./batch_signals.ts";
import { decode, encode } from "./codec.ts";
import { formatOtlpJson, parseOtlpJson } from "./json.ts";
import { BatchDecodeError } from "./wire.ts";

/** A partial success: how many items were rejected and why. */
export interface PartialSuccess {
  rejected: number;
  message: string;
}

type Response = Message & { partialSuccess?: Message & { errorMessage: string } };

/** Encodes a response body; `partial` undefined means full success (`{}` in JSON, empty in binary). */
export function encodeResponse(signal: Signal, partial: PartialSuccess | undefined, format: "proto" | "json"): Uint8Array<ArrayBuffer> | string {
  const codec = codecs[signal];
  const res = create(codec.response) as Response;
  if (partial) {
    res.partialSuccess = create(codec.response.field.partialSuccess!.message!, {
      [codec.rejectedKey]: BigInt(Math.max(0, Math.trunc(partial.rejected))),
      errorMessage: partial.message,
    }) as Response["partialSuccess"];
  }
  return format === "json" ? formatOtlpJson(codec.response, res) : encode(codec.response, res);
}

/**
 * Decodes a response body; returns the partial success, or undefined for full success (including
 * an empty body and a partial_success with nothing rejected and no message). Throws BatchDecodeError.
 */
export function decodeResponse(signal: Signal, body: Uint8Array, format: "proto" | "json"): PartialSuccess | undefined {
  const codec = codecs[signal];
  if (body.length === 0) return undefined;
  let res: Response;
  if (format === "json") {
    res = parseOtlpJson(codec.response, new TextDecoder().decode(body)) as Response;
  } else {
    try {
      res = decode(codec.response, body) as Response;
    } catch (err) {
      throw new BatchDecodeError(`invalid ${codec.response.typeName}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
  const ps = res.partialSuccess;
  if (!ps) return undefined;
  const rejected = Number((ps as unknown as Record<string, bigint>)[codec.rejectedKey]);
  if (rejected === 0 && ps.errorMessage === "") return undefined;
  return { rejected, message: ps.errorMessage };
}
