// PEM certificates and keys a tenant hands us (an outbound client certificate, the CAs it trusts),
// read with node:crypto's X509Certificate: enough to refuse what cannot work before it is saved,
// and to show what is configured without the secret parts.
import { type KeyObject, X509Certificate, createPrivateKey } from 'node:crypto';
import { describeCertificate } from './x509.ts';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** What the API shows of a certificate: never its key. */
export interface CertificateSummary {
  /** RFC 4514 order (most specific first), e.g. "CN=gateway,O=Acme". */
  subject: string;
  issuer: string;
  /** SHA-256 of the DER certificate, lower-case hex without colons. */
  fingerprintSha256: string;
  notBefore: string;
  notAfter: string;
}

export class PemProblem extends Error {}

/** Subjects and issuers rendered as inbound pins compare them (x509.ts), times as ISO text. */
export function summarize(cert: X509Certificate): CertificateSummary {
  const info = describeCertificate(cert.raw);
  return { ...info, notBefore: info.notBefore.toISOString(), notAfter: info.notAfter.toISOString() };
}

/**
 * Every certificate in a PEM bundle, in order. Refuses text with no certificate, a block that does
 * not parse, and text outside the blocks other than whitespace and `#` comments (a key pasted into
 * the wrong field must not be stored as if it were a certificate).
 */
export function parseCertificates(pem: string, max: number): X509Certificate[] {
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new PemProblem('holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
  if (blocks.length > max) throw new PemProblem(`holds ${blocks.length} certificates; at most ${max}`);
  const rest = pem.replace(PEM_CERTIFICATE, '').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  if (rest.length > 0) throw new PemProblem('holds text other than PEM certificates (a private key belongs in clientKeyPem)');
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw new PemProblem(`certificate ${i + 1} is not a valid X.509 certificate`);
    }
  });
}

/** An unencrypted private key (PKCS#8, PKCS#1 or SEC1 PEM). */
export function parsePrivateKey(pem: string): KeyObject {
  if (/ENCRYPTED/.test(pem)) throw new PemProblem('is encrypted with a passphrase; give the key unencrypted (it is encrypted at rest here)');
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new PemProblem('is not a PEM private key');
  }
}

/** Expired, or not valid yet, at `now`. */
export function validityProblem(cert: X509Certificate, now = Date.now()): string | undefined {
  if (Date.parse(cert.validTo) <= now) return `expired on ${new Date(cert.validTo).toISOString()}`;
  if (Date.parse(cert.validFrom) > now) return `is not valid before ${new Date(cert.validFrom).toISOString()}`;
  return undefined;
}
