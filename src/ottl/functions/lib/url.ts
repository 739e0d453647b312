// Go's net/url.Parse and URL.String for the URL converter (ottl.md §5.3), which upstream maps to
// semconv attributes in parseutils.ParseURI. Work happens on "byte strings" (one char per UTF-8
// byte) so percent-encoding matches Go byte for byte; results are decoded back to text.

import { utf8Bytes, utf8Decode } from "./utf8.ts";

type Mode = "path" | "host" | "user" | "fragment";

/** The parts of a parsed URL (all decoded text). */
export interface GoURL {
  scheme: string;
  opaque: string;
  user?: { username: string; password?: string };
  host: string;
  path: string;
  rawPath: string;
  omitHost: boolean;
  forceQuery: boolean;
  rawQuery: string;
  fragment: string;
  rawFragment: string;
}

const toBytes = (s: string): string => String.fromCharCode(...utf8Bytes(s));
const fromBytes = (b: string): string => utf8Decode(Uint8Array.from(b, (c) => c.charCodeAt(0)));

/** net/url shouldEscape for the modes the URL converter needs. */
function shouldEscape(c: string, mode: Mode): boolean {
  if (/[A-Za-z0-9]/.test(c)) return false;
  if (mode === "host" && "!$&'()*+,;=:[]<>\"".includes(c)) return false;
  if ("-_.~".includes(c)) return false;
  if ("$&+,/:;=?@".includes(c)) {
    if (mode === "path") return c === "?";
    if (mode === "user") return "@/?:".includes(c);
    if (mode === "fragment") return false;
  }
  if (mode === "fragment" && "!()*".includes(c)) return false;
  return true;
}

function escape(b: string, mode: Mode): string {
  let out = "";
  for (const c of b) out += shouldEscape(c, mode) ? `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}` : c;
  return out;
}

/** net/url unescape: `%XX` decoded, malformed escapes rejected; in hosts only non-ASCII may be escaped. */
function unescape(b: string, mode: Mode): string {
  let out = "";
  for (let i = 0; i < b.length; ) {
    const c = b[i] as string;
    if (c === "%") {
      const hex = b.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new Error(`invalid URL escape ${JSON.stringify(b.slice(i, i + 3))}`);
      const v = parseInt(hex, 16);
      if (mode === "host" && v < 0x80 && hex !== "25") throw new Error(`invalid URL escape ${JSON.stringify(b.slice(i, i + 3))}`);
      out += String.fromCharCode(v);
      i += 3;
      continue;
    }
    if (mode === "host" && c.charCodeAt(0) < 0x80 && shouldEscape(c, mode)) throw new Error(`invalid character ${JSON.stringify(c)} in host name`);
    out += c;
    i++;
  }
  return out;
}

function validOptionalPort(port: string): boolean {
  return port === "" || /^:[0-9]*$/.test(port);
}

function getScheme(raw: string): [string, string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (/[A-Za-z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) return ["", raw];
      continue;
    }
    if (c === ":") {
      if (i === 0) throw new Error("missing protocol scheme");
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ["", raw];
  }
  return ["", raw];
}

function parseHost(host: string): string {
  if (host.startsWith("[")) {
    const i = host.lastIndexOf("]");
    if (i < 0) throw new Error("missing ']' in host");
    const colonPort = host.slice(i + 1);
    if (!validOptionalPort(colonPort)) throw new Error(`invalid port ${JSON.stringify(colonPort)} after host`);
  } else {
    const i = host.lastIndexOf(":");
    if (i >= 0 && !validOptionalPort(host.slice(i))) throw new Error(`invalid port ${JSON.stringify(host.slice(i))} after host`);
  }
  return unescape(host, "host");
}

function parseAuthority(u: GoURL, authority: string): void {
  const at = authority.lastIndexOf("@");
  u.host = parseHost(at < 0 ? authority : authority.slice(at + 1));
  if (at < 0) return;
  const info = authority.slice(0, at);
  if (!/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(info)) throw new Error("net/url: invalid userinfo");
  const colon = info.indexOf(":");
  if (colon < 0) u.user = { username: unescape(info, "user") };
  else u.user = { username: unescape(info.slice(0, colon), "user"), password: unescape(info.slice(colon + 1), "user") };
}

/** Go url.Parse. Throws an Error with Go's wording on malformed input. */
export function parseGoURL(text: string): GoURL {
  const raw = toBytes(text);
  const hash = raw.indexOf("#");
  const [rest0, frag] = hash < 0 ? [raw, ""] : [raw.slice(0, hash), raw.slice(hash + 1)];
  if (/[\x00-\x1f\x7f]/.test(rest0)) throw new Error("net/url: invalid control character in URL");
  const u: GoURL = { scheme: "", opaque: "", host: "", path: "", rawPath: "", omitHost: false, forceQuery: false, rawQuery: "", fragment: "", rawFragment: "" };
  if (rest0 === "*") {
    u.path = "*";
    return u;
  }
  let [scheme, rest] = getScheme(rest0);
  u.scheme = scheme.toLowerCase();
  if (rest.endsWith("?") && rest.split("?").length === 2) {
    u.forceQuery = true;
    rest = rest.slice(0, -1);
  } else {
    const q = rest.indexOf("?");
    if (q >= 0) [rest, u.rawQuery] = [rest.slice(0, q), rest.slice(q + 1)];
  }
  if (!rest.startsWith("/")) {
    if (u.scheme !== "") {
      u.opaque = rest; // rootless paths per RFC 3986 are opaque
      return withFragment(u, frag);
    }
    if ((rest.split("/")[0] as string).includes(":")) throw new Error("first path segment in URL cannot contain colon");
  }
  if ((u.scheme !== "" || !rest.startsWith("///")) && rest.startsWith("//")) {
    let authority = rest.slice(2);
    rest = "";
    const slash = authority.indexOf("/");
    if (slash >= 0) [authority, rest] = [authority.slice(0, slash), authority.slice(slash)];
    parseAuthority(u, authority);
  } else if (u.scheme !== "" && rest.startsWith("/")) {
    u.omitHost = true;
  }
  u.path = unescape(rest, "path");
  u.rawPath = escape(u.path, "path") === rest ? "" : rest;
  return withFragment(u, frag);
}

function withFragment(u: GoURL, frag: string): GoURL {
  u.fragment = unescape(frag, "fragment");
  u.rawFragment = escape(u.fragment, "fragment") === frag ? "" : frag;
  return u;
}

function validEncoded(s: string, mode: Mode): boolean {
  for (const c of s) {
    if ("!$&'()*+,;=:@[]%".includes(c)) continue;
    if (shouldEscape(c, mode)) return false;
  }
  return true;
}

function escapedRaw(raw: string, decoded: string, mode: Mode): string {
  if (raw !== "" && validEncoded(raw, mode)) {
    try {
      if (unescape(raw, mode) === decoded) return raw;
    } catch {
      // fall through to the default encoding
    }
  }
  return decoded === "*" && mode === "path" ? "*" : escape(decoded, mode);
}

/** Go URL.String(): the URL reassembled with Go's escaping. */
export function formatGoURL(u: GoURL): string {
  let out = u.scheme === "" ? "" : `${u.scheme}:`;
  if (u.opaque !== "") out += u.opaque;
  else {
    if (u.scheme !== "" || u.host !== "" || u.user !== undefined) {
      if (!(u.omitHost && u.host === "" && u.user === undefined)) {
        if (u.host !== "" || u.path !== "" || u.user !== undefined) out += "//";
        if (u.user !== undefined) out += `${userString(u.user)}@`;
        if (u.host !== "") out += escape(u.host, "host");
      }
    }
    const path = escapedRaw(u.rawPath, u.path, "path");
    if (path !== "" && path[0] !== "/" && u.host !== "") out += "/";
    if (out === "" && (path.split("/")[0] as string).includes(":")) out += "./";
    out += path;
  }
  if (u.forceQuery || u.rawQuery !== "") out += `?${u.rawQuery}`;
  if (u.fragment !== "") out += `#${escapedRaw(u.rawFragment, u.fragment, "fragment")}`;
  return fromBytes(out);
}

function userString(user: NonNullable<GoURL["user"]>): string {
  const name = escape(user.username, "user");
  return user.password === undefined ? name : `${name}:${escape(user.password, "user")}`;
}

/** Go Userinfo.String(): `user[:password]` with Go's escaping, as text. */
export function formatUserinfo(user: NonNullable<GoURL["user"]>): string {
  return fromBytes(userString(user));
}

/** Go URL.Hostname()/Port(): the host without port and brackets, and the port digits. */
export function splitHostPort(hostPort: string): [host: string, port: string] {
  let host = hostPort;
  let port = "";
  const colon = host.lastIndexOf(":");
  if (colon >= 0 && validOptionalPort(host.slice(colon))) [host, port] = [host.slice(0, colon), host.slice(colon + 1)];
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  return [host, port];
}

/** Decodes a byte string field of GoURL to text. */
export function urlText(b: string): string {
  return fromBytes(b);
}
