// The group-commit writers' pipelined connection (src/platform/db/pool.ts): a transaction is all or
// nothing even though its statements and COMMIT are written before any answer comes back;
// concurrent transactions never interleave on the one connection; with genericPlans its statements
// run on their generic plans; a lost connection is replaced.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { PipelinedConnection } from '../../src/platform/db/pool.ts';
import { createTestDatabase, dropTestDatabase, terminateConnections } from '../support/db.ts';

describe('PipelinedConnection', () => {
  let url: string;
  let pool: pg.Pool;
  let conn: PipelinedConnection;
  const rows = async () => (await pool.query<{ v: string }>('SELECT v FROM pipe_t ORDER BY v')).rows.map((r) => r.v);

  before(async () => {
    url = await createTestDatabase({ empty: true });
    pool = new pg.Pool({ connectionString: url, max: 2 });
    // The forced drop of the database at the end can end an idle client of this pool: without a
    // listener its error would be thrown at the test run (seen once in CI).
    pool.on('error', () => {});
    await pool.query('CREATE TABLE pipe_t (v text PRIMARY KEY)');
    conn = new PipelinedConnection(url);
  });
  after(async () => {
    await conn.end();
    await pool.end();
    await dropTestDatabase(url);
  });

  it('commits what was sent, unawaited, and throws the first failing statement of an aborted one, writing nothing', async () => {
    const ok = conn.transaction(async (p) => {
      void p.send('INSERT INTO pipe_t VALUES ($1)', ['a']);
      void p.send('INSERT INTO pipe_t VALUES ($1)', ['b']);
      return 'done';
    });
    // Started while the first is in flight: a duplicate key in its second statement, then more.
    const failing = conn.transaction(async (p) => {
      void p.send('INSERT INTO pipe_t VALUES ($1)', ['c']);
      void p.send('INSERT INTO pipe_t VALUES ($1)', ['a']);
      void p.send('INSERT INTO pipe_t VALUES ($1)', ['d']);
    });
    const third = conn.transaction(async (p) => {
      const { rows: [r] } = await p.send<{ n: number }>('SELECT count(*)::int AS n FROM pipe_t');
      void p.send('INSERT INTO pipe_t VALUES ($1)', [`e${r!.n}`]);
    });
    assert.equal(await ok, 'done');
    await assert.rejects(failing, (err: { code?: string }) => err.code === '23505');
    await third;
    // The third saw the first's two rows and none of the failed one's.
    assert.deepEqual(await rows(), ['a', 'b', 'e2']);
  });

  it('rolls back when the body throws after sending', async () => {
    await assert.rejects(conn.transaction(async (p) => {
      void p.send('INSERT INTO pipe_t VALUES ($1)', ['f']);
      throw new Error('changed my mind');
    }), /changed my mind/);
    assert.deepEqual(await rows(), ['a', 'b', 'e2']);
  });

  it('with genericPlans, runs a named statement on its generic plan from the first batch, the setting ending with each transaction', async () => {
    const generic = new PipelinedConnection(url, 'named', { genericPlans: true });
    try {
      // One-row batches, as a light load makes them: PostgreSQL would plan each one again.
      const statement = { name: 'pipe-batch', text: 'SELECT t.v FROM pipe_t t JOIN unnest($1::text[]) AS u(v) ON t.v = u.v' };
      let client: pg.PoolClient | undefined;
      const inside = await generic.transaction(async (p) => {
        client = p.client;
        return (await p.send<{ plan_cache_mode: string }>('SHOW plan_cache_mode')).rows[0]!.plan_cache_mode;
      });
      assert.equal(inside, 'force_generic_plan');
      for (let i = 0; i < 8; i++) await generic.transaction(async (p) => (await p.send(statement, [['a']])).rows);
      const plans = await generic.transaction(async (p) => (await p.send<{ generic_plans: number; custom_plans: number }>(
        'SELECT generic_plans::int, custom_plans::int FROM pg_prepared_statements WHERE name = $1', [statement.name])).rows);
      assert.deepEqual(plans, [{ generic_plans: 8, custom_plans: 0 }]);
      // Outside a transaction, on the same connection, the setting is the one every other connection has.
      const [{ rows: [outside] }, { rows: [elsewhere] }] = await Promise.all([
        client!.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode'), pool.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode')]);
      assert.equal(outside!.plan_cache_mode, elsewhere!.plan_cache_mode);
      assert.notEqual(outside!.plan_cache_mode, 'force_generic_plan');
    } finally {
      await generic.end();
    }
  });

  it('opens a new connection when the server dropped the old one', async () => {
    await conn.transaction(async (p) => void p.send('INSERT INTO pipe_t VALUES ($1)', ['f']));
    const terminated = await terminateConnections(url, 'webhook-gateway:writer');
    assert.equal(terminated.length, 1, 'the one pipelined connection of this test\'s database');
    // The first transaction may meet the dead connection (and fail) or a new one; the next gets a new one.
    await conn.transaction(async (p) => void p.send('INSERT INTO pipe_t VALUES ($1)', ['g'])).catch(() => {});
    await conn.transaction(async (p) => void p.send('INSERT INTO pipe_t VALUES ($1)', ['h']));
    assert.ok((await rows()).includes('h'));
    const { rows: writers } = await pool.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'webhook-gateway:writer'`);
    assert.equal(writers.length, 1);
    assert.notEqual(writers[0]!.pid, terminated[0]!.pid, 'a new connection');
  });
});
