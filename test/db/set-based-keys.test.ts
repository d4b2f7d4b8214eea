// The hot paths' six foreign keys, checked per statement (migration 20261207100000_set_based_keys):
// everything the keys gave, shown for each key. A row naming a missing parent is refused as the key
// refused it, in a statement of many rows too; deleting parents deletes their children; keys and
// ids never change; a parent whose children have rows cannot be truncated (CASCADE or not: truncate
// the children first); and the locks hold against a
// concurrent delete in both orders, so no child outlives its parent.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createTestDatabase, dropTestDatabase } from '../support/db.ts';
import { until } from '../support/wait.ts';

interface Key {
  name: string;
  child: string;
  column: string;
  parent: string;
  /** Inserts a child row naming `parentId`; `n` makes its own key unique. */
  insert: (parentId: string, n: number) => [string, unknown[]];
}

const KEYS: Key[] = [
  { name: 'event_workspace_id_fkey', child: 'event', column: 'workspace_id', parent: 'workspace',
    insert: (p, n) => ['INSERT INTO event (id, workspace_id, type, body) VALUES ($1, $2, $3, $4)', [`evt_k${n}`, p, 'tool.called', '{}']] },
  { name: 'session_workspace_id_fkey', child: 'session', column: 'workspace_id', parent: 'workspace',
    insert: (p, n) => ['INSERT INTO session (id, workspace_id, agent) VALUES ($1, $2, $3)', [`ses_k${n}`, p, 'agent']] },
  { name: 'outbound_delivery_event_id_fkey', child: 'outbound_delivery', column: 'event_id', parent: 'event',
    insert: (p, n) => ['INSERT INTO outbound_delivery (id, workspace_id, event_id, subscription_id) VALUES ($1, $2, $3, $4)', [`dlv_k${n}`, 'wsp_a', p, 'sub_a']] },
  { name: 'outbound_delivery_subscription_id_fkey', child: 'outbound_delivery', column: 'subscription_id', parent: 'webhook_subscription',
    insert: (p, n) => ['INSERT INTO outbound_delivery (id, workspace_id, event_id, subscription_id) VALUES ($1, $2, $3, $4)', [`dlv_k${n}`, 'wsp_a', `evt_p${n}`, p]] },
  { name: 'inbound_delivery_trigger_id_fkey', child: 'inbound_delivery', column: 'trigger_id', parent: 'trigger',
    insert: (p, n) => [`INSERT INTO inbound_delivery (id, workspace_id, trigger_id, outcome, status_code, payload_sha256, payload_bytes)
      VALUES ($1, $2, $3, 'ACCEPTED', 202, 'x', 1)`, [`ind_k${n}`, 'wsp_a', p]] },
  { name: 'inbound_message_trigger_id_fkey', child: 'inbound_message', column: 'trigger_id', parent: 'trigger',
    insert: (p, n) => ['INSERT INTO inbound_message (trigger_id, message_id, delivery_id) VALUES ($1, $2, $3)', [p, `msg_k${n}`, `ind_k${n}`]] },
];

/** A parent row of each parent table, under `id` (in workspace wsp_a, which exists). */
const PARENT: Record<string, (id: string) => [string, unknown[]]> = {
  workspace: (id) => ['INSERT INTO workspace (id, name) VALUES ($1, $1)', [id]],
  event: (id) => ["INSERT INTO event (id, workspace_id, type, body) VALUES ($1, 'wsp_a', 'tool.called', '{}')", [id]],
  webhook_subscription: (id) => ["INSERT INTO webhook_subscription (id, workspace_id, url, events) VALUES ($1, 'wsp_a', 'https://x.example/h', '{*}')", [id]],
  trigger: (id) => ["INSERT INTO trigger (id, workspace_id, name, agent) VALUES ($1, 'wsp_a', $1, 'agent')", [id]],
};

const refusedAs = (name: string, code = '23503') => (err: unknown) => {
  const e = err as pg.DatabaseError;
  assert.equal(e.code, code, e.message);
  assert.equal(e.constraint, name);
  return true;
};

describe('set-based foreign keys', () => {
  let url: string;
  let pool: pg.Pool;
  let n = 0;
  const q = (sql: string, values: unknown[] = []) => pool.query(sql, values);
  const count = async (table: string, column: string, id: string) =>
    Number((await q(`SELECT count(*)::int AS n FROM ${table} WHERE ${column} = $1`, [id])).rows[0].n);

  /** A fresh parent row of `key`'s parent table. */
  async function newParent(key: Key): Promise<string> {
    const id = `${key.parent.slice(0, 3)}_p${++n}`;
    await q(...PARENT[key.parent]!(id));
    return id;
  }

  /** The INSERT of a child of `parentId`, its other parent in place (an outbound delivery has two). */
  async function child(key: Key, parentId: string): Promise<[string, unknown[]]> {
    const own = ++n;
    if (key.name === 'outbound_delivery_subscription_id_fkey') await q(...PARENT.event!(`evt_p${own}`));
    return key.insert(parentId, own);
  }

  /** A fresh parent of `key` with one child. */
  async function parentWithChild(key: Key): Promise<string> {
    const parentId = await newParent(key);
    await q(...(await child(key, parentId)));
    return parentId;
  }

  /** The refusal of a change to a parent's id names one of the keys onto that parent (the first trigger to fire). */
  const refusedByParentOf = (key: Key) => (err: unknown) =>
    refusedAs((err as pg.DatabaseError).constraint ?? '')(err) && KEYS.some((k) => k.parent === key.parent && k.name === (err as pg.DatabaseError).constraint);

  before(async () => {
    url = await createTestDatabase();
    pool = new pg.Pool({ connectionString: url, max: 6 });
    pool.on('error', () => {});
    await q("INSERT INTO workspace (id, name) VALUES ('wsp_a', 'a')");
    await q(...PARENT.event!('evt_a'));
    await q(...PARENT.webhook_subscription!('sub_a'));
  });
  after(async () => {
    await pool.end();
    await dropTestDatabase(url);
  });

  it('replaces exactly these six keys: no foreign key constraint of theirs is left', async () => {
    const { rows } = await q(`SELECT conname FROM pg_constraint WHERE contype = 'f' AND conname = ANY($1)`, [KEYS.map((k) => k.name)]);
    assert.deepEqual(rows, []);
  });

  for (const key of KEYS) {
    describe(key.name, () => {
      it('refuses a row naming a missing parent, as the key did, and a statement of many rows with one such row writes none', async () => {
        const missing = `${key.parent.slice(0, 3)}_missing`;
        await assert.rejects(q(...(await child(key, missing))), (err: pg.DatabaseError) => {
          refusedAs(key.name)(err);
          assert.equal(err.message, `insert or update on table "${key.child}" violates foreign key constraint "${key.name}"`);
          assert.equal(err.detail, `Key (${key.column})=(${missing}) is not present in table "${key.parent}".`);
          return true;
        });
        const before = Number((await q(`SELECT count(*)::int AS n FROM ${key.child}`)).rows[0].n);
        const [good, goodValues] = await child(key, await newParent(key));
        const [, badValues] = await child(key, missing);
        // The same INSERT with two rows: one good, one naming a missing parent.
        const twoRows = good.replace(/VALUES \((.*)\)/s, (_, row: string) =>
          `VALUES (${row}), (${row.replace(/\$(\d+)/g, (_m, i: string) => `$${Number(i) + goodValues.length}`)})`);
        await assert.rejects(q(twoRows, [...goodValues, ...badValues]), refusedAs(key.name));
        assert.equal(Number((await q(`SELECT count(*)::int AS n FROM ${key.child}`)).rows[0].n), before);
      });

      it('deletes the children with their parent', async () => {
        const parentId = await parentWithChild(key);
        assert.equal(await count(key.child, key.column, parentId), 1);
        await q(`DELETE FROM ${key.parent} WHERE id = $1`, [parentId]);
        assert.equal(await count(key.child, key.column, parentId), 0);
      });

      it("refuses to change a child's key or a parent's id", async () => {
        const parentId = await parentWithChild(key);
        const other = await newParent(key);
        await assert.rejects(q(`UPDATE ${key.child} SET ${key.column} = $2 WHERE ${key.column} = $1`, [parentId, other]), refusedAs(key.name));
        await assert.rejects(q(`UPDATE ${key.parent} SET id = $2 WHERE id = $1`, [parentId, `${parentId}_renamed`]), refusedByParentOf(key));
        assert.equal(await count(key.child, key.column, parentId), 1, 'nothing changed');
        assert.equal(await count(key.parent, 'id', parentId), 1);
      });

      it('a delete of the parent racing an insert of its child leaves no orphan, in either order', async () => {
        // The insert first: its lock makes the delete wait, which then deletes the new child too.
        const parentId = await newParent(key);
        const first = await child(key, parentId);
        const inserter = await pool.connect();
        const deleter = await pool.connect();
        try {
          await inserter.query('BEGIN');
          await inserter.query(...first);
          const deleterPid = (await deleter.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
          const deleted = deleter.query(`DELETE FROM ${key.parent} WHERE id = $1`, [parentId]);
          await until(async () => (await q("SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'", [deleterPid])).rowCount,
            'the delete to wait for the inserter');
          await inserter.query('COMMIT');
          await deleted;
          assert.equal(await count(key.child, key.column, parentId), 0, 'the child committed meanwhile was deleted with its parent');

          // The delete first: the insert waits for it, then is refused.
          const second = await newParent(key);
          const secondChild = await child(key, second);
          await deleter.query('BEGIN');
          await deleter.query(`DELETE FROM ${key.parent} WHERE id = $1`, [second]);
          const inserterPid = (await inserter.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
          const inserted = inserter.query(...secondChild).then(() => 'inserted', (err: unknown) => err);
          await until(async () => (await q("SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'", [inserterPid])).rowCount,
            'the insert to wait for the delete');
          await deleter.query('COMMIT');
          refusedAs(key.name)(await inserted);
          assert.equal(await count(key.child, key.column, second), 0);
        } finally {
          inserter.release();
          deleter.release();
        }
      });
    });
  }

  it('a parent inserted in the same statement as its children is found, and a rolled-back parent is not', async () => {
    await q(`WITH e AS (INSERT INTO event (id, workspace_id, type, body) VALUES ('evt_same', 'wsp_a', 't', '{}') RETURNING id)
             INSERT INTO outbound_delivery (id, workspace_id, event_id, subscription_id) SELECT 'dlv_same', 'wsp_a', id, 'sub_a' FROM e`);
    assert.equal(await count('outbound_delivery', 'event_id', 'evt_same'), 1);
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('SAVEPOINT s');
      await c.query(...PARENT.event!('evt_undone'));
      await c.query('ROLLBACK TO SAVEPOINT s');
      await assert.rejects(c.query(...(await child(KEYS[2]!, 'evt_undone'))), refusedAs('outbound_delivery_event_id_fkey'));
      await c.query('ROLLBACK');
    } finally {
      c.release();
    }
  });

  it("finds a statement's parents by index however much the parent table grew after its plan was made", async () => {
    // The check's plan is made at its first use in a session and kept until the table's statistics
    // change: here while `event` is empty, on a database of its own, with autovacuum kept off it.
    const own = await createTestDatabase();
    const db = new pg.Pool({ connectionString: own, max: 2 });
    db.on('error', () => {});
    const c = await db.connect();
    try {
      await c.query(`ALTER TABLE event SET (autovacuum_enabled = false);
        INSERT INTO workspace (id, name) VALUES ('wsp_a', 'a');
        INSERT INTO webhook_subscription (id, workspace_id, url, events) VALUES ('sub_a', 'wsp_a', 'https://x.example/h', '{*}')`);
      // A flush's worth of events and their deliveries in one statement, as publishing writes them.
      const fanOut = (prefix: string) => c.query(`WITH e AS (INSERT INTO event (id, workspace_id, type, body)
          SELECT $1 || i, 'wsp_a', 't', '{}' FROM generate_series(1, 25) i RETURNING id)
        INSERT INTO outbound_delivery (id, workspace_id, event_id, subscription_id) SELECT 'dlv_' || id, 'wsp_a', id, 'sub_a' FROM e`, [prefix]);
      await fanOut('evt_first');
      await db.query("INSERT INTO event (id, workspace_id, type, body) SELECT 'evt_grown' || i, 'wsp_a', 't', '{}' FROM generate_series(1, 20000) i");
      await c.query('BEGIN');
      await c.query("INSERT INTO outbound_delivery (id, workspace_id, event_id, subscription_id) VALUES ('dlv_grown', 'wsp_a', 'evt_grown7', 'sub_a')");
      await fanOut('evt_second');
      // On a table, the transaction's sequential scans; on an index, its scans.
      const { rows: [scans] } = await c.query(`SELECT pg_stat_get_xact_numscans('event'::regclass)::int AS sequential,
        (SELECT sum(pg_stat_get_xact_numscans(indexrelid))::int FROM pg_index WHERE indrelid = 'event'::regclass) AS by_index`);
      assert.ok(scans.by_index > 0, 'the checks probed the index');
      assert.equal(scans.sequential, 0, 'and never read the whole table');
      await c.query('ROLLBACK');
    } finally {
      c.release();
      await db.end();
      await dropTestDatabase(own);
    }
  });

  it('refuses to truncate a parent while its children have rows (event: referenced by set-based keys only)', async () => {
    await parentWithChild(KEYS[2]!);
    await assert.rejects(q('TRUNCATE event'), refusedAs('outbound_delivery_event_id_fkey', '0A000'));
    await assert.rejects(q('TRUNCATE event CASCADE'), refusedAs('outbound_delivery_event_id_fkey', '0A000'));
    assert.ok(Number((await q('SELECT count(*)::int AS n FROM event')).rows[0].n) > 0);
  });

  it('refuses to delete a parent at REPEATABLE READ, where its snapshot could miss a child committed meanwhile', async () => {
    const parentId = await parentWithChild(KEYS[2]!);
    const c = await pool.connect();
    try {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await assert.rejects(c.query('DELETE FROM event WHERE id = $1', [parentId]), (err: pg.DatabaseError) => err.code === '0A000' && /READ COMMITTED/.test(err.message));
      await c.query('ROLLBACK');
    } finally {
      c.release();
    }
    assert.equal(await count('outbound_delivery', 'event_id', parentId), 1);
  });

  it("deleting a workspace deletes its events' deliveries, sessions and triggers' requests through the keys' chain", async () => {
    await q("INSERT INTO workspace (id, name) VALUES ('wsp_gone', 'gone')");
    await q("INSERT INTO webhook_subscription (id, workspace_id, url, events) VALUES ('sub_gone', 'wsp_gone', 'https://x.example/h', '{*}')");
    await q("INSERT INTO event (id, workspace_id, type, body) VALUES ('evt_gone', 'wsp_gone', 't', '{}')");
    await q("INSERT INTO outbound_delivery (id, workspace_id, event_id, subscription_id) VALUES ('dlv_gone', 'wsp_gone', 'evt_gone', 'sub_gone')");
    await q("INSERT INTO delivery_attempt (delivery_id, number, started_at, duration_ms, outcome) VALUES ('dlv_gone', 1, now(), 5, 'SUCCEEDED')");
    await q("INSERT INTO session (id, workspace_id, agent) VALUES ('ses_gone', 'wsp_gone', 'a')");
    // Reached only through a built-in key's cascade (trigger -> workspace) and then a set-based one.
    await q("INSERT INTO trigger (id, workspace_id, name, agent) VALUES ('trg_gone', 'wsp_gone', 'gone', 'a')");
    await q(...KEYS[4]!.insert('trg_gone', ++n));
    await q(...KEYS[5]!.insert('trg_gone', ++n));
    // A delivery whose event stays: only the subscription's cascade (itself reached through the
    // workspace's built-in key) removes it.
    await q("INSERT INTO outbound_delivery (id, workspace_id, event_id, subscription_id) VALUES ('dlv_gone_sub', 'wsp_a', 'evt_a', 'sub_gone')");
    await q('DELETE FROM workspace WHERE id = $1', ['wsp_gone']);
    for (const [table, column, id] of [['event', 'workspace_id', 'wsp_gone'], ['outbound_delivery', 'workspace_id', 'wsp_gone'], ['session', 'workspace_id', 'wsp_gone'],
      ['delivery_attempt', 'delivery_id', 'dlv_gone'], ['inbound_delivery', 'trigger_id', 'trg_gone'], ['inbound_message', 'trigger_id', 'trg_gone'],
      ['outbound_delivery', 'id', 'dlv_gone_sub']] as const) {
      assert.equal(await count(table, column, id), 0, `${table} ${id}`);
    }
  });
});
