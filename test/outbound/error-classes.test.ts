// Why an attempt got no answer (SPEC §7), with real HTTPS receivers on 127.0.0.1 and a small DNS
// server on 127.0.0.1 that the gateway asks through OUTBOUND_DNS_SERVERS: error class TLS with the
// reason (unknown CA, expired, hostname mismatch, handshake refused) and DNS for a name that stops
// resolving between the ping and the attempt. TIMEOUT: test/outbound/delivery.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type CertificateAuthority, createCertificateAuthority, EXPIRED } from '../support/certificates.ts';
import { type DnsServer, startDnsServer } from '../support/dns-server.ts';
import { type Receiver, type ReceiverTls, receiverCa } from '../support/receiver.ts';
import { gqlOk, type TestService, withPublishingService } from '../support/service.ts';
import { until } from '../support/wait.ts';

const CREATE = `mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { id status statusReason } } }`;
const TEST_EVENT = 'mutation($s: ID!) { sendTestEvent(input: {subscriptionId: $s, type: "session.archived"}) { delivery { id } } }';
const ATTEMPTS = 'query($id: ID!) { delivery(id: $id) { attempts { number outcome statusCode errorClass errorReason } } }';

interface Attempt {
  number: number;
  outcome: string;
  statusCode: number | null;
  errorClass: string | null;
  errorReason: string | null;
}

// Started before the gateway, which is told to ask it.
const dns: DnsServer = await startDnsServer();

describe('attempt error classes', () => {
  let svc: TestService;
  let ca: CertificateAuthority;
  let otherCa: CertificateAuthority;
  const receiver = withPublishingService({ ALLOW_PRIVATE_TARGETS: 'true', DELIVERY_RETRY_SCHEDULE: '1h', OUTBOUND_DNS_SERVERS: dns.address }, (s) => (svc = s));
  before(async () => {
    ca = await receiverCa();
    otherCa = await createCertificateAuthority('Other Test CA');
  });
  after(() => dns.close());

  const create = async (url: string, input: Record<string, unknown> = {}) =>
    (await gqlOk<{ createWebhookSubscription: { subscription: { id: string; status: string; statusReason: string | null } } }>(
      svc.url, svc.adminKey, CREATE, { i: { url, events: ['*'], ...input } })).createWebhookSubscription.subscription;
  /** One attempt of a test event, as recorded. */
  const attempt = async (subscriptionId: string): Promise<Attempt> => {
    const { sendTestEvent } = await gqlOk<{ sendTestEvent: { delivery: { id: string } } }>(svc.url, svc.adminKey, TEST_EVENT, { s: subscriptionId });
    return until(async () => (await gqlOk<{ delivery: { attempts: Attempt[] } }>(svc.url, svc.adminKey, ATTEMPTS, { id: sendTestEvent.delivery.id })).delivery.attempts[0], 'the attempt');
  };

  it('records TLS with a readable reason: unknown CA, expired certificate, hostname mismatch, handshake refused', async () => {
    const client = await (await createCertificateAuthority('Client CA')).client('gateway');
    const cases: Array<{ what: string; https: ReceiverTls; tls?: Record<string, string>; reason: RegExp }> = [
      // The receiver's CA is private and the subscription does not name it: only the system's CAs are trusted.
      { what: 'unknown CA', https: {}, reason: /^unknown CA: the receiver's certificate is not signed by a CA this subscription trusts.*\(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)$/ },
      { what: 'expired', https: { certificate: await ca.server(EXPIRED) }, tls: { caCertificatesPem: ca.certPem }, reason: /^expired: the receiver's certificate has expired \(CERT_HAS_EXPIRED\)$/ },
      {
        what: 'hostname mismatch', https: { certificate: await ca.server({ hosts: ['other.example'] }) }, tls: { caCertificatesPem: ca.certPem },
        reason: /^hostname mismatch: the receiver's certificate does not name this host; IP: 127\.0\.0\.1 is not in the cert's list.*\(ERR_TLS_CERT_ALTNAME_INVALID\)$/,
      },
      {
        // TLS 1.2 settles the client certificate inside the handshake, before any request is written:
        // the receiver's alert, or the reset that can overtake it, ends the connect.
        what: 'handshake refused', https: { requireClientCertificateFrom: [otherCa.certPem], maxVersion: 'TLSv1.2' },
        tls: { caCertificatesPem: ca.certPem, clientCertificatePem: client.certPem, clientKeyPem: client.keyPem },
        reason: /^handshake refused(: the receiver closed the connection during the TLS handshake \(ECONNRESET\)| by the receiver: .*\(ERR_SSL_[A-Z0-9_]+_ALERT_[A-Z_]+\))$/,
      },
    ];
    for (const c of cases) {
      const r = await receiver({ https: c.https });
      const sub = await create(`${r.url}/hook`, c.tls ? { tls: c.tls } : {});
      assert.equal(sub.status, 'PENDING_VERIFICATION', c.what);
      const a = await attempt(sub.id);
      assert.deepEqual([a.outcome, a.statusCode, a.errorClass], ['FAILED', null, 'TLS'], c.what);
      assert.match(String(a.errorReason), c.reason, c.what);
      assert.equal(sub.statusReason, `webhook.ping: TLS (${a.errorReason}); answer 2xx, then call verifyWebhookSubscription`, `${c.what}: the ping says the same`);
      assert.equal(r.received.length, 0, `${c.what}: no request got through`);
    }
  });

  it('records DNS when the host name stops resolving between the ping and the attempt', async () => {
    const name = 'hooks.receiver.test';
    const r: Receiver = await receiver({ https: { certificate: await ca.server({ hosts: [name] }) } });
    dns.names.set(name, '127.0.0.1');
    // Each answer closes its connection, so the attempt has to connect (and resolve) again.
    r.respond(() => ({ status: 200, headers: { connection: 'close' } }));
    const sub = await create(`https://${name}:${new URL(r.url).port}/hook`, { tls: { caCertificatesPem: ca.certPem } });
    assert.equal(sub.status, 'ACTIVE', String(sub.statusReason));
    assert.ok(dns.queries.includes(name), 'the gateway asked the configured DNS server');
    dns.names.delete(name);
    const a = await attempt(sub.id);
    assert.deepEqual([a.statusCode, a.errorClass, a.errorReason], [null, 'DNS', `${name} does not resolve (ENOTFOUND)`]);
    assert.equal(r.received.length, 1, 'only the ping arrived');
  });
});
