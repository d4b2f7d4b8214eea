// Webhook loops (SPEC §15): a subscription pointed at the gateway's own /hooks, with that trigger's
// secret, turns every delivery into a new session whose events are delivered again. Refused when
// saved; and every delivery carries this deployment's id, which /hooks refuses, so an alias that
// passes the save-time check still cannot loop. Another deployment's deliveries still pass.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { post, standardWebhooks } from '../support/senders.ts';
import { gql, startTestService, type TestService } from '../support/service.ts';
import { createTrigger } from '../support/triggers.ts';
import { until } from '../support/wait.ts';

const CREATE = `mutation($i: CreateWebhookSubscriptionInput!) {
  createWebhookSubscription(input: $i) { secret subscription { id status statusReason } }
}`;
const PUBLIC_URL = 'https://gateway.example.test';

describe('webhook loops', () => {
  let svc: TestService;
  let alias: Receiver;
  before(async () => {
    svc = await startTestService({ ALLOW_PRIVATE_TARGETS: 'true', ALLOW_INSECURE_TARGETS: 'true', PUBLIC_URL, DELIVERY_RETRY_SCHEDULE: '20ms' });
    alias = await startReceiver();
  });
  after(async () => {
    await svc.stop();
    await alias.close();
  });
  const sessionsOf = async (triggerId: string) =>
    (await svc.services.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM session WHERE trigger_id = $1', [triggerId])).rows[0]!.n;

  it('refuses a subscription to its own address when saved, by PUBLIC_URL and by the address it listens on', async () => {
    const trigger = await createTrigger(svc.url, svc.adminKey, { name: 'self' });
    const port = new URL(svc.url).port;
    for (const url of [
      `${PUBLIC_URL}/hooks/${trigger.id}`,
      `${PUBLIC_URL}:443/graphql`,
      `${svc.url}/hooks/${trigger.id}`,
      `http://localhost:${port}/hooks/${trigger.id}`,
      `http://[::ffff:127.0.0.1]:${port}/hooks/${trigger.id}`,
    ]) {
      const r = await gql(svc.url, svc.adminKey, CREATE, { i: { url, events: ['*'], secret: trigger.secret } });
      assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', url);
      assert.equal(r.errors?.[0]?.extensions?.field, 'url', url);
      assert.match(r.errors![0]!.message, /points at this gateway itself/, url);
    }
    assert.equal(await sessionsOf(trigger.id), 0, 'no ping reached the trigger');
    assert.equal((await svc.services.pool.query('SELECT count(*)::int AS n FROM webhook_subscription')).rows[0].n, 0);
  });

  it('marks pings and deliveries with its deployment id; /hooks refuses that id, or more than 3 hops, before the signature check', async () => {
    alias.respond(() => ({ status: 204 }));
    await gql(svc.url, svc.adminKey, CREATE, { i: { url: `${alias.url}/marker`, events: ['review.completed'] } });
    const ping = alias.received.at(-1)!;
    const ownId = ping.headers['webhook-gateway-deployment'] as string;
    assert.match(ownId, /^[A-Za-z0-9_-]{16}$/);
    assert.equal(ping.headers['webhook-gateway-hops'], '1');

    const trigger = await createTrigger(svc.url, svc.adminKey, { name: 'marked' });
    const signed = () => standardWebhooks(trigger.secret, '{"n":1}');
    const own = await post(trigger.url, signed(), { 'webhook-gateway-deployment': ownId, 'webhook-gateway-hops': '1' });
    assert.equal(own.status, 403);
    assert.equal(own.json.error.code, 'WEBHOOK_LOOP');
    const unsigned = await post(trigger.url, { headers: { 'content-type': 'application/json' }, body: '{}' }, { 'webhook-gateway-deployment': `other, ${ownId}` });
    assert.deepEqual([unsigned.status, unsigned.json.error.code], [403, 'WEBHOOK_LOOP'], 'refused before the signature is looked at');
    const far = await post(trigger.url, signed(), { 'webhook-gateway-deployment': 'AAAAAAAAAAAAAAAA', 'webhook-gateway-hops': '4' });
    assert.deepEqual([far.status, far.json.error.code], [403, 'WEBHOOK_LOOP']);
    assert.equal(await sessionsOf(trigger.id), 0);
    const near = await post(trigger.url, signed(), { 'webhook-gateway-deployment': 'AAAAAAAAAAAAAAAA', 'webhook-gateway-hops': '3' });
    assert.equal(near.status, 202, JSON.stringify(near.json));
    assert.equal(await sessionsOf(trigger.id), 1);
  });

  it('stops a loop through an alias of its own /hooks: one inbound webhook starts one session, not a storm', async () => {
    const trigger = await createTrigger(svc.url, svc.adminKey, { name: 'looped' });
    // The alias answers the ping itself, then passes everything on to the gateway, as a reverse
    // proxy or a second DNS name would: the save-time check cannot know it.
    alias.respond(() => ({ status: 200 }));
    const created = await gql(svc.url, svc.adminKey, CREATE, { i: { url: `${alias.url}/hooks/${trigger.id}`, events: ['*'], secret: trigger.secret } });
    const sub = created.data!.createWebhookSubscription.subscription;
    assert.equal(sub.status, 'ACTIVE');
    alias.respond(() => ({ forwardTo: svc.url }));

    const first = await post(trigger.url, standardWebhooks(trigger.secret, '{"start":true}'));
    assert.equal(first.status, 202);
    // Drained: the session finished (echo runtime) and none of the subscription's deliveries waits.
    await until(async () => {
      const { rows: [s] } = await svc.services.pool.query<{ status: string }>('SELECT status FROM session WHERE id = $1', [first.json.sessionId]);
      const { rows: [d] } = await svc.services.pool.query<{ total: number; pending: number }>(
        `SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'PENDING')::int AS pending FROM outbound_delivery WHERE subscription_id = $1`, [sub.id]);
      return s?.status === 'SUCCEEDED' && d!.total >= 2 && d!.pending === 0;
    }, 'the pipeline to drain', 20_000);
    assert.equal(await sessionsOf(trigger.id), 1, 'the deliveries that came back through the alias started no session');
    const { rows: attempts } = await svc.services.pool.query<{ status_code: number; response_body: string }>(
      'SELECT a.status_code, a.response_body FROM delivery_attempt a JOIN outbound_delivery d ON d.id = a.delivery_id WHERE d.subscription_id = $1', [sub.id]);
    assert.ok(attempts.length >= 2);
    for (const a of attempts) {
      assert.equal(a.status_code, 403);
      assert.equal(JSON.parse(a.response_body).error.code, 'WEBHOOK_LOOP');
    }

    // A ping that reaches the gateway itself is refused too: such a subscription never gets ACTIVE.
    const again = await gql(svc.url, svc.adminKey, CREATE, { i: { url: `${alias.url}/hooks/${trigger.id}`, events: ['*'], secret: trigger.secret } });
    assert.equal(again.data!.createWebhookSubscription.subscription.status, 'PENDING_VERIFICATION');
    assert.match(again.data!.createWebhookSubscription.subscription.statusReason, /answered 403/);
  });

  it('accepts deliveries from another deployment of the gateway (its own MASTER_KEY and database)', async () => {
    const other = await startTestService({ ALLOW_PRIVATE_TARGETS: 'true', ALLOW_INSECURE_TARGETS: 'true' });
    try {
      const trigger = await createTrigger(svc.url, svc.adminKey, { name: 'from-other' });
      const created = await gql(other.url, other.adminKey, CREATE, { i: { url: trigger.url, events: ['review.completed'], secret: trigger.secret } });
      assert.equal(created.errors, undefined, JSON.stringify(created.errors));
      const sub = created.data!.createWebhookSubscription.subscription;
      assert.equal(sub.status, 'ACTIVE', sub.statusReason);
      await gql(other.url, other.adminKey, 'mutation { publishEvent(input: {type: "review.completed", data: {sessionId: "ses_1", reviewId: "rev_1", verdict: "approve"}}) { event { id } } }');
      const attempt = await until(async () => (await other.services.pool.query<{ status_code: number; outcome: string }>(
        'SELECT a.status_code, a.outcome FROM delivery_attempt a JOIN outbound_delivery d ON d.id = a.delivery_id WHERE d.subscription_id = $1', [sub.id])).rows[0], 'the delivery');
      assert.deepEqual([attempt.status_code, attempt.outcome], [202, 'SUCCEEDED']);
      assert.equal(await sessionsOf(trigger.id), 2, 'the ping and the event each started a session');
    } finally {
      await other.stop();
    }
  });
});
