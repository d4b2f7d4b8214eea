// deliveryStats (SPEC §13): the console's charts read per-minute rollups the delivery worker writes
// with each batch of attempts; they agree with the attempts themselves, and the query is checked
// and costed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gql, gqlOk, type TestService, withPublishingService } from '../support/service.ts';
import { until } from '../support/wait.ts';

const CREATE = `mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { id } } }`;
const PUBLISH_MANY = `mutation($i: PublishEventsInput!) { publishEvents(input: $i) { results { event { id } } } }`;
const STATS = `query($s: ID!, $since: DateTime!, $b: DeliveryStatsBucket!) {
  deliveryStats(subscriptionId: $s, since: $since, bucket: $b) { since bucket points { start succeeded failed p50Ms p95Ms } } }`;

interface Point { start: string; succeeded: number; failed: number; p50Ms: number | null; p95Ms: number | null }

describe('deliveryStats', () => {
  let svc: TestService;
  let publisher: string;
  // No retry within the test: each delivery makes one attempt.
  const receiver = withPublishingService({ ALLOW_PRIVATE_TARGETS: 'true', ALLOW_INSECURE_TARGETS: 'true', DELIVERY_RETRY_SCHEDULE: '1h' }, (s, key) => {
    svc = s;
    publisher = key;
  });

  it('counts attempts per minute by outcome, with latency percentiles, as the attempts recorded them', async () => {
    const r = await receiver();
    const sub = (await gqlOk<{ createWebhookSubscription: { subscription: { id: string } } }>(svc.url, svc.adminKey, CREATE,
      { i: { url: `${r.url}/stats`, events: ['import.completed'] } })).createWebhookSubscription.subscription.id;
    // Even imports succeed at once; odd ones fail after 60 ms.
    r.respond((req) => {
      const { data } = JSON.parse(req.body) as { data: { itemsImported?: number } };
      return (data.itemsImported ?? 0) % 2 === 0 ? { status: 200 } : { status: 500, delayMs: 60 };
    });
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const events = Array.from({ length: 20 }, (_, i) => ({ type: 'import.completed', data: { importId: `i${i}`, source: 's', itemsImported: i, itemsFailed: 0 } }));
    await gqlOk(svc.url, publisher, PUBLISH_MANY, { i: { events } });
    const { rows: [attempts] } = await until(async () => {
      const res = await svc.services.pool.query<{ ok: number; failed: number }>(
        `SELECT count(*) FILTER (WHERE a.outcome = 'SUCCEEDED')::int AS ok, count(*) FILTER (WHERE a.outcome = 'FAILED')::int AS failed
         FROM delivery_attempt a JOIN outbound_delivery d ON d.id = a.delivery_id WHERE d.subscription_id = $1`, [sub]);
      return res.rows[0]!.ok + res.rows[0]!.failed >= 20 ? res : undefined;
    }, 'the 20 attempts');
    assert.deepEqual(attempts, { ok: 10, failed: 10 });

    const { deliveryStats } = await gqlOk<{ deliveryStats: { since: string; bucket: string; points: Point[] } }>(svc.url, svc.adminKey, STATS, { s: sub, since, b: 'MINUTE' });
    assert.equal(deliveryStats.bucket, 'MINUTE');
    assert.ok(deliveryStats.points.length >= 60 && deliveryStats.points.length <= 62, String(deliveryStats.points.length));
    const sum = (k: 'succeeded' | 'failed') => deliveryStats.points.reduce((n, p) => n + p[k], 0);
    assert.deepEqual({ ok: sum('succeeded'), failed: sum('failed') }, attempts);
    const busy = deliveryStats.points.filter((p) => p.succeeded + p.failed > 0);
    assert.ok(busy.every((p) => p.p50Ms !== null && p.p95Ms !== null && p.p50Ms <= p.p95Ms), JSON.stringify(busy));
    // Half the attempts waited 60 ms: p95 lies in the 50-100 ms bucket or above.
    assert.ok(busy.some((p) => p.p95Ms! >= 50), JSON.stringify(busy));
    assert.ok(deliveryStats.points.filter((p) => p.succeeded + p.failed === 0).every((p) => p.p50Ms === null));

    // The day, in hours: the same totals in fewer points.
    const day = (await gqlOk<{ deliveryStats: { points: Point[] } }>(svc.url, svc.adminKey, STATS,
      { s: sub, since: new Date(Date.now() - 86_400_000).toISOString(), b: 'HOUR' })).deliveryStats.points;
    assert.ok(day.length >= 24 && day.length <= 26);
    assert.equal(day.reduce((n, p) => n + p.succeeded + p.failed, 0), 20);

    // The rollup agrees with the attempts table row for row.
    const { rows: [rollup] } = await svc.services.pool.query<{ n: number; hist: number }>(
      'SELECT sum(attempts)::int AS n, sum((SELECT sum(x) FROM unnest(latency) x))::int AS hist FROM delivery_stat_minute WHERE subscription_id = $1', [sub]);
    assert.deepEqual(rollup, { n: 20, hist: 20 });

    // The overview's workspace-wide counts, from the same rollups.
    const { deliveryOverview } = await gqlOk<{ deliveryOverview: Array<{ subscriptionId: string; succeeded: number; failed: number; subscription: { id: string } }> }>(
      svc.url, svc.adminKey, 'query($since: DateTime!) { deliveryOverview(since: $since) { subscriptionId succeeded failed subscription { id } } }', { since });
    const mine = deliveryOverview.find((c) => c.subscriptionId === sub);
    assert.deepEqual(mine, { subscriptionId: sub, succeeded: 10, failed: 10, subscription: { id: sub } });
  });

  it('refuses a window too long, too many buckets and an unknown subscription, and costs its share of the limit', async () => {
    const r = await receiver();
    const sub = (await gqlOk<{ createWebhookSubscription: { subscription: { id: string } } }>(svc.url, svc.adminKey, CREATE,
      { i: { url: `${r.url}/limits`, events: ['import.completed'] } })).createWebhookSubscription.subscription.id;
    const long = await gql(svc.url, svc.adminKey, STATS, { s: sub, since: new Date(Date.now() - 8 * 86_400_000).toISOString(), b: 'HOUR' });
    assert.equal(long.errors?.[0]?.extensions?.field, 'since');
    const many = await gql(svc.url, svc.adminKey, STATS, { s: sub, since: new Date(Date.now() - 3 * 86_400_000).toISOString(), b: 'MINUTE' });
    assert.equal(many.errors?.[0]?.extensions?.field, 'bucket');
    const unknown = await gql(svc.url, svc.adminKey, STATS, { s: 'sub_nope', since: new Date().toISOString(), b: 'MINUTE' });
    assert.equal(unknown.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    // 15 copies cost more than the default limit of 1500; one is well within it.
    const copies = Array.from({ length: 15 }, (_, i) => `s${i}: deliveryStats(subscriptionId: "${sub}", since: "${new Date().toISOString()}") { bucket }`).join(' ');
    const costly = await gql(svc.url, svc.adminKey, `{ ${copies} }`);
    assert.equal(costly.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(costly.errors![0]!.message, /query cost \d+ exceeds the limit of 1500/);
  });
});
