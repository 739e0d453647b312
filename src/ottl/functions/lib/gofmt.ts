// A Go fmt.Sprintf for the Format converter (ottl.md §5.3 "Strings"). Covers the verbs users
// write in OTTL (%v %s %d %f %e %g %x %X %o %b %t %q %c %%), flags `+ - # 0 space`, width and
// precision (including `*`), explicit argument indexes `%[n]d`, and Go's error markers for
// mismatches: `%!d(string=x)`, `%!d(MISSING)`, `%!(EXTRA int64=1)`, `%!z(int64=1)`.

import { formatGoDuration } from "./go_duration.ts";
import { ODuration, OTime, PList, PMap, SpanID, TraceID, type Value, toJSON } from "../../values.ts";
import { formatUtcTime } from "./go_time.ts";
import { utf8Decode } from "./utf8.ts";

interface Spec {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  zero: boolean;
  space: boolean;
  width: number | undefined;
  prec: number | undefined;
}

/** Formats `format` with `args` the way Go's fmt.Sprintf does for OTTL values. */
export function goSprintf(format: string, args: readonly Value[]): string {
  let out = "";
  let argNum = 0;
  let reordered = false;
  let i = 0;
  while (i < format.length) {
    const pct = format.indexOf("%", i);
    if (pct === -1) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec: Spec = { plus: false, minus: false, sharp: false, zero: false, space: false, width: undefined, prec: undefined };
    for (; i < format.length; i++) {
      const c = format[i];
      if (c === "+") spec.plus = true;
      else if (c === "-") spec.minus = true;
      else if (c === "#") spec.sharp = true;
      else if (c === "0") spec.zero = true;
      else if (c === " ") spec.space = true;
      else break;
    }
    const index = (): void => {
      const m = /^\[(\d+)\]/.exec(format.slice(i));
      if (m) {
        argNum = Number(m[1]) - 1;
        reordered = true;
        i += m[0].length;
      }
    };
    const number = (): number | undefined => {
      index();
      if (format[i] === "*") {
        i++;
        const a = args[argNum++];
        return typeof a === "bigint" ? Number(a) : undefined;
      }
      const m = /^\d+/.exec(format.slice(i));
      if (!m) return undefined;
      i += m[0].length;
      return Number(m[0]);
    };
    spec.width = number();
    if (format[i] === ".") {
      i++;
      spec.prec = number() ?? 0;
    }
    index();
    if (i >= format.length) {
      out += "%!(NOVERB)";
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) as number);
    i += verb.length;
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += pad(formatOne(verb, args[argNum++] as Value, spec), spec);
  }
  if (!reordered && argNum < args.length) {
    out += `%!(EXTRA ${args.slice(argNum).map((a) => `${goType(a)}=${formatOne("v", a, blankSpec())}`).join(", ")})`;
  }
  return out;
}

function blankSpec(): Spec {
  return { plus: false, minus: false, sharp: false, zero: false, space: false, width: undefined, prec: undefined };
}

/** The Go type name fmt prints in error markers. */
function goType(v: Value): string {
  if (v === null) return "<nil>";
  switch (typeof v) {
    case "string":
      return "string";
    case "bigint":
      return "int64";
    case "number":
      return "float64";
    case "boolean":
      return "bool";
  }
  if (v instanceof Uint8Array) return "[]uint8";
  if (v instanceof PMap) return "pcommon.Map";
  if (v instanceof PList) return "pcommon.Slice";
  if (v instanceof TraceID) return "pcommon.TraceID";
  if (v instanceof SpanID) return "pcommon.SpanID";
  if (v instanceof OTime) return "time.Time";
  if (v instanceof ODuration) return "time.Duration";
  return v.kind;
}

function bad(verb: string, v: Value): string {
  return v === null ? `%!${verb}(<nil>)` : `%!${verb}(${goType(v)}=${formatOne("v", v, blankSpec())})`;
}

function formatOne(verb: string, v: Value, spec: Spec): string {
  if (v === null) return verb === "v" ? "<nil>" : bad(verb, v);
  if (typeof v === "bigint") return formatInt(verb, v, spec) ?? bad(verb, v);
  if (typeof v === "number") return formatFloatVerb(verb, v, spec) ?? bad(verb, v);
  if (typeof v === "boolean") return verb === "v" || verb === "t" ? String(v) : bad(verb, v);
  if (typeof v === "string") return formatString(verb, v, spec) ?? bad(verb, v);
  if (v instanceof Uint8Array) {
    if (verb === "s" || verb === "q") return formatString(verb, utf8Decode(v), spec) as string;
    if (verb === "x" || verb === "X") return hexBytes(v, verb === "X", spec);
    if (verb === "v" || verb === "d") return `[${[...v].join(" ")}]`;
    return bad(verb, v);
  }
  if (verb !== "v" && verb !== "s") return bad(verb, v);
  if (v instanceof TraceID || v instanceof SpanID) return v.hex();
  if (v instanceof OTime) return formatUtcTime(v.ns);
  if (v instanceof ODuration) return formatGoDuration(v.ns);
  if (v instanceof PMap || v instanceof PList) return toJSON(v);
  return `{${v.kind}}`;
}

function sign(neg: boolean, spec: Spec): string {
  return neg ? "-" : spec.plus ? "+" : spec.space ? " " : "";
}

function formatInt(verb: string, v: bigint, spec: Spec): string | undefined {
  const neg = v < 0n;
  const abs = neg ? -v : v;
  let digits: string;
  let prefix = "";
  switch (verb) {
    case "v":
    case "d":
      digits = abs.toString();
      break;
    case "x":
    case "X":
      digits = abs.toString(16);
      if (verb === "X") digits = digits.toUpperCase();
      if (spec.sharp) prefix = verb === "x" ? "0x" : "0X";
      break;
    case "o":
      digits = abs.toString(8);
      if (spec.sharp) prefix = "0";
      break;
    case "O":
      digits = abs.toString(8);
      prefix = "0o";
      break;
    case "b":
      digits = abs.toString(2);
      break;
    case "c":
      return String.fromCodePoint(Number(abs));
    case "q":
      return `'${String.fromCodePoint(Number(abs))}'`;
    case "U":
      return `U+${abs.toString(16).toUpperCase().padStart(4, "0")}`;
    default:
      return undefined;
  }
  if (spec.prec !== undefined) {
    digits = spec.prec === 0 && abs === 0n ? "" : digits.padStart(spec.prec, "0");
  } else if (spec.zero && !spec.minus && spec.width !== undefined) {
    // Zero padding goes between the sign and the digits.
    const s = sign(neg, spec) + prefix;
    return s + digits.padStart(spec.width - s.length, "0");
  }
  return sign(neg, spec) + prefix + digits;
}

function formatFloatVerb(verb: string, v: number, spec: Spec): string | undefined {
  if (!"vfFeEgG".includes(verb)) return undefined;
  if (Number.isNaN(v)) return spec.plus ? "+NaN" : spec.space ? " NaN" : "NaN";
  if (!Number.isFinite(v)) return v < 0 ? "-Inf" : spec.space && !spec.plus ? " Inf" : "+Inf"; // Inf keeps its sign
  const neg = v < 0 || Object.is(v, -0);
  const abs = Math.abs(v);
  let body: string;
  switch (verb) {
    case "f":
    case "F":
      body = abs.toFixed(spec.prec ?? 6);
      break;
    case "e":
    case "E":
      body = goExponent(abs.toExponential(spec.prec ?? 6));
      break;
    default:
      body = formatG(abs, spec.prec);
  }
  if (verb === "E" || verb === "G") body = body.toUpperCase();
  if (spec.zero && !spec.minus && spec.width !== undefined) {
    const s = sign(neg, spec);
    return s + body.padStart(spec.width - s.length, "0");
  }
  return sign(neg, spec) + body;
}

/** JS `1.5e+0` → Go `1.5e+00` (at least two exponent digits). */
function goExponent(s: string): string {
  return s.replace(/e([+-])(\d)$/, "e$10$2");
}

/** %g / %v: shortest digits (or `prec` significant ones); exponent form when exp < -4 or exp >= precision (6 when shortest). */
function formatG(abs: number, prec: number | undefined): string {
  if (abs === 0) return "0";
  const shortest = prec === undefined;
  const p = shortest ? 6 : Math.max(prec, 1);
  const [mant, e] = (shortest ? abs.toExponential() : abs.toExponential(p - 1)).split("e") as [string, string];
  const exp = Number(e);
  if (exp < -4 || exp >= p) return goExponent(`${stripZeros(mant)}e${e}`);
  return shortest ? String(abs) : stripZeros(abs.toFixed(Math.max(0, p - 1 - exp)));
}

function stripZeros(s: string): string {
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}

function formatString(verb: string, s: string, spec: Spec): string | undefined {
  const cut = spec.prec !== undefined ? [...s].slice(0, spec.prec).join("") : s;
  switch (verb) {
    case "v":
    case "s":
      return cut;
    case "q":
      return JSON.stringify(cut);
    case "x":
    case "X":
      return hexBytes(new TextEncoder().encode(cut), verb === "X", spec);
    default:
      return undefined;
  }
}

function hexBytes(b: Uint8Array, upper: boolean, spec: Spec): string {
  let h = [...b].map((x) => x.toString(16).padStart(2, "0")).join(spec.space ? " " : "");
  if (upper) h = h.toUpperCase();
  return spec.sharp ? (upper ? "0X" : "0x") + h : h;
}

function pad(s: string, spec: Spec): string {
  if (spec.width === undefined) return s;
  const n = [...s].length;
  if (n >= spec.width) return s;
  const fill = " ".repeat(spec.width - n);
  return spec.minus ? s + fill : fill + s;
}
