// Base64 in the four Go variants (std, raw std, URL, raw URL) for IsMatch's rendering of bytes and
// Base64Encode/Decode (ottl.md §5.3). btoa/atob exist in Bun and Deno alike.

/** The variant names Base64Encode and Decode accept. */
export const BASE64_VARIANTS = ["base64", "base64-raw", "base64-url", "base64-raw-url"] as const;

/** One of BASE64_VARIANTS. */
export type Base64Variant = (typeof BASE64_VARIANTS)[number];

/** Encodes bytes; `base64` (standard, padded) by default. */
export function bytesToBase64(bytes: Uint8Array, variant: Base64Variant = "base64"): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  let out = btoa(bin);
  if (variant === "base64-url" || variant === "base64-raw-url") out = out.replaceAll("+", "-").replaceAll("/", "_");
  if (variant === "base64-raw" || variant === "base64-raw-url") out = out.replace(/=+$/, "");
  return out;
}

/** Decodes like Go's strict decoders: the variant's alphabet and padding rules; null when invalid. */
export function base64ToBytes(text: string, variant: Base64Variant = "base64"): Uint8Array | null {
  const url = variant === "base64-url" || variant === "base64-raw-url";
  const raw = variant === "base64-raw" || variant === "base64-raw-url";
  const alphabet = url ? /^[A-Za-z0-9_-]*={0,2}$/ : /^[A-Za-z0-9+/]*={0,2}$/;
  if (!alphabet.test(text)) return null;
  const padded = text.includes("=");
  if (raw ? padded : text.length % 4 !== 0) return null;
  if (raw && text.length % 4 === 1) return null;
  let std = url ? text.replaceAll("-", "+").replaceAll("_", "/") : text;
  if (raw) std += "=".repeat((4 - (std.length % 4)) % 4);
  try {
    const bin = atob(std);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}
