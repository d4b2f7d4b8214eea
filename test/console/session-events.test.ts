// What the console's request page reads (SPEC §13): a request's session and the events that
// followed (Session.events), and the /hooks writer's fan-out announced to deliveryUpdated when
// its group commit creates the session.created deliveries.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { CHANNEL } from '../../src/platform/realtime.ts';
import { post, standardWebhooks } from '../support/senders.ts';
import { gql, gqlOk, type TestService, withPublishingService } from '../support/service.ts';
import { createTrigger } from '../support/triggers.ts';
import { until } from '../support/wait.ts';

const REQUEST = `query($id: ID!) { node(id: $id) { ... on InboundDelivery { id mappedInputs session { id events { id type } } } } }`;

describe('a request\'s session and its events', () => {
  let svc: TestService;
  const receiver = withPublishingService({ ALLOW_PRIVATE_TARGETS: 'true', ALLOW_INSECURE_TARGETS: 'true' }, (s) => {
    svc = s;
  });

  it('lists the session\'s events, and announces the /hooks fan-out\'s new deliveries', async () => {
    const r = await receiver();
    r.respond(() => ({ status: 200 }));
    const sub = (await gqlOk<{ createWebhookSubscription: { subscription: { id: string } } }>(svc.url, svc.adminKey,
      'mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { id } } }',
      { i: { url: `${r.url}/sessions`, events: ['session.created'] } })).createWebhookSubscription.subscription.id;
    const listener = new pg.Client({ connectionString: svc.databaseUrl });
    await listener.connect();
    const announced = new Set<string>();
    listener.on('notification', (n) => {
      const m = JSON.parse(n.payload!) as { topic: string; data: { deliveryIds?: string[] } };
      if (m.topic === 'delivery.updated') for (const id of m.data.deliveryIds ?? []) announced.add(id);
    });
    await listener.query(`LISTEN ${CHANNEL}`);
    try {
      const t = await createTrigger(svc.url, svc.adminKey, { name: 'session-events', agent: 'triage', inputs: [{ name: 'n', path: '$.n', type: 'NUMBER' }] });
      const accepted = await Promise.all(Array.from({ length: 5 }, (_, n) => post(t.url, standardWebhooks(t.secret, JSON.stringify({ n })))));
      assert.ok(accepted.every((a) => a.status === 202));
      const { rows } = await until(async () => {
        const res = await svc.services.pool.query<{ id: string }>('SELECT id FROM outbound_delivery WHERE subscription_id = $1', [sub]);
        return res.rows.length >= 5 ? res : undefined;
      }, 'the five session.created deliveries');
      await until(() => rows.every((d) => announced.has(d.id)), 'each announced on creation');

      // The session's events: session.created (stored with it), then what the runtime published about it.
      const first = accepted[0]!.json as { deliveryId: string; sessionId: string };
      const shown = await until(async () => {
        const { node } = await gqlOk<{ node: { mappedInputs: unknown; session: { id: string; events: Array<{ type: string }> } } }>(svc.url, svc.adminKey, REQUEST, { id: first.deliveryId });
        return node.session.events.some((e) => e.type === 'session.finished') ? node : undefined;
      }, 'the runtime\'s session.finished');
      assert.equal(shown.session.id, first.sessionId);
      assert.equal(shown.session.events[0]!.type, 'session.created');
      assert.deepEqual(shown.mappedInputs, { n: 0 });
    } finally {
      await listener.end();
    }
  });

  it('costs a session\'s events in the cost limit: 100 sessions with their events are refused', async () => {
    const res = await gql(svc.url, svc.adminKey, '{ sessions(first: 100) { edges { node { id events { id } } } } }');
    assert.equal(res.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    const ok = await gql(svc.url, svc.adminKey, '{ sessions(first: 20) { edges { node { id events { id } } } } }');
    assert.equal(ok.errors, undefined);
  });
});
