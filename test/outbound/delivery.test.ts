// Outbound delivery end to end (SPEC §7) with real HTTPS receivers on 127.0.0.1: fan-out, Standard
// Webhooks headers, retries on a millisecond schedule, Retry-After, timeouts, 410, FAILED,
// redeliver, disable/enable/replay, test events, auto-disable and live deliveryUpdated.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { scheduledWaits } from '../support/deliveries.ts';
import { gate, startReceiver, type Receiver, type Received } from '../support/receiver.ts';
import { post, standardWebhooks } from '../support/senders.ts';
import { gql, gqlOk, openLiveSocket, startTestService, type TestService, untilLive, within, withPublishingService } from '../support/service.ts';
import { createTrigger } from '../support/triggers.ts';
import { until } from '../support/wait.ts';
import { insertPlanned, planEvents } from '../../src/events/outbox.ts';
import { loadSubscriptionFilters } from '../../src/events/subscription-filters.ts';
import { withTransaction } from '../../src/platform/db/pool.ts';
import { createWorkspace } from '../../src/workspaces/workspaces.ts';

const CREATE = `mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { secret subscription { id status } } }`;
const PUBLISH = 'mutation($i: PublishEventInput!) { publishEvent(input: $i) { event { id body } } }';
const DELIVERY = `query($id: ID!) { delivery(id: $id) { id status attemptCount nextAttemptAt event { id } subscription { id status }
  attempts { number outcome statusCode errorClass errorReason durationMs responseBody startedAt } } }`;

/** Standard Webhooks verification, written from the spec with node:crypto alone. */
function verifyStandard(r: Received, secret: string): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${r.headers['webhook-id']}.${r.headers['webhook-timestamp']}.${r.body}`).digest('base64');
  return String(r.headers['webhook-signature']).split(' ').includes(`v1,${expected}`);
}


describe('outbound delivery', () => {
  let svc: TestService;
  let publisher: string;
  const receiver = withPublishingService({
      ALLOW_PRIVATE_TARGETS: 'true', DELIVERY_RETRY_SCHEDULE: '100ms,200ms,200ms', DELIVERY_AUTO_DISABLE_AFTER: '1h',
    }, (s, key) => {
    svc = s;
    publisher = key;
  }, { https: true });
  const subscribe = async (r: Receiver, input: Record<string, unknown>) => {
    // HTTPS receivers with a private CA, which each subscription trusts (tls.caCertificatesPem).
    const res = await gql(svc.url, svc.adminKey, CREATE, { i: { url: `${r.url}/hook`, tls: r.subscriptionTls, ...input } });
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    r.received.length = 0; // forget the create-time ping
    return res.data!.createWebhookSubscription as { secret: string; subscription: { id: string; status: string } };
  };
  const publish = async (type: string, data: Record<string, unknown>) =>
    (await gql(svc.url, publisher, PUBLISH, { i: { type, data } })).data!.publishEvent.event as { id: string; body: string };
  const deliveryOf = async (eventId: string, subscriptionId: string) =>
    (await gql(svc.url, svc.adminKey, 'query($e: ID!, $s: ID!) { deliveries(filter: {eventId: $e, subscriptionId: $s}) { edges { node { id } } } }', { e: eventId, s: subscriptionId })).data!.deliveries.edges[0]?.node.id as string;
  const delivery = async (id: string) => (await gql(svc.url, svc.adminKey, DELIVERY, { id })).data!.delivery;
  /** The subscriptions an event was fanned out to: rows written in the publish's own commit. */
  const fannedOutTo = async (eventId: string) =>
    (await svc.services.pool.query<{ subscription_id: string }>('SELECT subscription_id FROM outbound_delivery WHERE event_id = $1 ORDER BY 1', [eventId])).rows.map((r) => r.subscription_id);


  it('fans an event out to every matching ACTIVE subscription: same webhook-id, same bytes, each signed with its own secret', async () => {
    const [a, b, c] = [await receiver(), await receiver(), await receiver()];
    const subA = await subscribe(a, { events: ['tool.*'], headers: [{ name: 'X-Tenant', value: 'acme' }] });
    const subB = await subscribe(b, { events: ['*'] });
    await subscribe(c, { events: ['session.finished'] });
    // JSONPath filters, evaluated against the envelope: one matches this event, one does not.
    const [f, g] = [await receiver(), await receiver()];
    const subF = await subscribe(f, { events: ['tool.*'], filter: "$[?(@.data.tool == 'grep')]" });
    await subscribe(g, { events: ['tool.*'], filter: "$[?(@.data.tool == 'sed')]" });
    const event = await publish('tool.called', { sessionId: 'ses_1', tool: 'grep', arguments: { q: 'x' } });
    // The fan-out is written with the event: a subscription to other events, and one whose filter
    // does not match, have no delivery to receive.
    assert.deepEqual(await fannedOutTo(event.id), [subA, subB, subF].map((x) => x.subscription.id).sort());
    await until(() => a.received.length >= 1 && b.received.length >= 1 && f.received.length >= 1, 'three deliveries');
    assert.equal(f.received[0]!.body, event.body, 'a matching filter lets the event through');
    const [ra, rb] = [a.received[0]!, b.received[0]!];
    for (const r of [ra, rb]) {
      assert.equal(r.headers['webhook-id'], event.id);
      assert.equal(r.body, event.body, 'the envelope bytes are those fixed at publish');
      assert.equal(r.headers['content-type'], 'application/json');
      assert.match(String(r.headers['user-agent']), /^webhook-gateway\//);
      assert.ok(Math.abs(Number(r.headers['webhook-timestamp']) - Date.now() / 1000) < 5);
    }
    assert.ok(verifyStandard(ra, subA.secret));
    assert.ok(verifyStandard(rb, subB.secret));
    assert.ok(!verifyStandard(ra, subB.secret));
    assert.equal(ra.headers['x-tenant'], 'acme');
    const envelope = JSON.parse(ra.body);
    assert.deepEqual(Object.keys(envelope), ['id', 'type', 'timestamp', 'workspaceId', 'data']);
    const d = await until(async () => {
      const x = await delivery(await deliveryOf(event.id, subA.subscription.id));
      return x.status === 'SUCCEEDED' ? x : undefined;
    }, 'SUCCEEDED');
    assert.equal(d.attemptCount, 1);
    assert.deepEqual(d.attempts.map((x: any) => [x.number, x.outcome, x.statusCode, x.errorClass]), [[1, 'SUCCEEDED', 200, null]]);
  });

  it('delivers the session.created of webhooks accepted on /hooks, fanned out and queued in their group commit', async () => {
    const r = await receiver();
    const sub = await subscribe(r, { events: ['session.created'] });
    const small = await receiver();
    await subscribe(small, { events: ['session.*'], filter: '$[?(@.data.inputs.n < 5)]' });
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'fan-from-hooks', agent: 'triage', inputs: [{ name: 'n', path: '$.n', type: 'NUMBER' }] });
    // Twenty at once: several requests share a group commit, so one statement queues several jobs.
    const accepted = await Promise.all(Array.from({ length: 20 }, (_, n) => post(t.url, standardWebhooks(t.secret, JSON.stringify({ n })))));
    assert.ok(accepted.every((a) => a.status === 202));
    await until(() => r.received.length >= 20, 'twenty session.created deliveries');
    const bodies = r.received.map((x) => JSON.parse(x.body));
    assert.deepEqual(new Set(bodies.map((b) => b.data.sessionId)), new Set(accepted.map((a) => a.json.sessionId)));
    assert.ok(bodies.every((b) => b.type === 'session.created' && b.data.triggerId === t.id));
    assert.deepEqual(bodies.map((b) => b.data.inputs.n).sort((a, b) => a - b), Array.from({ length: 20 }, (_, n) => n));
    assert.ok(r.received.every((x) => verifyStandard(x, sub.secret) && x.headers['webhook-id'] === JSON.parse(x.body).id));
    // Each delivery in one job (a commit's deliveries share jobs), with the subscriptions' expiry (timeout 2 s + 3 s).
    const { rows } = await svc.services.pool.query(
      `SELECT j.expire_seconds FROM pgboss.job j JOIN outbound_delivery d ON j.data->'deliveryIds' ? d.id WHERE d.subscription_id = $1`, [sub.subscription.id]);
    assert.equal(rows.length, 20);
    assert.ok(rows.every((x) => x.expire_seconds === 5));
    // No delivery twice: once every delivery has its one attempt recorded and its job is done,
    // nothing is left that could send one again.
    await until(async () => (await svc.services.pool.query(
      `SELECT bool_and(d.status = 'SUCCEEDED' AND d.attempt_count = 1 AND j.state = 'completed') AS done
       FROM outbound_delivery d JOIN pgboss.job j ON j.data->'deliveryIds' ? d.id WHERE d.subscription_id = $1`, [sub.subscription.id])).rows[0].done, 'every delivery recorded and its job completed');
    assert.equal(r.received.length, 20, 'no delivery twice');
    assert.equal(new Set(r.received.map((x) => x.headers['webhook-id'])).size, 20);
    // A filtered subscription received only the sessions its JSONPath matched.
    assert.deepEqual(small.received.map((x) => JSON.parse(x.body)).filter((b) => b.type === 'session.created').map((b) => b.data.inputs.n).sort(), [0, 1, 2, 3, 4]);
  });

  it('queues an event fanned out to 30 subscriptions as jobs of at most 25 deliveries and delivers all 30', async () => {
    const r = await receiver();
    const subs = [];
    for (let i = 0; i < 30; i++) subs.push(await subscribe(r, { events: ['cost.*'] }));
    const ev = await publish('cost.threshold_exceeded', { budgetId: 'bud_30', scope: 'team', thresholdUsd: 5, spentUsd: 10, period: 'month' });
    const { rows: jobs } = await svc.services.pool.query(
      `SELECT jsonb_array_length(data->'deliveryIds') AS n FROM pgboss.job WHERE name = 'outbound-delivery'
       AND data->'deliveryIds' ?| (SELECT array_agg(id) FROM outbound_delivery WHERE event_id = $1) ORDER BY n DESC`, [ev.id]);
    // Earlier tests' catch-all subscriptions of this workspace get it too.
    const { rows: [{ n }] } = await svc.services.pool.query('SELECT count(*)::int AS n FROM outbound_delivery WHERE event_id = $1', [ev.id]);
    assert.ok(n >= 30 && n < 50);
    assert.deepEqual(jobs.map((j) => j.n), [25, n - 25]);
    await until(() => r.received.filter((x) => x.headers['webhook-id'] === ev.id).length >= 30, 'thirty deliveries');
    const got = r.received.filter((x) => x.headers['webhook-id'] === ev.id);
    assert.ok(got.every((x) => x.body === ev.body));
    // Each subscription received it once, signed with its own secret.
    assert.ok(subs.every((sub) => got.filter((x) => verifyStandard(x, sub.secret)).length === 1));
  });

  it('queues the deliveries of a commit\'s events together: 30 events to one subscription in one batch make two jobs, all delivered once', async () => {
    const r = await receiver();
    const sub = await subscribe(r, { events: ['tool.called'], filter: "$[?(@.data.tool == 'batch-probe')]" });
    const res = await fetch(`${svc.url}/v1/events`, {
      method: 'POST', headers: { authorization: `Bearer ${publisher}`, 'content-type': 'application/json' },
      body: JSON.stringify(Array.from({ length: 30 }, (_, i) => ({ type: 'tool.called', data: { sessionId: 'ses_batch', tool: 'batch-probe', arguments: { i } } }))),
    });
    assert.equal(res.status, 200);
    const { results } = (await res.json()) as { results: Array<{ id: string }> };
    assert.equal(results.length, 30);
    // Earlier tests' catch-all subscriptions of this workspace get the events too: the commit's
    // deliveries, whoever they are for, fill jobs of 25 in turn.
    const ids = results.map((x) => x.id);
    const n = (await svc.services.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbound_delivery WHERE event_id = ANY($1)', [ids])).rows[0]!.n;
    const { rows: jobs } = await svc.services.pool.query<{ n: number }>(
      `SELECT jsonb_array_length(data->'deliveryIds') AS n FROM pgboss.job WHERE name = 'outbound-delivery'
       AND data->'deliveryIds' ?| (SELECT array_agg(id) FROM outbound_delivery WHERE event_id = ANY($1)) ORDER BY n DESC`, [ids]);
    assert.ok(n >= 30);
    assert.deepEqual(jobs.map((j) => j.n), [...Array.from({ length: Math.floor(n / 25) }, () => 25), ...(n % 25 ? [n % 25] : [])]);
    await until(() => r.received.length >= 30, 'thirty deliveries');
    // Once each of its deliveries has its one attempt and no job of theirs is left, nothing can send one again.
    await until(async () => (await svc.services.pool.query(
      `SELECT bool_and(d.status = 'SUCCEEDED' AND d.attempt_count = 1)
         AND NOT EXISTS (SELECT 1 FROM pgboss.job j WHERE j.name = 'outbound-delivery' AND j.state IN ('created', 'retry', 'active')
                         AND j.data->'deliveryIds' ?| array_agg(d.id)) AS done
       FROM outbound_delivery d WHERE d.event_id = ANY($1) AND d.subscription_id = $2`, [ids, sub.subscription.id])).rows[0].done,
    'every delivery to this receiver recorded and its job completed');
    assert.deepEqual(new Set(r.received.map((x) => x.headers['webhook-id'])), new Set(ids));
    assert.equal(r.received.length, 30, 'each event once');
  });

  it('never puts two workspaces\' deliveries in one job, even when one commit fans out events of both', async () => {
    const r = await receiver();
    const other = await createWorkspace(svc.services.db, 'fan-out-other');
    await subscribe(r, { events: ['hook.violation'] });
    const res = await gql(svc.url, other.adminKey, CREATE, { i: { url: `${r.url}/other`, tls: r.subscriptionTls, events: ['hook.violation'] } });
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    const data = (n: number) => ({ sessionId: `ses_mix_${n}`, hook: 'pre-commit', reason: 'mixed commit' });
    // The /hooks writer's commits hold several workspaces' events; here one transaction does.
    const published = await withTransaction(svc.services.pool, async (client) => insertPlanned(client, svc.services.boss,
      await planEvents(loadSubscriptionFilters(client), Array.from({ length: 20 }, (_, n) =>
        ({ workspaceId: n % 2 === 0 ? svc.workspaceId : other.workspace.id, type: 'hook.violation', data: data(n) })))));
    const { rows: jobs } = await svc.services.pool.query<{ workspaces: string[]; n: number }>(
      `SELECT array_agg(DISTINCT d.workspace_id) AS workspaces, count(*)::int AS n
       FROM pgboss.job j CROSS JOIN jsonb_array_elements_text(j.data->'deliveryIds') AS x(id) JOIN outbound_delivery d ON d.id = x.id
       WHERE j.name = 'outbound-delivery' AND d.event_id = ANY($1) GROUP BY j.id`, [published.map((e) => e.id)]);
    assert.ok(jobs.length >= 2);
    assert.ok(jobs.every((j) => j.workspaces.length === 1 && j.n <= 25), JSON.stringify(jobs));
    assert.deepEqual(new Set(jobs.flatMap((j) => j.workspaces)), new Set([svc.workspaceId, other.workspace.id]));
  });

  it('retries on the schedule with a fresh timestamp and signature and the same webhook-id, until a 2xx', async () => {
    const r = await receiver();
    const sub = await subscribe(r, { events: ['review.completed'] });
    r.respond((_req, n) => (n <= 2 ? { status: 500, body: `boom ${n}` } : { status: 200 }));
    const event = await publish('review.completed', { sessionId: 'ses_1', reviewId: 'rev_1', verdict: 'approve' });
    await until(() => r.received.length >= 3, 'three attempts');
    const ids = new Set(r.received.map((x) => x.headers['webhook-id']));
    assert.deepEqual([...ids], [event.id]);
    assert.ok(r.received.every((x) => verifyStandard(x, sub.secret)));
    const deliveryId = await deliveryOf(event.id, sub.subscription.id);
    const d = await until(async () => {
      const x = await delivery(deliveryId);
      return x.status === 'SUCCEEDED' ? x : undefined;
    }, 'SUCCEEDED');
    // 100 ms, then 200 ms, each ±20 %.
    const waits = await scheduledWaits(svc.services.pool, deliveryId);
    assert.equal(waits.length, 2);
    assert.ok(waits[0]! >= 79 && waits[1]! >= 159, `waits follow the schedule (±20 %): ${waits}`);
    assert.deepEqual(d.attempts.map((x: any) => [x.number, x.outcome, x.statusCode, x.errorClass, x.responseBody]), [
      [1, 'FAILED', 500, 'HTTP_500', 'boom 1'], [2, 'FAILED', 500, 'HTTP_500', 'boom 2'], [3, 'SUCCEEDED', 200, null, ''],
    ]);
    assert.equal(d.nextAttemptAt, null);
  });

  it('cuts a hanging receiver off at the timeout, and marks the delivery FAILED after the last attempt, keeping 4 KiB of each answer', async () => {
    const r = await receiver();
    const sub = await subscribe(r, { events: ['import.completed'], timeoutMs: 300 });
    // The first request is held until the end of the test: only the timeout ends its attempt.
    const hold = gate();
    r.respond((_req, n) => (n === 1 ? { status: 200, until: hold.opened } : { status: 502, body: 'x'.repeat(10_000) }));
    try {
      const event = await publish('import.completed', { importId: 'imp_1', source: 's3', itemsImported: 1, itemsFailed: 0 });
      const d = await until(async () => {
        const x = await delivery(await deliveryOf(event.id, sub.subscription.id));
        return x?.status === 'FAILED' ? x : undefined;
      }, 'FAILED', 15_000);
      assert.equal(d.attemptCount, 4, 'the schedule has three waits: four attempts');
      assert.deepEqual([d.attempts[0].outcome, d.attempts[0].errorClass, d.attempts[0].statusCode], ['FAILED', 'TIMEOUT', null]);
      assert.equal(d.attempts[0].errorReason, `no complete answer from ${new URL(r.url).host} within 300 ms`);
      assert.equal(d.attempts[1].responseBody.length, 4096);
      assert.equal(d.nextAttemptAt, null);
    } finally {
      hold.open();
    }
  });

  it('honours a Retry-After on 429 when it is longer than the next wait, up to the schedule left (500 ms here)', async () => {
    const r = await receiver();
    const sub = await subscribe(r, { events: ['hook.violation'] });
    r.respond((_req, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
    const event = await publish('hook.violation', { hookId: 'h', rule: 'r', severity: 'low', message: 'm' });
    const deliveryId = await deliveryOf(event.id, sub.subscription.id);
    const d = await until(async () => {
      const x = await delivery(deliveryId);
      return x.status === 'SUCCEEDED' ? x : undefined;
    }, 'the retry SUCCEEDED');
    assert.deepEqual(d.attempts.map((x: any) => [x.number, x.statusCode]), [[1, 429], [2, 200]]);
    // The next wait alone would be 100 ms ±20 %; the Retry-After of 1 s is followed as far as the
    // 100 + 200 + 200 ms the schedule has left.
    const [wait] = await scheduledWaits(svc.services.pool, deliveryId);
    assert.ok(wait! >= 499, `scheduled ${wait} ms after the 429`);
  });

  it('disables the subscription at once on 410 Gone, cancels its pending deliveries and emits subscription.disabled', async () => {
    const [gone, watcher] = [await receiver(), await receiver()];
    const sub = await subscribe(gone, { events: ['cost.threshold_exceeded'] });
    await subscribe(watcher, { events: ['subscription.disabled'] });
    gone.respond(() => ({ status: 410 }));
    await publish('cost.threshold_exceeded', { budgetId: 'b', scope: 'ws', thresholdUsd: 1, spentUsd: 2, period: 'd' });
    await until(() => watcher.received.length >= 1, 'subscription.disabled');
    const notice = JSON.parse(watcher.received[0]!.body);
    assert.equal(notice.type, 'subscription.disabled');
    assert.deepEqual(notice.data, { subscriptionId: sub.subscription.id, reason: 'the endpoint answered 410 Gone' });
    const s = (await gql(svc.url, svc.adminKey, 'query($id: ID!) { webhookSubscription(id: $id) { status statusReason disabledAt } }', { id: sub.subscription.id })).data!.webhookSubscription;
    assert.equal(s.status, 'DISABLED');
    assert.equal(s.statusReason, 'the endpoint answered 410 Gone');
    // Later events are not fanned out to it.
    const later = await publish('cost.threshold_exceeded', { budgetId: 'b', scope: 'ws', thresholdUsd: 1, spentUsd: 3, period: 'd' });
    assert.ok(!(await fannedOutTo(later.id)).includes(sub.subscription.id), 'a delivery to the disabled subscription');
    assert.equal(gone.received.length, 1);
  });

  it('disable cancels pending deliveries; enable + replayEvents sends them again; redeliver repeats a delivery with the same webhook-id', async () => {
    const r = await receiver();
    const sub = await subscribe(r, { events: ['review.completed'] });
    r.respond(() => ({ status: 503 }));
    const since = new Date(Date.now() - 1000).toISOString();
    const event = await publish('review.completed', { sessionId: 'ses_9', reviewId: 'rev_9', verdict: 'reject' });
    await until(() => r.received.length >= 1, 'first attempt');
    const dis = await gql(svc.url, svc.adminKey, 'mutation($id: ID!) { disableWebhookSubscription(input: {id: $id, reason: "maintenance"}) { subscription { status statusReason } } }', { id: sub.subscription.id });
    assert.deepEqual(dis.data!.disableWebhookSubscription.subscription, { status: 'DISABLED', statusReason: 'maintenance' });
    const id = await deliveryOf(event.id, sub.subscription.id);
    assert.equal((await delivery(id)).status, 'CANCELLED');
    const replayDisabled = await gql(svc.url, svc.adminKey, 'mutation($id: ID!, $s: DateTime!) { replayEvents(input: {subscriptionId: $id, since: $s}) { replayed } }', { id: sub.subscription.id, s: since });
    assert.equal(replayDisabled.errors?.[0]?.extensions?.field, 'subscriptionId');
    r.respond(() => ({ status: 200 }));
    await gqlOk(svc.url, svc.adminKey, 'mutation($id: ID!) { enableWebhookSubscription(input: {id: $id}) { subscription { status } } }', { id: sub.subscription.id });
    const replay = await gql(svc.url, svc.adminKey, 'mutation($id: ID!, $s: DateTime!) { replayEvents(input: {subscriptionId: $id, since: $s}) { replayed } }', { id: sub.subscription.id, s: since });
    assert.equal(replay.data!.replayEvents.replayed, 1);
    await until(async () => (await delivery(id)).status === 'SUCCEEDED', 'replayed delivery');
    const count = r.received.length;
    const again = await gql(svc.url, svc.adminKey, 'mutation($id: ID!) { redeliver(input: {deliveryId: $id}) { delivery { id status } } }', { id });
    assert.equal(again.data!.redeliver.delivery.status, 'PENDING');
    await until(() => r.received.length > count, 'the redelivery');
    assert.equal(r.received.at(-1)!.headers['webhook-id'], event.id);
    const d = await until(async () => {
      const x = await delivery(id);
      return x.status === 'SUCCEEDED' && x.attempts.at(-1).number === x.attemptCount && x.attemptCount >= 3 ? x : undefined;
    }, 'redelivered');
    // 503 before the disable, 200 after the replay, 200 for the redelivery: one more attempt each time.
    assert.deepEqual(d.attempts.slice(-2).map((x: any) => [x.outcome, x.statusCode]), [['SUCCEEDED', 200], ['SUCCEEDED', 200]]);
  });

  it('redeliver finds the delivery in the statement that moves it: one deleted meanwhile with its subscription is NOT_FOUND, and nothing is queued', async () => {
    const r = await receiver();
    const sub = await subscribe(r, { events: ['import.completed'] });
    const event = await publish('import.completed', { importId: 'imp_race', source: 'github', itemsImported: 1, itemsFailed: 0 });
    const id = await deliveryOf(event.id, sub.subscription.id);
    await until(async () => (await delivery(id)).status === 'SUCCEEDED', 'the first attempt');
    // The delivery row is held while redeliver runs; its subscription (and so the delivery) is
    // deleted before the hold ends, as a concurrent deleteWebhookSubscription would.
    const holder = await svc.services.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM outbound_delivery WHERE id = $1 FOR UPDATE', [id]);
      const answer = gql(svc.url, svc.adminKey, 'mutation($id: ID!) { redeliver(input: {deliveryId: $id}) { delivery { id status } } }', { id });
      await until(async () => (await svc.services.pool.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE outbound_delivery%'`)).rowCount,
      'redeliver waiting for the held delivery');
      await holder.query('DELETE FROM webhook_subscription WHERE id = $1', [sub.subscription.id]);
      await holder.query('COMMIT');
      const res = await answer;
      assert.deepEqual(res.errors?.map((e) => [e.extensions?.code, e.message]), [['NOT_FOUND', `delivery ${id} not found`]]);
    } finally {
      holder.release();
    }
    const { rowCount } = await svc.services.pool.query(`SELECT 1 FROM pgboss.job WHERE name = 'outbound-delivery' AND data->'deliveryIds' ? $1 AND state < 'completed'`, [id]);
    assert.equal(rowCount, 0, 'a job for the deleted delivery');
  });

  it('concurrent publishes with one new idempotencyKey all get the first event, never a 500, and it is delivered once', async () => {
    const r = await receiver();
    const sub = await subscribe(r, { events: ['import.completed'] });
    const rounds = 5;
    const firsts: string[] = [];
    for (let round = 0; round < rounds; round++) {
      const idempotencyKey = `import-${round}-${Date.now()}`;
      const input = { type: 'import.completed', data: { importId: `imp_${round}`, source: 'gcs', itemsImported: round, itemsFailed: 0 }, idempotencyKey };
      const answers = await Promise.all(Array.from({ length: 4 }, () => gql(svc.url, publisher, PUBLISH, { i: input })));
      for (const a of answers) assert.equal(a.errors, undefined, JSON.stringify(a.errors));
      const ids = new Set(answers.map((a) => a.data!.publishEvent.event.id));
      assert.equal(ids.size, 1, 'every publish answered with the same event');
      firsts.push([...ids][0] as string);
      const { rows } = await svc.services.pool.query('SELECT count(*)::int AS n FROM event WHERE idempotency_key = $1', [idempotencyKey]);
      assert.equal(rows[0].n, 1);
    }
    await until(async () => {
      const ds = await Promise.all(firsts.map(async (e) => delivery(await deliveryOf(e, sub.subscription.id))));
      return ds.every((d) => d.status === 'SUCCEEDED');
    }, 'every event delivered');
    assert.deepEqual(r.received.map((x) => x.headers['webhook-id']).sort(), [...firsts].sort(), 'each event delivered once');
  });

  it('counts an attempt answered after its subscription was disabled: replayed, the next attempt is number 2', async () => {
    const r = await receiver();
    const sub = await subscribe(r, { events: ['tool.called'], timeoutMs: 10_000 });
    const release = gate();
    r.respond(() => ({ status: 503, until: release.opened }));
    const since = new Date(Date.now() - 1000).toISOString();
    const event = await publish('tool.called', { sessionId: 'ses_late', tool: 'grep', arguments: {} });
    await until(() => r.received.length >= 1, 'the attempt in flight');
    const id = await deliveryOf(event.id, sub.subscription.id);
    await gqlOk(svc.url, svc.adminKey, 'mutation($id: ID!) { disableWebhookSubscription(input: {id: $id}) { subscription { status } } }', { id: sub.subscription.id });
    release.open();
    const cancelled = await until(async () => {
      const d = await delivery(id);
      // The delivery row and its attempts are two reads: wait until both show the recorded attempt.
      return d.attempts.length === 1 && d.attemptCount === 1 ? d : undefined;
    }, 'the late attempt recorded and counted');
    assert.equal(cancelled.status, 'CANCELLED', 'the disable wins');
    assert.equal(cancelled.attemptCount, 1);
    r.respond(() => ({ status: 200 }));
    await gqlOk(svc.url, svc.adminKey, 'mutation($id: ID!) { enableWebhookSubscription(input: {id: $id}) { subscription { status } } }', { id: sub.subscription.id });
    const replayed = await gqlOk(svc.url, svc.adminKey, 'mutation($id: ID!, $s: DateTime!) { replayEvents(input: {subscriptionId: $id, since: $s}) { replayed } }', { id: sub.subscription.id, s: since });
    assert.equal(replayed.replayEvents.replayed, 1);
    const d = await until(async () => {
      const x = await delivery(id);
      return x.status === 'SUCCEEDED' ? x : undefined;
    }, 'the replayed delivery');
    assert.deepEqual(d.attempts.map((a: any) => [a.number, a.statusCode]), [[1, 503], [2, 200]]);
    assert.equal(d.attemptCount, 2);
  });

  it('sendTestEvent delivers a valid sample of any catalogue event', async () => {
    const r = await receiver();
    const sub = await subscribe(r, { events: ['session.created'] });
    const res = await gql(svc.url, svc.adminKey, 'mutation($s: ID!) { sendTestEvent(input: {subscriptionId: $s, type: "cost.threshold_exceeded"}) { delivery { id event { type } } } }', { s: sub.subscription.id });
    assert.equal(res.data!.sendTestEvent.delivery.event.type, 'cost.threshold_exceeded');
    await until(() => r.received.length >= 1, 'the test event');
    const body = JSON.parse(r.received[0]!.body);
    assert.equal(body.type, 'cost.threshold_exceeded');
    assert.equal(body.data.budgetId, 'bud_1');
    assert.ok(verifyStandard(r.received[0]!, sub.secret));
    const bad = await gql(svc.url, svc.adminKey, 'mutation($s: ID!) { sendTestEvent(input: {subscriptionId: $s, type: "nope"}) { delivery { id } } }', { s: sub.subscription.id });
    assert.equal(bad.errors?.[0]?.extensions?.field, 'type');
  });

  it('streams deliveryUpdated for each attempt to the subscribers of the workspace', async () => {
    const r = await receiver();
    const sub = await subscribe(r, { events: ['tool.error'] });
    const tried = new Set<unknown>();
    // The event under test fails once; the probes' test events succeed.
    r.respond((req) => {
      const failFirst = JSON.parse(req.body).type === 'tool.error' && !tried.has(req.headers['webhook-id']);
      tried.add(req.headers['webhook-id']);
      return failFirst ? { status: 500 } : { status: 200 };
    });
    const live = await openLiveSocket(svc.url, svc.adminKey,
      `subscription { deliveryUpdated(filter: {subscriptionId: "${sub.subscription.id}"}) { recordedAt delivery { id status attemptCount } attempt { number statusCode outcome startedAt } } }`);
    try {
      // Probes until it is live: test events to the subscription, each an attempt that updates.
      await untilLive([live], () => gqlOk(svc.url, svc.adminKey, 'mutation($s: ID!) { sendTestEvent(input: {subscriptionId: $s, type: "session.archived"}) { delivery { id } } }', { s: sub.subscription.id }));
      const event = await publish('tool.error', { sessionId: 's', tool: 't', error: { message: 'x' } });
      const id = await deliveryOf(event.id, sub.subscription.id);
      const updates = () => live.received.map((m) => m.data.deliveryUpdated).filter((u) => u.delivery.id === id);
      await within(live.until(() => updates().some((u) => u.delivery.status === 'SUCCEEDED')), 15_000, 'the SUCCEEDED update');
      const attempts = updates().filter((u) => u.attempt).map((u) => [u.attempt.number, u.attempt.statusCode, u.attempt.outcome]);
      assert.deepEqual(attempts, [[1, 500, 'FAILED'], [2, 200, 'SUCCEEDED']]);
      // recordedAt: when the gateway wrote the attempt, after it started and before it was received here.
      for (const u of updates().filter((x) => x.attempt)) {
        const recorded = Date.parse(u.recordedAt);
        assert.ok(recorded >= Date.parse(u.attempt.startedAt) && recorded <= Date.now(), JSON.stringify(u));
      }
    } finally {
      await live.client.dispose();
    }
  });
});

describe('auto-disable', () => {
  it('disables a subscription that kept failing for DELIVERY_AUTO_DISABLE_AFTER without a success', async () => {
    const svc = await startTestService({ ALLOW_PRIVATE_TARGETS: 'true', DELIVERY_RETRY_SCHEDULE: '100ms,100ms,100ms,100ms,100ms', DELIVERY_AUTO_DISABLE_AFTER: '250ms' });
    const r = await startReceiver({ https: true });
    try {
      const sub = (await gql(svc.url, svc.adminKey, CREATE, { i: { url: `${r.url}/hook`, events: ['*'], tls: r.subscriptionTls } })).data!.createWebhookSubscription.subscription;
      r.respond(() => ({ status: 500 }));
      const key = (await gql(svc.url, svc.adminKey, 'mutation { createApiKey(input: {name: "p", role: PUBLISHER}) { key } }')).data!.createApiKey.key;
      const published = await gql(svc.url, key, PUBLISH, { i: { type: 'import.completed', data: { importId: 'i', source: 's', itemsImported: 0, itemsFailed: 1 } } });
      assert.equal(published.errors, undefined);
      const s = await until(async () => {
        const x = (await gql(svc.url, svc.adminKey, 'query($id: ID!) { webhookSubscription(id: $id) { status statusReason } }', { id: sub.id })).data!.webhookSubscription;
        return x.status === 'DISABLED' ? x : undefined;
      }, 'auto-disable');
      assert.match(s.statusReason, /^no successful delivery since .* while deliveries kept failing$/);
      const { rows } = await svc.services.pool.query(`SELECT status FROM outbound_delivery WHERE subscription_id = $1`, [sub.id]);
      assert.deepEqual(rows.map((x) => x.status), ['CANCELLED']);
    } finally {
      await svc.stop();
      await r.close();
    }
  });
});
