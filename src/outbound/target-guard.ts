// SSRF guard (SPEC §7): subscription URLs may not reach loopback, private, link-local, multicast or
// metadata addresses, neither when they are saved nor when a delivery connects (a hostname can be
// re-pointed after it was checked: DNS rebinding). ALLOW_PRIVATE_TARGETS lifts it for local work.
import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

export class TargetRefused extends Error {}

/** Only globally routable unicast addresses; everything ipaddr.js classifies otherwise is refused. */
export function addressAllowed(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

export interface TargetPolicy {
  allowInsecure: boolean;
  allowPrivate: boolean;
}

/** Checks a URL when it is saved: scheme, credentials, and every address its host resolves to. */
export async function checkTargetUrl(raw: string, policy: TargetPolicy): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TargetRefused('is not a valid URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowInsecure)) {
    throw new TargetRefused(policy.allowInsecure ? 'must be http:// or https://' : 'must be https:// (plain http only with ALLOW_INSECURE_TARGETS=true)');
  }
  if (url.username || url.password) throw new TargetRefused('may not carry credentials; use custom headers');
  if (policy.allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = ipaddr.isValid(host)
    ? [host]
    : await dns.promises.lookup(host, { all: true, verbatim: true }).then((list) => list.map((a) => a.address), () => {
        throw new TargetRefused(`host ${host} does not resolve`);
      });
  const bad = addresses.find((a) => !addressAllowed(a));
  if (bad) throw new TargetRefused(`resolves to ${bad}, a loopback, private, link-local, multicast or metadata address`);
  return url;
}

/** A DNS lookup for outbound connections that refuses disallowed addresses at connect time. */
export function guardedLookup(policy: TargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as dns.LookupAddress[];
      const bad = policy.allowPrivate ? undefined : list.find((a) => !addressAllowed(a.address));
      if (bad) {
        const refusal = Object.assign(new TargetRefused(`${hostname} resolves to ${bad.address}, which deliveries may not reach`), { code: 'ETARGETREFUSED' });
        return callback(refusal, '', 0);
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
