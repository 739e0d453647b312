// Float formatting with the output of Go's strconv.FormatFloat for float64: formats 'e', 'E',
// 'f', 'g', 'G', 'b', 'x', 'X', precision -1 meaning "shortest that round-trips". Needed
// because string.format returns exactly what Go's fmt prints, and JavaScript's toFixed and
// toPrecision round halfway cases differently (Go rounds the exact binary value half-to-even).

/** Decimal digits without leading or trailing zeros; the value is 0.d1d2… × 10^dp. */
interface Decimal {
  digits: string;
  dp: number;
}

const ZERO: Decimal = { digits: "", dp: 0 };
const MASK64 = (1n << 64n) - 1n;

/** strconv.FormatFloat(x, fmt, prec, 64). */
export function formatFloat(x: number, fmt: string, prec: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "+Inf" : "-Inf";
  const neg = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  if (fmt === "b") return formatBinary(neg, abs);
  if (fmt === "x" || fmt === "X") return formatHex(neg, abs, prec, fmt);

  const shortest = prec < 0;
  let d: Decimal;
  if (shortest) {
    d = shortestDecimal(abs);
    if (fmt === "e" || fmt === "E") prec = Math.max(d.digits.length - 1, 0);
    else if (fmt === "f") prec = Math.max(d.digits.length - d.dp, 0);
    else prec = d.digits.length;
  } else {
    d = exactDecimal(abs);
    if (fmt === "e" || fmt === "E") d = roundDecimal(d, prec + 1);
    else if (fmt === "f") d = roundDecimal(d, d.dp + prec);
    else {
      if (prec === 0) prec = 1;
      d = roundDecimal(d, prec);
    }
  }
  return (neg ? "-" : "") + formatDecimal(d, prec, fmt, shortest);
}

function formatDecimal(d: Decimal, prec: number, fmt: string, shortest: boolean): string {
  if (fmt === "e" || fmt === "E") return formatE(d, prec, fmt);
  if (fmt === "f") return formatF(d, prec);
  // %g: exponent form when the exponent is < -4 or ≥ the precision (6 for shortest output).
  const nd = d.digits.length;
  let eprec = prec;
  if (eprec > nd && nd >= d.dp) eprec = nd;
  if (shortest) eprec = 6;
  const exp = d.dp - 1;
  if (exp < -4 || exp >= eprec) {
    return formatE(d, Math.min(prec, nd) - 1, fmt === "g" ? "e" : "E");
  }
  if (prec > d.dp) prec = nd;
  return formatF(d, Math.max(prec - d.dp, 0));
}

function formatE(d: Decimal, prec: number, e: string): string {
  let out = d.digits[0] ?? "0";
  if (prec > 0) out += "." + d.digits.slice(1, prec + 1).padEnd(prec, "0");
  const exp = d.digits === "" ? 0 : d.dp - 1;
  const mag = Math.abs(exp);
  return `${out}${e}${exp < 0 ? "-" : "+"}${mag < 10 ? "0" : ""}${mag}`;
}

function formatF(d: Decimal, prec: number): string {
  let out = d.dp > 0 ? d.digits.slice(0, d.dp).padEnd(d.dp, "0") : "0";
  if (prec > 0) {
    out += ".";
    for (let i = 1; i <= prec; i++) {
      const j = d.dp + i - 1;
      out += j >= 0 && j < d.digits.length ? d.digits[j] : "0";
    }
  }
  return out;
}

/** The shortest digits that read back as x; JavaScript's number printing gives exactly those. */
function shortestDecimal(x: number): Decimal {
  if (x === 0) return ZERO;
  const [mant = "", exp = "0"] = x.toExponential().split("e");
  return trim({ digits: mant.replace(".", ""), dp: Number(exp) + 1 });
}

/** Every digit of x's exact binary value (finite doubles have finite decimal expansions). */
function exactDecimal(x: number): Decimal {
  if (x === 0) return ZERO;
  const { mant, exp } = decompose(x);
  let text: string;
  let dp: number;
  if (exp >= 0) {
    text = (mant << BigInt(exp)).toString();
    dp = text.length;
  } else {
    // mant / 2^k == mant * 5^k / 10^k
    text = (mant * 5n ** BigInt(-exp)).toString();
    dp = text.length + exp;
  }
  return trim({ digits: text, dp });
}

/** Keeps `nd` significant digits, rounding half to even as Go's decimal type does. */
function roundDecimal(d: Decimal, nd: number): Decimal {
  const { digits } = d;
  if (nd < 0 || nd >= digits.length) return d;
  const next = digits[nd]!;
  const up = next === "5" && nd + 1 === digits.length
    ? nd > 0 && (digits.charCodeAt(nd - 1) - 48) % 2 === 1
    : next >= "5";
  if (!up) return trim({ digits: digits.slice(0, nd), dp: d.dp });
  let i = nd - 1;
  while (i >= 0 && digits[i] === "9") i--;
  if (i < 0) return { digits: "1", dp: d.dp + 1 };
  const bumped = String.fromCharCode(digits.charCodeAt(i) + 1);
  return { digits: digits.slice(0, i) + bumped, dp: d.dp };
}

function trim(d: Decimal): Decimal {
  const digits = d.digits.replace(/0+$/, "");
  return digits === "" ? ZERO : { digits, dp: d.dp };
}

/** Integer mantissa and binary exponent with x == mant * 2^exp (x > 0, finite). */
function decompose(x: number): { mant: bigint; exp: number } {
  const { fraction, biased } = rawBits(x);
  if (biased === 0) return { mant: fraction, exp: -1074 };
  return { mant: fraction | (1n << 52n), exp: biased - 1075 };
}

function rawBits(x: number): { fraction: bigint; biased: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  return { fraction: bits & ((1n << 52n) - 1n), biased: Number((bits >> 52n) & 0x7ffn) };
}

/** %b: decimal mantissa and power-of-two exponent, e.g. 4503599627370496p-52 for 1. */
function formatBinary(neg: boolean, x: number): string {
  const { fraction, biased } = rawBits(x);
  const mant = biased === 0 ? fraction : fraction | (1n << 52n);
  const exp = (biased === 0 ? -1022 : biased - 1023) - 52;
  return `${neg ? "-" : ""}${mant}p${exp >= 0 ? "+" : ""}${exp}`;
}

/** %x: hexadecimal mantissa and binary exponent, e.g. 0x1.8p+01 for 3. */
function formatHex(neg: boolean, x: number, prec: number, fmt: string): string {
  const { fraction, biased } = rawBits(x);
  let mant = biased === 0 ? fraction : fraction | (1n << 52n);
  let exp = biased === 0 ? -1022 : biased - 1023;
  if (mant === 0n) exp = 0;
  // Normalise so the leading 1 sits at bit 60, leaving 15 hex digits of fraction below it.
  mant <<= 8n;
  while (mant !== 0n && (mant & (1n << 60n)) === 0n) {
    mant <<= 1n;
    exp--;
  }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & ((1n << 60n) - 1n);
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant <<= 60n - shift;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  const hex = fmt === "X" ? "0123456789ABCDEF" : "0123456789abcdef";
  let out = `${neg ? "-" : ""}0${fmt}${(mant >> 60n) & 1n}`;
  mant = (mant << 4n) & MASK64;
  const count = prec < 0 ? (mant === 0n ? 0 : Infinity) : prec;
  if (count > 0) out += ".";
  for (let i = 0; i < count && (prec >= 0 || mant !== 0n); i++) {
    out += hex[Number((mant >> 60n) & 15n)];
    mant = (mant << 4n) & MASK64;
  }
  const mag = Math.abs(exp);
  out += `${fmt === "X" ? "P" : "p"}${exp < 0 ? "-" : "+"}`;
  return out + (mag < 10 ? `0${mag}` : String(mag));
}
