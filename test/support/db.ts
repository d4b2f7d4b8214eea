// Each test file gets its own database, cloned from the migrated template (scripts/test.mjs).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import { migrate, readMigrations } from '../../src/platform/db/migrator.ts';
import { type RoleNames, provisionRoles } from '../../src/platform/db/roles.ts';
import { withDatabase } from './template.ts';
import { until } from './wait.ts';

const serverUrl = () => {
  const url = process.env.TEST_PG_SERVER_URL;
  if (!url) throw new Error('run tests through `npm test` (scripts/test.mjs), which provides TEST_PG_SERVER_URL');
  return url;
};

export async function adminQuery(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** A fresh database: migrated (cloned from the template) or empty. */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<string> {
  const name = `gw_test_${randomBytes(6).toString('hex')}`;
  const template = process.env.TEST_PG_TEMPLATE;
  await adminQuery(options.empty ? `CREATE DATABASE ${name}` : `CREATE DATABASE ${name} TEMPLATE ${template}`);
  return withDatabase(serverUrl(), name);
}

/** The name of a database made by createTestDatabase; throws for any other. */
export function testDatabaseName(url: string): string {
  const name = new URL(url).pathname.slice(1);
  if (!/^gw_test_[0-9a-f]+$/.test(name)) throw new Error(`${name} is not a test database`);
  return name;
}

export async function dropTestDatabase(url: string): Promise<void> {
  await adminQuery(`DROP DATABASE IF EXISTS ${testDatabaseName(url)} WITH (FORCE)`);
}

export interface Terminated {
  pid: number;
  application_name: string;
}

/**
 * Terminates the connections to one test database (only those of `applicationName`, if given),
 * waits until they are gone, and returns them. Test files share one server and run in parallel:
 * a test may break its own database's connections, never another file's.
 */
export async function terminateConnections(databaseUrl: string, applicationName?: string): Promise<Terminated[]> {
  const name = testDatabaseName(databaseUrl);
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  try {
    const { rows } = await admin.query<Terminated & { datname: string; terminated: boolean }>(
      `SELECT pid, datname, application_name, pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
       WHERE datname = $1 AND pid <> pg_backend_pid() AND ($2::text IS NULL OR application_name = $2)`,
      [name, applicationName ?? null],
    );
    for (const r of rows) assert.deepEqual([r.datname, r.terminated], [name, true], `terminated ${JSON.stringify(r)}`);
    const pids = rows.map((r) => r.pid);
    await until(async () => (await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1)', [pids])).rowCount === 0, 'the terminated backends to exit');
    return rows.map(({ pid, application_name }) => ({ pid, application_name }));
  } finally {
    await admin.end();
  }
}

/**
 * Makes a test database unreachable: new connections are refused and the open ones terminated.
 * `restore()` lets connections in again.
 */
export async function refuseConnections(databaseUrl: string): Promise<{ terminated: Terminated[]; restore: () => Promise<void> }> {
  const name = testDatabaseName(databaseUrl);
  await adminQuery(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
  let restored = false;
  const restore = async () => {
    if (restored) return;
    restored = true;
    await adminQuery(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
  };
  try {
    return { terminated: await terminateConnections(databaseUrl), restore };
  } catch (err) {
    await restore();
    throw err;
  }
}

export interface DatabaseRoles {
  ownerUrl: string;
  serviceUrl: string;
  names: RoleNames;
  /** Drops both roles; their database must be dropped first. */
  drop(): Promise<void>;
}

/**
 * An owner and a service role for one test database, made the way the embedded server makes its
 * own (provisionRoles: the database's objects are re-owned, pgboss given to the service role). Role
 * names are unique per call: roles belong to the whole server, which test files share.
 */
export async function withDatabaseRoles(databaseUrl: string): Promise<DatabaseRoles> {
  const suffix = randomBytes(5).toString('hex');
  const names: RoleNames = { owner: `gw_owner_${suffix}`, service: `gw_service_${suffix}` };
  const passwords: RoleNames = { owner: randomBytes(24).toString('base64url'), service: randomBytes(24).toString('base64url') };
  const superuser = new pg.Client({ connectionString: databaseUrl });
  await superuser.connect();
  try {
    await provisionRoles(superuser, names, passwords);
  } finally {
    await superuser.end();
  }
  const as = (role: string, password: string) => {
    const url = new URL(databaseUrl);
    url.username = role;
    url.password = password;
    return url.toString();
  };
  return {
    names,
    ownerUrl: as(names.owner, passwords.owner),
    serviceUrl: as(names.service, passwords.service),
    drop: () => adminQuery(`DROP ROLE IF EXISTS ${names.owner}; DROP ROLE IF EXISTS ${names.service}`),
  };
}

/**
 * A database as a gateway of an earlier version left it: the migrations before `before` applied,
 * and pg-boss's schema.
 */
export async function createDatabaseBefore(before: string): Promise<string> {
  const url = await createTestDatabase({ empty: true });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gw-migrations-'));
  try {
    for (const m of await readMigrations()) {
      if (m.name >= before) continue;
      mkdirSync(path.join(dir, m.name));
      writeFileSync(path.join(dir, m.name, 'migration.sql'), m.sql);
    }
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      await migrate(pool, dir);
    } finally {
      await pool.end();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const boss = new PgBoss({ connectionString: url, schema: 'pgboss', max: 1 });
  boss.on('error', () => {});
  await boss.start();
  await boss.stop({ graceful: false, close: true });
  return url;
}
