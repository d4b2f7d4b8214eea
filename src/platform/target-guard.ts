// SSRF guard (SPEC §7): subscription URLs may not reach loopback, private, link-local, multicast or
// metadata addresses, neither when they are saved nor when a delivery connects (a hostname can be
// re-pointed after it was checked: DNS rebinding; and a flag that allowed a URL when it was saved
// may have been turned off since). ALLOW_PRIVATE_TARGETS lifts it for local work.
// Loop guard (SPEC §15): a subscription may not point at this gateway itself.
import dns from 'node:dns';
import type { AddressInfo, LookupFunction } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import type { SecureContext } from 'node:tls';
import ipaddr from 'ipaddr.js';
import { buildConnector } from 'undici';

export class TargetRefused extends Error {}

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96');

/**
 * An IP address, parsed from its canonical text. ipaddr.js reads `::a.b.c.d` (the IPv4-compatible
 * form libuv prints for ::/96) as `::ffff:a.b.c.d`; WHATWG's serialisation removes the ambiguity.
 */
function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const bare = text.replace(/^\[|\]$/g, '');
  if (net.isIPv4(bare)) return ipaddr.IPv4.parse(bare);
  if (!net.isIPv6(bare) || bare.includes('%')) return undefined;
  try {
    return ipaddr.IPv6.parse(new URL(`http://[${bare}]/`).hostname.slice(1, -1));
  } catch {
    return undefined;
  }
}

const v4Tail = (v6: ipaddr.IPv6) => new ipaddr.IPv4(v6.toByteArray().slice(12));

function publicAddress(ip: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  if (ip.kind() === 'ipv4') return ip.range() === 'unicast';
  const v6 = ip as ipaddr.IPv6;
  // These reach the IPv4 address inside them (NAT64 with DNS64 is how IPv6-only networks reach
  // IPv4-only hosts): they are as public as that address.
  if (v6.isIPv4MappedAddress() || v6.match(NAT64_WELL_KNOWN)) return publicAddress(v4Tail(v6));
  // Outside 2000::/3 nothing is public unicast (IPv4-compatible ::/96, IPv4-translated, local-use
  // NAT64, site-local, ...); inside it ipaddr.js names the special ranges (6to4 2002::/16 and
  // Teredo, which tunnel to an IPv4 address of the sender's choosing, documentation, ORCHID, ...).
  return v6.match(GLOBAL_UNICAST_V6) && v6.range() === 'unicast';
}

/** Only globally routable unicast addresses; everything else is refused. */
export function addressAllowed(address: string): boolean {
  const ip = parseAddress(address);
  return ip !== undefined && publicAddress(ip);
}

export interface TargetPolicy {
  allowInsecure: boolean;
  allowPrivate: boolean;
  /** OUTBOUND_DNS_SERVERS: ask these servers directly instead of the system's resolver. */
  dnsServers?: string[] | undefined;
}

const resolvers = new Map<string, dns.promises.Resolver>();

/**
 * A host's addresses, from the system's resolver (getaddrinfo, as anything else on the machine) or,
 * with OUTBOUND_DNS_SERVERS, from those servers (A and AAAA). The same answer serves the check when a
 * URL is saved and the guard at every connection.
 */
export async function resolveHost(hostname: string, policy: TargetPolicy): Promise<dns.LookupAddress[]> {
  if (!policy.dnsServers?.length) return dns.promises.lookup(hostname, { all: true, verbatim: true });
  const key = policy.dnsServers.join(',');
  let resolver = resolvers.get(key);
  if (!resolver) {
    resolver = new dns.promises.Resolver({ timeout: 2000, tries: 2 });
    resolver.setServers(policy.dnsServers);
    resolvers.set(key, resolver);
  }
  const [v4, v6] = await Promise.allSettled([resolver.resolve4(hostname), resolver.resolve6(hostname)]);
  const list = [
    ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 })) : []),
    ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 })) : []),
  ];
  if (list.length > 0) return list;
  throw (v4.status === 'rejected' ? v4.reason : Object.assign(new Error(`queryA ENODATA ${hostname}`), { code: 'ENODATA' })) as Error;
}

const schemeProblem = (protocol: string, policy: TargetPolicy): string | undefined =>
  protocol === 'https:' || (protocol === 'http:' && policy.allowInsecure)
    ? undefined
    : policy.allowInsecure ? 'must be http:// or https://' : 'must be https:// (plain http only with ALLOW_INSECURE_TARGETS=true)';

const effectivePort = (url: URL) => (url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80);

const sameAddress = (a: ipaddr.IPv4 | ipaddr.IPv6, b: ipaddr.IPv4 | ipaddr.IPv6) => {
  const plain = (ip: ipaddr.IPv4 | ipaddr.IPv6) => (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress() ? (ip as ipaddr.IPv6).toIPv4Address() : ip);
  return plain(a).toNormalizedString() === plain(b).toNormalizedString();
};

/**
 * Where this gateway is reached: PUBLIC_URL, and the addresses and ports its servers listen on
 * (known only once they listen: PORT=0 picks one). A subscription pointing here delivers to the
 * gateway itself, and through /hooks starts a session per delivery: an event storm.
 */
export class OwnAddresses {
  readonly #public: URL;
  readonly #listening: Array<{ ip: ipaddr.IPv4 | ipaddr.IPv6; port: number }> = [];

  constructor(publicUrl: string) {
    this.#public = new URL(publicUrl);
  }

  listening(address: AddressInfo | string | null): void {
    const ip = address && typeof address === 'object' ? parseAddress(address.address) : undefined;
    if (ip) this.#listening.push({ ip, port: (address as AddressInfo).port });
  }

  /** Under PUBLIC_URL: its origin and, when it has one, its path. */
  isPublicUrl(url: URL): boolean {
    const base = this.#public.pathname.replace(/\/+$/, '');
    return url.origin === this.#public.origin && (base === '' || url.pathname === base || url.pathname.startsWith(`${base}/`));
  }

  /** One of our servers listens on this address and port (any local address, for 0.0.0.0 and ::). */
  listensOn(address: string, port: number): boolean {
    const ip = parseAddress(address);
    if (!ip) return false;
    return this.#listening.some((l) => {
      if (l.port !== port) return false;
      if (l.ip.range() !== 'unspecified') return sameAddress(l.ip, ip);
      const v4 = ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress() ? (ip as ipaddr.IPv6).toIPv4Address() : ip;
      return v4.range() === 'loopback' || v4.range() === 'unspecified' || localInterfaceAddresses().some((a) => sameAddress(a, ip));
    });
  }
}

function localInterfaceAddresses(): Array<ipaddr.IPv4 | ipaddr.IPv6> {
  return Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).flatMap((i) => parseAddress(i.address) ?? []));
}

/**
 * Checks a URL when it is saved: scheme, credentials, not this gateway itself, and every address
 * its host resolves to.
 */
export async function checkTargetUrl(raw: string, policy: TargetPolicy, own?: OwnAddresses): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TargetRefused('is not a valid URL');
  }
  const scheme = schemeProblem(url.protocol, policy);
  if (scheme) throw new TargetRefused(scheme);
  if (url.username || url.password) throw new TargetRefused('may not carry credentials; use custom headers');
  const loop = 'points at this gateway itself; its deliveries would come back as webhooks and loop';
  if (own?.isPublicUrl(url)) throw new TargetRefused(`${loop} (PUBLIC_URL)`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // With ALLOW_PRIVATE_TARGETS a host that does not resolve (yet) may be saved; its ping says so.
  const addresses = parseAddress(host)
    ? [host]
    : await resolveHost(host, policy).then((list) => list.map((a) => a.address), () => {
        if (policy.allowPrivate) return [];
        throw new TargetRefused(`host ${host} does not resolve`);
      });
  if (own && addresses.some((a) => own.listensOn(a, effectivePort(url)))) throw new TargetRefused(`${loop} (it listens there)`);
  if (policy.allowPrivate) return url;
  const bad = addresses.find((a) => !addressAllowed(a));
  if (bad) throw new TargetRefused(`resolves to ${bad}, a loopback, private, link-local, multicast or metadata address`);
  return url;
}

const refusal = (message: string) => Object.assign(new TargetRefused(message), { code: 'ETARGETREFUSED' });

/** A DNS lookup for outbound connections that refuses disallowed addresses at connect time. */
export function guardedLookup(policy: TargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    const family = (options as { family?: number }).family;
    resolveHost(hostname, policy).then((all) => {
      const list = family === 4 || family === 6 ? all.filter((a) => a.family === family) : all;
      if (list.length === 0) return callback(Object.assign(new Error(`no IPv${family} address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
      const bad = policy.allowPrivate ? undefined : list.find((a) => !addressAllowed(a.address));
      if (bad) return callback(refusal(`${hostname} resolves to ${bad.address}, which deliveries may not reach`), '', 0);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    }, (err: NodeJS.ErrnoException) => callback(err, '', 0));
  };
}

/**
 * undici's connector with the guard at every connection. The lookup alone is not enough: a literal
 * IP is connected to without any lookup, and the scheme is not a DNS matter. Both are checked
 * against the flags as they are now, whatever they were when the URL was saved.
 */
export function guardedConnector(policy: TargetPolicy, timeoutMs: number, tls: { secureContext?: SecureContext } = {}): buildConnector.connector {
  const connect = buildConnector({ ...tls, lookup: guardedLookup(policy), timeout: timeoutMs });
  return (options, callback) => {
    const scheme = schemeProblem(options.protocol, policy);
    if (scheme) return callback(refusal(`${options.protocol}// ${scheme}`), null);
    const literal = parseAddress(options.hostname);
    if (literal && !policy.allowPrivate && !publicAddress(literal)) {
      return callback(refusal(`${options.hostname} is an address deliveries may not reach`), null);
    }
    return connect(options, callback);
  };
}
