// Outbound mTLS (SPEC §7) against real HTTPS receivers on 127.0.0.1 that require client
// certificates: the ping and every attempt present the subscription's certificate, each subscription
// its own (pools per TLS identity), a changed certificate is verified again and retires its pool;
// what is saved is checked, the key never comes back, and /metrics counts certificates about to expire.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type CertificateAuthority, createCertificateAuthority, EXPIRED, type Issued } from '../support/certificates.ts';
import { type Receiver, receiverCa } from '../support/receiver.ts';
import { gql, gqlOk, type TestService, withPublishingService } from '../support/service.ts';
import { until } from '../support/wait.ts';

const SUBSCRIPTION = `id status statusReason tls { clientCertificate { subject issuer fingerprintSha256 notBefore notAfter }
  caCertificates { subject issuer fingerprintSha256 notBefore notAfter } }`;
const CREATE = `mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { ${SUBSCRIPTION} } } }`;
const UPDATE = `mutation($i: UpdateWebhookSubscriptionInput!) { updateWebhookSubscription(input: $i) { subscription { ${SUBSCRIPTION} } } }`;
const PUBLISH = 'mutation($i: PublishEventInput!) { publishEvent(input: $i) { event { id } } }';
const DAY = 86_400_000;

interface Sub {
  id: string;
  status: string;
  statusReason: string | null;
  tls: { clientCertificate: { subject: string; issuer: string; fingerprintSha256: string; notAfter: string } | null; caCertificates: Array<{ subject: string; fingerprintSha256: string }> } | null;
}

describe('outbound mTLS', () => {
  let svc: TestService;
  let publisher: string;
  let clientCa: CertificateAuthority;
  let alice: Issued;
  let bob: Issued;
  let trustReceiver: string;
  const receiver = withPublishingService({ ALLOW_PRIVATE_TARGETS: 'true', DELIVERY_RETRY_SCHEDULE: '1h' }, (s, key) => {
    svc = s;
    publisher = key;
  });
  before(async () => {
    clientCa = await createCertificateAuthority('Client Test CA');
    [alice, bob] = [await clientCa.client('alice'), await clientCa.client('bob')];
    trustReceiver = (await receiverCa()).certPem;
  });
  /** An HTTPS receiver that refuses the handshake without a certificate from clientCa. */
  const strictReceiver = () => receiver({ https: { requireClientCertificateFrom: [clientCa.certPem] } });
  const clientTls = (who: Issued) => ({ clientCertificatePem: who.certPem, clientKeyPem: who.keyPem, caCertificatesPem: trustReceiver });
  const create = async (r: Receiver, input: Record<string, unknown>) =>
    (await gqlOk<{ createWebhookSubscription: { subscription: Sub } }>(svc.url, svc.adminKey, CREATE, { i: { url: `${r.url}/hook`, events: ['import.completed'], ...input } })).createWebhookSubscription.subscription;
  const publish = () => gqlOk(svc.url, publisher, PUBLISH, { i: { type: 'import.completed', data: { importId: 'imp', source: 's3', itemsImported: 1, itemsFailed: 0 } } });
  const metric = async (line: RegExp) => {
    const text = await (await fetch(`${svc.url}/metrics`)).text();
    return Number(text.split('\n').find((l) => line.test(l))?.split(' ').at(-1) ?? NaN);
  };

  it('presents the client certificate on the create-time ping and every attempt; without one the ping fails with a readable reason', async () => {
    const r = await strictReceiver();
    const sub = await create(r, { tls: clientTls(alice), headers: [{ name: 'X-Sub', value: 'alice' }] });
    assert.equal(sub.status, 'ACTIVE', String(sub.statusReason));
    assert.equal(r.received[0]!.clientCertificate?.fingerprintSha256, alice.fingerprintSha256, 'the ping presented it');
    await publish();
    await publish();
    await until(() => r.received.length === 3, 'two deliveries');
    assert.deepEqual(r.received.map((x) => x.clientCertificate?.fingerprintSha256), Array(3).fill(alice.fingerprintSha256));

    const without = await create(r, { tls: { caCertificatesPem: trustReceiver } });
    assert.equal(without.status, 'PENDING_VERIFICATION');
    assert.match(String(without.statusReason), /^webhook\.ping: TLS \(handshake refused[:;, ]/);
    assert.equal(r.received.length, 3, 'no request got through without a certificate');
  });

  it('sends each subscription with its own certificate on every attempt, however they are interleaved', async () => {
    const r = await strictReceiver();
    await create(r, { tls: clientTls(alice), headers: [{ name: 'X-Sub', value: 'alice' }] });
    await create(r, { tls: clientTls(bob), headers: [{ name: 'X-Sub', value: 'bob' }] });
    const EVENTS = 6;
    await Promise.all(Array.from({ length: EVENTS }, () => publish()));
    await until(() => r.received.length === 2 + 2 * EVENTS, 'every delivery to both');
    const expected: Record<string, string> = { alice: alice.fingerprintSha256, bob: bob.fingerprintSha256 };
    for (const req of r.received) assert.equal(req.clientCertificate?.fingerprintSha256, expected[String(req.headers['x-sub'])], `a request of ${String(req.headers['x-sub'])}`);
    assert.deepEqual(new Set(r.connections.map((c) => c.clientFingerprint)), new Set(Object.values(expected)), 'no connection without a certificate');
  });

  it('a changed client certificate is verified again, and its old pool is closed: the next attempt presents the new one', async () => {
    const r = await strictReceiver();
    // Certificates of this test alone: a pool serves every subscription with the same certificate and CAs.
    const [carol, dave] = [await clientCa.client('carol'), await clientCa.client('dave')];
    const sub = await create(r, { tls: clientTls(carol) });
    await publish();
    await until(() => r.received.length === 2, 'a delivery with the first certificate');
    const pools = await metric(/^webhook_gateway_delivery_tls_pools /);
    const updated = (await gqlOk<{ updateWebhookSubscription: { subscription: Sub } }>(svc.url, svc.adminKey, UPDATE, {
      i: { id: sub.id, tls: { clientCertificatePem: dave.certPem, clientKeyPem: dave.keyPem } },
    })).updateWebhookSubscription.subscription;
    assert.equal(updated.status, 'ACTIVE');
    assert.equal(r.received.length, 3, 'the update pinged the receiver');
    assert.equal(r.received[2]!.clientCertificate?.fingerprintSha256, dave.fingerprintSha256);
    assert.equal(updated.tls?.clientCertificate?.fingerprintSha256, dave.fingerprintSha256);
    assert.equal(updated.tls?.caCertificates.length, 1, 'the CA left out of the update stays');
    await publish();
    await until(() => r.received.length === 4, 'the next delivery');
    assert.equal(r.received[3]!.clientCertificate?.fingerprintSha256, dave.fingerprintSha256);
    // The receiver keeps idle connections for two minutes: only the gateway closes carol's.
    await until(() => r.connections.filter((c) => c.clientFingerprint === carol.fingerprintSha256).every((c) => c.closed), "carol's connections closed");
    assert.equal(await metric(/^webhook_gateway_delivery_tls_pools /), pools, "dave's pool took the place of carol's");
  });

  it('checks TLS settings when saved, naming the field, and never returns or stores the key in clear', async () => {
    const r = await strictReceiver();
    const other = await createCertificateAuthority('Unrelated CA');
    const stranger = await other.client('stranger');
    const expired = await clientCa.client('expired', EXPIRED);
    const refused = async (tls: Record<string, unknown>, field: string, message: RegExp) => {
      const res = await gql(svc.url, svc.adminKey, CREATE, { i: { url: `${r.url}/hook`, events: ['*'], tls } });
      assert.equal(res.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(res.errors));
      assert.equal(res.errors?.[0]?.extensions?.field, field);
      assert.match(res.errors![0]!.message, message);
    };
    await refused({ clientCertificatePem: 'not a certificate', clientKeyPem: alice.keyPem }, 'tls.clientCertificatePem', /no PEM certificate/);
    await refused({ clientCertificatePem: alice.certPem, clientKeyPem: stranger.keyPem }, 'tls.clientKeyPem', /does not belong to the client certificate/);
    await refused({ clientCertificatePem: alice.certPem }, 'tls.clientKeyPem', /required/);
    await refused({ clientKeyPem: alice.keyPem }, 'tls.clientCertificatePem', /required/);
    await refused({ clientCertificatePem: alice.certPem, clientKeyPem: 'garbage' }, 'tls.clientKeyPem', /not a PEM private key/);
    await refused({ clientCertificatePem: `${alice.certPem}${alice.keyPem}`, clientKeyPem: alice.keyPem }, 'tls.clientCertificatePem', /other than PEM certificates/);
    await refused({ clientCertificatePem: expired.certPem, clientKeyPem: expired.keyPem }, 'tls.clientCertificatePem', /expired/);
    await refused({ caCertificatesPem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }, 'tls.caCertificatesPem', /not a valid X.509/);

    const sub = await create(r, { tls: clientTls(alice) });
    // A certificate given alone must fit the stored key (a renewal on the same key); bob's does not.
    const renewed = await gql(svc.url, svc.adminKey, UPDATE, { i: { id: sub.id, tls: { clientCertificatePem: bob.certPem } } });
    assert.deepEqual([renewed.errors?.[0]?.extensions?.code, renewed.errors?.[0]?.extensions?.field], ['BAD_USER_INPUT', 'tls.clientCertificatePem']);
    assert.match(renewed.errors![0]!.message, /does not match the stored client key; give clientKeyPem with it/);
    const answer = JSON.stringify(await gqlOk(svc.url, svc.adminKey, `query($id: ID!) { webhookSubscription(id: $id) { ${SUBSCRIPTION} } }`, { id: sub.id }));
    assert.ok(!answer.includes('PRIVATE KEY'), 'the key is never returned');
    const { rows: [row] } = await svc.services.pool.query('SELECT tls_client_key FROM webhook_subscription WHERE id = $1', [sub.id]);
    assert.match(row.tls_client_key, /^v1\./, 'stored as a cipher envelope');
    assert.ok(!row.tls_client_key.includes(alice.keyPem.split('\n')[1]!));
  });

  it('shows each certificate without secrets, changes and removes TLS settings, and /metrics counts certificates expiring within 14 days', async () => {
    const r = await strictReceiver();
    const soon = await clientCa.client('soon', { notAfter: new Date(Date.now() + 10 * DAY) });
    const soonCa = await (await receiverCa()).server({ notAfter: new Date(Date.now() + 5 * DAY), cn: 'pinned' });
    const expiring = () => Promise.all([metric(/^webhook_gateway_certificates_expiring\{source="outbound_client"\}/), metric(/^webhook_gateway_certificates_expiring\{source="outbound_ca"\}/)]);
    const before = await expiring();
    const sub = await create(r, { tls: { clientCertificatePem: soon.certPem, clientKeyPem: soon.keyPem, caCertificatesPem: `${trustReceiver}\n${soonCa.certPem}` } });
    assert.equal(sub.status, 'ACTIVE', String(sub.statusReason));
    const shown = sub.tls!.clientCertificate!;
    assert.deepEqual([shown.subject, shown.issuer, shown.fingerprintSha256], [soon.subject, 'CN=Client Test CA', soon.fingerprintSha256], 'RFC 4514, as inbound pins compare it');
    assert.equal(shown.subject, 'CN=soon,O=Webhook Gateway Tests');
    assert.ok(Math.abs(Date.parse(shown.notAfter) - (Date.now() + 10 * DAY)) < 60_000);
    assert.deepEqual(sub.tls!.caCertificates.map((c) => c.subject), ['CN=Receiver Test CA', 'CN=pinned']);
    assert.deepEqual(await expiring(), [(before[0] || 0) + 1, (before[1] || 0) + 1]);

    // Only the CAs change: the certificate and its stored key stay, and the subscription is verified again.
    const caOnly = (await gqlOk<{ updateWebhookSubscription: { subscription: Sub } }>(svc.url, svc.adminKey, UPDATE, { i: { id: sub.id, tls: { caCertificatesPem: trustReceiver } } })).updateWebhookSubscription.subscription;
    assert.equal(caOnly.status, 'ACTIVE');
    assert.equal(caOnly.tls?.clientCertificate?.fingerprintSha256, soon.fingerprintSha256);
    assert.equal(r.received.at(-1)!.clientCertificate?.fingerprintSha256, soon.fingerprintSha256, 'the kept key still signs the handshake');
    assert.deepEqual(await expiring(), [(before[0] || 0) + 1, before[1] || 0]);

    const removed = (await gqlOk<{ updateWebhookSubscription: { subscription: Sub } }>(svc.url, svc.adminKey, UPDATE, { i: { id: sub.id, tls: null } })).updateWebhookSubscription.subscription;
    assert.equal(removed.tls, null);
    assert.equal(removed.status, 'PENDING_VERIFICATION', 'without its CA the receiver is not trusted');
    assert.match(String(removed.statusReason), /TLS \(unknown CA/);
    assert.deepEqual(await expiring(), [before[0] || 0, before[1] || 0]);
  });
});
