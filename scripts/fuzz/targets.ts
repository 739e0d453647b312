// The fuzz targets. Each takes bytes; leading "header" bytes select options (signal, format,
// context, content type…) so a whole case is one byte string, printable as base64 and replayable.

import { readdirSync, readFileSync } from "node:fs";
import * as zlib from "node:zlib";
import { type DescMessage, fromBinary } from "@bufbuild/protobuf";
import snappyjs from "snappyjs";
import { ExportLogsServiceRequestSchema } from "../../gen/opentelemetry/proto/collector/logs/v1/logs_service_pb.ts";
import { ExportMetricsServiceRequestSchema } from "../../gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { ExportTraceServiceRequestSchema } from "../../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { Batch, BatchDecodeError, type Signal } from "../../src/otlp/batch.ts";
import { compileCondition, compileStatement } from "../../src/ottl/compile.ts";
import { OttlCompileError } from "../../src/ottl/errors.ts";
import { CONTEXT_NAMES } from "../../src/ottl/tctx.ts";
import { TextParseError, parseText } from "../../src/prom/textparse.ts";
import { createOtlpHttpHandler } from "../../src/server/otlp_http.ts";
import { encodeSnappyFramed } from "../../src/server/snappy.ts";
import { decodeSource, parseFile } from "../../src/syntax/parser.ts";
import { formatFile } from "../../src/syntax/printer.ts";
import { logsBytes, metricsBytes, tracesBytes } from "../../tests/otlp/fixtures.ts";
import { type Rng, type Target, Violation, expectOnly, text, utf8 } from "./engine.ts";

const ROOT = new URL("../../", import.meta.url);
const SIGNALS: readonly Signal[] = ["traces", "metrics", "logs"];
const FULL: Record<Signal, DescMessage> = {
  traces: ExportTraceServiceRequestSchema,
  metrics: ExportMetricsServiceRequestSchema,
  logs: ExportLogsServiceRequestSchema,
};
const SEED_BYTES: Record<Signal, () => Uint8Array> = { traces: tracesBytes, metrics: metricsBytes, logs: logsBytes };

const isDecodeError = (e: unknown) => e instanceof BatchDecodeError;
const withHeader = (h: number, body: Uint8Array): Uint8Array => {
  const out = new Uint8Array(body.length + 1);
  out[0] = h;
  out.set(body, 1);
  return out;
};

// ---------------------------------------------------------------------------------------------
// Structure-aware generators

function varint(n: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

const VARINTS = [0n, 1n, 127n, 128n, 300n, 0x7fffffffn, 0xffffffffn, -1n, 1n << 63n, 1700000000000000000n];

/** A random protobuf message: plausible field numbers, every wire type, nested messages, bad lengths. */
function wireMessage(rng: Rng, depth: number): number[] {
  const out: number[] = [];
  const fields = rng.int(6);
  for (let f = 0; f < fields; f++) {
    const num = rng.chance(0.9) ? 1 + rng.int(16) : rng.pick([0, 19000, 536870911, 1 + rng.int(1 << 20)]);
    const wt = rng.chance(0.95) ? rng.pick([0, 1, 2, 2, 2, 5]) : rng.pick([3, 4, 6, 7]);
    out.push(...varint(BigInt((num << 3) | wt) & 0xffffffffn));
    switch (wt) {
      case 0:
        out.push(...(rng.chance(0.05) ? [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01] : varint(rng.pick(VARINTS))));
        break;
      case 1:
        for (let i = 0; i < 8; i++) out.push(rng.int(256));
        break;
      case 5:
        for (let i = 0; i < 4; i++) out.push(rng.int(256));
        break;
      case 2: {
        let body: number[];
        if (depth > 0 && rng.chance(0.6)) body = wireMessage(rng, depth - 1);
        else if (rng.chance(0.5)) body = [...utf8(rng.pick(["", "a", "service.name", "ü", "\u{1f600}"]))];
        else body = [...rng.bytes(rng.size(24))];
        const len = rng.chance(0.05) ? body.length + rng.pick([-1, 1, 1000, 0x7fffffff]) : body.length;
        out.push(...varint(BigInt(Math.max(0, len))), ...body);
        break;
      }
      default:
        break;
    }
  }
  return out;
}

/** `depth` length-delimited field-1 wrappers around a small message (stack-depth probe). */
function deepWire(rng: Rng, depth: number): Uint8Array {
  let inner: number[] = wireMessage(rng, 1);
  for (let d = 0; d < depth; d++) inner = [...varint(BigInt((rng.pick([1, 2, 1]) << 3) | 2)), ...varint(BigInt(inner.length)), ...inner];
  return Uint8Array.from(inner);
}

function genProto(rng: Rng): Uint8Array {
  const signalByte = rng.int(3);
  const body = rng.chance(0.1) ? deepWire(rng, rng.pick([10, 100, 1000, 3000])) : Uint8Array.from(wireMessage(rng, 6));
  return withHeader(signalByte, body);
}

const JSON_KEYS = ["resourceSpans", "resourceMetrics", "resourceLogs", "resource", "attributes", "scopeSpans", "scopeMetrics", "scopeLogs", "spans", "metrics", "logRecords", "key", "value", "stringValue", "intValue", "doubleValue", "boolValue", "arrayValue", "kvlistValue", "bytesValue", "values", "traceId", "spanId", "name", "kind", "startTimeUnixNano", "gauge", "sum", "histogram", "dataPoints", "asInt", "asDouble", "body", "severityNumber", "schemaUrl", "flags", "unknownField"];

function jsonValue(rng: Rng, depth: number): unknown {
  const k = rng.int(depth > 0 ? 9 : 6);
  switch (k) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([0, -1, 1.5, 1e308, -0, 2 ** 53 + 1, 123456789012345680000]);
    case 3:
      return rng.pick(["", "0", "18446744073709551616", "-9223372036854775809", "5B8EFFF798038103D269B633813FC60C", "0102030405060708", "SPAN_KIND_SERVER", "NaN", "Infinity", "\u0000", "\ud800", "AAEC"]);
    case 4:
      return rng.pick(JSON_KEYS);
    case 5:
      return String(rng.u32());
    case 6:
    case 7: {
      const o: Record<string, unknown> = {};
      for (let i = rng.int(4); i > 0; i--) o[rng.pick(JSON_KEYS)] = jsonValue(rng, depth - 1);
      return o;
    }
    default:
      return Array.from({ length: rng.int(3) }, () => jsonValue(rng, depth - 1));
  }
}

/** Nested AnyValues (kvlist / array) `depth` deep inside a valid envelope, or raw bracket nesting. */
function deepJson(rng: Rng, signal: Signal, depth: number): string {
  if (rng.chance(0.3)) return "[".repeat(depth) + "]".repeat(rng.chance(0.5) ? depth : 0);
  let v = '{"stringValue":"leaf"}';
  for (let d = 0; d < depth; d++) v = rng.chance(0.5) ? `{"kvlistValue":{"values":[{"key":"k","value":${v}}]}}` : `{"arrayValue":{"values":[${v}]}}`;
  const attrs = `"attributes":[{"key":"deep","value":${v}}]`;
  if (signal === "traces") return `{"resourceSpans":[{"resource":{${attrs}},"scopeSpans":[{"spans":[{"name":"s",${attrs}}]}]}]}`;
  if (signal === "metrics") return `{"resourceMetrics":[{"resource":{${attrs}},"scopeMetrics":[{"metrics":[{"name":"m","gauge":{"dataPoints":[{"asInt":"1",${attrs}}]}}]}]}]}`;
  return `{"resourceLogs":[{"resource":{${attrs}},"scopeLogs":[{"logRecords":[{"body":${v},${attrs}}]}]}]}`;
}

function genJson(rng: Rng): Uint8Array {
  const s = rng.int(3);
  const body = rng.chance(0.2) ? deepJson(rng, SIGNALS[s]!, rng.pick([10, 100, 1000, 5000])) : JSON.stringify({ [rng.pick(JSON_KEYS.slice(0, 3))]: [jsonValue(rng, 6)] });
  return withHeader(s, utf8(body));
}

// ---------------------------------------------------------------------------------------------
// OTLP protobuf (lite decoder)

function signalOf(input: Uint8Array): Signal {
  return SIGNALS[(input[0] ?? 0) % 3]!;
}

const protoDecode: Target = {
  name: "otlp-proto",
  description: "Batch.decode (lite protobuf) → only BatchDecodeError; accepted bytes also decode with protobuf-es, upgrade to full, re-encode and re-decode",
  ciIterations: 3000,
  header: 1,
  maxLen: 64 * 1024,
  seeds: () => SIGNALS.map((s, i) => withHeader(i, SEED_BYTES[s]())),
  generate: genProto,
  run(input) {
    const signal = signalOf(input);
    const bytes = input.subarray(1);
    let batch: Batch<Signal>;
    try {
      batch = Batch.decode(signal, bytes);
    } catch (err) {
      expectOnly(err, isDecodeError, "BatchDecodeError");
      return false;
    }
    try {
      fromBinary(FULL[signal], bytes);
    } catch (err) {
      throw new Violation(`lite decode accepted bytes that protobuf-es full decode rejects: ${(err as Error).message}`);
    }
    const lite = batch.itemCount();
    const again = Batch.decode(signal, batch.clone().toBinary());
    batch.full();
    if (batch.itemCount() !== lite) throw new Violation(`item count ${lite} lite, ${batch.itemCount()} after full()`);
    if (again.itemCount() !== lite) throw new Violation(`item count ${lite} lite, ${again.itemCount()} after toBinary → decode`);
    Batch.decode(signal, batch.toBinary());
    return true;
  },
};

// ---------------------------------------------------------------------------------------------
// OTLP JSON

const jsonDecode: Target = {
  name: "otlp-json",
  description: "Batch.fromJson → only BatchDecodeError; accepted input re-encodes (toJson, toBinary) and decodes again",
  ciIterations: 3000,
  header: 1,
  maxLen: 64 * 1024,
  dictionary: ['{"', '"}', "[", "]", "{", "}", ",", ":", '"', "null", "true", "-1", "1e400", '"\\u0000"', '"\\ud800"', ...JSON_KEYS.map((k) => `"${k}":`)],
  seeds: () => SIGNALS.map((s, i) => withHeader(i, utf8(Batch.decode(s, SEED_BYTES[s]()).toJson()))),
  generate: genJson,
  run(input) {
    const signal = signalOf(input);
    let batch: Batch<Signal>;
    try {
      batch = Batch.fromJson(signal, text(input.subarray(1)));
    } catch (err) {
      expectOnly(err, isDecodeError, "BatchDecodeError");
      return false;
    }
    const n = batch.itemCount();
    const fromText = Batch.fromJson(signal, batch.toJson());
    const fromBytes = Batch.decode(signal, batch.toBinary());
    if (fromText.itemCount() !== n || fromBytes.itemCount() !== n) {
      throw new Violation(`item count ${n}, after toJson ${fromText.itemCount()}, after toBinary ${fromBytes.itemCount()}`);
    }
    return true;
  },
};

// ---------------------------------------------------------------------------------------------
// OTLP/HTTP handler

const PATHS = ["/v1/traces", "/v1/metrics", "/v1/logs", "/v1/traces/", "/", "/v1/metrics?x=1"];
const METHODS = ["POST", "POST", "POST", "GET", "PUT", "OPTIONS", "DELETE", "PATCH"];
const CONTENT_TYPES: Array<string | null> = [
  "application/x-protobuf",
  "application/json",
  "application/json; charset=utf-8",
  "APPLICATION/X-PROTOBUF",
  "text/plain",
  null,
  "",
  "application/json;",
  "application/x-protobuf; a",
  "application/x-protobuf;;=",
  "multipart/form-data; boundary=x",
  "application/protobuf",
];
const ENCODINGS: Array<string | null> = [null, "", "gzip", "zlib", "deflate", "zstd", "snappy", "x-snappy-framed", "lz4", "GZIP", "br", "gzip, deflate"];
const MAX_BODY = 64 * 1024;
/** The fixed body of the decompress layer's error for an unknown Content-Type (Collector parity). */
const MARSHAL_ERROR_500 = '{"code": 13, "message": "failed to marshal error message"}';

let sinkError: unknown;
const handler = createOtlpHttpHandler(
  {
    paths: { traces: "/v1/traces", metrics: "/v1/metrics", logs: "/v1/logs" },
    maxRequestBodySize: MAX_BODY,
    compressionAlgorithms: ["", "gzip", "zstd", "zlib", "snappy", "deflate", "lz4", "x-snappy-framed"],
    includeMetadata: true,
  },
  {
    // logs has no pipeline: its path is a 404.
    accepts: (s) => s !== "logs",
    export: async (batch) => {
      try {
        const n = batch.itemCount();
        batch.full();
        if (batch.itemCount() !== n) throw new Violation("item count changed by full()");
        batch.toBinary();
      } catch (err) {
        sinkError = err;
      }
    },
  },
);

function httpCase(path: number, method: number, ct: number, encoding: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 4);
  out.set([path, method, ct, encoding]);
  out.set(body, 4);
  return out;
}

function compress(encoding: string, b: Uint8Array): Uint8Array {
  switch (encoding) {
    case "gzip":
      return new Uint8Array(zlib.gzipSync(b));
    case "zlib":
      return new Uint8Array(zlib.deflateSync(b));
    case "deflate":
      return new Uint8Array(zlib.deflateRawSync(b));
    case "zstd":
      return new Uint8Array(zlib.zstdCompressSync(b));
    case "snappy":
      return snappyjs.compress(b);
    case "x-snappy-framed":
      return encodeSnappyFramed(b);
    default:
      return b;
  }
}

const otlpHttp: Target = {
  name: "otlp-http",
  description: "createOtlpHttpHandler on random bodies, methods, paths, content types and encodings → only 200/400/404/405/413/415",
  ciIterations: 1500,
  header: 4,
  maxLen: 96 * 1024,
  seeds() {
    const out: Uint8Array[] = [];
    for (const [p, s] of [[0, "traces"], [1, "metrics"]] as const) {
      const proto = SEED_BYTES[s]();
      const json = utf8(Batch.decode(s, proto).toJson());
      for (const enc of [1, 2, 3, 4, 5, 6, 7]) {
        out.push(httpCase(p, 0, 0, enc, compress(ENCODINGS[enc]!, proto)));
        out.push(httpCase(p, 0, 2, enc, compress(ENCODINGS[enc]!, json)));
      }
    }
    out.push(httpCase(2, 0, 0, 0, logsBytes()));
    return out;
  },
  generate(rng) {
    // A well-formed request body, then a valid compression of a mutated-enough payload.
    const enc = rng.int(ENCODINGS.length);
    const p = rng.int(PATHS.length);
    const payload = rng.chance(0.5) ? genProto(rng).subarray(1) : genJson(rng).subarray(1);
    const e = ENCODINGS[enc] ?? "";
    return httpCase(p, rng.int(METHODS.length), rng.int(CONTENT_TYPES.length), enc, compress(e, payload));
  },
  async run(input) {
    const path = PATHS[(input[0] ?? 0) % PATHS.length]!;
    const method = METHODS[(input[1] ?? 0) % METHODS.length]!;
    const ct = CONTENT_TYPES[(input[2] ?? 0) % CONTENT_TYPES.length]!;
    const enc = ENCODINGS[(input[3] ?? 0) % ENCODINGS.length]!;
    const body = input.subarray(4);
    const headers = new Headers();
    if (ct !== null) headers.set("content-type", ct);
    if (enc !== null) headers.set("content-encoding", enc);
    const hasBody = method !== "GET" && method !== "HEAD";
    sinkError = undefined;
    const req = new Request(`http://fuzz${path}`, { method, headers, body: hasBody ? (body as BodyInit) : null });
    let res: Response;
    try {
      res = await handler(req);
    } catch (err) {
      throw new Violation(`handler threw (a 500 in production): ${(err as Error)?.stack ?? String(err)}`);
    }
    const resBody = await res.text();
    if (sinkError !== undefined) throw new Violation(`batch handed to the pipeline misbehaves: ${(sinkError as Error)?.stack ?? String(sinkError)}`);
    if (res.status === 500 && resBody === MARSHAL_ERROR_500) return false;
    if (![200, 400, 404, 405, 413, 415].includes(res.status)) throw new Violation(`status ${res.status}: ${resBody.slice(0, 300)}`);
    return res.status === 200;
  },
};

// ---------------------------------------------------------------------------------------------
// Alloy syntax

function alloySeeds(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const dir of ["examples/", "tests/syntax/testdata/"]) {
    for (const f of readdirSync(new URL(dir, ROOT))) if (f.endsWith(".alloy")) out.push(new Uint8Array(readFileSync(new URL(dir + f, ROOT))));
  }
  out.push(utf8('a = [1, 2.5, "s", `raw`, null, true, {b = -3, c = env("X")}]\nb.c "l" {\n\t// c\n\tx = a.b[0] + 1 * 2 || !false\n}\n'));
  return out;
}

const alloy: Target = {
  name: "alloy",
  description: "decodeSource + parseFile never throw; a file that parses cleanly formats idempotently and the output parses cleanly",
  ciIterations: 3000,
  maxLen: 64 * 1024,
  dictionary: ["{", "}", "[", "]", "(", ")", "=", ",", ".", '"', "`", "//", "/*", "*/", "\n", "\t", "null", "true", "env(", "0x", "1e308", "||", "&&", "==", "!", "-", "#", "\\u{1F600}", '"\\', "otelcol.receiver.otlp \"x\" {", "a = ", "}\n"],
  seeds: alloySeeds,
  run(input) {
    const decoded = decodeSource("fuzz.alloy", input);
    if (decoded.text === undefined) {
      if (decoded.diagnostics.length === 0) throw new Violation("decodeSource returned no text and no diagnostics");
      return false;
    }
    const src = decoded.text;
    const { file, diagnostics } = parseFile("fuzz.alloy", src);
    if (!Array.isArray(diagnostics)) throw new Violation("parseFile returned no diagnostics array");
    if (diagnostics.some((d) => d.severity === "error")) return false;
    const once = formatFile(file, src);
    const re = parseFile("fuzz.alloy", once);
    const errs = re.diagnostics.filter((d) => d.severity === "error");
    if (errs.length > 0) throw new Violation(`formatted output does not parse: ${errs[0]!.message}\n--- formatted ---\n${once.slice(0, 2000)}`);
    const twice = formatFile(re.file, once);
    if (twice !== once) throw new Violation(`printer not idempotent\n--- once ---\n${once.slice(0, 2000)}\n--- twice ---\n${twice.slice(0, 2000)}`);
    return true;
  },
};

// ---------------------------------------------------------------------------------------------
// OTTL

const OTTL_SEEDS = [
  'set(attributes["a"], "b") where name == "x"',
  'delete_key(attributes, "k")',
  'keep_keys(attributes, ["a", "b"])',
  'replace_pattern(attributes["a"], "^(\\\\w+)-(\\\\d+)$", "$$1")',
  'set(attributes["n"], Int(attributes["s"]) * 2 + 1) where attributes["s"] != nil and not IsMatch(name, "x.*")',
  'set(body, Concat([body, "!"], "")) where severity_number >= SEVERITY_NUMBER_WARN',
  'merge_maps(attributes, ParseJSON(body), "upsert") where IsString(body)',
  'set(attributes["m"], {"a": [1, 2.5, true, nil], "b": {"c": 0x01}})',
  'truncate_all(attributes, 10)',
  'limit(attributes, 5, ["a"])',
  'set(resource.attributes["x"], Split(attributes["p"], ",")[0])',
  "set(span.status.code, STATUS_CODE_ERROR) where span.kind == SPAN_KIND_SERVER",
];
const OTTL_CONDITIONS = ['attributes["a"] == "b"', "name != nil and (true or false)", 'not IsMatch(body, "^x") or severity_number < 9', "1 + 2 * 3 > 4.5", 'resource.attributes["service.name"] == "api"'];

function ottlSeeds(): Uint8Array[] {
  const texts = new Set<string>(OTTL_SEEDS);
  // Statements written in the OTTL tests (single-quoted string literals that look like calls).
  const walk = (dir: URL) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(new URL(`${e.name}/`, dir));
      else if (e.name.endsWith(".ts")) {
        const src = readFileSync(new URL(e.name, dir), "utf8");
        for (const m of src.matchAll(/'((?:[^'\\\n]|\\.)*)'/g)) {
          const s = m[1]!.replace(/\\(.)/g, "$1");
          if (/^[a-z_]+\(.*\)( where .*)?$/.test(s) && texts.size < 400) texts.add(s);
        }
      }
    }
  };
  walk(new URL("tests/ottl/", ROOT));
  const out: Uint8Array[] = [];
  let k = 0;
  // header: even = statement, odd = condition; (h >> 1) % 7 = context
  for (const t of texts) out.push(withHeader(((k++ % CONTEXT_NAMES.length) << 1) | 0, utf8(t)));
  for (const t of OTTL_CONDITIONS) out.push(withHeader(((k++ % CONTEXT_NAMES.length) << 1) | 1, utf8(t)));
  // Every seed once in the log context too, where most test statements live.
  for (const t of texts) out.push(withHeader(CONTEXT_NAMES.indexOf("log") << 1, utf8(t)));
  return out;
}

const OTTL_ATOMS = ["1", "2.5", "true", "nil", '"s"', 'attributes["a"]', "name", "Int(1)", "0x0a", "-1", "[1, 2]", '{"k": 1}'];

/** Long flat chains (a op b op c …), nested parentheses, `not` runs and key chains, sized up to `max` operands. */
function ottlChain(rng: Rng, big: boolean): Uint8Array {
  const n = rng.pick(big ? [2, 50, 500, 5000, 30_000] : [2, 50, 500, 5000]);
  const atom = () => rng.pick(OTTL_ATOMS);
  let cond: string;
  let value: string;
  switch (rng.int(5)) {
    case 0: {
      const op = rng.pick([" and ", " or "]);
      cond = Array.from({ length: n }, () => `${atom()} == ${atom()}`).join(op);
      value = "1";
      break;
    }
    case 1: {
      const op = rng.pick([" + ", " - ", " * ", " / "]);
      value = Array.from({ length: n }, atom).join(op);
      cond = `${value} > 0`;
      break;
    }
    case 2: {
      const d = Math.min(n, 150);
      value = "(".repeat(d) + atom() + ")".repeat(rng.chance(0.8) ? d : d - 1);
      cond = `${"(".repeat(d)}true${")".repeat(d)}`;
      break;
    }
    case 3:
      cond = `${"not ".repeat(n)}true`;
      value = `attributes${'["k"]'.repeat(n)}`;
      break;
    default:
      value = `Concat([${Array.from({ length: Math.min(n, 5000) }, atom).join(", ")}], "")`;
      cond = `IsMatch(${value}, "x")`;
  }
  const h = rng.int(CONTEXT_NAMES.length) << 1;
  return rng.chance(0.5) ? withHeader(h | 1, utf8(cond)) : withHeader(h, utf8(`set(attributes["x"], ${value}) where ${rng.chance(0.5) ? "true" : cond}`));
}

const ottl: Target = {
  name: "ottl",
  description: "compileStatement / compileCondition (parse + bind) in every context → only OttlCompileError",
  ciIterations: 4000,
  header: 1,
  maxLen: 16 * 1024,
  dictionary: ["(", ")", "[", "]", "{", "}", ",", ":", '"', "where", " and ", " or ", "not ", "nil", "true", "==", "!=", ">=", "<", "+", "-", "*", "/", "0x", "1e309", '"\\x', "\\u", "attributes", "resource.", "span.", "metric.", "log.", "cache", "Int(", "Concat(", "IsMatch(", "ParseJSON(", "set(", "SPAN_KIND_", "STATUS_CODE_OK"],
  seeds: ottlSeeds,
  generate: ottlChain,
  run(input) {
    const h = input[0] ?? 0;
    const context = CONTEXT_NAMES[(h >> 1) % CONTEXT_NAMES.length]!;
    const src = text(input.subarray(1));
    const requirePrefix = (h & 0x80) !== 0;
    try {
      if (h & 1) compileCondition(src, { context, requirePrefix });
      else compileStatement(src, { context, requirePrefix });
    } catch (err) {
      expectOnly(err, (e) => e instanceof OttlCompileError, "OttlCompileError");
      return false;
    }
    return true;
  },
};

// ---------------------------------------------------------------------------------------------
// Prometheus text

const PROM_SEED = `# HELP http_requests_total The total number of requests.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"}    3 1395066363000
msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9
metric_without_timestamp_and_labels 12.47
something_weird{problem="division by zero"} +Inf -3982045
# HELP http_request_duration_seconds A histogram of the request duration.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.05"} 24054
http_request_duration_seconds_bucket{le="+Inf"} 144320
http_request_duration_seconds_sum 53423
http_request_duration_seconds_count 144320
# TYPE rpc_duration_seconds summary
rpc_duration_seconds{quantile="0.5"} 4773
rpc_duration_seconds_sum 1.7560473e+07
rpc_duration_seconds_count 2693
`;
const OM_SEED = `# TYPE acme_http_router_request_seconds summary
# UNIT acme_http_router_request_seconds seconds
# HELP acme_http_router_request_seconds Latency though all of ACME's HTTP request router.
acme_http_router_request_seconds_sum{path="/api/v1",method="GET"} 9036.32
acme_http_router_request_seconds_count{path="/api/v1",method="GET"} 807283.0
acme_http_router_request_seconds_created{path="/api/v1",method="GET"} 1605281325.0
# TYPE foo histogram
foo_bucket{le="0.0"} 0
foo_bucket{le="1e-05"} 0 # {trace_id="KOO5S4vxi0o"} 0.67
foo_bucket{le="+Inf"} 17
foo_count 17
foo_sum 324789.3
# TYPE enabled stateset
enabled{enabled="a"} 1
enabled{enabled="b"} 0
# TYPE build info
build_info{version="1.2"} 1
# TYPE g gaugehistogram
g_bucket{le="+Inf"} 3
g_gcount 3
g_gsum 1.5
# EOF
`;

const prom: Target = {
  name: "prom-text",
  description: "parseText (Prometheus 0.0.4 and OpenMetrics 1.0) → only TextParseError",
  ciIterations: 4000,
  header: 1,
  maxLen: 64 * 1024,
  dictionary: ["# HELP ", "# TYPE ", "# UNIT ", "# EOF\n", "{", "}", "=", ",", '"', "\\", "\n", " ", "NaN", "+Inf", "-Inf", "1e999", "_bucket", "_total", "_created", 'le="', 'quantile="', " # {", "counter", "histogram", "stateset", "info"],
  seeds: () => [withHeader(0, utf8(PROM_SEED)), withHeader(1, utf8(OM_SEED)), withHeader(2, utf8(PROM_SEED.replace(/\n/g, "\r\n")))],
  run(input) {
    const format = (input[0] ?? 0) & 1 ? "openmetrics" : "prometheus";
    try {
      parseText(text(input.subarray(1)), format);
    } catch (err) {
      expectOnly(err, (e) => e instanceof TextParseError, "TextParseError");
      return false;
    }
    return true;
  },
};

export const TARGETS: readonly Target[] = [protoDecode, jsonDecode, otlpHttp, alloy, ottl, prom];
