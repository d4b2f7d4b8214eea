// Where a /hooks request's client certificate comes from (SPEC §5 mTLS): the gateway's own TLS
// handshake, or CLIENT_CERT_HEADER set by a TLS-terminating proxy. The header is believed only when
// the TCP peer itself (the socket's address, never X-Forwarded-For) is one of TRUST_PROXY's CIDRs:
// anyone else could write any certificate there. Either way the certificate is only found here;
// the check pipeline (inbound/evaluate.ts) verifies it against TLS_CLIENT_CA_FILE and the pins.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { PresentedCertificate } from '../inbound/evaluate.ts';
import type { ClientCertHeaderFormat, Config } from '../platform/config.ts';
import { splitUnescaped } from '../platform/crypto/x509.ts';

/**
 * Envoy's x-forwarded-client-cert: comma-separated elements, one per proxy hop, each
 * `Key=value;Key="quoted value"`. The last element is the one the proxy in front of the gateway
 * wrote; its Cert is the URL-encoded PEM of the certificate that proxy's client presented.
 */
function xfccCert(value: string): string | undefined {
  const last = splitUnescaped(value, ',', { quotes: true }).at(-1) ?? '';
  for (const pair of splitUnescaped(last, ';', { quotes: true })) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq).trim().toLowerCase() !== 'cert') continue;
    let v = pair.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    return v;
  }
  return undefined;
}

/** The PEM a header value carries in `format`, or why it carries none. */
export function forwardedPem(value: string, format: ClientCertHeaderFormat): { pem: string } | { problem: string } {
  const encoded = format === 'envoy-xfcc' ? xfccCert(value) : value.trim();
  if (!encoded) return { problem: format === 'envoy-xfcc' ? 'holds no Cert="..." element' : 'is empty: the proxy saw no client certificate' };
  let pem: string;
  try {
    pem = decodeURIComponent(encoded);
  } catch {
    return { problem: 'is not URL-encoded' };
  }
  return pem.includes('-----BEGIN CERTIFICATE-----') ? { pem } : { problem: 'holds no PEM certificate' };
}

/** TRUST_PROXY compiled (Express's own matcher, `app.get('trust proxy fn')`): hop 0 is the socket's peer. */
export type TrustFn = (address: string, hop: number) => boolean;

/** The client certificate of `req`, unverified, with where it came from. */
export function presentedCertificate(req: IncomingMessage, header: Config['clientCertHeader'], trust: TrustFn): PresentedCertificate {
  const peer = req.socket.remoteAddress ?? 'unknown';
  let ignored = '';
  const value = header ? req.headers[header.name] : undefined;
  if (header && typeof value === 'string' && value !== '') {
    if (trust(peer, 0)) {
      const found = forwardedPem(value, header.format);
      if ('problem' in found) return { kind: 'none', why: `the ${header.name} header from proxy ${peer} ${found.problem}` };
      return { kind: 'presented', cert: found.pem, via: `forwarded by proxy ${peer} in ${header.name}` };
    }
    ignored = `; the ${header.name} header was ignored: it came from ${peer}, which is not in TRUST_PROXY`;
  }
  const socket = req.socket as Partial<TLSSocket>;
  if (!socket.encrypted) return { kind: 'none', why: `the request came over plain HTTP, without a client certificate${ignored}` };
  const cert = socket.getPeerX509Certificate?.();
  if (!cert) return { kind: 'none', why: `no client certificate was sent in the TLS handshake${ignored}` };
  return { kind: 'presented', cert: new Uint8Array(cert.raw), via: 'sent over TLS' };
}
