// Delivery across worker processes (SPEC §3, §7): per-subscription rate limits and concurrency caps
// hold across two workers without delaying other subscriptions, a worker killed with SIGKILL in the
// middle of a burst (or while it holds maxConcurrency slots) loses nothing, and one stopped with
// SIGTERM mid-batch records its batch before it exits.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { withTransaction } from '../../src/platform/db/pool.ts';
import { insertEvents } from '../../src/events/outbox.ts';
import { createTestDatabase, dropTestDatabase } from '../support/db.ts';
import { type GatewayProcess, spawnGateway } from '../support/process.ts';
import { gate, startReceiver, type Receiver } from '../support/receiver.ts';
import { gql, startTestService, type TestService } from '../support/service.ts';
import { until } from '../support/wait.ts';

const CREATE = `mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { id status } } }`;


describe('delivery workers', () => {
  let databaseUrl: string;
  let api: TestService;
  let env: Record<string, string>;
  const workers: GatewayProcess[] = [];
  const receivers: Receiver[] = [];
  const startWorker = async () => {
    const w = spawnGateway(env, { args: ['--role', 'worker'] });
    workers.push(w);
    await w.waitForLog('webhook gateway started');
    return w;
  };
  const receiver = async () => {
    const r = await startReceiver({ https: true });
    receivers.push(r);
    return r;
  };
  const subscribe = async (r: Receiver, input: Record<string, unknown>) => {
    const res = await gql(api.url, api.adminKey, CREATE, { i: { url: `${r.url}/hook`, tls: r.subscriptionTls, ...input } });
    assert.equal(res.data?.createWebhookSubscription.subscription.status, 'ACTIVE', JSON.stringify(res.errors));
    r.received.length = 0;
    return res.data!.createWebhookSubscription.subscription.id as string;
  };
  /** Publishes through the real fan-out path, 200 events per transaction. */
  const burst = async (type: string, n: number, data: (i: number) => Record<string, unknown>) => {
    for (let i = 0; i < n; i += 200) {
      await withTransaction(api.services.pool, (client) => insertEvents(client, api.services.boss,
        Array.from({ length: Math.min(200, n - i) }, (_, k) => ({ workspaceId: api.workspaceId, type, data: data(i + k) }))));
    }
  };

  before(async () => {
    databaseUrl = await createTestDatabase();
    const masterKey = randomBytes(32).toString('base64');
    env = { DATABASE_URL: databaseUrl, MASTER_KEY: masterKey, ALLOW_PRIVATE_TARGETS: 'true', PORT: '0', DELIVERY_RETRY_SCHEDULE: '200ms,500ms,1s' };
    api = await startTestService({ ...env, ROLE: 'api' });
  });
  after(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await api.stop();
    for (const r of receivers) await r.close();
    await dropTestDatabase(databaseUrl);
  });

  // How long the unlimited subscription takes beside the limited one is measured by
  // bench/outbound.ts (a relative speed, not something to assert here).
  it('holds a 50/s rate limit and a concurrency cap across two workers, and delivers every subscription\'s events', async () => {
    await startWorker();
    await startWorker();
    const [limited, free, capped] = [await receiver(), await receiver(), await receiver()];
    const limitedId = await subscribe(limited, { events: ['tool.called'], rateLimitPerSecond: 50 });
    await subscribe(free, { events: ['tool.called'] });
    const cappedId = await subscribe(capped, { events: ['session.archived', 'tool.error'], maxConcurrency: 2 });
    capped.respond(() => ({ status: 200, delayMs: 150 }));
    // Ten times what the limit lets through in a second, published at once.
    const N = 500;
    await burst('tool.called', N, (i) => ({ sessionId: 's', tool: 'grep', arguments: { i } }));
    await burst('tool.error', 20, (i) => ({ sessionId: 's', tool: 'grep', error: { message: `e${i}` } }));

    await until(() => free.received.length >= N, 'the unlimited subscription', 30_000);
    await until(() => capped.received.length >= 20, 'the capped subscription', 30_000);
    assert.equal(capped.maxInFlight(), 2, 'never more than maxConcurrency requests at once, across both workers');

    await until(() => new Set(limited.received.map((r) => r.headers['webhook-id'])).size >= N, 'the rate-limited subscription', 60_000);
    // The limit, as the attempts' own start times show it: no second saw more than 50.
    const { rows } = await api.services.pool.query<{ second: string; n: number }>(
      `SELECT floor(extract(epoch FROM a.started_at))::text AS second, count(*)::int AS n
       FROM delivery_attempt a JOIN outbound_delivery d ON d.id = a.delivery_id WHERE d.subscription_id = $1
       GROUP BY 1 ORDER BY n DESC LIMIT 1`, [limitedId]);
    assert.ok(rows[0]!.n <= 50, `at most 50 attempts started in any second, saw ${rows[0]!.n}`);
    const { rows: c } = await api.services.pool.query(`SELECT count(*)::int AS n FROM outbound_delivery WHERE subscription_id = $1 AND status = 'SUCCEEDED'`, [cappedId]);
    assert.equal(c[0].n, 20);
  });

  it('loses nothing when a worker is killed with SIGKILL mid-burst: every delivery arrives after a restart, duplicates share the webhook-id', async () => {
    for (const w of workers.splice(0)) {
      w.child.kill('SIGTERM');
      await w.exited;
    }
    const rs = [await receiver(), await receiver(), await receiver()];
    for (const r of rs) {
      await subscribe(r, { events: ['review.completed'] });
      r.respond(() => ({ status: 200, delayMs: 5 }));
    }
    const worker = await startWorker();
    await burst('review.completed', 1000, (i) => ({ sessionId: 's', reviewId: `r${i}`, verdict: 'ok' }));
    await until(() => rs.reduce((n, r) => n + r.received.length, 0) >= 600, 'a third of the burst', 60_000);
    worker.child.kill('SIGKILL');
    await worker.exited;
    const atKill = rs.map((r) => r.received.length);
    await startWorker();
    await until(() => rs.every((r) => new Set(r.received.map((x) => x.headers['webhook-id'])).size >= 1000), 'every delivery after the restart', 90_000);
    for (const [i, r] of rs.entries()) {
      const ids = r.received.map((x) => String(x.headers['webhook-id']));
      assert.equal(new Set(ids).size, 1000, `receiver ${i} got every event`);
      assert.ok(ids.every((id) => id.startsWith('evt_')));
      assert.ok(atKill[i]! < 1000, 'the kill came before the burst was through');
    }
    // Duplicates (an attempt cut off by the kill and sent again) carry the same webhook-id, so a
    // receiver deduplicates them; the rows say every delivery SUCCEEDED.
    // (a batch's attempts are recorded just after its requests are answered)
    const statuses = async () => (await api.services.pool.query(`SELECT status, count(*)::int AS n FROM outbound_delivery d JOIN event e ON e.id = d.event_id WHERE e.type = 'review.completed' GROUP BY status`)).rows;
    await until(async () => JSON.stringify(await statuses()) === JSON.stringify([{ status: 'SUCCEEDED', n: 3000 }]), 'every delivery recorded SUCCEEDED', 30_000);
  });

  const stopWorkers = async () => {
    for (const w of workers.splice(0)) {
      if (w.child.exitCode !== null) continue;
      w.child.kill('SIGTERM');
      await w.exited;
    }
  };
  const deliveriesOf = async (subscriptionId: string) =>
    (await api.services.pool.query<{ id: string; status: string; attempt_count: number; event_id: string }>(
      'SELECT id, status, attempt_count, event_id FROM outbound_delivery WHERE subscription_id = $1', [subscriptionId])).rows;

  it('a worker killed while it holds maxConcurrency slots: the slots come back, the cap holds, every delivery arrives', async () => {
    await stopWorkers();
    const rx = await receiver();
    const subId = await subscribe(rx, { events: ['import.completed'], maxConcurrency: 2, timeoutMs: 1000 });
    const hold = gate();
    rx.respond(() => ({ status: 200, until: hold.opened }));
    const worker = await startWorker();
    const imports = (from: number, n: number) => burst('import.completed', n, (i) => ({ importId: `imp_${from + i}`, source: 's3', itemsImported: i, itemsFailed: 0 }));
    await imports(0, 8);
    const parked = async () => (await api.services.pool.query('SELECT count(*)::int AS n FROM delivery_wait WHERE subscription_id = $1', [subId])).rows[0].n as number;
    await until(async () => rx.received.length === 2 && (await parked()) === 6, 'two requests in flight and six parked', 30_000);
    worker.child.kill('SIGKILL');
    await worker.exited;
    // Published while the dead worker's leases still hold both slots.
    await imports(8, 4);
    rx.respond(() => ({ status: 200, delayMs: 20 }));
    hold.open();
    await startWorker();

    await until(async () => (await deliveriesOf(subId)).filter((d) => d.status === 'SUCCEEDED').length === 12, 'every capped delivery SUCCEEDED', 60_000);
    assert.ok(rx.maxInFlight() <= 2, `at most maxConcurrency requests at once, saw ${rx.maxInFlight()}`);
    const ids = rx.received.map((r) => String(r.headers['webhook-id']));
    const events = (await deliveriesOf(subId)).map((d) => d.event_id);
    assert.deepEqual(new Set(ids), new Set(events), 'every event arrived');
    // Only the two attempts cut off by the kill were sent again.
    assert.ok(ids.length <= events.length + 2, `${ids.length} requests for ${events.length} events`);
    const { rows: [left] } = await api.services.pool.query(
      `SELECT (SELECT count(*)::int FROM delivery_lease WHERE subscription_id = $1 AND expires_at > now()) AS leases,
              (SELECT count(*)::int FROM delivery_wait WHERE subscription_id = $1) AS parked`, [subId]);
    assert.deepEqual(left, { leases: 0, parked: 0 });
  });

  it('SIGTERM during an in-flight batch: the worker records the batch and completes its jobs before it exits, nothing is sent twice', async () => {
    await stopWorkers();
    const rx = await receiver();
    const subId = await subscribe(rx, { events: ['hook.violation'], timeoutMs: 10_000 });
    const hold = gate();
    rx.respond(() => ({ status: 200, until: hold.opened }));
    const worker = await startWorker();
    await burst('hook.violation', 5, (i) => ({ hookId: `h${i}`, rule: 'r', severity: 'low', message: 'm' }));
    await until(() => rx.received.length === 5, 'five requests in flight', 30_000);
    worker.child.kill('SIGTERM');
    await worker.waitForLog('shutting down: draining requests and jobs');
    hold.open();
    assert.equal(await worker.exited, 0);

    const done = await deliveriesOf(subId);
    assert.deepEqual(done.map((d) => [d.status, d.attempt_count]), Array(5).fill(['SUCCEEDED', 1]));
    assert.deepEqual(rx.received.map((r) => r.headers['webhook-id']).sort(), done.map((d) => d.event_id).sort(), 'each event sent once');
    const { rows: jobs } = await api.services.pool.query(
      `SELECT state FROM pgboss.job WHERE name = 'outbound-delivery' AND data->'deliveryIds' ?| $1::text[]`, [done.map((d) => d.id)]);
    assert.ok(jobs.length > 0 && jobs.every((j) => j.state === 'completed'), JSON.stringify(jobs));
  });
});
