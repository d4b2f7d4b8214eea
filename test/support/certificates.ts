// Certificates made in the test (never a network CA): a private CA, server and client certificates
// it signs, with any validity window (expired ones included), as PEM for node:tls and the gateway.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { parseCertificate } from '../../src/platform/crypto/x509.ts';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface Issued {
  certPem: string;
  keyPem: string;
  /** RFC 4514 distinguished name, as the gateway compares it (src/platform/crypto/x509.ts). */
  subject: string;
  /** SHA-256 of the DER certificate, lower-case hex without colons. */
  fingerprintSha256: string;
}

export interface CertificateAuthority extends Issued {
  /** A certificate for a server: SAN 127.0.0.1, ::1 and localhost unless `hosts` says otherwise. */
  server: (opts?: { hosts?: string[]; notBefore?: Date; notAfter?: Date; cn?: string }) => Promise<Issued>;
  /** A client certificate (extended key usage clientAuth); its subject is CN=<cn>,O=Webhook Gateway Tests. */
  client: (cn: string, opts?: { notBefore?: Date; notAfter?: Date }) => Promise<Issued>;
}

async function keyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function pemKey(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

async function issued(cert: x509.X509Certificate, key: CryptoKey): Promise<Issued> {
  const fingerprint = Buffer.from(await cert.getThumbprint('SHA-256')).toString('hex');
  const certPem = cert.toString('pem');
  return { certPem, keyPem: await pemKey(key), subject: (await parseCertificate(certPem)).subject, fingerprintSha256: fingerprint };
}

const serial = () => Buffer.from(webcrypto.getRandomValues(new Uint8Array(12))).toString('hex').replace(/^[89a-f]/, '1');

/** A self-signed CA; `name` becomes its CN. */
export async function createCertificateAuthority(name = 'Test CA'): Promise<CertificateAuthority> {
  const caKeys = await keyPair();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(), name: `CN=${name}`, keys: caKeys, signingAlgorithm: ALGORITHM,
    notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 365 * DAY),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  async function sign(subject: string, extensions: x509.Extension[], notBefore?: Date, notAfter?: Date): Promise<Issued> {
    const keys = await keyPair();
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(), subject, issuer: caCert.subject, publicKey: keys.publicKey, signingKey: caKeys.privateKey,
      signingAlgorithm: ALGORITHM, notBefore: notBefore ?? new Date(Date.now() - DAY), notAfter: notAfter ?? new Date(Date.now() + 30 * DAY),
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        await x509.AuthorityKeyIdentifierExtension.create(caCert),
        ...extensions,
      ],
    });
    return issued(cert, keys.privateKey);
  }

  return {
    ...(await issued(caCert, caKeys.privateKey)),
    server: ({ hosts = ['127.0.0.1', '::1', 'localhost'], notBefore, notAfter, cn = 'localhost' } = {}) =>
      sign(`CN=${cn}`, [
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(hosts.map((h) => (/^[\d.:]+$/.test(h) ? { type: 'ip', value: h } : { type: 'dns', value: h }))),
      ], notBefore, notAfter),
    client: (cn, { notBefore, notAfter } = {}) =>
      // Encoded O first, CN last (the usual order), so the RFC 4514 subject reads CN=<cn>,O=Webhook Gateway Tests.
      sign(`O=Webhook Gateway Tests, CN=${cn}`, [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])], notBefore, notAfter),
  };
}

/** A window entirely in the past, for an expired certificate. */
export const EXPIRED = { notBefore: new Date(Date.now() - 10 * DAY), notAfter: new Date(Date.now() - DAY) };
