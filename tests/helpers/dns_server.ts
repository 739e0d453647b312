// A tiny UDP DNS responder on 127.0.0.1 for tests: answers A queries from a map that the test
// can change at any time; AAAA and other types get an empty answer, unknown names NXDOMAIN.
// Never forwards anything, so tests never reach a real DNS server.

import dgram from "node:dgram";
import type { AddressInfo } from "node:net";

export interface DnsServer {
  /** `127.0.0.1:<port>`, the form SOLDER_DNS_SERVER and dns.setServers take. */
  readonly address: string;
  /** name (no trailing dot, lowercase) → IPv4 addresses; edit freely. */
  readonly records: Map<string, string[]>;
  /** Queries seen, as `TYPE name`. */
  readonly queries: string[];
  close(): Promise<void>;
}

const TYPES: Record<number, string> = { 1: "A", 28: "AAAA" };

/** Starts the responder on an ephemeral UDP port of 127.0.0.1. */
export async function startDnsServer(records: Record<string, string[]> = {}): Promise<DnsServer> {
  const map = new Map(Object.entries(records));
  const queries: string[] = [];
  const socket = dgram.createSocket("udp4");
  socket.on("message", (msg, rinfo) => {
    const reply = answer(new Uint8Array(msg), map, queries);
    if (reply) socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => resolve());
  });
  const port = (socket.address() as AddressInfo).port;
  return {
    address: `127.0.0.1:${port}`,
    records: map,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** Builds the response to one query; undefined for garbage. */
function answer(q: Uint8Array, records: Map<string, string[]>, log: string[]): Uint8Array | undefined {
  if (q.length < 12) return undefined;
  const labels: string[] = [];
  let pos = 12;
  while (pos < q.length && q[pos] !== 0) {
    const len = q[pos]!;
    labels.push(new TextDecoder().decode(q.subarray(pos + 1, pos + 1 + len)));
    pos += 1 + len;
  }
  pos++; // the root label
  if (pos + 4 > q.length) return undefined;
  const qtype = (q[pos]! << 8) | q[pos + 1]!;
  const question = q.subarray(12, pos + 4);
  const name = labels.join(".").toLowerCase();
  log.push(`${TYPES[qtype] ?? qtype} ${name}`);
  const ips = records.get(name);
  const answers = ips && qtype === 1 ? ips : [];
  const out: number[] = [q[0]!, q[1]!, 0x81, ips ? 0x80 : 0x83, 0, 1, 0, answers.length, 0, 0, 0, 0, ...question];
  for (const ip of answers) {
    // Name: pointer to the question at offset 12; type A, class IN, TTL 0, 4 bytes of address.
    out.push(0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, ...ip.split(".").map(Number));
  }
  return Uint8Array.from(out);
}
