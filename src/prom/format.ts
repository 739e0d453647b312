// Number formatting for Prometheus label values. `le` and `quantile` must read like Go's
// strconv.FormatFloat(f, 'f', -1, 64): shortest round-trip digits, never an exponent
// (spec: prometheus.md §3.1). `le="1e-7"` and `le="0.0000001"` are different series, so
// matching the reference byte for byte matters.

/** Go's FormatFloat(n, 'f', -1, 64), with Prometheus' spellings of the infinities. */
export function formatFloat(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  if (Object.is(n, -0)) return "-0";
  const s = String(n);
  const e = s.indexOf("e");
  // JS and Go pick the same shortest digits; JS only switches to exponent form below 1e-6
  // and from 1e21 on.
  return e < 0 ? s : expandExponent(s, e);
}

/** Rewrites `d.ddde±x` (JS exponent form) as plain decimal. */
function expandExponent(s: string, e: number): string {
  const negative = s.startsWith("-");
  const mantissa = s.slice(negative ? 1 : 0, e);
  const exponent = Number(s.slice(e + 1));
  const dot = mantissa.indexOf(".");
  const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  // Where the decimal point lands, counted in digits from the left.
  const point = (dot < 0 ? mantissa.length : dot) + exponent;
  let out: string;
  if (point <= 0) out = `0.${"0".repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + "0".repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${out}` : out;
}
