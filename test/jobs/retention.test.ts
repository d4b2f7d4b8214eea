import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { newId } from '../../src/platform/ids.ts';
import { removeExpiredRows, retention } from '../../src/workspaces/retention-job.ts';
import { createWorkspace } from '../../src/workspaces/workspaces.ts';
import { gql, gqlOk, startTestService, type TestService, within } from '../support/service.ts';
import { until } from '../support/wait.ts';

const DAY = 86_400_000;

interface Seeded { session: string; inbound: string; event: string; delivery: string }

/** A workspace's trigger and subscription, which the seeded rows hang off. */
async function parents(pool: pg.Pool, workspaceId: string): Promise<{ trigger: string; subscription: string }> {
  const trigger = newId('trigger');
  const subscription = newId('subscription');
  await pool.query(`INSERT INTO trigger (id, workspace_id, name, agent) VALUES ($1, $2, $1, 'a')`, [trigger, workspaceId]);
  await pool.query(`INSERT INTO webhook_subscription (id, workspace_id, url, events) VALUES ($1, $2, 'https://example.com/h', '{}')`, [subscription, workspaceId]);
  return { trigger, subscription };
}

/**
 * One request's worth of rows, `ageDays` old, as the gateway writes them: the inbound delivery and
 * its session, an event with one delivery to the subscription and two attempts.
 */
async function seed(pool: pg.Pool, workspaceId: string, p: { trigger: string; subscription: string }, ageDays: number,
  status: { session?: string; delivery?: string } = {}): Promise<Seeded> {
  const at = new Date(Date.now() - ageDays * DAY);
  const ids = { session: newId('session'), inbound: newId('inboundDelivery'), event: newId('event'), delivery: newId('delivery') };
  await pool.query(`INSERT INTO session (id, workspace_id, agent, trigger_id, status, created_at) VALUES ($1, $2, 'a', $3, $4, $5)`,
    [ids.session, workspaceId, p.trigger, status.session ?? 'SUCCEEDED', at]);
  await pool.query(`INSERT INTO inbound_delivery (id, workspace_id, trigger_id, received_at, outcome, status_code, payload_sha256, payload_bytes, session_id)
    VALUES ($1, $2, $3, $4, 'ACCEPTED', 202, 'x', 2, $5)`, [ids.inbound, workspaceId, p.trigger, at, ids.session]);
  await pool.query(`INSERT INTO event (id, workspace_id, type, body, session_id, created_at) VALUES ($1, $2, 'session.created', '{}', $3, $4)`,
    [ids.event, workspaceId, ids.session, at]);
  await pool.query(`INSERT INTO outbound_delivery (id, workspace_id, event_id, subscription_id, status, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
    [ids.delivery, workspaceId, ids.event, p.subscription, status.delivery ?? 'SUCCEEDED', at]);
  await pool.query(`INSERT INTO delivery_attempt (delivery_id, number, started_at, duration_ms, outcome) VALUES ($1, 1, $2, 5, 'FAILED'), ($1, 2, $2, 5, 'SUCCEEDED')`,
    [ids.delivery, at]);
  return ids;
}

/** Which of the seeded rows are still there, per table. */
async function present(pool: pg.Pool, s: Seeded): Promise<Record<keyof Seeded | 'attempts', boolean>> {
  const { rows } = await pool.query(`SELECT
      EXISTS (SELECT 1 FROM session WHERE id = $1) AS session, EXISTS (SELECT 1 FROM inbound_delivery WHERE id = $2) AS inbound,
      EXISTS (SELECT 1 FROM event WHERE id = $3) AS event, EXISTS (SELECT 1 FROM outbound_delivery WHERE id = $4) AS delivery,
      EXISTS (SELECT 1 FROM delivery_attempt WHERE delivery_id = $4) AS attempts`, [s.session, s.inbound, s.event, s.delivery]);
  return rows[0];
}

const ALL = { session: true, inbound: true, event: true, delivery: true, attempts: true };
const NONE = { session: false, inbound: false, event: false, delivery: false, attempts: false };

describe('retention (SPEC §14)', () => {
  let svc: TestService;
  let pool: pg.Pool;
  before(async () => {
    // Replay window 240 h = 10 days: the shortest retention a workspace may have.
    svc = await startTestService({ RETENTION_DAYS: '30', REPLAY_WINDOW_HOURS: '240', RETENTION_BATCH_SIZE: '5' });
    pool = svc.services.pool;
  });
  after(() => svc.stop());

  it('an ADMIN sets the workspace retention through GraphQL; out-of-range values are refused naming retentionDays', async () => {
    const SETTINGS = 'mutation($days: Int) { updateWorkspaceSettings(input: {retentionDays: $days}) { workspace { retentionDays retentionDaysOverride } } }';
    const me = async () => (await gqlOk(svc.url, svc.adminKey, '{ me { workspace { retentionDays retentionDaysOverride } } }')).me.workspace;
    assert.deepEqual(await me(), { retentionDays: 30, retentionDaysOverride: null });
    assert.deepEqual((await gqlOk(svc.url, svc.adminKey, SETTINGS, { days: 45 })).updateWorkspaceSettings.workspace, { retentionDays: 45, retentionDaysOverride: 45 });
    assert.deepEqual(await me(), { retentionDays: 45, retentionDaysOverride: 45 });
    // Omitted leaves it; null returns to RETENTION_DAYS.
    await gqlOk(svc.url, svc.adminKey, 'mutation { updateWorkspaceSettings(input: {}) { workspace { id } } }');
    assert.deepEqual(await me(), { retentionDays: 45, retentionDaysOverride: 45 });
    for (const days of [9, 3651, -1]) {
      const r = await gql(svc.url, svc.adminKey, SETTINGS, { days });
      assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
      assert.equal(r.errors?.[0]?.extensions?.field, 'retentionDays');
      assert.match(r.errors![0]!.message, /from 10 \(the replay window, REPLAY_WINDOW_HOURS=240\) to 3650/);
    }
    const viewer = (await gqlOk(svc.url, svc.adminKey, 'mutation { createApiKey(input: {name: "v", role: VIEWER}) { key } }')).createApiKey.key;
    const refused = await gql(svc.url, viewer, SETTINGS, { days: 12 });
    assert.equal(refused.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    assert.deepEqual((await gqlOk(svc.url, svc.adminKey, SETTINGS, { days: null })).updateWorkspaceSettings.workspace, { retentionDays: 30, retentionDaysOverride: null });
  });

  it('removes each kind of row past its workspace retention, keeps newer ones and what pending or unfinished work needs', async () => {
    const mine = await parents(pool, svc.workspaceId);
    const old = await seed(pool, svc.workspaceId, mine, 31);
    const fresh = await seed(pool, svc.workspaceId, mine, 29);
    const pendingDelivery = await seed(pool, svc.workspaceId, mine, 40, { delivery: 'PENDING' });
    const running = await seed(pool, svc.workspaceId, mine, 40, { session: 'RUNNING' });
    const queued = await seed(pool, svc.workspaceId, mine, 40, { session: 'PENDING' });
    // Another workspace keeps 60 days: its 40-day-old rows stay, its 61-day-old ones go.
    const other = await createWorkspace(svc.services.db, 'keeps-longer');
    await gqlOk(svc.url, other.adminKey, 'mutation { updateWorkspaceSettings(input: {retentionDays: 60}) { workspace { id } } }');
    const theirs = await parents(pool, other.workspace.id);
    const theirsKept = await seed(pool, other.workspace.id, theirs, 40);
    const theirsOld = await seed(pool, other.workspace.id, theirs, 61);

    const removed = await removeExpiredRows(svc.services);
    assert.equal(removed.finished, true);
    assert.deepEqual(await present(pool, old), NONE);
    assert.deepEqual(await present(pool, fresh), ALL);
    assert.deepEqual(await present(pool, theirsKept), ALL);
    assert.deepEqual(await present(pool, theirsOld), NONE);
    // A PENDING delivery keeps itself, its attempts and its event; the finished session and request go.
    assert.deepEqual(await present(pool, pendingDelivery), { session: false, inbound: false, event: true, delivery: true, attempts: true });
    // An unfinished session keeps itself and the request that started it.
    for (const s of [running, queued]) assert.deepEqual(await present(pool, s), { session: true, inbound: true, event: false, delivery: false, attempts: false });
    const { outboundDeliveries, attempts, events, inboundDeliveries, sessions } = removed;
    assert.deepEqual({ outboundDeliveries, attempts, events, inboundDeliveries, sessions }, { outboundDeliveries: 4, attempts: 8, events: 4, inboundDeliveries: 3, sessions: 3 });
  });

  it('removes the charts\' per-minute rollups past the workspace retention, keeping newer ones', async () => {
    const row = (sub: string, daysAgo: number) => pool.query(
      `INSERT INTO delivery_stat_minute (subscription_id, minute, outcome, workspace_id, attempts, duration_ms_sum, latency)
       VALUES ($1, date_trunc('minute', now() - make_interval(days => $2)), 'SUCCEEDED', $3, 1, 5, '{1,0,0,0,0,0,0,0,0,0,0,0,0}')`, [sub, daysAgo, svc.workspaceId]);
    await row('sub_0000000000retentionstats01', 31);
    await row('sub_0000000000retentionstats02', 29);
    const removed = await removeExpiredRows(svc.services);
    assert.equal(removed.deliveryStats, 1);
    const { rows } = await pool.query('SELECT subscription_id FROM delivery_stat_minute WHERE subscription_id LIKE $1', ['%retentionstats%']);
    assert.deepEqual(rows.map((r) => r.subscription_id), ['sub_0000000000retentionstats02']);
  });

  it('never removes before the replay window, even for a setting saved under a shorter one; replay memory is left alone', async () => {
    const w = await createWorkspace(svc.services.db, 'old-setting');
    // Saved when the replay window was 5 days; the window is 10 days now.
    await pool.query('UPDATE workspace SET retention_days = 5 WHERE id = $1', [w.workspace.id]);
    assert.equal((await gqlOk(svc.url, w.adminKey, '{ me { workspace { retentionDays retentionDaysOverride } } }')).me.workspace.retentionDays, 10);
    const p = await parents(pool, w.workspace.id);
    const inWindow = await seed(pool, w.workspace.id, p, 9);
    const past = await seed(pool, w.workspace.id, p, 11);
    await pool.query(`INSERT INTO inbound_message (trigger_id, message_id, delivery_id, session_id, accepted_at) VALUES ($1, 'msg_1', $2, $3, now() - interval '9 days')`,
      [p.trigger, inWindow.inbound, inWindow.session]);
    await removeExpiredRows(svc.services);
    assert.deepEqual(await present(pool, inWindow), ALL);
    assert.deepEqual(await present(pool, past), NONE);
    assert.equal((await pool.query(`SELECT 1 FROM inbound_message WHERE trigger_id = $1`, [p.trigger])).rowCount, 1);
  });

  it('works in statements of at most RETENTION_BATCH_SIZE rows, and stops at its budget for the next run to carry on', async () => {
    const w = await createWorkspace(svc.services.db, 'backlog');
    const p = await parents(pool, w.workspace.id);
    const at = new Date(Date.now() - 40 * DAY);
    const sessions = Array.from({ length: 12 }, () => newId('session'));
    await pool.query(`INSERT INTO session (id, workspace_id, agent, trigger_id, status, created_at) SELECT id, $2, 'a', $3, 'FAILED', $4 FROM unnest($1::text[]) AS id`,
      [sessions, w.workspace.id, p.trigger, at]);
    const left = async () => (await pool.query('SELECT count(*)::int AS n FROM session WHERE id = ANY($1)', [sessions])).rows[0].n as number;

    const stopped = await removeExpiredRows(svc.services, { maxBatches: 1 });
    assert.deepEqual([stopped.batches, stopped.finished], [1, false]);
    const r = await removeExpiredRows(svc.services);
    assert.deepEqual([r.sessions, r.largestBatch, r.finished], [12, 5, true]);
    assert.ok(r.batches >= 3, `12 rows in statements of at most 5: ${r.batches} statements`);
    assert.equal(await left(), 0);
  });

  it('passes over rows another transaction holds (a delivery being recorded, a session being finished) instead of waiting for them', async () => {
    const p = await parents(pool, svc.workspaceId);
    const held = await seed(pool, svc.workspaceId, p, 31);
    const holder = await pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM outbound_delivery WHERE id = $1 FOR UPDATE', [held.delivery]);
      await holder.query('SELECT 1 FROM session WHERE id = $1 FOR UPDATE', [held.session]);
      await within(removeExpiredRows(svc.services), 10_000, 'retention beside held rows');
      // The held delivery keeps its event; the request, whose row nobody holds, goes.
      assert.deepEqual(await present(pool, held), { session: true, inbound: false, event: true, delivery: true, attempts: true });
      await holder.query('COMMIT');
    } finally {
      holder.release();
    }
    await removeExpiredRows(svc.services);
    assert.deepEqual(await present(pool, held), NONE);
  });

  it('is a scheduled job that a worker runs, counting what it removed in /metrics', async () => {
    const schedules = await svc.services.boss.getSchedules(retention.name);
    assert.equal(schedules.length, 1);
    assert.equal(schedules[0]!.cron, retention.schedule);
    const p = await parents(pool, svc.workspaceId);
    const old = await seed(pool, svc.workspaceId, p, 31);
    const job = await svc.services.boss.send(retention.name, {});
    assert.ok(job, 'the job was queued');
    await until(async () => (await svc.services.boss.getJobById(retention.name, job))?.state === 'completed', 'the retention job completed', 15_000);
    assert.deepEqual(await present(pool, old), NONE);
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    for (const table of ['outbound_delivery', 'delivery_attempt', 'event', 'inbound_delivery', 'session']) {
      assert.match(metrics, new RegExp(`^webhook_gateway_retention_removed_total\\{table="${table}"\\} [1-9]`, 'm'));
    }
  });
});
