// The delivery sweeper (SPEC §7, §15): no delivery stays PENDING without a job. Run directly, never
// on its schedule, against an API-only gateway (no worker takes the jobs meanwhile); then a real
// worker process delivers what it queued.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sweep } from '../../src/outbound/delivery-sweeper.ts';
import { createTestDatabase, dropTestDatabase } from '../support/db.ts';
import { type GatewayProcess, spawnGateway } from '../support/process.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { gql, startTestService, type TestService } from '../support/service.ts';
import { until } from '../support/wait.ts';

const CREATE = `mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { id status } } }`;
const PUBLISH = 'mutation($i: PublishEventInput!) { publishEvent(input: $i) { event { id } } }';


describe('delivery sweeper', () => {
  let databaseUrl: string;
  let env: Record<string, string>;
  let api: TestService;
  let worker: GatewayProcess | undefined;
  let r: Receiver;
  let other: Receiver;

  before(async () => {
    databaseUrl = await createTestDatabase();
    env = { DATABASE_URL: databaseUrl, MASTER_KEY: randomBytes(32).toString('base64'), ALLOW_PRIVATE_TARGETS: 'true', PORT: '0' };
    api = await startTestService({ ...env, ROLE: 'api' });
    [r, other] = [await startReceiver({ https: true }), await startReceiver({ https: true })];
  });
  after(async () => {
    if (worker && worker.child.exitCode === null) {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
    await api.stop();
    await r.close();
    await other.close();
    await dropTestDatabase(databaseUrl);
  });

  it('queues again only the PENDING deliveries overdue past their job expiry without a live job, wakes parked ones when a slot frees, and a worker then delivers each once', async () => {
    const { pool } = api.services;
    const q = async <T extends Record<string, any>>(text: string, values: unknown[] = []) => (await pool.query<T>(text, values)).rows;
    const subscribe = async (rx: Receiver, input: Record<string, unknown>) => {
      const res = await gql(api.url, api.adminKey, CREATE, { i: { url: `${rx.url}/hook`, tls: rx.subscriptionTls, ...input } });
      assert.equal(res.data?.createWebhookSubscription.subscription.status, 'ACTIVE', JSON.stringify(res.errors));
      rx.received.length = 0;
      return res.data!.createWebhookSubscription.subscription.id as string;
    };
    const capped = await subscribe(r, { events: ['tool.called', 'tool.error'], maxConcurrency: 1 });
    await subscribe(other, { events: ['tool.error'] });
    const key = (await gql(api.url, api.adminKey, 'mutation { createApiKey(input: {name: "p", role: PUBLISHER}) { key } }')).data!.createApiKey.key;
    const publish = async (type: string, data: Record<string, unknown>) => {
      const eventId = (await gql(api.url, key, PUBLISH, { i: { type, data } })).data!.publishEvent.event.id as string;
      return (await q<{ id: string }>('SELECT id FROM outbound_delivery WHERE event_id = $1 AND subscription_id = $2', [eventId, capped]))[0]!.id;
    };
    const called = (n: number) => publish('tool.called', { sessionId: 's', tool: 'grep', arguments: { n } });
    const lost = await called(1);
    // This event's job names two deliveries: the capped subscription's and the other's.
    const queued = await publish('tool.error', { sessionId: 's', tool: 'grep', error: { message: 'x' } });
    const recent = await called(2);
    const parked = await called(3);
    const jobsNaming = async (id: string) =>
      q<{ state: string }>(`SELECT state FROM pgboss.job WHERE name = 'outbound-delivery' AND data->'deliveryIds' ? $1 ORDER BY created_on`, [id]);
    assert.equal((await jobsNaming(queued)).length, 1);

    // Lost jobs (as when their retries were spent on expiries), and next attempts long overdue;
    // `recent` is overdue by less than its job's expiry (2 s timeout + 3 s), so it may still be in flight.
    await q(`DELETE FROM pgboss.job WHERE name = 'outbound-delivery' AND data->'deliveryIds' ?| $1::text[]`, [[lost, recent, parked]]);
    await q(`UPDATE outbound_delivery SET next_attempt_at = now() - interval '1 minute' WHERE id = ANY($1::text[])`, [[lost, queued, parked]]);
    await q(`UPDATE outbound_delivery SET next_attempt_at = now() - interval '1 second' WHERE id = $1`, [recent]);
    // `parked` waits for the capped subscription's only slot, held by a worker that died.
    await q(`INSERT INTO delivery_wait (delivery_id, subscription_id, due_at) VALUES ($1, $2, now() - interval '1 minute')`, [parked, capped]);
    await q(`INSERT INTO delivery_lease (delivery_id, subscription_id, expires_at) VALUES ('dlv_held_by_the_dead', $1, now() + interval '1 hour')`, [capped]);
    await q(`INSERT INTO delivery_wait (delivery_id, subscription_id, due_at) VALUES ('dlv_gone', $1, now())`, [capped]);

    assert.deepEqual(await sweep(api.services), { requeued: 1, woken: 0, pruned: 1 });
    assert.deepEqual((await jobsNaming(lost)).map((j) => j.state), ['created']);
    assert.deepEqual((await jobsNaming(queued)).map((j) => j.state), ['created'], 'a delivery with a queued job is left alone');
    assert.deepEqual(await jobsNaming(recent), []);
    assert.deepEqual(await jobsNaming(parked), [], 'a parked delivery waits for its slot');
    const [moved] = await q<{ late: boolean }>(`SELECT next_attempt_at > now() - interval '5 seconds' AS late FROM outbound_delivery WHERE id = $1`, [lost]);
    assert.equal(moved!.late, true, 'the queued-again delivery is due now');
    assert.deepEqual(await sweep(api.services), { requeued: 0, woken: 0, pruned: 0 }, 'a second run queues nothing twice');

    // The dead worker's lease expires: the slot is free, the parked delivery is queued.
    await q(`UPDATE delivery_lease SET expires_at = now() - interval '1 second' WHERE delivery_id = 'dlv_held_by_the_dead'`);
    assert.deepEqual(await sweep(api.services), { requeued: 0, woken: 1, pruned: 0 });
    assert.deepEqual((await jobsNaming(parked)).map((j) => j.state), ['created']);

    worker = spawnGateway(env, { args: ['--role', 'worker'] });
    await worker.waitForLog('webhook gateway started');
    const done = async () => (await q<{ id: string }>(`SELECT id FROM outbound_delivery WHERE id = ANY($1::text[]) AND status = 'SUCCEEDED'`, [[lost, queued, parked]])).length === 3;
    await until(done, 'the swept deliveries SUCCEEDED', 30_000);
    const ids = r.received.map((x) => String(x.headers['webhook-id']));
    const events = await q<{ event_id: string }>('SELECT event_id FROM outbound_delivery WHERE id = ANY($1::text[])', [[lost, queued, parked]]);
    for (const { event_id } of events) assert.equal(ids.filter((id) => id === event_id).length, 1, `${event_id} delivered once`);
    assert.equal(other.received.length, 1);
  });
});
