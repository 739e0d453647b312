// IP addresses and CIDR prefixes for IsInCIDR (ottl.md §5.3), as Go's net.ParseIP/ParseCIDR read
// them: dotted IPv4, IPv6 with `::` and an optional trailing dotted IPv4. IPv4 addresses are kept
// as 4 bytes; an IPv4-mapped IPv6 address (::ffff:a.b.c.d) matches IPv4 networks too, as in Go.

/** Parses an IPv4 address to 4 bytes, or undefined. Go rejects leading zeros ("01.2.3.4"). */
function parseV4(s: string): Uint8Array | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] as string;
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return undefined;
    out[i] = Number(p);
  }
  return out;
}

/** Parses an IPv6 address to 16 bytes, or undefined (zones like %eth0 are not accepted, as in ParseIP). */
function parseV6(s: string): Uint8Array | undefined {
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const groups = (h: string): string[] => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0] as string);
  const tail = halves.length === 2 ? groups(halves[1] as string) : [];
  const words: number[] = [];
  const pushAll = (list: string[], isLast: boolean): boolean => {
    for (let i = 0; i < list.length; i++) {
      const g = list[i] as string;
      if (isLast && i === list.length - 1 && g.includes(".")) {
        const v4 = parseV4(g);
        if (!v4) return false;
        words.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
      words.push(parseInt(g, 16));
    }
    return true;
  };
  if (!pushAll(head, halves.length === 1)) return undefined;
  const headLen = words.length;
  if (!pushAll(tail, true)) return undefined;
  const tailWords = words.splice(headLen);
  if (halves.length === 2) {
    const fill = 8 - words.length - tailWords.length;
    if (fill < 1) return undefined;
    words.push(...new Array<number>(fill).fill(0), ...tailWords);
  }
  if (words.length !== 8) return undefined;
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/** Go net.ParseIP: 4 bytes for IPv4 (and IPv4-mapped IPv6), 16 for IPv6; undefined when invalid. */
export function parseIP(s: string): Uint8Array | undefined {
  if (s.includes(":")) {
    const v6 = parseV6(s);
    if (v6 && v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff) return v6.slice(12);
    return v6;
  }
  return parseV4(s);
}

/** A parsed network: address bytes and prefix length. */
export interface Cidr {
  readonly bytes: Uint8Array;
  readonly bits: number;
}

/** Go net.ParseCIDR; undefined when invalid. */
export function parseCIDR(s: string): Cidr | undefined {
  const slash = s.indexOf("/");
  if (slash < 0) return undefined;
  const addr = s.includes(":") ? parseV6(s.slice(0, slash)) : parseV4(s.slice(0, slash));
  const bitsText = s.slice(slash + 1);
  if (!addr || !/^(0|[1-9][0-9]*)$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (bits > addr.length * 8) return undefined;
  return { bytes: addr, bits };
}

/** Whether `ip` lies in `net` (address families must match after IPv4-mapped unwrapping). */
export function cidrContains(net: Cidr, ip: Uint8Array): boolean {
  if (net.bytes.length !== ip.length) return false;
  for (let bit = 0; bit < net.bits; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((net.bytes[byte] as number) & mask) !== ((ip[byte] as number) & mask)) return false;
  }
  return true;
}
