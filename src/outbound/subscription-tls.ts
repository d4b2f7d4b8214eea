// A subscription's mTLS settings (SPEC §7): the client certificate the gateway presents to the
// receiver, its key (encrypted at rest, bound to the subscription, never shown again), and CA
// certificates trusted for that receiver besides the system's. Checked when saved: each PEM parses,
// no certificate has expired, the key belongs to the certificate. The API shows each certificate's
// subject, issuer, fingerprint and validity, stored beside them (tls_certificates) so that reads and
// /metrics never parse PEM.
import type { X509Certificate } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import type { SecretCipher } from '../platform/crypto/cipher.ts';
import {
  type CertificateSummary, PemProblem, parseCertificates, parsePrivateKey, summarize, validityProblem,
} from '../platform/crypto/pem-certificates.ts';
import { badInput } from '../platform/errors.ts';
import { type TlsMaterial, tlsIdentity } from '../platform/http-client.ts';

const MAX_CHAIN = 10;
const MAX_CAS = 100;

/** SubscriptionTlsInput. Left out: unchanged (on update); null or "": removed. */
export const tlsInput = z.object({
  clientCertificatePem: z.string().max(64 * 1024).nullish(),
  clientKeyPem: z.string().max(16 * 1024).nullish(),
  caCertificatesPem: z.string().max(512 * 1024).nullish(),
});
export type TlsInput = z.infer<typeof tlsInput>;

export interface StoredCertificate extends CertificateSummary {
  role: 'CLIENT' | 'CA';
}

/** As stored on webhook_subscription; `clientKey` is a cipher envelope. */
export interface StoredTls {
  clientCert: string | null;
  clientKey: string | null;
  caCerts: string | null;
  certificates: StoredCertificate[];
  identity: string | null;
}

export const NO_TLS: StoredTls = { clientCert: null, clientKey: null, caCerts: null, certificates: [], identity: null };

const keyContext = (subscriptionId: string) => `subscription:${subscriptionId}:tls-client-key`;

function certificates(field: string, pem: string, max: number): X509Certificate[] {
  try {
    const list = parseCertificates(pem, max);
    list.forEach((c, i) => {
      const problem = validityProblem(c);
      if (problem) throw new PemProblem(`${list.length > 1 ? `certificate ${i + 1} (${summarize(c).subject}) ` : ''}${problem}`);
    });
    return list;
  } catch (err) {
    if (err instanceof PemProblem) throw badInput(`tls.${field}`, err.message);
    throw err;
  }
}

/** The key as given, checked to belong to `leaf`; `keyGiven` says which field to blame when it does not. */
function checkedKey(leaf: X509Certificate, keyPem: string, keyGiven: boolean): void {
  let key;
  try {
    key = parsePrivateKey(keyPem);
  } catch (err) {
    if (err instanceof PemProblem) throw badInput('tls.clientKeyPem', err.message);
    throw err;
  }
  if (!leaf.checkPrivateKey(key)) {
    throw keyGiven
      ? badInput('tls.clientKeyPem', 'does not belong to the client certificate (its public key differs)')
      : badInput('tls.clientCertificatePem', 'does not match the stored client key; give clientKeyPem with it');
  }
}

const given = (v: string | null | undefined): string | null | undefined => (v === undefined ? undefined : v?.trim() ? v : null);

/**
 * The settings to store: `input` over `current` (create: NO_TLS), field by field. Null (or no
 * `input` at all, when `tls: null` was given) removes. The key is opened only to check a certificate
 * given without a new key.
 */
export function sealTls(cipher: SecretCipher, subscriptionId: string, input: TlsInput | null, current: StoredTls): StoredTls {
  if (input === null) return NO_TLS;
  const certIn = given(input.clientCertificatePem);
  const keyIn = given(input.clientKeyPem);
  const caIn = given(input.caCertificatesPem);
  const clientCert = certIn === undefined ? current.clientCert : certIn;
  const caCerts = caIn === undefined ? current.caCerts : caIn;
  // Removing the certificate removes its key; a new key without a certificate has nothing to go with.
  const keyPlain = keyIn ?? (keyIn === null || clientCert === null ? null : undefined);
  const chain = clientCert ? certificates('clientCertificatePem', clientCert, MAX_CHAIN) : [];
  const cas = caCerts ? certificates('caCertificatesPem', caCerts, MAX_CAS) : [];
  let clientKey = keyPlain === undefined ? current.clientKey : keyPlain && cipher.encrypt(keyPlain, keyContext(subscriptionId));
  if (clientCert && !clientKey) throw badInput('tls.clientKeyPem', 'is required with a client certificate');
  if (!clientCert && keyIn) throw badInput('tls.clientCertificatePem', 'is required with a client key');
  if (clientCert && (certIn !== undefined || keyIn !== undefined)) {
    checkedKey(chain[0]!, keyPlain ?? cipher.decrypt(current.clientKey!, keyContext(subscriptionId)), keyPlain != null);
  }
  if (!clientCert) clientKey = null;
  return {
    clientCert, clientKey, caCerts,
    certificates: [
      ...chain.slice(0, 1).map((c) => ({ role: 'CLIENT' as const, ...summarize(c) })),
      ...cas.map((c) => ({ role: 'CA' as const, ...summarize(c) })),
    ],
    identity: tlsIdentity({ certificatePem: clientCert, caCertificatesPem: caCerts }),
  };
}

/** The material a connection pool is opened with: the key decrypted just now. */
export const openTls = (cipher: SecretCipher, subscriptionId: string, stored: Pick<StoredTls, 'clientCert' | 'clientKey' | 'caCerts'>): TlsMaterial => ({
  certificatePem: stored.clientCert,
  keyPem: stored.clientKey ? cipher.decrypt(stored.clientKey, keyContext(subscriptionId)) : null,
  caCertificatesPem: stored.caCerts,
});

/** The subscription's material as it is now, for a worker that has no pool for its identity yet. */
export async function loadTls(pool: pg.Pool, cipher: SecretCipher, subscriptionId: string): Promise<TlsMaterial> {
  const { rows } = await pool.query<{ client_cert: string | null; client_key: string | null; ca_certs: string | null }>(
    'SELECT tls_client_cert AS client_cert, tls_client_key AS client_key, tls_ca_certs AS ca_certs FROM webhook_subscription WHERE id = $1',
    [subscriptionId],
  );
  const row = rows[0] ?? { client_cert: null, client_key: null, ca_certs: null };
  return openTls(cipher, subscriptionId, { clientCert: row.client_cert, clientKey: row.client_key, caCerts: row.ca_certs });
}

export interface ShownCertificate {
  subject: string;
  issuer: string;
  fingerprintSha256: string;
  notBefore: Date;
  notAfter: Date;
}

const shown = (c: StoredCertificate): ShownCertificate => ({
  subject: c.subject, issuer: c.issuer, fingerprintSha256: c.fingerprintSha256, notBefore: new Date(c.notBefore), notAfter: new Date(c.notAfter),
});

/** What the API shows: null when the subscription has no TLS settings. */
export function shownTls(stored: StoredTls): { clientCertificate: ShownCertificate | null; caCertificates: ShownCertificate[] } | null {
  if (!stored.clientCert && !stored.caCerts) return null;
  const client = stored.certificates.find((c) => c.role === 'CLIENT');
  return { clientCertificate: client ? shown(client) : null, caCertificates: stored.certificates.filter((c) => c.role === 'CA').map(shown) };
}

/** Subscriptions' certificates that expire within `withinMs` (or have expired), per role. */
export async function countExpiringCertificates(pool: pg.Pool, withinMs: number): Promise<{ CLIENT: number; CA: number }> {
  const { rows } = await pool.query<{ role: 'CLIENT' | 'CA'; n: number }>(
    `SELECT c->>'role' AS role, count(*)::int AS n
     FROM webhook_subscription s CROSS JOIN LATERAL jsonb_array_elements(s.tls_certificates) c
     WHERE s.tls_certificates <> '[]'::jsonb AND (c->>'notAfter')::timestamptz < now() + make_interval(secs => $1)
     GROUP BY 1`,
    [withinMs / 1000],
  );
  const counts = { CLIENT: 0, CA: 0 };
  for (const r of rows) counts[r.role] = r.n;
  return counts;
}
