// X.509 certificates for mTLS, both directions: what a UI shows of one (subject, issuer, SHA-256
// fingerprint, validity), and whether one chains to trusted CAs at a given time. Built on
// @peculiar/x509, so a certificate forwarded by a proxy is checked by the gateway itself, never on
// a proxy's "verified" flag (SPEC §5).
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { sha256Hex } from './sha256.ts';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface CertificateInfo {
  /** RFC 4514 string of the subject DN (see distinguishedName below). */
  subject: string;
  issuer: string;
  /** SHA-256 of the DER certificate, 64 lower-case hex digits. */
  fingerprintSha256: string;
  notBefore: Date;
  notAfter: Date;
}

export class CertificateError extends Error {}

// RFC 4514 §3 names these nine types; every other attribute is written as its dotted OID.
const SHORT_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.6': 'C',
  '2.5.4.9': 'STREET', '0.9.2342.19200300.100.1.25': 'DC', '0.9.2342.19200300.100.1.1': 'UID',
};
// Names that tools print (OpenSSL's emailAddress, @peculiar/x509's E...), accepted when a DN is typed.
const ALIASES: Record<string, string> = {
  ...Object.fromEntries(Object.entries(SHORT_NAMES).map(([oid, name]) => [name, oid])),
  E: '1.2.840.113549.1.9.1', EMAIL: '1.2.840.113549.1.9.1', EMAILADDRESS: '1.2.840.113549.1.9.1',
  SN: '2.5.4.4', SURNAME: '2.5.4.4', SERIALNUMBER: '2.5.4.5', G: '2.5.4.42', GN: '2.5.4.42', GIVENNAME: '2.5.4.42',
  T: '2.5.4.12', TITLE: '2.5.4.12', I: '2.5.4.43', INITIALS: '2.5.4.43',
};

type Rdn = Array<[oid: string, value: string]>;

/** RFC 4514 §2.4: the characters a value escapes, and a leading space or '#', and a trailing space. */
function escapeValue(value: string): string {
  return value
    .replace(/[\\"+,;<>]/g, (c) => `\\${c}`)
    .replace(/\0/g, '\\00')
    .replace(/^([ #])/, '\\$1')
    .replace(/ $/, '\\ ');
}

/**
 * The canonical RFC 4514 string: RDNs from last to first as encoded (the order RFC 4514 prescribes,
 * and `openssl x509 -nameopt RFC2253`, nginx's $ssl_client_s_dn and Envoy print), `,` between RDNs
 * and `+` inside a multi-valued one (its values sorted), no spaces around them, the nine short type
 * names of RFC 4514 (others as dotted OIDs), values escaped as §2.4 says and compared as written
 * (case included).
 */
function render(rdns: Rdn[]): string {
  return rdns.map((rdn) => [...rdn]
    .map(([oid, value]) => `${SHORT_NAMES[oid] ?? oid}=${escapeValue(value)}`)
    .sort()
    .join('+')).join(',');
}

function rdnsOf(name: x509.Name): Rdn[] {
  // toJSON lists RDNs in encoded order, each as {type name or OID: [values]}.
  return name.toJSON().map((rdn) => Object.entries(rdn).flatMap(([type, values]) => {
    const oid = /^\d+(\.\d+)+$/.test(type) ? type : (ALIASES[type.toUpperCase()] ?? type);
    return values.map((v) => [oid, v] as [string, string]);
  })).reverse();
}

/**
 * Splits on any of `seps` outside escapes (and, with `quotes`, outside double-quoted strings, as
 * Envoy writes its x-forwarded-client-cert); `\x` and quotes stay as written for the next step.
 */
export function splitUnescaped(text: string, seps: string, options: { quotes?: boolean } = {}): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      current += c + text[++i];
    } else if (options.quotes && c === '"') {
      quoted = !quoted;
      current += c;
    } else if (seps.includes(c) && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

function unescapeValue(raw: string): string {
  const trimmed = raw.replace(/^ +/, '').replace(/(?<!\\) +$/, '');
  const bytes: number[] = [];
  for (let i = 0; i < trimmed.length; i++) {
    const c = trimmed[i]!;
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const hex = trimmed.slice(i + 1, i + 3);
    if (/^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (i + 1 < trimmed.length && ' "#+,;<=>\\'.includes(trimmed[i + 1]!)) {
      bytes.push(trimmed.charCodeAt(++i));
    } else {
      throw new CertificateError(`bad escape "\\${trimmed[i + 1] ?? ''}"`);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * A DN typed by a person, in RFC 4514 order (as `openssl x509 -noout -subject -nameopt RFC2253`
 * prints it), as the canonical string certificates are compared in. Lenient where it cannot
 * mislead: type names in any case or as OIDs, spaces around `,` `+` `=`. Throws CertificateError.
 */
export function distinguishedName(text: string): string {
  if (text.trim() === '') throw new CertificateError('is empty');
  const rdns = splitUnescaped(text, ',;').map((rdn) => splitUnescaped(rdn, '+').map((ava): [string, string] => {
    const eq = ava.indexOf('=');
    if (eq < 0) throw new CertificateError(`"${ava.trim()}" is not TYPE=value`);
    const type = ava.slice(0, eq).trim();
    const oid = /^\d+(\.\d+)+$/.test(type) ? type : ALIASES[type.toUpperCase()];
    if (!oid) throw new CertificateError(`unknown attribute type "${type}" (use CN, O, OU, C, L, ST, STREET, DC, UID or a dotted OID)`);
    const value = unescapeValue(ava.slice(eq + 1));
    if (value === '') throw new CertificateError(`${type} has an empty value`);
    return [oid, value];
  }));
  return render(rdns);
}

/** 64 hex digits in any case, with or without colons, as 64 lower-case digits; undefined otherwise. */
export function fingerprintSha256(text: string): string | undefined {
  const bare = text.trim().replace(/:/g, '');
  if (!/^[0-9a-fA-F]{64}$/.test(bare)) return undefined;
  if (text.includes(':') && !/^([0-9a-fA-F]{2}:){31}[0-9a-fA-F]{2}$/.test(text.trim())) return undefined;
  return bare.toLowerCase();
}

function load(pemOrDer: string | Uint8Array): x509.X509Certificate {
  try {
    return new x509.X509Certificate(typeof pemOrDer === 'string' ? pemOrDer : new Uint8Array(pemOrDer));
  } catch (err) {
    throw new CertificateError(`not an X.509 certificate: ${(err as Error).message}`);
  }
}

function infoOf(cert: x509.X509Certificate): CertificateInfo {
  return {
    subject: render(rdnsOf(cert.subjectName)),
    issuer: render(rdnsOf(cert.issuerName)),
    fingerprintSha256: sha256Hex(new Uint8Array(cert.rawData)),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
  };
}

/**
 * What a UI shows of one certificate (PEM or DER), synchronously: the one rendering of subjects
 * and issuers, for inbound pins and outbound certificates alike. Throws CertificateError.
 */
export function describeCertificate(pemOrDer: string | Uint8Array): CertificateInfo {
  return infoOf(load(pemOrDer));
}

/** One certificate (PEM or DER). Throws CertificateError. */
export async function parseCertificate(pemOrDer: string | Uint8Array): Promise<CertificateInfo> {
  return infoOf(load(pemOrDer));
}

/** Every certificate of a PEM bundle (a CA file), in order; throws CertificateError when it holds none or a bad one. */
export async function parseCertificates(pem: string): Promise<CertificateInfo[]> {
  return Promise.all(splitPem(pem).map((p) => parseCertificate(p)));
}

function splitPem(pem: string): string[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new CertificateError('holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
  return blocks;
}

export type ChainVerdict = { ok: true; info: CertificateInfo } | { ok: false; reason: string; info?: CertificateInfo };

function validAt(cert: x509.X509Certificate, now: Date, what: string): string | undefined {
  if (now < cert.notBefore) return `${what} is not valid before ${cert.notBefore.toISOString()}`;
  if (now > cert.notAfter) return `${what} expired at ${cert.notAfter.toISOString()}`;
  return undefined;
}

const USAGE_OIDS = { clientAuth: '1.3.6.1.5.5.7.3.2', serverAuth: '1.3.6.1.5.5.7.3.1' };
const ANY_USAGE = '2.5.29.37.0';

/** As TLS stacks judge it: without the extension a certificate serves any purpose. */
function usableFor(cert: x509.X509Certificate, usage: keyof typeof USAGE_OIDS): boolean {
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  return !eku || eku.usages.some((u) => u === USAGE_OIDS[usage] || u === ANY_USAGE);
}

/** A CA among `cas` that signed `cert` and may sign certificates (basicConstraints cA). */
async function issuerOf(cert: x509.X509Certificate, cas: x509.X509Certificate[]): Promise<x509.X509Certificate | undefined> {
  for (const ca of cas) {
    if (ca.subject !== cert.issuer) continue;
    const constraints = ca.getExtension(x509.BasicConstraintsExtension);
    if (!constraints?.ca) continue;
    if (await cert.verify({ publicKey: ca.publicKey, signatureOnly: true }).catch(() => false)) return ca;
  }
  return undefined;
}

/**
 * Whether `pemOrDer` was issued by one of the CAs in `caPems` (each of them a trust anchor, be it a
 * root or an intermediate: the client sends no chain of its own) and both are valid at `now`.
 */
export async function verifyChain(pemOrDer: string | Uint8Array, caPems: string[], now: Date, opts: { usage?: 'clientAuth' | 'serverAuth' } = {}): Promise<ChainVerdict> {
  let leaf: x509.X509Certificate;
  let cas: x509.X509Certificate[];
  try {
    leaf = load(pemOrDer);
    cas = caPems.flatMap((p) => splitPem(p)).map((p) => load(p));
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
  const info = await infoOf(leaf);
  const expired = validAt(leaf, now, 'the certificate');
  if (expired) return { ok: false, reason: expired, info };
  if (opts.usage && !usableFor(leaf, opts.usage)) return { ok: false, reason: `its extended key usage does not include ${opts.usage}`, info };
  const issuer = await issuerOf(leaf, cas);
  if (!issuer) return { ok: false, reason: `issued by "${info.issuer}", not by a trusted CA`, info };
  const stale = validAt(issuer, now, `its CA "${info.issuer}"`);
  return stale ? { ok: false, reason: stale, info } : { ok: true, info };
}
