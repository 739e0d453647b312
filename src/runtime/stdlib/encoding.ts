// The `encoding` namespace (spec §7): JSON, YAML, base64 and URL query escaping, with the
// semantics (and, where practical, the error texts) of the Go packages Alloy uses.

import { parseAllDocuments } from "yaml";
import { ValueError } from "../value.ts";
import type { ObjectValue, Value } from "../value.ts";
import { expectCount, stringArg } from "./args.ts";
import type { Impl } from "./args.ts";
import { parseJson, setKey, stringifyJson } from "./json.ts";

const STD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** encoding.from_json: JSON text to a value. */
export const fromJson: Impl = (name, args) => {
  expectCount(name, args, 1);
  return withName(name, () => parseJson(stringArg(name, args, 0)));
};

/** encoding.to_json: a value to compact JSON text. */
export const toJson: Impl = (name, args) => {
  expectCount(name, args, 1);
  return withName(name, () => stringifyJson(args[0]!));
};

/** encoding.from_yaml: the first YAML document to a value (YAML 1.2 core schema, merge keys). */
export const fromYaml: Impl = (name, args) => {
  expectCount(name, args, 1);
  const docs = parseAllDocuments(stringArg(name, args, 0), { merge: true, uniqueKeys: false });
  const doc = Array.isArray(docs) ? docs[0] : undefined;
  if (doc === undefined) return null; // empty input, as Go's yaml.Unmarshal
  const problem = doc.errors[0];
  // The library appends a source excerpt after the first line; keep just the sentence.
  if (problem) throw new ValueError(`${name}: yaml: ${problem.message.split("\n")[0]!.replace(/:$/, "")}`);
  return fromYamlJs(doc.toJS({ maxAliasCount: 1000 }));
};

/** encoding.from_base64: standard (padded) base64 to text. */
export const fromBase64: Impl = (name, args) => {
  expectCount(name, args, 1);
  return withName(name, () => decodeText(decodeBase64(stringArg(name, args, 0), STD_ALPHABET)));
};

/** encoding.from_URLbase64: URL-safe (padded) base64 to text. */
export const fromUrlBase64: Impl = (name, args) => {
  expectCount(name, args, 1);
  return withName(name, () => decodeText(decodeBase64(stringArg(name, args, 0), URL_ALPHABET)));
};

/** encoding.to_base64: text to standard base64. */
export const toBase64: Impl = (name, args) => {
  expectCount(name, args, 1);
  return encodeBase64(new TextEncoder().encode(stringArg(name, args, 0)), STD_ALPHABET);
};

/** encoding.to_URLbase64: text to URL-safe base64 (padded, like Go's URLEncoding). */
export const toUrlBase64: Impl = (name, args) => {
  expectCount(name, args, 1);
  return encodeBase64(new TextEncoder().encode(stringArg(name, args, 0)), URL_ALPHABET);
};

/** encoding.url_encode: Go's url.QueryEscape (space becomes "+"). */
export const urlEncode: Impl = (name, args) => {
  expectCount(name, args, 1);
  let out = "";
  for (const b of new TextEncoder().encode(stringArg(name, args, 0))) {
    const ch = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(ch)) out += ch;
    else if (ch === " ") out += "+";
    else out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
};

/** encoding.url_decode: Go's url.QueryUnescape ("+" becomes a space). */
export const urlDecode: Impl = (name, args) => {
  expectCount(name, args, 1);
  const chars = Array.from(stringArg(name, args, 0));
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === "%") {
      const hex = chars.slice(i + 1, i + 3).join("");
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
        throw new ValueError(`${name}: invalid URL escape ${JSON.stringify(chars.slice(i, i + 3).join(""))}`);
      }
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (ch === "+") bytes.push(0x20);
    else bytes.push(...encoder.encode(ch));
  }
  return decodeText(new Uint8Array(bytes));
};

/** Function name (within the namespace) to implementation. */
export const ENCODING_FUNCTIONS: Readonly<Record<string, Impl>> = {
  from_json: fromJson,
  from_yaml: fromYaml,
  to_json: toJson,
  from_base64: fromBase64,
  from_URLbase64: fromUrlBase64,
  to_base64: toBase64,
  to_URLbase64: toUrlBase64,
  url_encode: urlEncode,
  url_decode: urlDecode,
};


/** Prefixes the function name onto errors from a helper that does not know it. */
function withName<T>(name: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ValueError) throw new ValueError(`${name}: ${err.message}`);
    throw err;
  }
}

/** Bytes to text the way Alloy's []byte → string conversion ends up (invalid UTF-8 → U+FFFD). */
function decodeText(bytes: Uint8Array): string {
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
}

function encodeBase64(bytes: Uint8Array, alphabet: string): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = [18, 12, 6, 0].map((shift) => alphabet[(n >> shift) & 63]!);
    const kept = Math.min(4, Math.ceil(((bytes.length - i) * 4) / 3));
    out += chars.slice(0, kept).join("") + "=".repeat(4 - kept);
  }
  return out;
}

/**
 * Strict padded base64 as Go's base64.StdEncoding/URLEncoding decode it: CR and LF are
 * skipped, anything else outside the alphabet (or misplaced padding) is reported with Go's
 * `illegal base64 data at input byte N`.
 */
function decodeBase64(s: string, alphabet: string): Uint8Array {
  const out: number[] = [];
  const illegal = (at: number) => new ValueError(`illegal base64 data at input byte ${at}`);
  let i = 0;
  for (;;) {
    const quantum: number[] = [];
    while (quantum.length < 4) {
      while (i < s.length && (s[i] === "\n" || s[i] === "\r")) i++;
      if (i >= s.length) {
        if (quantum.length === 0) return new Uint8Array(out);
        throw illegal(i - quantum.length);
      }
      const ch = s[i]!;
      if (ch === "=") {
        padQuantum(s, i, quantum.length, illegal);
        appendQuantum(out, quantum);
        return new Uint8Array(out);
      }
      const v = alphabet.indexOf(ch);
      if (v < 0) throw illegal(i);
      quantum.push(v);
      i++;
    }
    appendQuantum(out, quantum);
  }
}

/** Validates the padding that starts at s[at] after `have` symbols of a quantum. */
function padQuantum(s: string, at: number, have: number, illegal: (at: number) => ValueError): void {
  if (have < 2) throw illegal(at);
  let i = at + 1;
  if (have === 2) {
    // Two symbols need "==".
    while (i < s.length && (s[i] === "\n" || s[i] === "\r")) i++;
    if (i >= s.length) throw illegal(s.length);
    if (s[i] !== "=") throw illegal(i - 1); // Go reports the byte before the bad one
    i++;
  }
  while (i < s.length && (s[i] === "\n" || s[i] === "\r")) i++;
  if (i < s.length) throw illegal(i); // nothing may follow the padding
}

function appendQuantum(out: number[], quantum: number[]): void {
  const n = quantum.reduce((acc, v, k) => acc | (v << (18 - 6 * k)), 0);
  const bytes = quantum.length - 1; // 4 symbols → 3 bytes, 3 → 2, 2 → 1
  for (let k = 0; k < bytes; k++) out.push((n >> (16 - 8 * k)) & 0xff);
}

/** Normalises what the YAML library returns into runtime values. */
function fromYamlJs(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
  if (v instanceof Uint8Array) return decodeText(v); // !!binary
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(fromYamlJs);
  if (v instanceof Map) {
    const obj: ObjectValue = {};
    for (const [k, val] of v) setKey(obj, String(k), fromYamlJs(val));
    return obj;
  }
  if (v instanceof Set) return Array.from(v, fromYamlJs);
  if (typeof v === "object") {
    const obj: ObjectValue = {};
    for (const [k, val] of Object.entries(v)) setKey(obj, k, fromYamlJs(val));
    return obj;
  }
  return String(v);
}
