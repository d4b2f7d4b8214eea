// platform/crypto/x509.ts: the RFC 4514 form subjects are compared in (checked against OpenSSL's
// RFC 2253 printing of the same certificate), fingerprint pins, and the chain check.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { CertificateError, distinguishedName, fingerprintSha256, parseCertificate, verifyChain } from '../src/platform/crypto/x509.ts';
import { EXPIRED, createCertificateAuthority } from './support/certificates.ts';

describe('X.509 names, fingerprints and chains', () => {
  it('renders a subject as OpenSSL prints it with -nameopt RFC2253, and a typed DN in the same canonical form', async () => {
    const ca = await createCertificateAuthority('Names CA');
    const cert = await ca.client('alice');
    const info = await parseCertificate(cert.certPem);
    const openssl = execFileSync('openssl', ['x509', '-noout', '-subject', '-nameopt', 'RFC2253'], { input: cert.certPem }).toString().trim();
    assert.equal(`subject=${info.subject}`, openssl);
    assert.equal(info.subject, 'CN=alice,O=Webhook Gateway Tests');
    assert.equal(info.issuer, 'CN=Names CA');
    assert.equal(distinguishedName(' cn=alice ;  o = Webhook Gateway Tests'), info.subject);
    assert.equal(distinguishedName('2.5.4.3=alice,O=Webhook Gateway Tests'), info.subject);
  });

  it('keeps escapes, multi-valued RDNs and case as RFC 4514 says', () => {
    assert.equal(distinguishedName('CN=Smith\\, John,O=Acme'), 'CN=Smith\\, John,O=Acme');
    assert.equal(distinguishedName('CN=Smith\\2C John,O=Acme'), 'CN=Smith\\, John,O=Acme', 'hex escapes decode');
    assert.equal(distinguishedName('CN=Caf\\C3\\A9'), 'CN=Café');
    assert.equal(distinguishedName('UID=42+CN=ops,DC=example'), 'CN=ops+UID=42,DC=example', 'the parts of an RDN are sorted');
    assert.equal(distinguishedName('CN=\\ lead\\ '), 'CN=\\ lead\\ ', 'escaped edge spaces stay');
    assert.equal(distinguishedName('emailAddress=a@b.example,CN=x'), '1.2.840.113549.1.9.1=a@b.example,CN=x');
    assert.notEqual(distinguishedName('CN=Alice'), distinguishedName('CN=alice'), 'values compare case-sensitively');
    for (const bad of ['', 'alice', 'FOO=bar', 'CN=', 'CN=a\\q']) assert.throws(() => distinguishedName(bad), CertificateError, bad);
  });

  it('normalises fingerprints: any case, colons optional, 64 digits', () => {
    const hex = 'ab'.repeat(32);
    assert.equal(fingerprintSha256(hex.toUpperCase()), hex);
    assert.equal(fingerprintSha256(hex.toUpperCase().match(/../g)!.join(':')), hex);
    for (const bad of ['ab'.repeat(31), `${'ab'.repeat(31)}zz`, 'a:bab'.repeat(13), 'ab'.repeat(33)]) assert.equal(fingerprintSha256(bad), undefined, bad);
  });

  it('verifies the issuer, both validities and the client-auth usage', async () => {
    const [ca, other] = await Promise.all([createCertificateAuthority('Chain CA'), createCertificateAuthority('Other CA')]);
    const good = await ca.client('good');
    const now = new Date();
    assert.equal((await verifyChain(good.certPem, [other.certPem + ca.certPem], now, { usage: 'clientAuth' })).ok, true, 'any CA of a bundle');
    const verdicts = {
      'another CA': await verifyChain(good.certPem, [other.certPem], now),
      expired: await verifyChain((await ca.client('old', EXPIRED)).certPem, [ca.certPem], now),
      'not yet valid': await verifyChain(good.certPem, [ca.certPem], new Date(Date.now() - 7 * 86_400_000)),
      'a server certificate': await verifyChain((await ca.server()).certPem, [ca.certPem], now, { usage: 'clientAuth' }),
      garbage: await verifyChain('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', [ca.certPem], now),
    };
    for (const [what, v] of Object.entries(verdicts)) assert.equal(v.ok, false, what);
    // Same subject as the CA's, wrong key: the signature decides, not the name.
    const impostor = await createCertificateAuthority('Chain CA');
    assert.equal((await verifyChain((await impostor.client('good')).certPem, [ca.certPem], now)).ok, false);
  });
});
