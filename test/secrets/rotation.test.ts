// Secret rotation (SPEC §8): during the overlap inbound accepts either secret and outbound signs
// with both; revokeSecret ends an overlap early; at most 10 old secrets are kept.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { type Receiver } from '../support/receiver.ts';
import { gql, type TestService, within, withServiceAndReceiver } from '../support/service.ts';
import { type Signed, github, post, slack, standardWebhooks, stripe } from '../support/senders.ts';
import { createTrigger } from '../support/triggers.ts';

const ROTATE_TRIGGER = 'mutation($i: RotateTriggerSecretInput!) { rotateTriggerSecret(input: $i) { secret previousSecretExpiresAt trigger { id secrets { id current expiresAt } } } }';
const REVOKE = 'mutation($id: ID!) { revokeSecret(input: {secretId: $id}) { secret { id current expiresAt } } }';

describe('secret rotation', () => {
  let svc: TestService;
  let receiver: Receiver;
  // Outbound parts deliver over HTTPS to a receiver with a private CA the subscriptions trust.
  withServiceAndReceiver((s, r) => {
    svc = s;
    receiver = r;
  }, { https: true });

  it('rotateTriggerSecret: both secrets verify during the overlap; revokeSecret ends the old one at once', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'rotating' });
    const before = Date.now();
    const r = (await gql(svc.url, svc.adminKey, ROTATE_TRIGGER, { i: { triggerId: t.id } })).data!.rotateTriggerSecret;
    assert.match(r.secret, /^whsec_/);
    assert.notEqual(r.secret, t.secret);
    const overlapEnds = Date.parse(r.previousSecretExpiresAt);
    assert.ok(Math.abs(overlapEnds - before - 168 * 3_600_000) < 60_000, 'the default overlap is 7 days');
    assert.deepEqual(r.trigger.secrets.map((s: any) => s.current), [true, false]);
    assert.equal((await post(t.url, standardWebhooks(r.secret, '{}'))).status, 202, 'the new secret verifies');
    assert.equal((await post(t.url, standardWebhooks(t.secret, '{}'))).status, 202, 'the old one too, inside the overlap');
    const old = r.trigger.secrets.find((s: any) => !s.current);
    const revoked = (await gql(svc.url, svc.adminKey, REVOKE, { id: old.id })).data!.revokeSecret.secret;
    assert.equal(revoked.current, false);
    assert.equal((await post(t.url, standardWebhooks(t.secret, '{}'))).status, 401, 'a revoked secret stops verifying at once');
    assert.equal((await post(t.url, standardWebhooks(r.secret, '{}'))).status, 202);
    const current = r.trigger.secrets.find((s: any) => s.current);
    const refused = await gql(svc.url, svc.adminKey, REVOKE, { id: current.id });
    assert.equal(refused.errors?.[0]?.extensions?.field, 'secretId');
  });

  it('overlapHours 0 ends the previous secret at once; bad values are refused by name', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'rotating-now' });
    const r = (await gql(svc.url, svc.adminKey, ROTATE_TRIGGER, { i: { triggerId: t.id, overlapHours: 0 } })).data!.rotateTriggerSecret;
    assert.equal((await post(t.url, standardWebhooks(t.secret, '{}'))).status, 401);
    assert.equal((await post(t.url, standardWebhooks(r.secret, '{}'))).status, 202);
    for (const overlapHours of [-1, 100_000]) {
      const bad = await gql(svc.url, svc.adminKey, ROTATE_TRIGGER, { i: { triggerId: t.id, overlapHours } });
      assert.equal(bad.errors?.[0]?.extensions?.field, 'overlapHours');
    }
    const viewer = (await gql(svc.url, svc.adminKey, 'mutation { createApiKey(input: {name: "v", role: VIEWER}) { key } }')).data!.createApiKey.key;
    assert.equal((await gql(svc.url, viewer, ROTATE_TRIGGER, { i: { triggerId: t.id } })).errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const missing = await gql(svc.url, svc.adminKey, ROTATE_TRIGGER, { i: { triggerId: 'trg_0000000000aaaaaaaaaaaaaaaa' } });
    assert.equal(missing.errors?.[0]?.extensions?.code, 'NOT_FOUND');
  });

  it('generates each scheme\'s form of secret, on creation and rotation alike, and the rotated one verifies', async () => {
    const WHSEC = /^whsec_[A-Za-z0-9+/]{43}=$/; // 32 bytes of base64
    const HEX = /^[0-9a-f]{64}$/; // 32 bytes
    const hmacHex = (secret: string, body: string): Signed =>
      ({ body, headers: { 'content-type': 'application/json', 'x-sig': createHmac('sha256', secret).update(body).digest('hex') } });
    const schemes: Array<[string, RegExp, (secret: string, body: string) => Signed, Record<string, unknown>?]> = [
      ['STANDARD_WEBHOOKS', WHSEC, standardWebhooks],
      ['STRIPE', WHSEC, (secret, body) => stripe(secret, body)],
      ['GITHUB', HEX, (secret, body) => github(secret, body)],
      ['SLACK', HEX, (secret, body) => slack(secret, body)],
      ['HMAC_SHA256', HEX, hmacHex, { hmac: { header: 'X-Sig' } }],
    ];
    for (const [scheme, form, sign, extra] of schemes) {
      const t = await createTrigger(svc.url, svc.adminKey, { name: `form-${scheme.toLowerCase()}`, signatureScheme: scheme, ...extra });
      assert.match(t.secret, form, `${scheme} on creation`);
      const r = (await gql(svc.url, svc.adminKey, ROTATE_TRIGGER, { i: { triggerId: t.id, overlapHours: 0 } })).data!.rotateTriggerSecret;
      assert.match(r.secret, form, `${scheme} on rotation`);
      const body = JSON.stringify({ id: `evt_${scheme}`, scheme });
      assert.equal((await post(t.url, sign(r.secret, body))).status, 202, `${scheme}: the rotated secret verifies`);
    }
    const sub = (await gql(svc.url, svc.adminKey, 'mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { secret subscription { id } } }',
      { i: { url: `${receiver.url}/form`, events: ['cost.threshold_exceeded'], tls: receiver.subscriptionTls } })).data!.createWebhookSubscription;
    assert.match(sub.secret, WHSEC, 'a subscription\'s secret on creation');
    const rotated = (await gql(svc.url, svc.adminKey, 'mutation($i: RotateWebhookSubscriptionSecretInput!) { rotateWebhookSubscriptionSecret(input: $i) { secret } }',
      { i: { subscriptionId: sub.subscription.id } })).data!.rotateWebhookSubscriptionSecret;
    assert.match(rotated.secret, WHSEC, 'a subscription\'s secret on rotation');
  });

  it('revokeSecret takes an old secret of either owner, in the caller\'s workspace only, and checks the role first', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'revoked-by-kind' });
    const tr = (await gql(svc.url, svc.adminKey, ROTATE_TRIGGER, { i: { triggerId: t.id } })).data!.rotateTriggerSecret;
    const oldOfTrigger = tr.trigger.secrets.find((s: any) => !s.current).id as string;
    const sub = (await gql(svc.url, svc.adminKey, 'mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { id } } }',
      { i: { url: `${receiver.url}/revoked-by-kind`, events: ['cost.threshold_exceeded'], tls: receiver.subscriptionTls } })).data!.createWebhookSubscription;
    const sr = (await gql(svc.url, svc.adminKey, 'mutation($i: RotateWebhookSubscriptionSecretInput!) { rotateWebhookSubscriptionSecret(input: $i) { subscription { secrets { id current } } } }',
      { i: { subscriptionId: sub.subscription.id } })).data!.rotateWebhookSubscriptionSecret;
    const oldOfSubscription = sr.subscription.secrets.find((s: any) => !s.current).id as string;

    const viewer = (await gql(svc.url, svc.adminKey, 'mutation { createApiKey(input: {name: "rv", role: VIEWER}) { key } }')).data!.createApiKey.key;
    for (const id of [oldOfTrigger, oldOfSubscription, 'not-a-secret-id']) {
      assert.equal((await gql(svc.url, viewer, REVOKE, { id })).errors?.[0]?.extensions?.code, 'FORBIDDEN', id);
    }
    const other = await import('../../src/workspaces/workspaces.ts').then((m) => m.createWorkspace(svc.services.db, 'revoke-elsewhere'));
    for (const id of [oldOfTrigger, oldOfSubscription, 'not-a-secret-id', t.id]) {
      assert.equal((await gql(svc.url, other.adminKey, REVOKE, { id })).errors?.[0]?.extensions?.code, 'NOT_FOUND', id);
    }
    const { rows } = await svc.services.pool.query(
      'SELECT count(*)::int AS n FROM (SELECT expires_at FROM trigger_secret WHERE id = $1 UNION ALL SELECT expires_at FROM subscription_secret WHERE id = $2) s WHERE expires_at <= now()',
      [oldOfTrigger, oldOfSubscription]);
    assert.equal(rows[0].n, 0, 'refused revocations end nothing');
    for (const id of [oldOfTrigger, oldOfSubscription]) {
      const revoked = (await gql(svc.url, svc.adminKey, REVOKE, { id })).data!.revokeSecret.secret;
      assert.equal(revoked.id, id);
      assert.ok(Date.parse(revoked.expiresAt) <= Date.now(), `${id} ends now`);
    }
  });

  it('keeps at most 10 old secrets', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'rotating-often' });
    let last: any;
    for (let i = 0; i < 12; i++) last = (await gql(svc.url, svc.adminKey, ROTATE_TRIGGER, { i: { triggerId: t.id } })).data!.rotateTriggerSecret;
    assert.equal(last.trigger.secrets.length, 11);
    assert.equal(last.trigger.secrets.filter((s: any) => s.current).length, 1);
    assert.equal((await post(t.url, standardWebhooks(t.secret, '{}'))).status, 401, 'the oldest secrets are gone');
  });

  /** Old secrets newest first, each ending no later than the one rotated after it; the current one leads. */
  const assertConsistent = (secrets: Array<{ current: boolean; createdAt: string; expiresAt: string | null }>, count: number) => {
    assert.equal(secrets.length, count, 'a rotation was lost');
    assert.equal(secrets.filter((s) => s.current).length, 1, `current secrets: ${JSON.stringify(secrets)}`);
    assert.equal(secrets[0]!.current, true, `the current secret is the newest: ${JSON.stringify(secrets)}`);
    for (let i = 1; i < secrets.length; i++) {
      assert.ok(Date.parse(secrets[i]!.createdAt) <= Date.parse(secrets[i - 1]!.createdAt));
      if (i > 1) assert.ok(Date.parse(secrets[i]!.expiresAt!) <= Date.parse(secrets[i - 1]!.expiresAt!), `an older secret outlives a newer one: ${JSON.stringify(secrets)}`);
    }
  };
  const ROTATIONS = 6;

  it('concurrent rotateTriggerSecret calls leave one current secret; every secret they returned verifies', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'rotating-at-once' });
    const results = await Promise.all(Array.from({ length: ROTATIONS }, () => gql(svc.url, svc.adminKey, ROTATE_TRIGGER, { i: { triggerId: t.id } })));
    for (const r of results) assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    const listed = await gql(svc.url, svc.adminKey, 'query($id: ID!) { trigger(id: $id) { secrets { current createdAt expiresAt } } }', { id: t.id });
    assertConsistent(listed.data!.trigger.secrets, ROTATIONS + 1);
    for (const secret of [t.secret, ...results.map((r) => r.data!.rotateTriggerSecret.secret as string)]) {
      assert.equal((await post(t.url, standardWebhooks(secret, '{}'))).status, 202, 'a secret inside its overlap is refused');
    }
  });

  it('concurrent rotateWebhookSubscriptionSecret calls leave one current secret; deliveries are signed with each', async () => {
    const created = (await gql(svc.url, svc.adminKey, 'mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { secret subscription { id } } }',
      { i: { url: `${receiver.url}/at-once`, events: ['hook.violation'], tls: receiver.subscriptionTls } })).data!.createWebhookSubscription;
    const id = created.subscription.id as string;
    const results = await Promise.all(Array.from({ length: ROTATIONS }, () =>
      gql(svc.url, svc.adminKey, 'mutation($i: RotateWebhookSubscriptionSecretInput!) { rotateWebhookSubscriptionSecret(input: $i) { secret } }', { i: { subscriptionId: id } })));
    for (const r of results) assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    const listed = await gql(svc.url, svc.adminKey, 'query($id: ID!) { webhookSubscription(id: $id) { secrets { current createdAt expiresAt } } }', { id });
    assertConsistent(listed.data!.webhookSubscription.secrets, ROTATIONS + 1);

    const publisher = (await gql(svc.url, svc.adminKey, 'mutation { createApiKey(input: {name: "p2", role: PUBLISHER}) { key } }')).data!.createApiKey.key;
    await gql(svc.url, publisher, 'mutation { publishEvent(input: {type: "hook.violation", data: {hookId: "h", rule: "r", severity: "low", message: "m"}}) { event { id } } }');
    const arrived = () => receiver.received.find((r) => r.body.includes('"hook.violation"'));
    for (let i = 0; i < 400 && !arrived(); i++) await new Promise((r) => setTimeout(r, 25));
    const delivery = arrived();
    assert.ok(delivery, 'no delivery arrived');
    const sign = (secret: string) =>
      `v1,${createHmac('sha256', Buffer.from(secret.slice(6), 'base64')).update(`${delivery.headers['webhook-id']}.${delivery.headers['webhook-timestamp']}.${delivery.body}`).digest('base64')}`;
    const expected = [created.secret, ...results.map((r) => r.data!.rotateWebhookSubscriptionSecret.secret as string)].map(sign);
    assert.deepEqual(String(delivery.headers['webhook-signature']).split(' ').sort(), expected.sort());
  });

  it('rotateWebhookSubscriptionSecret: deliveries carry v1,<new> v1,<old> until the overlap ends', async () => {
    const created = (await gql(svc.url, svc.adminKey, 'mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { secret subscription { id } } }',
      { i: { url: `${receiver.url}/hook`, events: ['import.completed'], tls: receiver.subscriptionTls } })).data!.createWebhookSubscription;
    const rot = (await gql(svc.url, svc.adminKey, 'mutation($i: RotateWebhookSubscriptionSecretInput!) { rotateWebhookSubscriptionSecret(input: $i) { secret previousSecretExpiresAt subscription { secrets { id current } } } }',
      { i: { subscriptionId: created.subscription.id, overlapHours: 24 } })).data!.rotateWebhookSubscriptionSecret;
    receiver.received.length = 0;
    const publisher = (await gql(svc.url, svc.adminKey, 'mutation { createApiKey(input: {name: "p", role: PUBLISHER}) { key } }')).data!.createApiKey.key;
    const publish = () => gql(svc.url, publisher, 'mutation { publishEvent(input: {type: "import.completed", data: {importId: "i", source: "s", itemsImported: 1, itemsFailed: 0}}) { event { id } } }');
    await publish();
    for (let i = 0; i < 200 && receiver.received.length < 1; i++) await new Promise((r) => setTimeout(r, 25));
    const sign = (secret: string, r: { headers: any; body: string }) =>
      `v1,${createHmac('sha256', Buffer.from(secret.slice(6), 'base64')).update(`${r.headers['webhook-id']}.${r.headers['webhook-timestamp']}.${r.body}`).digest('base64')}`;
    const first = receiver.received[0]!;
    assert.equal(first.headers['webhook-signature'], `${sign(rot.secret, first)} ${sign(created.secret, first)}`);
    const old = rot.subscription.secrets.find((s: any) => !s.current);
    await gql(svc.url, svc.adminKey, REVOKE, { id: old.id });
    await publish();
    for (let i = 0; i < 200 && receiver.received.length < 2; i++) await new Promise((r) => setTimeout(r, 25));
    const second = receiver.received[1]!;
    assert.equal(second.headers['webhook-signature'], sign(rot.secret, second));
  });

  it('resync: rotateTriggerSecret takes the secret the sender holds (checked for the scheme); the dry run names the stored secret that matched', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'resynced', signatureScheme: 'GITHUB' });
    const held = 'the-secret-github-holds';
    const r = (await gql(svc.url, svc.adminKey, ROTATE_TRIGGER, { i: { triggerId: t.id, secret: held } })).data!.rotateTriggerSecret;
    assert.equal(r.secret, held);
    const [current, previous] = [r.trigger.secrets.find((x: any) => x.current).id, r.trigger.secrets.find((x: any) => !x.current).id];
    const body = '{"zen":"resync"}';
    assert.equal((await post(t.url, github(held, body))).status, 202, 'the resynced secret verifies');
    assert.equal((await post(t.url, github(t.secret, body))).status, 202, 'the old one too, inside the overlap');
    const dryRun = async (signed: Signed) => {
      const res = await gql(svc.url, svc.adminKey, 'mutation($i: TestTriggerInput!) { testTrigger(input: $i) { checks { name passed detail } } }',
        { i: { triggerId: t.id, headers: Object.entries(signed.headers).map(([name, value]) => ({ name, value })), body } });
      return res.data!.testTrigger.checks.find((c: any) => c.name === 'signature');
    };
    assert.match((await dryRun(github(held, body))).detail, new RegExp(`with the current secret \\(${current}\\)`));
    assert.match((await dryRun(github(t.secret, body))).detail, new RegExp(`with an older secret still in its overlap \\(${previous}\\)`));
    assert.equal((await dryRun(github('neither-of-them', body))).passed, false);

    const sw = await createTrigger(svc.url, svc.adminKey, { name: 'resync-standard' });
    for (const secret of ['short', 'whsec_bm90LWVub3VnaA==', 'x'.repeat(513)]) {
      const bad = await gql(svc.url, svc.adminKey, ROTATE_TRIGGER, { i: { triggerId: sw.id, secret } });
      assert.deepEqual([bad.errors?.[0]?.extensions?.code, bad.errors?.[0]?.extensions?.field], ['BAD_USER_INPUT', 'secret'], secret);
    }
    assert.equal((await post(sw.url, standardWebhooks(sw.secret, '{}'))).status, 202, 'a refused resync changes nothing');
  });

  it('resync: rotateWebhookSubscriptionSecret takes the secret the receiver expects; deliveries are signed with it and the old one', async () => {
    const sub = (await gql(svc.url, svc.adminKey, 'mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { secret subscription { id } } }',
      { i: { url: `${receiver.url}/resync`, events: ['import.completed'], tls: receiver.subscriptionTls } })).data!.createWebhookSubscription;
    const ROTATE = 'mutation($i: RotateWebhookSubscriptionSecretInput!) { rotateWebhookSubscriptionSecret(input: $i) { secret } }';
    const bad = await gql(svc.url, svc.adminKey, ROTATE, { i: { subscriptionId: sub.subscription.id, secret: 'whsec_tooshort' } });
    assert.deepEqual([bad.errors?.[0]?.extensions?.code, bad.errors?.[0]?.extensions?.field], ['BAD_USER_INPUT', 'secret']);
    const expected = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const r = (await gql(svc.url, svc.adminKey, ROTATE, { i: { subscriptionId: sub.subscription.id, secret: expected } })).data!.rotateWebhookSubscriptionSecret;
    assert.equal(r.secret, expected);
    const seen = receiver.received.length;
    await gql(svc.url, svc.adminKey, 'mutation($s: ID!) { sendTestEvent(input: {subscriptionId: $s, type: "import.completed"}) { delivery { id } } }', { s: sub.subscription.id });
    const delivered = await within((async () => {
      for (;;) {
        const got = receiver.received.slice(seen).find((x) => JSON.parse(x.body).type === 'import.completed');
        if (got) return got;
        await new Promise((res) => setTimeout(res, 20));
      }
    })(), 15_000, 'the test event');
    const signatures = String(delivered.headers['webhook-signature']).split(' ');
    const signWith = (secret: string) => `v1,${createHmac('sha256', Buffer.from(secret.slice(6), 'base64'))
      .update(`${delivered.headers['webhook-id']}.${delivered.headers['webhook-timestamp']}.${delivered.body}`).digest('base64')}`;
    assert.deepEqual(signatures, [signWith(expected), signWith(sub.secret)], 'the resynced secret first, the old one beside it');
  });
});
