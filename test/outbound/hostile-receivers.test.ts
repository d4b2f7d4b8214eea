// SPEC §15 on the delivery path, with real receivers on 127.0.0.1: a hostile or slow receiver, or a
// subscription deleted mid-flight, never fails, delays or duplicates the deliveries it shares a
// batch with. Each test co-batches an honest receiver with the hostile one: events that fan out to
// both, or that one commit publishes in one workspace, put both deliveries in one job (up to 25);
// a commit's jobs (one workspace's never mixed with another's) are fetched together.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withTransaction } from '../../src/platform/db/pool.ts';
import { createWorkspace } from '../../src/workspaces/workspaces.ts';
import { insertEvents } from '../../src/events/outbox.ts';
import { gate, type Receiver } from '../support/receiver.ts';
import { scheduledWaits } from '../support/deliveries.ts';
import { gql, type TestService, withPublishingService } from '../support/service.ts';
import { until as waitUntil } from '../support/wait.ts';

const CREATE = `mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { id status } } }`;
const PUBLISH = 'mutation($i: PublishEventInput!) { publishEvent(input: $i) { event { id } } }';
const ATTEMPTS = `query($id: ID!) { delivery(id: $id) { status attemptCount attempts { number statusCode outcome responseBody startedAt } } }`;

const until = <T>(fn: () => Promise<T | undefined | false | null> | T | undefined | false | null, what: string) => waitUntil(fn, what, 20_000);

describe('hostile receivers in a shared batch', () => {
  let svc: TestService;
  let publisher: string;
  const receiver = withPublishingService({
      ALLOW_PRIVATE_TARGETS: 'true', ALLOW_INSECURE_TARGETS: 'true', DELIVERY_RETRY_SCHEDULE: '100ms,200ms,200ms', DELIVERY_AUTO_DISABLE_AFTER: '1h',
    }, (s, key) => {
    svc = s;
    publisher = key;
  });
  const subscribe = async (r: Receiver, input: Record<string, unknown>, adminKey = svc.adminKey) => {
    const res = await gql(svc.url, adminKey, CREATE, { i: { url: `${r.url}/hook`, ...input } });
    assert.equal(res.data?.createWebhookSubscription.subscription.status, 'ACTIVE', JSON.stringify(res.errors));
    r.received.length = 0; // forget the create-time ping
    return res.data!.createWebhookSubscription.subscription.id as string;
  };
  const publish = async (type: string, data: Record<string, unknown>) => {
    const res = await gql(svc.url, publisher, PUBLISH, { i: { type, data } });
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    return res.data!.publishEvent.event.id as string;
  };
  /** Events published in one commit: their jobs are inserted together and fetched together. */
  const publishTogether = (inputs: Array<{ type: string; data: Record<string, unknown>; workspaceId?: string }>) =>
    withTransaction(svc.services.pool, (client) => insertEvents(client, svc.services.boss, inputs.map((i) => ({ workspaceId: svc.workspaceId, ...i }))));
  const deliveriesOf = async (subscriptionId: string) =>
    (await svc.services.pool.query<{ id: string; status: string; attempt_count: number }>(
      'SELECT id, status, attempt_count FROM outbound_delivery WHERE subscription_id = $1 ORDER BY id', [subscriptionId])).rows;
  const allSucceeded = async (subscriptionId: string, n: number) => {
    const rows = await deliveriesOf(subscriptionId);
    return rows.length === n && rows.every((d) => d.status === 'SUCCEEDED') ? rows : undefined;
  };
  const jobsOf = async (deliveryIds: string[]) =>
    (await svc.services.pool.query<{ id: string; state: string; started_on: Date | null; ids: string[] }>(
      `SELECT id, state, started_on, ARRAY(SELECT jsonb_array_elements_text(data->'deliveryIds')) AS ids FROM pgboss.job
       WHERE name = 'outbound-delivery' AND data->'deliveryIds' ?| $1::text[]`, [deliveryIds])).rows;
  const ids = (r: Receiver) => r.received.map((x) => String(x.headers['webhook-id']));


  it('stores any answer bytes (NUL, invalid UTF-8, a character cut at 4 KiB) and the co-batched deliveries succeed exactly once', async () => {
    const [honest, hostile] = [await receiver(), await receiver()];
    const honestId = await subscribe(honest, { events: ['tool.called'] });
    const hostileId = await subscribe(hostile, { events: ['tool.called'] });
    const answers = [Buffer.from('ok\0after a NUL'), Buffer.from([0x6f, 0x6b, 0xff, 0xfe, 0xc3]), Buffer.from(`a${'é'.repeat(3000)}`)];
    hostile.respond((_req, n) => ({ status: 200, body: answers[n % 3] }));
    const events: string[] = [];
    for (let i = 0; i < 30; i++) events.push(await publish('tool.called', { sessionId: 'ses_h', tool: 'grep', arguments: { i } }));

    await until(() => allSucceeded(honestId, 30), 'the honest deliveries SUCCEEDED');
    await until(() => allSucceeded(hostileId, 30), 'the hostile deliveries SUCCEEDED');
    assert.deepEqual(ids(honest).sort(), [...events].sort(), 'the honest receiver got each event exactly once');
    assert.equal(hostile.received.length, 30);
    const stored = new Set<string>();
    for (const d of await deliveriesOf(hostileId)) {
      const { attempts } = (await gql(svc.url, svc.adminKey, ATTEMPTS, { id: d.id })).data!.delivery;
      assert.equal(attempts.length, 1);
      stored.add(attempts[0].responseBody);
    }
    // U+FFFD stands for each byte PostgreSQL text cannot hold; the cut at 4 KiB falls between characters.
    assert.deepEqual([...stored].sort(), ['ok\u{FFFD}after a NUL', 'ok\u{FFFD}\u{FFFD}\u{FFFD}', `a${'é'.repeat(2047)}`].sort());
  });

  it('clamps a 429 Retry-After of 99999999999999999999 s to the remaining schedule; the co-batched deliveries succeed exactly once', async () => {
    const [honest, hostile] = [await receiver(), await receiver()];
    const honestId = await subscribe(honest, { events: ['tool.error'] });
    const hostileId = await subscribe(hostile, { events: ['tool.error'] });
    const seen = new Set<unknown>();
    hostile.respond((req) => {
      const first = !seen.has(req.headers['webhook-id']);
      seen.add(req.headers['webhook-id']);
      return first ? { status: 429, headers: { 'retry-after': '99999999999999999999' } } : { status: 200 };
    });
    const events: string[] = [];
    for (let i = 0; i < 30; i++) events.push(await publish('tool.error', { sessionId: 'ses_r', tool: 'grep', error: { message: `e${i}` } }));

    await until(() => allSucceeded(honestId, 30), 'the honest deliveries SUCCEEDED');
    // The schedule left after a first attempt is 100 + 200 + 200 ms: the retry comes within it.
    const hostileDone = await until(() => allSucceeded(hostileId, 30), 'the 429 deliveries retried and SUCCEEDED');
    assert.deepEqual(ids(honest).sort(), [...events].sort(), 'the honest receiver got each event exactly once');
    for (const d of hostileDone) {
      const { attempts } = (await gql(svc.url, svc.adminKey, ATTEMPTS, { id: d.id })).data!.delivery;
      assert.deepEqual(attempts.map((a: any) => [a.number, a.statusCode]), [[1, 429], [2, 200]]);
      const waits = await scheduledWaits(svc.services.pool, d.id);
      assert.ok(waits.length === 1 && waits[0]! >= 499, `the Retry-After was honoured up to the remaining schedule (500 ms): scheduled ${waits} ms`);
    }
  });

  it('a subscription deleted while its delivery is in flight fails no co-batched delivery: each succeeds exactly once', async () => {
    const [honest, doomed] = [await receiver(), await receiver()];
    // Timeouts far above the time the requests are held, so every attempt is answered.
    const honestId = await subscribe(honest, { events: ['review.completed'], timeoutMs: 20_000 });
    const doomedId = await subscribe(doomed, { events: ['review.completed'], timeoutMs: 20_000 });
    // Both hold their requests until the subscription is gone, then answer at once: the attempts
    // of both come back together and are recorded together.
    const release = gate();
    honest.respond(() => ({ status: 200, until: release.opened }));
    doomed.respond(() => ({ status: 200, until: release.opened }));
    // In one commit, so that one fetch takes them all: held requests keep a worker loop each.
    const events = (await publishTogether(Array.from({ length: 5 }, (_, i) => ({
      type: 'review.completed', data: { sessionId: 'ses_d', reviewId: `rev_${i}`, verdict: 'approve' },
    })))).map((e) => e.id);
    await until(() => honest.received.length >= 5 && doomed.received.length >= 5, 'every request in flight');
    const doomedDeliveries = (await deliveriesOf(doomedId)).map((d) => d.id);
    const del = await gql(svc.url, svc.adminKey, 'mutation($id: ID!) { deleteWebhookSubscription(input: {id: $id}) { deletedSubscriptionId } }', { id: doomedId });
    assert.equal(del.errors, undefined, JSON.stringify(del.errors));
    release.open();

    const honestDone = await until(() => allSucceeded(honestId, 5), 'the honest deliveries SUCCEEDED');
    assert.ok(honestDone.every((d) => d.attempt_count === 1));
    const jobs = await jobsOf([...honestDone.map((d) => d.id), ...doomedDeliveries]);
    await until(async () => (await jobsOf(jobs.flatMap((j) => j.ids))).every((j) => j.state === 'completed'), 'every job of the batch completed');
    assert.deepEqual(ids(honest).sort(), [...events].sort(), 'the honest receiver got each event exactly once');
    assert.equal(doomed.received.length, 5);
    assert.deepEqual(await deliveriesOf(doomedId), [], 'the deleted subscription took its deliveries with it');
  });

  it('a receiver slower than a co-batched job\'s expiry neither holds back nor duplicates the fast deliveries', async () => {
    const [fast, slow] = [await receiver(), await receiver()];
    // Jobs expire 3 s above the longest timeout among their deliveries: the fast ones' after 4 s.
    // A commit's deliveries share jobs within a workspace, never across: the slow subscription
    // lives in another workspace, so its delivery travels in a job of its own, fetched with theirs.
    const other = await createWorkspace(svc.services.db, 'slow-receiver');
    const fastId = await subscribe(fast, { events: ['import.completed'], timeoutMs: 1000 });
    const slowId = await subscribe(slow, { events: ['hook.violation'], timeoutMs: 20_000 }, other.adminKey);
    const release = gate();
    slow.respond(() => ({ status: 200, until: release.opened }));
    const published = await publishTogether([
      { type: 'hook.violation', data: { hookId: 'h', rule: 'r', severity: 'low', message: 'slow' }, workspaceId: other.workspace.id },
      ...Array.from({ length: 9 }, (_, i) => ({ type: 'import.completed', data: { importId: `imp_${i}`, source: 's3', itemsImported: i, itemsFailed: 0 } })),
    ]);
    await until(() => slow.received.length === 1, 'the slow request in flight');
    // While the slow request is still held, the fast deliveries are recorded and their jobs done,
    // so no expiry can bring them back.
    const fastDone = await until(() => allSucceeded(fastId, 9), 'the fast deliveries SUCCEEDED while the slow one is held');
    const fastJobs = await until(async () => {
      const j = await jobsOf(fastDone.map((d) => d.id));
      return j.length > 0 && j.every((x) => x.state === 'completed') ? j : undefined;
    }, 'the fast jobs completed while the slow one is held');
    assert.equal(slow.received.length, 1);
    release.open();

    const [slowDelivery] = await until(() => allSucceeded(slowId, 1), 'the slow delivery SUCCEEDED');
    const expected = published.filter((e) => e.type === 'import.completed').map((e) => e.id).sort();
    assert.deepEqual(ids(fast).sort(), expected, 'the fast receiver got each event exactly once');
    assert.ok(fastDone.every((d) => d.attempt_count === 1));
    // They really shared a fetch: pg-boss stamps every job of one fetch with the same started_on.
    const [slowJob] = await jobsOf([slowDelivery!.id]);
    assert.ok(fastJobs.some((j) => j.started_on?.getTime() === slowJob!.started_on?.getTime()), 'the slow job was fetched with fast ones');
  });

  it('deliveries waiting for a maxConcurrency slot wait without being re-queued again and again', async () => {
    const capped = await receiver();
    const cappedId = await subscribe(capped, { events: ['cost.threshold_exceeded'], maxConcurrency: 1 });
    capped.respond(() => ({ status: 200, delayMs: 150 }));
    const n = 8;
    await publishTogether(Array.from({ length: n }, (_, i) => ({
      type: 'cost.threshold_exceeded', data: { budgetId: `b${i}`, scope: 'team', thresholdUsd: 1, spentUsd: 2, period: 'day' },
    })));
    const done = await until(() => allSucceeded(cappedId, n), 'every capped delivery SUCCEEDED');
    assert.equal(capped.received.length, n);
    assert.equal(capped.maxInFlight(), 1);
    // Each delivery's first job, and at most one more when a slot frees for it: no polling.
    const jobs = await jobsOf(done.map((d) => d.id));
    assert.ok(jobs.length <= 2 * n, `${jobs.length} jobs for ${n} deliveries`);
  });
});
