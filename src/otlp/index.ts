// The public face of src/otlp: what OTLP components import.

export {
  Batch,
  BatchDecodeError,
  decodeResponse,
  encodeResponse,
  type ClientMetadata,
  type FullResources,
  type LogsBatch,
  type MetricsBatch,
  type PartialSuccess,
  type Signal,
  type TracesBatch,
} from "./batch.ts";
export { formatOtlpJson, parseOtlpJson } from "./json.ts";
export {
  SPAN_ID_BYTES,
  TRACE_ID_BYTES,
  base64ToHex,
  bytesToHex,
  hexIdToBase64,
  hexToBytes,
  isValidSpanId,
  isValidTraceId,
  parseHexId,
} from "./ids.ts";
export { ByteBuilder, WT_I32, WT_I64, WT_LEN, WT_VARINT, WireReader, encodeVarint, isUtf8, varintSize } from "./wire.ts";
