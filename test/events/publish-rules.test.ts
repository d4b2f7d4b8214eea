// What a key may publish (SPEC §6, §7) and how subscription filters meet the fan-out (SPEC §15):
// gateway-only event types, finished sessions, and the cached, NOTIFY-invalidated filter list that
// is evaluated before the fan-out's transaction.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { type Receiver } from '../support/receiver.ts';
import { post, standardWebhooks } from '../support/senders.ts';
import { gql, gqlOk, type TestService, withPublishingService } from '../support/service.ts';
import { createTrigger } from '../support/triggers.ts';
import { until } from '../support/wait.ts';

const PUBLISH = 'mutation($i: PublishEventInput!) { publishEvent(input: $i) { event { id } } }';
const CREATE = `mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { id status } } }`;


describe('publish rules', () => {
  let svc: TestService;
  let publisher: string;
  const query = async (sql: string, values: unknown[] = []) => (await svc.services.pool.query(sql, values)).rows;
  const send = (body: unknown, key = publisher) =>
    fetch(`${svc.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const receiver = withPublishingService({ ALLOW_PRIVATE_TARGETS: 'true', ALLOW_INSECURE_TARGETS: 'true' }, (s, key) => {
    svc = s;
    publisher = key;
  });
  const subscribe = async (r: Receiver, input: Record<string, unknown>) => {
    const res = await gql(svc.url, svc.adminKey, CREATE, { i: { url: `${r.url}/hook`, ...input } });
    assert.equal(res.data?.createWebhookSubscription.subscription.status, 'ACTIVE', JSON.stringify(res.errors));
    return res.data!.createWebhookSubscription.subscription.id as string;
  };
  const publish = async (type: string, data: Record<string, unknown>) => {
    const r = await gql(svc.url, publisher, PUBLISH, { i: { type, data } });
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    return r.data!.publishEvent.event.id as string;
  };
  const deliveredTo = async (eventId: string) =>
    (await query('SELECT subscription_id FROM outbound_delivery WHERE event_id = $1', [eventId])).map((r) => r.subscription_id as string).sort();

  it('refuses webhook.ping and subscription.disabled from any key, by GraphQL and POST /v1/events; stores nothing', async () => {
    const samples = { 'webhook.ping': { subscriptionId: 'sub_x' }, 'subscription.disabled': { subscriptionId: 'sub_x', reason: 'forged' } };
    for (const [type, data] of Object.entries(samples)) {
      for (const key of [publisher, svc.adminKey]) {
        const g = await gql(svc.url, key, PUBLISH, { i: { type, data } });
        assert.deepEqual([g.errors?.[0]?.extensions?.code, g.errors?.[0]?.extensions?.field], ['BAD_USER_INPUT', 'type'], type);
        assert.match(g.errors![0]!.message, /emitted by the gateway itself/);
        const h = await send({ type, data }, key);
        assert.equal(h.status, 400);
        assert.deepEqual(((await h.json()) as { error: { code: string; field: string } }).error.field, 'type');
      }
    }
    assert.deepEqual(await query(`SELECT id FROM event WHERE type IN ('webhook.ping', 'subscription.disabled')`), []);
  });

  it('a session.finished for a finished session changes nothing: CONFLICT naming data.sessionId, no event; its own repeat returns the first', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'finish-once', agent: 'triage', inputs: [{ name: 'n', path: '$.n', type: 'NUMBER' }] });
    const accepted = await post(t.url, standardWebhooks(t.secret, '{"n":1}'));
    const sessionId = accepted.json.sessionId as string;
    // The built-in echo runtime finishes it.
    const finished = await until(async () => (await query(`SELECT status, output, finished_at FROM session WHERE id = $1 AND status <> 'PENDING'`, [sessionId]))[0], 'the echo runtime');
    assert.equal(finished.status, 'SUCCEEDED');
    const events = async () => (await query(`SELECT count(*)::int AS n FROM event WHERE session_id = $1 OR body::jsonb->'data'->>'sessionId' = $1`, [sessionId]))[0].n as number;
    const before = await events();

    const rewrite = { sessionId, agent: 'triage', status: 'FAILED', error: { message: 'rewritten' }, durationMs: 1 };
    const g = await gql(svc.url, publisher, PUBLISH, { i: { type: 'session.finished', data: rewrite } });
    assert.deepEqual([g.errors?.[0]?.extensions?.code, g.errors?.[0]?.extensions?.field], ['CONFLICT', 'data.sessionId']);
    assert.match(g.errors![0]!.message, /already finished \(SUCCEEDED\)/);
    const h = await send({ type: 'session.finished', data: rewrite, idempotencyKey: 'rewrite-1' });
    assert.equal(h.status, 409);
    assert.equal(((await h.json()) as { error: { field: string } }).error.field, 'data.sessionId');
    assert.deepEqual((await query('SELECT status, output, finished_at FROM session WHERE id = $1', [sessionId]))[0], finished);
    assert.equal(await events(), before, 'no event was stored for the refused publishes');

    // The echo runtime's own publish, repeated with its idempotencyKey, still answers the first event.
    const first = await query(`SELECT id FROM event WHERE idempotency_key = $1`, [`session.finished:${sessionId}`]);
    const repeat = await send({ type: 'session.finished', data: { sessionId, agent: 'triage', status: 'SUCCEEDED', durationMs: 1 }, idempotencyKey: `session.finished:${sessionId}` });
    assert.equal(repeat.status, 200);
    assert.deepEqual(await repeat.json(), { id: first[0].id, type: 'session.finished', created: false });
  });

  it('announces every change of a subscription\'s status, events or filter as subscription.changed, and none for an attempt\'s bookkeeping', async () => {
    const r = await receiver();
    const id = await subscribe(r, { events: ['import.*'] });
    const listener = new pg.Client({ connectionString: svc.databaseUrl });
    await listener.connect();
    try {
      const heard: Array<{ topic: string; workspaceId: string; data: { id: string } }> = [];
      listener.on('notification', (n) => {
        const m = JSON.parse(n.payload!);
        if (m.topic === 'subscription.changed') heard.push(m);
      });
      await listener.query('LISTEN webhook_gateway');
      // What every recorded attempt does: if it announced anything, that would arrive first.
      await query('UPDATE webhook_subscription SET last_success_at = now(), failing_since = NULL WHERE id = $1', [id]);
      const disabled = await gql(svc.url, svc.adminKey, 'mutation($id: ID!) { disableWebhookSubscription(input: {id: $id}) { subscription { status } } }', { id });
      assert.equal(disabled.errors, undefined, JSON.stringify(disabled.errors));
      await until(() => heard.length > 0, 'subscription.changed');
      assert.deepEqual(heard[0], { topic: 'subscription.changed', workspaceId: svc.workspaceId, data: { id } });
      await gqlOk(svc.url, svc.adminKey, 'mutation($i: UpdateWebhookSubscriptionInput!) { updateWebhookSubscription(input: $i) { subscription { id } } }',
        { i: { id, filter: '$.data' } });
      await until(() => heard.length > 1, 'a second subscription.changed');
      assert.deepEqual(heard[1]!.data, { id });
    } finally {
      await listener.end();
    }
  });

  describe('subscription filters at fan-out', () => {
    // Changes made this way reach the database but not the cache, as a change does whose
    // notification has not arrived yet: session_replication_role = replica skips the table's
    // triggers, the notifying one included.
    const quietly = async (sql: string, values: unknown[]) => {
      const client = await svc.services.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SET LOCAL session_replication_role = replica');
        await client.query(sql, values);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    };

    it('delivers to a subscription with a filter only the events it matches, evaluated against the envelope', async () => {
      const [grep, sed] = [await receiver(), await receiver()];
      const grepId = await subscribe(grep, { events: ['tool.*'], filter: "$[?(@.data.tool == 'grep' && @.type === 'tool.called')]" });
      await subscribe(sed, { events: ['tool.*'], filter: "$[?(@.data.tool == 'sed')]" });
      const event = await publish('tool.called', { sessionId: 'ses_1', tool: 'grep', arguments: {} });
      assert.deepEqual(await deliveredTo(event), [grepId]);
      await until(() => grep.received.some((x) => JSON.parse(x.body).id === event), 'the delivery');
      assert.ok(!sed.received.some((x) => JSON.parse(x.body).id === event));
    });

    it('a subscription disabled after its filter was cached receives nothing; one enabled meanwhile receives nothing for that event', async () => {
      // This process's cache drops a workspace's list when a notification reaches it; the cache's
      // own listener was registered at start, so it has run when this one runs. Notifications
      // arrive in commit order: once a marker sent now has arrived, so has every change before it.
      const announced = new Set<string>();
      const stop = svc.services.realtime.onTopic('subscription.changed', (_ws, data) => announced.add((data as { id: string }).id));
      const settled = async (marker: string) => {
        await svc.services.pool.query(`SELECT pg_notify('webhook_gateway', $1)`, [JSON.stringify({ topic: 'subscription.changed', workspaceId: svc.workspaceId, data: { id: marker } })]);
        await until(() => announced.has(marker), `the notification ${marker}`);
      };
      try {
        const [cached, plain, late] = [await receiver(), await receiver(), await receiver()];
        const cachedId = await subscribe(cached, { events: ['review.*'], filter: "$[?(@.data.verdict == 'approve')]" });
        const plainId = await subscribe(plain, { events: ['review.*'] });
        const lateId = await subscribe(late, { events: ['review.*'], filter: "$[?(@.data.verdict == 'approve')]" });
        const disabled = await gql(svc.url, svc.adminKey, 'mutation($id: ID!) { disableWebhookSubscription(input: {id: $id}) { subscription { status } } }', { id: lateId });
        assert.equal(disabled.data!.disableWebhookSubscription.subscription.status, 'DISABLED');
        await settled('after-disabling');
        const review = { sessionId: 'ses_r', reviewId: 'rev_1', verdict: 'approve' };
        // Read into the cache now: `cached` ACTIVE, `late` DISABLED.
        const first = await publish('review.completed', review);
        assert.deepEqual(await deliveredTo(first), [cachedId, plainId].sort());

        await quietly(`UPDATE webhook_subscription SET status = 'DISABLED' WHERE id = $1`, [cachedId]);
        await quietly(`UPDATE webhook_subscription SET status = 'ACTIVE', disabled_at = NULL, status_reason = NULL WHERE id = $1`, [lateId]);
        const second = await publish('review.completed', review);
        assert.deepEqual(await deliveredTo(second), [plainId], 'disabled in between: nothing; enabled in between: nothing for this event');

        // Once a notification reaches the cache, the list is read again.
        await settled('after-quiet-changes');
        const third = await publish('review.completed', review);
        assert.deepEqual(await deliveredTo(third), [lateId, plainId].sort());
        await until(() => late.received.some((x) => JSON.parse(x.body).id === third), 'the delivery to the enabled subscription');
      } finally {
        stop();
      }
    });
  });
});
