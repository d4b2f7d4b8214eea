// Table statistics after a burst (platform/jobs/table-statistics.ts): an API process that publishes
// fills outbound_delivery, whose young statistics once left a flush reading its deliveries back by a
// sequential scan. Every role analyzes such a table itself instead of waiting for autovacuum, as
// the service role too (MAINTAIN), not only as a superuser.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { analyzeCoarsely, tablesDueForAnalyze } from '../../src/platform/jobs/table-statistics.ts';
import { type DatabaseRoles, createTestDatabase, dropTestDatabase, withDatabaseRoles } from '../support/db.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { gql, gqlOk, startTestService } from '../support/service.ts';
import type { TestService } from '../support/service.ts';
import { until } from '../support/wait.ts';

const MASTER_KEY = randomBytes(32).toString('base64');

describe('table statistics', () => {
  let databaseUrl: string;
  let roles: DatabaseRoles;
  let svc: TestService;
  let publisher: string;
  let r: Receiver;
  before(async () => {
    // The first start, with the owner's connection, migrates and grants the service role its rights;
    // then an API process runs as the service role alone, as in production.
    databaseUrl = await createTestDatabase();
    roles = await withDatabaseRoles(databaseUrl);
    const first = await startTestService({ DATABASE_URL: roles.serviceUrl, DATABASE_OWNER_URL: roles.ownerUrl, MASTER_KEY });
    try {
      publisher = (await gqlOk<{ createApiKey: { key: string } }>(first.url, first.adminKey, 'mutation { createApiKey(input: {name: "p", role: ADMIN}) { key } }')).createApiKey.key;
    } finally {
      await first.stop();
    }
    svc = await startTestService({ DATABASE_URL: roles.serviceUrl, ROLE: 'api', MASTER_KEY, ALLOW_PRIVATE_TARGETS: 'true', ALLOW_INSECURE_TARGETS: 'true' });
    r = await startReceiver();
  });
  after(async () => {
    await svc?.stop();
    await r?.close();
    if (databaseUrl) await dropTestDatabase(databaseUrl);
    await roles?.drop();
  });

  it('an API process, as the service role, analyzes outbound_delivery after publishing fills it', async () => {
    const { rows: [who] } = await svc.services.pool.query<{ role: string }>('SELECT current_user AS role');
    assert.equal(who!.role, roles.names.service);
    const sub = await gql(svc.url, publisher, 'mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { status } } }',
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

  describe('the keeper\'s ANALYZE', () => {
    let db: string;
    let pool: pg.Pool;
    // One connection: the one each ANALYZE ran on answers SHOW.
    const target = async () => (await pool.query<{ default_statistics_target: string }>('SHOW default_statistics_target')).rows[0]!.default_statistics_target;
    before(async () => {
      db = await createTestDatabase();
      pool = new pg.Pool({ connectionString: db, max: 1 });
      pool.on('error', () => {});
      // Autovacuum's own ANALYZE of event would replace the statistics read below.
      await pool.query('ALTER TABLE event SET (autovacuum_enabled = off)');
      await pool.query("INSERT INTO workspace (id, name) VALUES ('wsp_sample', 'sample')");
      await pool.query(`INSERT INTO event (id, workspace_id, type, body) SELECT 'evt_sample' || lpad(i::text, 6, '0'), 'wsp_sample', 'tool.called', '{}' FROM generate_series(1, 20000) i`);
    });
    after(async () => {
      await pool?.end();
      if (db) await dropTestDatabase(db);
    });

    it('samples as statistics target 10: a histogram of 10 buckets where the server\'s target makes 100', async () => {
      assert.equal(await target(), '100', 'the server\'s target, which the keeper\'s must differ from for this test to mean anything');
      await analyzeCoarsely(pool, 'public.event');
      // 20,000 distinct ids: the histogram has one bound more than its buckets.
      const { rows: [stats] } = await pool.query<{ bounds: number; analyzed: string }>(
        `SELECT array_length(s.histogram_bounds::text::text[], 1) AS bounds, t.analyze_count AS analyzed
         FROM pg_stats s JOIN pg_stat_user_tables t ON t.relname = s.tablename WHERE s.tablename = 'event' AND s.attname = 'id'`);
      assert.equal(Number(stats!.analyzed), 1, 'the keeper\'s ANALYZE ran (it skips a table locked by another)');
      assert.equal(stats!.bounds, 11);
    });

    it('leaves the pooled connection at the server\'s target, after a failed ANALYZE too', async () => {
      await analyzeCoarsely(pool, 'public.event');
      assert.equal(await target(), '100', 'after an ANALYZE');
      await assert.rejects(analyzeCoarsely(pool, 'public.no_such_table'), /no_such_table/);
      assert.equal(await target(), '100', 'after a failed ANALYZE');
    });
  });

  it('leaves a table whose statistics already count 100,000 rows to autovacuum, and analyzes a younger one', async () => {
    const db = await createTestDatabase();
    const pool = new pg.Pool({ connectionString: db, max: 1 });
    pool.on('error', () => {}); // as in pipelined-connection.test.ts: the forced drop may end its idle client
    try {
      // Writes reach the statistics only when the writing backend flushes them: one connection
      // writes and flushes, so the counts are there when it asks.
      const write = async (sql: string) => {
        await pool.query(sql);
        await pool.query('SELECT pg_stat_force_next_flush()');
      };
      await write("INSERT INTO workspace (id, name) VALUES ('wsp_stats', 'stats')");
      const events = (from: number, to: number) => `INSERT INTO event (id, workspace_id, type, body)
        SELECT 'evt_stats' || i, 'wsp_stats', 'tool.called', '{}' FROM generate_series(${from}, ${to}) i`;
      await write(events(1, 1500));
      assert.ok((await tablesDueForAnalyze(pool)).includes('public.event'), 'a young table that changed is due');
      await write(events(1501, 101_000));
      await pool.query('ANALYZE event');
      await write(events(101_001, 135_000));
      // Changed enough to be due by the 20 % rule: only the bound leaves it out.
      const { rows: [stats] } = await pool.query<{ mods: string; live: string; reltuples: number }>(
        "SELECT s.n_mod_since_analyze AS mods, s.n_live_tup AS live, c.reltuples FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid WHERE s.relname = 'event'");
      assert.ok(Number(stats!.mods) > 0.2 * Number(stats!.live) && stats!.reltuples >= 100_000, JSON.stringify(stats));
      assert.ok(!(await tablesDueForAnalyze(pool)).includes('public.event'), 'a table counted past 100,000 rows is left to autovacuum');
    } finally {
      await pool.end();
      await dropTestDatabase(db);
    }
  });
});
