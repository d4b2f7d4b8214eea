import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MIGRATIONS_DIR, MigrationError, migrate } from '../../src/platform/db/migrator.ts';
import { createPool, type Pool } from '../../src/platform/db/pool.ts';
import { createTestDatabase, dropTestDatabase } from '../support/db.ts';

const migrationNames = readdirSync(MIGRATIONS_DIR).filter((n) => /^\d{14}_/.test(n)).sort();

describe('migrator', () => {
  let url: string;
  let pools: Pool[];
  before(async () => {
    url = await createTestDatabase({ empty: true });
    pools = [createPool(url, 2), createPool(url, 2), createPool(url, 2)];
  });
  after(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await dropTestDatabase(url);
  });

  it('applies every migration once when three processes start together (advisory lock)', async () => {
    const results = await Promise.all(pools.map((p) => migrate(p)));
    const applied = results.flat();
    assert.deepEqual(applied.sort(), migrationNames, 'each migration applied by exactly one of them');
    const { rows } = await pools[0]!.query('SELECT count(*)::int AS n FROM _prisma_migrations');
    assert.equal(rows[0].n, migrationNames.length);
  });

  it("records each migration in _prisma_migrations with Prisma's columns and the file's SHA-256", async () => {
    const { rows: columns } = await pools[0]!.query(
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    assert.deepEqual(
      columns.map((c) => `${c.column_name}:${c.data_type}:${c.is_nullable}`),
      [
        'id:character varying:NO', 'checksum:character varying:NO', 'finished_at:timestamp with time zone:YES',
        'migration_name:character varying:NO', 'logs:text:YES', 'rolled_back_at:timestamp with time zone:YES',
        'started_at:timestamp with time zone:NO', 'applied_steps_count:integer:NO',
      ],
    );
    const { rows } = await pools[0]!.query('SELECT * FROM _prisma_migrations ORDER BY migration_name');
    for (const [i, name] of migrationNames.entries()) {
      const file = readFileSync(path.join(MIGRATIONS_DIR, name, 'migration.sql'));
      assert.equal(rows[i].migration_name, name);
      assert.equal(rows[i].checksum, createHash('sha256').update(file).digest('hex'));
      assert.ok(rows[i].finished_at instanceof Date);
      assert.equal(rows[i].applied_steps_count, 1);
      assert.equal(rows[i].rolled_back_at, null);
      assert.match(rows[i].id, /^[0-9a-f-]{36}$/);
    }
  });

  it('does nothing on a database that is up to date', async () => {
    assert.deepEqual(await migrate(pools[0]!), []);
  });

  /** A copy of the migrations folder to edit, removed after the suite. */
  const copies: string[] = [];
  const migrationsCopy = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gw-migrations-'));
    copies.push(dir);
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    return dir;
  };
  after(() => {
    for (const dir of copies) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start when an applied migration was edited afterwards', async () => {
    const dir = migrationsCopy();
    const file = path.join(dir, migrationNames[0]!, 'migration.sql');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n-- edited\n`);
    await assert.rejects(migrate(pools[0]!, dir), (err: Error) => err instanceof MigrationError && /changed after it was applied/.test(err.message));
  });

  it('rolls back a failing migration whole and leaves no record of it', async () => {
    const dir = migrationsCopy();
    const bad = path.join(dir, '29991231000000_broken');
    cpSync(path.join(dir, migrationNames[0]!), bad, { recursive: true });
    writeFileSync(path.join(bad, 'migration.sql'), 'CREATE TABLE half_done (id int);\nSELECT no_such_function();\n');
    await assert.rejects(migrate(pools[0]!, dir), /29991231000000_broken failed/);
    const { rows } = await pools[0]!.query(`SELECT to_regclass('half_done') AS t, (SELECT count(*)::int FROM _prisma_migrations WHERE migration_name = '29991231000000_broken') AS n`);
    assert.deepEqual(rows[0], { t: null, n: 0 });
  });

  it('makes webhook_audit append-only for the application; only the owner\'s maintenance path may delete', async () => {
    const pool = pools[0]!;
    await pool.query(`INSERT INTO webhook_audit (workspace_id, seq, direction, headers_sha256, payload_sha256, occurred_at, outcome, prev_hash, hash, key_version)
                      VALUES ('wsp_x', 1, 'INBOUND', 'h', 'p', now(), 'ACCEPTED', '0', 'a', 1)`);
    await assert.rejects(pool.query(`UPDATE webhook_audit SET outcome = 'REFUSED'`), /append-only \(UPDATE refused\)/);
    await assert.rejects(pool.query('DELETE FROM webhook_audit'), /append-only \(DELETE refused\)/);
    await assert.rejects(pool.query('TRUNCATE webhook_audit'), /append-only \(TRUNCATE refused\)/);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL webhook.audit_maintenance = 'on'`);
      const { rowCount } = await client.query('DELETE FROM webhook_audit');
      await client.query('COMMIT');
      assert.equal(rowCount, 1);
    } finally {
      client.release();
    }
  });
});
