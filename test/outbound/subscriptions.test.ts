// Webhook subscriptions (SPEC §7, §12) against real receivers on 127.0.0.1, and the target guard
// with ALLOW_PRIVATE_TARGETS off.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DeliveryClient } from '../../src/platform/http-client.ts';
import { addressAllowed } from '../../src/platform/target-guard.ts';
import { verify } from '../../src/signing/schemes.ts';
import { createTestDatabase, dropTestDatabase } from '../support/db.ts';
import { gate, startReceiver, type Receiver } from '../support/receiver.ts';
import { gql, gqlOk, startTestService, type TestService, withServiceAndReceiver } from '../support/service.ts';
import { until } from '../support/wait.ts';

const CREATE = `mutation($i: CreateWebhookSubscriptionInput!) {
  createWebhookSubscription(input: $i) { secret subscription { id url events status statusReason timeoutMs headers { name value secret } lastSuccessAt } }
}`;

describe('webhook subscriptions', () => {
  let svc: TestService;
  let receiver: Receiver;
  withServiceAndReceiver((s, r) => {
    svc = s;
    receiver = r;
  });

  it('pings the endpoint on create with a signed webhook.ping; a 2xx makes it ACTIVE', async () => {
    receiver.respond(() => ({ status: 204 }));
    const r = await gql(svc.url, svc.adminKey, CREATE, { i: { url: `${receiver.url}/hook`, events: ['session.finished', 'tool.*'], headers: [{ name: 'X-Team', value: 'core' }] } });
    const { subscription, secret } = r.data!.createWebhookSubscription;
    assert.match(subscription.id, /^sub_/);
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(subscription.status, 'ACTIVE');
    assert.equal(subscription.statusReason, null);
    assert.equal(subscription.timeoutMs, 2000);
    const ping = receiver.received.at(-1)!;
    const h = (n: string) => ping.headers[n] as string;
    assert.equal(h('content-type'), 'application/json');
    assert.match(h('user-agent'), /^webhook-gateway\//);
    assert.equal(h('x-team'), 'core');
    assert.deepEqual(subscription.headers, [{ name: 'X-Team', value: 'core', secret: false }]);
    const envelope = JSON.parse(ping.body);
    assert.equal(envelope.type, 'webhook.ping');
    assert.equal(h('webhook-id'), envelope.id);
    assert.deepEqual(envelope.data, { subscriptionId: subscription.id });
    assert.equal(envelope.workspaceId, svc.workspaceId);
    const check = verify({ scheme: 'STANDARD_WEBHOOKS', headers: { 'webhook-id': h('webhook-id'), 'webhook-timestamp': h('webhook-timestamp'), 'webhook-signature': h('webhook-signature') }, body: Buffer.from(ping.body), secrets: [secret], toleranceSeconds: 300, nowSeconds: Math.floor(Date.now() / 1000) });
    assert.equal(check.ok, true);
  });

  it('stays PENDING_VERIFICATION with the reason when the ping fails, until verifyWebhookSubscription succeeds', async () => {
    receiver.respond(() => ({ status: 500, body: 'not yet' }));
    const r = await gql(svc.url, svc.adminKey, CREATE, { i: { url: `${receiver.url}/later`, events: ['*'] } });
    const sub = r.data!.createWebhookSubscription.subscription;
    assert.equal(sub.status, 'PENDING_VERIFICATION');
    assert.match(sub.statusReason, /webhook\.ping: answered 500/);
    // A ping that is never answered: only the 2 s ping timeout ends it.
    const hold = gate();
    receiver.respond(() => ({ status: 200, until: hold.opened }));
    try {
      const slow = await gql(svc.url, svc.adminKey, 'mutation($id: ID!) { verifyWebhookSubscription(input: {id: $id}) { subscription { status statusReason } } }', { id: sub.id });
      assert.deepEqual(slow.data!.verifyWebhookSubscription.subscription, {
        status: 'PENDING_VERIFICATION', statusReason: `webhook.ping: TIMEOUT (no complete answer from ${new URL(receiver.url).host} within 2000 ms); answer 2xx, then call verifyWebhookSubscription`,
      });
    } finally {
      hold.open();
    }
    receiver.respond(() => ({ status: 200 }));
    const ok = await gql(svc.url, svc.adminKey, 'mutation($id: ID!) { verifyWebhookSubscription(input: {id: $id}) { subscription { status statusReason lastSuccessAt } } }', { id: sub.id });
    assert.equal(ok.data!.verifyWebhookSubscription.subscription.status, 'ACTIVE');
    assert.ok(ok.data!.verifyWebhookSubscription.subscription.lastSuccessAt);
  });

  it('refuses bad input naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ events: [] }, 'events'],
      [{ events: ['session.exploded'] }, 'events.0'],
      [{ events: ['nothing.*'] }, 'events.0'],
      [{ headers: [{ name: 'webhook-signature', value: 'x' }] }, 'headers.0.name'],
      [{ headers: [{ name: 'X-Ok', value: 'a\r\nb' }] }, 'headers.0.value'],
      ...['Expect', 'upgrade', 'Keep-Alive', 'TE', 'trailer', 'Connection', 'Transfer-Encoding', 'Host', 'webhook-gateway-hops']
        .map((name): [Record<string, unknown>, string] => [{ headers: [{ name, value: name === 'Expect' ? '100-continue' : 'x' }] }, 'headers.0.name']),
      [{ headers: [{ name: 'X-Ok', value: 'a\nb' }] }, 'headers.0.value'],
      [{ headers: [{ name: 'X-Ok', value: 'a\u0000b' }] }, 'headers.0.value'],
      [{ headers: [{ name: 'X-Ok', value: 'ok' }, { name: 'X-\u0000', value: 'x' }] }, 'headers.1.name'],
      [{ headers: [{ name: 'X-Ok', value: 'a\u0000b', secret: true }] }, 'headers.0.value'],
      [{ headers: [{ name: 'X-Ok', value: '', secret: true }] }, 'headers.0.value'],
      [{ timeoutMs: 50 }, 'timeoutMs'],
      [{ filter: "$[?(process.exit())]" }, 'filter'],
      [{ secret: 'whsec_short' }, 'secret'],
      [{ url: 'not a url' }, 'url'],
      [{ url: 'ftp://example.com/x' }, 'url'],
      [{ url: 'https://user:pw@example.com/x' }, 'url'],
    ];
    for (const [input, field] of cases) {
      const r = await gql(svc.url, svc.adminKey, CREATE, { i: { url: `${receiver.url}/x`, events: ['*'], ...input } });
      assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(input));
      assert.equal(r.errors?.[0]?.extensions?.field, field, `${JSON.stringify(input)}: ${r.errors?.[0]?.message}`);
    }
  });

  it('updates partially, re-verifies a new URL, deletes, and keeps to its workspace and roles', async () => {
    receiver.respond(() => ({ status: 200 }));
    const created = (await gql(svc.url, svc.adminKey, CREATE, { i: { url: `${receiver.url}/a`, events: ['*'], rateLimitPerSecond: 5 } })).data!.createWebhookSubscription.subscription;
    const UPDATE = 'mutation($i: UpdateWebhookSubscriptionInput!) { updateWebhookSubscription(input: $i) { subscription { url events status rateLimitPerSecond maxConcurrency } } }';
    const u = (await gql(svc.url, svc.adminKey, UPDATE, { i: { id: created.id, events: ['tool.*'], maxConcurrency: 3, rateLimitPerSecond: null } })).data!.updateWebhookSubscription.subscription;
    assert.deepEqual(u, { url: `${receiver.url}/a`, events: ['tool.*'], status: 'ACTIVE', rateLimitPerSecond: null, maxConcurrency: 3 });
    receiver.respond(() => ({ status: 404 }));
    const moved = (await gql(svc.url, svc.adminKey, UPDATE, { i: { id: created.id, url: `${receiver.url}/b` } })).data!.updateWebhookSubscription.subscription;
    assert.equal(moved.status, 'PENDING_VERIFICATION', 'a new URL receives nothing until it answers the ping');
    const viewer = (await gql(svc.url, svc.adminKey, 'mutation { createApiKey(input: {name: "v", role: VIEWER}) { key } }')).data!.createApiKey.key;
    assert.equal((await gql(svc.url, viewer, UPDATE, { i: { id: created.id, maxConcurrency: 1 } })).errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const listed = (await gql(svc.url, viewer, '{ webhookSubscriptions(first: 100) { edges { node { id } } } }')).data!.webhookSubscriptions.edges;
    assert.ok(listed.some((e: any) => e.node.id === created.id));
    const other = await import('../../src/workspaces/workspaces.ts').then((m) => m.createWorkspace(svc.services.db, 'other'));
    assert.equal((await gql(svc.url, other.adminKey, 'query($id: ID!) { webhookSubscription(id: $id) { id } node(id: $id) { id } }', { id: created.id })).data!.webhookSubscription, null);
    const del = await gql(svc.url, svc.adminKey, 'mutation($id: ID!) { deleteWebhookSubscription(input: {id: $id}) { deletedSubscriptionId } }', { id: created.id });
    assert.equal(del.data!.deleteWebhookSubscription.deletedSubscriptionId, created.id);
    assert.equal((await gql(svc.url, svc.adminKey, 'query($id: ID!) { webhookSubscription(id: $id) { id } }', { id: created.id })).data!.webhookSubscription, null);
  });

  it('keeps secret headers encrypted and shows them to no role; an update without a new value keeps them; VIEWER keys see URL query values masked', async () => {
    receiver.respond(() => ({ status: 200 }));
    const token = `Bearer tok_${randomBytes(12).toString('hex')}`;
    const created = await gql(svc.url, svc.adminKey, CREATE, { i: {
      url: `${receiver.url}/secret?token=qs-${token.slice(-8)}&team=core`, events: ['*'],
      headers: [{ name: 'Authorization', value: token, secret: true }, { name: 'X-Team', value: 'core' }],
    } });
    const sub = created.data!.createWebhookSubscription.subscription;
    const masked = [{ name: 'Authorization', value: '••••', secret: true }, { name: 'X-Team', value: 'core', secret: false }];
    assert.deepEqual(sub.headers, masked);
    assert.equal(receiver.received.at(-1)!.headers.authorization, token, 'the ping carries the value in clear');
    const { rows: [row] } = await svc.services.pool.query<{ headers: string }>('SELECT headers::text FROM webhook_subscription WHERE id = $1', [sub.id]);
    assert.ok(!row!.headers.includes(token.slice(7)), 'the value is encrypted at rest');

    const READ = 'query($id: ID!) { webhookSubscription(id: $id) { url headers { name value secret } } }';
    const viewer = (await gql(svc.url, svc.adminKey, 'mutation { createApiKey(input: {name: "v2", role: VIEWER}) { key } }')).data!.createApiKey.key;
    const seenByViewer = (await gql(svc.url, viewer, READ, { id: sub.id })).data!.webhookSubscription;
    assert.deepEqual(seenByViewer, { url: `${receiver.url}/secret?token=••••&team=••••`, headers: masked });
    const seenByAdmin = (await gql(svc.url, svc.adminKey, READ, { id: sub.id })).data!.webhookSubscription;
    assert.deepEqual(seenByAdmin, { url: `${receiver.url}/secret?token=qs-${token.slice(-8)}&team=core`, headers: masked });

    const UPDATE = 'mutation($i: UpdateWebhookSubscriptionInput!) { updateWebhookSubscription(input: $i) { subscription { headers { name value secret } } } }';
    const VERIFY = 'mutation($id: ID!) { verifyWebhookSubscription(input: {id: $id}) { subscription { status } } }';
    const sentOnVerify = async () => {
      assert.equal((await gql(svc.url, svc.adminKey, VERIFY, { id: sub.id })).data!.verifyWebhookSubscription.subscription.status, 'ACTIVE');
      return receiver.received.at(-1)!.headers;
    };
    for (const kept of ['', '••••']) {
      const u = await gql(svc.url, svc.adminKey, UPDATE, { i: { id: sub.id, headers: [{ name: 'authorization', value: kept, secret: true }, { name: 'X-Team', value: 'platform' }] } });
      assert.deepEqual(u.data!.updateWebhookSubscription.subscription.headers, [{ name: 'authorization', value: '••••', secret: true }, { name: 'X-Team', value: 'platform', secret: false }]);
      const sent = await sentOnVerify();
      assert.equal(sent.authorization, token, `"${kept}" keeps the stored value`);
      assert.equal(sent['x-team'], 'platform');
    }
    await gqlOk(svc.url, svc.adminKey, UPDATE, { i: { id: sub.id, headers: [{ name: 'Authorization', value: 'Bearer rotated', secret: true }] } });
    assert.equal((await sentOnVerify()).authorization, 'Bearer rotated');
    const missing = await gql(svc.url, svc.adminKey, UPDATE, { i: { id: sub.id, headers: [{ name: 'X-Api-Key', value: '••••', secret: true }] } });
    assert.equal(missing.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(missing.errors?.[0]?.extensions?.field, 'headers.0.value');

    // Deliveries open it just in time, like pings.
    const before = receiver.received.length;
    await gqlOk(svc.url, svc.adminKey, 'mutation($s: ID!) { sendTestEvent(input: {subscriptionId: $s, type: "session.archived"}) { delivery { id } } }', { s: sub.id });
    const delivered = await until(() => receiver.received.slice(before).find((r) => JSON.parse(r.body).type === 'session.archived'), 'the test event');
    assert.equal(delivered.headers.authorization, 'Bearer rotated');
  });

  it('enabling pings the URL: one changed while the subscription was disabled is not ACTIVE until it answers 2xx', async () => {
    receiver.respond(() => ({ status: 200 }));
    const sub = (await gql(svc.url, svc.adminKey, CREATE, { i: { url: `${receiver.url}/before`, events: ['*'] } })).data!.createWebhookSubscription.subscription;
    assert.equal(sub.status, 'ACTIVE');
    const STATUS = '{ status statusReason url }';
    await gqlOk(svc.url, svc.adminKey, `mutation($id: ID!) { disableWebhookSubscription(input: {id: $id}) { subscription ${STATUS} } }`, { id: sub.id });
    const moved = await startReceiver();
    try {
      moved.respond(() => ({ status: 500 }));
      const u = await gql(svc.url, svc.adminKey, `mutation($id: ID!, $url: String!) { updateWebhookSubscription(input: {id: $id, url: $url}) { subscription ${STATUS} } }`, { id: sub.id, url: `${moved.url}/after` });
      assert.equal(u.data!.updateWebhookSubscription.subscription.status, 'DISABLED');
      assert.equal(moved.received.length, 0, 'a disabled subscription is not pinged');
      const ENABLE = `mutation($id: ID!) { enableWebhookSubscription(input: {id: $id}) { subscription ${STATUS} } }`;
      const enabled = (await gql(svc.url, svc.adminKey, ENABLE, { id: sub.id })).data!.enableWebhookSubscription.subscription;
      assert.equal(enabled.status, 'PENDING_VERIFICATION');
      assert.match(enabled.statusReason, /webhook\.ping: answered 500/);
      assert.equal(moved.received.length, 1);
      assert.equal(JSON.parse(moved.received[0]!.body).type, 'webhook.ping');
      moved.respond(() => ({ status: 204 }));
      await gqlOk(svc.url, svc.adminKey, `mutation($id: ID!) { disableWebhookSubscription(input: {id: $id}) { subscription ${STATUS} } }`, { id: sub.id });
      const again = (await gql(svc.url, svc.adminKey, ENABLE, { id: sub.id })).data!.enableWebhookSubscription.subscription;
      assert.deepEqual(again, { status: 'ACTIVE', statusReason: null, url: `${moved.url}/after` });
    } finally {
      await moved.close();
    }
  });
});

describe('target guard (ALLOW_PRIVATE_TARGETS and ALLOW_INSECURE_TARGETS off)', () => {
  let svc: TestService;
  let receiver: Receiver;
  before(async () => {
    svc = await startTestService();
    receiver = await startReceiver();
  });
  after(async () => {
    await svc.stop();
    await receiver.close();
  });

  it('refuses plain http, and loopback, private, link-local, multicast and metadata addresses at create time', async () => {
    const port = new URL(receiver.url).port;
    const cases: Array<[string, RegExp]> = [
      [`http://example.com/hook`, /must be https:\/\//],
      [`https://127.0.0.1:${port}/hook`, /resolves to 127\.0\.0\.1/],
      [`https://localhost:${port}/hook`, /resolves to (127\.0\.0\.1|::1)/],
      ['https://10.1.2.3/hook', /resolves to 10\.1\.2\.3/],
      ['https://192.168.0.10/hook', /resolves to 192\.168\.0\.10/],
      ['https://172.20.0.1/hook', /private|resolves to 172\.20\.0\.1/],
      ['https://169.254.169.254/latest/meta-data', /resolves to 169\.254\.169\.254/],
      ['https://[::1]/hook', /resolves to ::1/],
      ['https://[fd00:ec2::254]/hook', /resolves to fd00:ec2::254/],
      ['https://224.0.0.1/hook', /resolves to 224\.0\.0\.1/],
      ['https://[::ffff:127.0.0.1]/hook', /resolves to ::ffff:7f00:1|resolves to ::ffff:127\.0\.0\.1/],
      ['https://0.0.0.0/hook', /resolves to 0\.0\.0\.0/],
      // IPv6 forms that reach an IPv4 address: IPv4-compatible ::/96, NAT64, 6to4, Teredo, SIIT.
      ['https://[::127.0.0.1]/hook', /resolves to ::7f00:1/],
      ['https://[::a00:1]/hook', /resolves to ::a00:1/],
      ['https://[::808:808]/hook', /resolves to ::808:808/],
      ['https://[64:ff9b::10.0.0.1]/hook', /resolves to 64:ff9b::a00:1/],
      ['https://[64:ff9b::7f00:1]/hook', /resolves to 64:ff9b::7f00:1/],
      ['https://[64:ff9b:1::a00:1]/hook', /resolves to 64:ff9b:1::a00:1/],
      ['https://[2002:a00:1::1]/hook', /resolves to 2002:a00:1::1/],
      ['https://[2002:7f00:1::1]/hook', /resolves to 2002:7f00:1::1/],
      ['https://[2001::a00:1]/hook', /resolves to 2001::a00:1/],
      ['https://[::ffff:0:a00:1]/hook', /resolves to ::ffff:0:a00:1/],
      ['https://100.64.0.1/hook', /resolves to 100\.64\.0\.1/],
      ['https://198.18.0.1/hook', /resolves to 198\.18\.0\.1/],
    ];
    for (const [url, message] of cases) {
      const r = await gql(svc.url, svc.adminKey, CREATE, { i: { url, events: ['*'] } });
      assert.equal(r.errors?.[0]?.extensions?.field, 'url', url);
      assert.match(r.errors![0]!.message, message, url);
    }
    assert.equal(receiver.received.length, 0, 'nothing was sent to a refused target');
    assert.equal((await svc.services.pool.query('SELECT count(*)::int AS n FROM webhook_subscription')).rows[0].n, 0);
  });

  it('judges an IPv4 address inside an IPv6 one as that IPv4 address, whatever its notation', () => {
    for (const a of ['8.8.8.8', '2001:4860:4860::8888', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8', '64:ff9b::808:808']) assert.equal(addressAllowed(a), true, a);
    // libuv prints IPv4-compatible addresses (::/96) as ::a.b.c.d, which is not ::ffff:a.b.c.d.
    for (const a of ['::8.8.8.8', '::808:808', '::127.0.0.1', '::ffff:127.0.0.1', '64:ff9b::192.168.1.1', '2002:808:808::1', 'fe80::1%lo', '4000::1', 'not an ip']) {
      assert.equal(addressAllowed(a), false, a);
    }
  });

  it('refuses at connect time a hostname that resolves to a loopback address (DNS rebinding)', async () => {
    const client = new DeliveryClient({ allowInsecure: true, allowPrivate: false });
    try {
      const port = new URL(receiver.url).port;
      const result = await client.post({ url: `http://localhost:${port}/hook`, owner: 'sub_test' }, '{}', { 'content-type': 'application/json' }, 2000);
      assert.equal(result.errorClass, 'TARGET_REFUSED');
      assert.equal(result.statusCode, null);
      assert.equal(receiver.received.length, 0);
    } finally {
      await client.close();
    }
  });

  it('does not follow redirects: a 3xx is a failed attempt', async () => {
    receiver.respond(() => ({ status: 307, headers: { location: 'https://example.com/elsewhere' } }));
    const client = new DeliveryClient({ allowInsecure: true, allowPrivate: true });
    try {
      const result = await client.post({ url: `${receiver.url}/hook`, owner: 'sub_test' }, '{}', {}, 2000);
      assert.deepEqual([result.statusCode, result.errorClass], [307, 'HTTP_307']);
      assert.equal(receiver.received.length, 1);
    } finally {
      await client.close();
    }
  });
});

describe('subscriptions saved while ALLOW_INSECURE_TARGETS / ALLOW_PRIVATE_TARGETS were on', () => {
  it('are refused at attempt time once the flags are off: a literal IP and plain http are checked at every connection', async () => {
    const databaseUrl = await createTestDatabase();
    const env = { DATABASE_URL: databaseUrl, MASTER_KEY: randomBytes(32).toString('base64') };
    const receiver = await startReceiver();
    try {
      const first = await startTestService({ ...env, ALLOW_PRIVATE_TARGETS: 'true', ALLOW_INSECURE_TARGETS: 'true' });
      const adminKey = first.adminKey;
      let id: string;
      try {
        const r = await gql(first.url, adminKey, CREATE, { i: { url: `${receiver.url}/saved`, events: ['*'] } });
        assert.equal(r.data!.createWebhookSubscription.subscription.status, 'ACTIVE');
        id = r.data!.createWebhookSubscription.subscription.id;
      } finally {
        await first.stop();
      }
      const pinged = receiver.received.length;
      // http://127.0.0.1:<port>: plain http, and a literal loopback address no DNS lookup would see.
      for (const flags of [{ ALLOW_PRIVATE_TARGETS: 'true' }, { ALLOW_INSECURE_TARGETS: 'true' }] as Array<Record<string, string>>) {
        const svc = await startTestService({ ...env, ...flags });
        try {
          const sent = await gql(svc.url, adminKey, 'mutation($s: ID!) { sendTestEvent(input: {subscriptionId: $s, type: "session.archived"}) { delivery { id } } }', { s: id });
          const deliveryId = sent.data!.sendTestEvent.delivery.id;
          const attempt = await until(async () => (await svc.services.pool.query<{ status_code: number | null; error_class: string }>(
            'SELECT status_code, error_class FROM delivery_attempt WHERE delivery_id = $1', [deliveryId])).rows[0], 'the attempt');
          assert.deepEqual(attempt, { status_code: null, error_class: 'TARGET_REFUSED' }, JSON.stringify(flags));
          const verified = await gql(svc.url, adminKey, 'mutation($id: ID!) { verifyWebhookSubscription(input: {id: $id}) { subscription { status statusReason } } }', { id });
          const refusal = flags.ALLOW_PRIVATE_TARGETS ? 'http:// must be https:// (plain http only with ALLOW_INSECURE_TARGETS=true)' : '127.0.0.1 is an address deliveries may not reach';
          assert.deepEqual(verified.data!.verifyWebhookSubscription.subscription, {
            status: 'PENDING_VERIFICATION', statusReason: `webhook.ping: TARGET_REFUSED (${refusal}); answer 2xx, then call verifyWebhookSubscription`,
          });
        } finally {
          await svc.stop();
        }
      }
      assert.equal(receiver.received.length, pinged, 'nothing reached the receiver once the flags were off');
    } finally {
      await receiver.close();
      await dropTestDatabase(databaseUrl);
    }
  });
});
