// A small authoritative DNS server on 127.0.0.1 (UDP) for OUTBOUND_DNS_SERVERS: it answers A queries
// for the names a test sets, with TTL 0 so no resolver keeps an answer, NXDOMAIN for the rest, and
// empty answers (NODATA) for other types of a known name. Enough of RFC 1035 for c-ares.
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';

export interface DnsServer {
  /** host:port, as OUTBOUND_DNS_SERVERS takes it. */
  address: string;
  /** Name (lower case, no trailing dot) -> IPv4 address; delete a name to make it stop resolving. */
  names: Map<string, string>;
  /** Names asked for, in order. */
  queries: string[];
  close: () => Promise<void>;
}

function questionName(msg: Buffer): { name: string; end: number } {
  const labels: string[] = [];
  let i = 12;
  while (msg[i] !== 0) {
    const len = msg[i]!;
    labels.push(msg.subarray(i + 1, i + 1 + len).toString('latin1'));
    i += len + 1;
  }
  return { name: labels.join('.').toLowerCase(), end: i + 1 };
}

function answer(msg: Buffer, names: Map<string, string>, queries: string[]): Buffer {
  const { name, end } = questionName(msg);
  queries.push(name);
  const type = msg.readUInt16BE(end);
  const question = msg.subarray(12, end + 4);
  const address = names.get(name);
  const records = address && type === 1 ? [address] : [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(msg.readUInt16BE(0), 0);
  // QR, the query's opcode and RD, AA, RA; RCODE 3 (NXDOMAIN) for a name we do not hold.
  header.writeUInt16BE(0x8000 | (msg.readUInt16BE(2) & 0x7900) | 0x0400 | 0x0080 | (names.has(name) ? 0 : 3), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  const rrs = records.map((ip) => {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
    rr.writeUInt16BE(1, 2); // A
    rr.writeUInt16BE(1, 4); // IN
    rr.writeUInt32BE(0, 6); // TTL 0
    rr.writeUInt16BE(4, 10);
    ip.split('.').forEach((octet, k) => rr.writeUInt8(Number(octet), 12 + k));
    return rr;
  });
  return Buffer.concat([header, question, ...rrs]);
}

export async function startDnsServer(): Promise<DnsServer> {
  const names = new Map<string, string>();
  const queries: string[] = [];
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, from) => {
    if (msg.length < 17) return;
    socket.send(answer(msg, names, queries), from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(socket.address() as AddressInfo).port}`,
    names,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
