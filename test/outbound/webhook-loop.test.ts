// Webhook loops (SPEC §15): a subscription pointed at the gateway's own /hooks, with that trigger's
// secret, turns every delivery into a new session whose events are delivered again. Refused when
// saved; and every delivery carries this deployment's id, which /hooks refuses, so an alias that
// passes the save-time check still cannot loop. Another deployment's deliveries still pass, and
// carry their hop count on, so a loop between two deployments ends after 3 hops.
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
const TEST_TRIGGER = 'mutation($i: TestTriggerInput!) { testTrigger(input: $i) { status code message checks { name passed detail } } }';
const headersOf = (h: Record<string, string>) => Object.entries(h).map(([name, value]) => ({ name, value }));

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
    // Each refusal is recorded like any other 403 (below the per-source flood limit): a delivery and an audit row.
    const { rows: [recorded] } = await svc.services.pool.query<{ deliveries: number; audit: number }>(
      `SELECT (SELECT count(*) FROM inbound_delivery WHERE trigger_id = $1 AND outcome = 'REFUSED' AND refusal_code = 'WEBHOOK_LOOP')::int AS deliveries,
              (SELECT count(*) FROM webhook_audit WHERE trigger_id = $1 AND status_code = 403 AND error_class = 'WEBHOOK_LOOP')::int AS audit`, [trigger.id]);
    assert.deepEqual(recorded, { deliveries: attempts.length, audit: attempts.length });

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

  it('testTrigger reports the loop check: refused for its own id before the signature, passed at hop 2 from another deployment', async () => {
    const trigger = await createTrigger(svc.url, svc.adminKey, { name: 'dry-loop' });
    const signed = standardWebhooks(trigger.secret, '{}');
    const own = (await gql(svc.url, svc.adminKey, TEST_TRIGGER, {
      i: { triggerId: trigger.id, headers: headersOf({ ...signed.headers, 'webhook-gateway-deployment': svc.services.deploymentId }), body: signed.body },
    })).data!.testTrigger;
    assert.deepEqual([own.status, own.code], [403, 'WEBHOOK_LOOP']);
    assert.deepEqual(own.checks.map((c: any) => [c.name, c.passed]), [['contentType', true], ['ipAllowlist', true], ['clientCertificate', true], ['loop', false]]);
    assert.match(own.checks.at(-1).detail, /sent by this gateway itself/);
    const other = (await gql(svc.url, svc.adminKey, TEST_TRIGGER, {
      i: { triggerId: trigger.id, headers: headersOf({ ...signed.headers, 'webhook-gateway-deployment': 'AAAAAAAAAAAAAAAA', 'webhook-gateway-hops': '2' }), body: signed.body },
    })).data!.testTrigger;
    assert.equal(other.status, 202, JSON.stringify(other));
    assert.deepEqual(other.checks.find((c: any) => c.name === 'loop'), { name: 'loop', passed: true, detail: 'gateway hop 2 of at most 3' });
  });

  it('carries the hop count: the events of a session started at hop 2 are delivered at hop 3 (session.created, the runtime\'s session.finished, a published tool.called); an event about no session at hop 1', async () => {
    const receiver = await startReceiver();
    try {
      receiver.respond(() => ({ status: 204 }));
      const created = await gql(svc.url, svc.adminKey, CREATE, { i: { url: `${receiver.url}/hops`, events: ['session.created', 'session.finished', 'tool.called', 'review.completed'] } });
      assert.equal(created.data!.createWebhookSubscription.subscription.status, 'ACTIVE');
      assert.equal(receiver.received[0]!.headers['webhook-gateway-hops'], '1', 'a ping is the first hop');

      const trigger = await createTrigger(svc.url, svc.adminKey, { name: 'second-hop' });
      const started = await post(trigger.url, standardWebhooks(trigger.secret, '{}'), { 'webhook-gateway-deployment': 'AAAAAAAAAAAAAAAA', 'webhook-gateway-hops': '2' });
      assert.equal(started.status, 202, JSON.stringify(started.json));
      const { sessionId } = started.json;
      const PUBLISH = 'mutation($i: PublishEventInput!) { publishEvent(input: $i) { event { id } } }';
      for (const i of [
        { type: 'tool.called', data: { sessionId, tool: 'grep', arguments: {} } },
        { type: 'review.completed', data: { sessionId: 'ses_0000000000nosuchsession00', reviewId: 'rev_1', verdict: 'approve' } },
      ]) {
        const r = await gql(svc.url, svc.adminKey, PUBLISH, { i });
        assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      }
      const hops = await until(() => {
        const byType = Object.fromEntries(receiver.received.slice(1).map((r) => [JSON.parse(r.body).type as string, r.headers['webhook-gateway-hops']]));
        return Object.keys(byType).length === 4 && byType;
      }, 'the four events', 20_000);
      assert.deepEqual(hops, { 'session.created': '3', 'session.finished': '3', 'tool.called': '3', 'review.completed': '1' });
    } finally {
      await receiver.close();
    }
  });

  it('stops a loop between two deployments (each one\'s subscription forwards to the other\'s trigger): 4 sessions in all, the fifth hop refused with 403 WEBHOOK_LOOP and recorded', async () => {
    const env = { ALLOW_PRIVATE_TARGETS: 'true', ALLOW_INSECURE_TARGETS: 'true', DELIVERY_RETRY_SCHEDULE: '20ms' };
    const a = await startTestService(env);
    const b = await startTestService(env);
    try {
      // The pings that verify the two subscriptions start no session (the filter ignores them): the
      // one request sent below is the only start.
      const filter = "$[?(@.type != 'webhook.ping')]";
      const ta = await createTrigger(a.url, a.adminKey, { name: 'ping-pong', filter });
      const tb = await createTrigger(b.url, b.adminKey, { name: 'ping-pong', filter });
      const subscribe = async (from: TestService, to: { url: string; secret: string }) => {
        const r = await gql(from.url, from.adminKey, CREATE, { i: { url: to.url, events: ['session.created'], secret: to.secret } });
        assert.equal(r.errors, undefined, JSON.stringify(r.errors));
        const sub = r.data!.createWebhookSubscription.subscription;
        assert.equal(sub.status, 'ACTIVE', sub.statusReason);
        return sub.id as string;
      };
      const ab = await subscribe(a, tb);
      const ba = await subscribe(b, ta);

      const first = await post(ta.url, standardWebhooks(ta.secret, '{"type":"start"}'));
      assert.equal(first.status, 202, JSON.stringify(first.json));
      const count = async (s: TestService, sql: string) => (await s.services.pool.query<{ n: number }>(sql)).rows[0]!.n;
      const sessions = async () => (await count(a, 'SELECT count(*)::int AS n FROM session')) + (await count(b, 'SELECT count(*)::int AS n FROM session'));
      const waiting = (s: TestService) => count(s,
        `SELECT ((SELECT count(*) FROM outbound_delivery WHERE status = 'PENDING') + (SELECT count(*) FROM session WHERE status = 'PENDING'))::int AS n`);
      // Drained on both sides, or past the bound: a loop nothing cuts never drains.
      await until(async () => (await sessions()) > 4 || ((await waiting(a)) === 0 && (await waiting(b)) === 0), 'both pipelines to drain', 30_000);
      const total = await sessions();
      assert.ok(total <= 4, `${total} sessions and counting: the loop ran away`);
      const hopsOf = async (s: TestService) => (await s.services.pool.query<{ hops: number }>('SELECT hops FROM session ORDER BY hops')).rows.map((r) => r.hops);
      // A: the request (hop 0) and B's delivery at hop 2; B: A's deliveries at hops 1 and 3.
      assert.deepEqual({ a: await hopsOf(a), b: await hopsOf(b) }, { a: [0, 2], b: [1, 3] });

      const attemptsOf = async (s: TestService, subscriptionId: string) => (await s.services.pool.query<{ status_code: number; response_body: string }>(
        'SELECT a.status_code, a.response_body FROM delivery_attempt a JOIN outbound_delivery d ON d.id = a.delivery_id WHERE d.subscription_id = $1', [subscriptionId])).rows;
      assert.deepEqual((await attemptsOf(a, ab)).map((x) => x.status_code), [202, 202]);
      const fromB = await attemptsOf(b, ba);
      assert.equal(fromB.filter((x) => x.status_code === 202).length, 1);
      const refused = fromB.filter((x) => x.status_code !== 202);
      assert.ok(refused.length >= 1, 'the hop past the limit was refused');
      for (const x of refused) {
        assert.equal(x.status_code, 403);
        const { error } = JSON.parse(x.response_body);
        assert.equal(error.code, 'WEBHOOK_LOOP');
        assert.match(error.message, /4 gateway hops/);
      }
      // A recorded each refusal: an inbound delivery and an audit row.
      const listed = await gql(a.url, a.adminKey, 'query($t: ID!) { inboundDeliveries(filter: {triggerId: $t, refusalCode: "WEBHOOK_LOOP"}) { edges { node { id outcome statusCode } } } }', { t: ta.id });
      const rows = listed.data!.inboundDeliveries.edges.map((e: any) => e.node);
      assert.deepEqual(rows.map((d: any) => [d.outcome, d.statusCode]), refused.map(() => ['REFUSED', 403]));
      const { rows: audit } = await a.services.pool.query<{ delivery_id: string }>(
        `SELECT delivery_id FROM webhook_audit WHERE trigger_id = $1 AND status_code = 403 AND error_class = 'WEBHOOK_LOOP'`, [ta.id]);
      assert.deepEqual(audit.map((r) => r.delivery_id).sort(), rows.map((d: any) => d.id).sort());
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
