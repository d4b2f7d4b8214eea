// Table statistics after a burst (platform/jobs/queue-statistics.ts): an API process that publishes
// fills outbound_delivery, whose young statistics once left a flush reading its deliveries back by a
// sequential scan. Every role analyzes such a table itself instead of waiting for autovacuum.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gql, withPublishingService } from '../support/service.ts';
import type { TestService } from '../support/service.ts';
import { until } from '../support/wait.ts';

describe('table statistics', () => {
  let svc: TestService;
  let publisher: string;
  const receiver = withPublishingService({ ROLE: 'api', ALLOW_PRIVATE_TARGETS: 'true', ALLOW_INSECURE_TARGETS: 'true' }, (s, key) => {
    svc = s;
    publisher = key;
  });

  it('an API process analyzes outbound_delivery after publishing fills it', async () => {
    const r = await receiver();
    const sub = await gql(svc.url, svc.adminKey, 'mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { status } } }',
      { i: { url: `${r.url}/hook`, events: ['tool.*'] } });
    assert.equal(sub.data?.createWebhookSubscription.subscription.status, 'ACTIVE', JSON.stringify(sub.errors));
    // Manual ANALYZEs only: autovacuum's are counted apart (autoanalyze_count), so it cannot pass this.
    const analyzed = async () => Number((await svc.services.pool.query<{ n: string }>(
      "SELECT analyze_count AS n FROM pg_stat_user_tables WHERE schemaname = 'public' AND relname = 'outbound_delivery'")).rows[0]!.n);
    const before = await analyzed();
    const publish = async (events: unknown[]) => {
      const res = await fetch(`${svc.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${publisher}`, 'content-type': 'application/json' }, body: JSON.stringify(events) });
      assert.equal(res.status, 200);
      const { results } = (await res.json()) as { results: Array<{ id?: string }> };
      assert.equal(results.filter((x) => x.id).length, events.length, JSON.stringify(results[0]));
    };
    for (let batch = 0; batch < 3; batch++) {
      await publish(Array.from({ length: 500 }, (_, i) => ({ type: 'tool.called', data: { sessionId: 'ses_stats', tool: `t${batch}-${i}`, arguments: { i } } })));
    }
    const { rows: [deliveries] } = await svc.services.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbound_delivery');
    assert.ok(deliveries!.n >= 1500, `${deliveries!.n} deliveries written`);
    // A backend reports its writes at a transaction's end at most once a second (else after 10 s
    // idle): each poll publishes one more event, so the counts reach the statistics soon.
    await until(async () => {
      await publish([{ type: 'tool.called', data: { sessionId: 'ses_stats', tool: 'poll', arguments: {} } }]);
      return (await analyzed()) > before;
    }, 'the API process to analyze outbound_delivery', 20_000);
  });
});
