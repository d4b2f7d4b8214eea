// The gateway behind PgBouncer in transaction mode (Debian's 1.18, which keeps no prepared statement
// from one transaction to the next): DATABASE_URL through the pooler with DATABASE_STATEMENTS=unnamed,
// DATABASE_LISTEN_URL straight to PostgreSQL for what needs a session (README: Running behind PgBouncer).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Writable } from 'node:stream';
import pg from 'pg';
import { OWNER_APPLICATION_NAME, SESSION_APPLICATION_NAME } from '../../src/app/service.ts';
import { PipelinedConnection } from '../../src/platform/db/pool.ts';
import { LISTEN_APPLICATION_NAME } from '../../src/platform/realtime.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { type PgBouncer, startPgBouncer } from '../support/pgbouncer.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { type DatabaseRoles, createTestDatabase, dropTestDatabase, withDatabaseRoles } from '../support/db.ts';
import { post, standardWebhooks } from '../support/senders.ts';
import { type GraphQLResponse, gql, gqlOk, openLiveSocket, startTestService, type TestService, untilLive, within } from '../support/service.ts';
import { createTrigger } from '../support/triggers.ts';
import { until } from '../support/wait.ts';

const SESSION = 'query($id: ID!) { node(id: $id) { ... on Session { id status trigger { id } } } }';
const PUBLISH = 'mutation($i: PublishEventInput!) { publishEvent(input: $i) { event { id body } } }';
const CREATE = `mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { id } } }`;

describe('the gateway through PgBouncer in transaction mode', () => {
  let databaseUrl: string;
  let roles: DatabaseRoles;
  let bouncer: PgBouncer;
  let svc: TestService;
  let receiver: Receiver;
  /** Straight to PostgreSQL, as the superuser unless told otherwise. */
  const direct = (url = databaseUrl) => new pg.Pool({ connectionString: url, max: 1 });
  /**
   * All of PgBouncer's server connections opened before the gateway starts (four transactions held
   * open at once): with server_round_robin, its statements then go to one after the other from the
   * first, as they would under load, not all to the one connection a quiet start would use.
   */
  const warmUp = async () => {
    const clients = Array.from({ length: 4 }, () => new pg.Client({ connectionString: bouncer.url }));
    await Promise.all(clients.map(async (c) => {
      await c.connect();
      await c.query('BEGIN');
      await c.query('SELECT 1');
    }));
    const pool = direct();
    try {
      const { rows: [opened] } = await pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
      assert.equal(opened.n, 4, 'four server connections');
    } finally {
      await pool.end();
      await Promise.all(clients.map((c) => c.query('COMMIT').then(() => c.end())));
    }
  };
  before(async () => {
    databaseUrl = await createTestDatabase();
    // As in production (README): the service role through PgBouncer and, for LISTEN, directly; the owner directly.
    roles = await withDatabaseRoles(databaseUrl);
    bouncer = await startPgBouncer(roles.serviceUrl);
    await warmUp();
    svc = await startTestService({
      DATABASE_URL: bouncer.url, DATABASE_LISTEN_URL: roles.serviceUrl, DATABASE_OWNER_URL: roles.ownerUrl, DATABASE_STATEMENTS: 'unnamed',
      ALLOW_PRIVATE_TARGETS: 'true', ALLOW_INSECURE_TARGETS: 'true',
    });
    receiver = await startReceiver();
  });
  after(async () => {
    await svc?.stop();
    await receiver?.close();
    await bouncer?.stop();
    if (databaseUrl) await dropTestDatabase(databaseUrl);
    await roles?.drop();
  });

  it('accepts signed webhooks (202), each with its session and audit row', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'pooled' });
    // Concurrent: the inbound writer commits them in batches, on its pipelined connection.
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => post(t.url, standardWebhooks(t.secret, `{"i":${i}}`))));
    assert.deepEqual(answers.map((a) => a.status), answers.map(() => 202), JSON.stringify(answers.find((a) => a.status !== 202)?.json));
    for (const a of answers.slice(0, 3)) {
      const { node } = await gqlOk(svc.url, svc.adminKey, SESSION, { id: a.json.sessionId });
      assert.equal(node.trigger.id, t.id);
    }
    const pool = direct();
    try {
      const { rows } = await pool.query('SELECT count(*)::int AS n FROM webhook_audit WHERE delivery_id = ANY($1) AND status_code = 202', [answers.map((a) => a.json.deliveryId)]);
      assert.equal(rows[0].n, 30);
    } finally {
      await pool.end();
    }
    const { verifyAuditChain: report } = await gqlOk(svc.url, svc.adminKey, 'mutation { verifyAuditChain(input: {}) { ok checked } }');
    assert.deepEqual(report, { ok: true, checked: 30 });
  });

  it('delivers a published event to a receiver, records the attempt, and streams deliveryUpdated live', async () => {
    const { createWebhookSubscription: { subscription } } = await gqlOk(svc.url, svc.adminKey, CREATE, { i: { url: `${receiver.url}/hook`, events: ['tool.called'] } });
    const live = await openLiveSocket(svc.url, svc.adminKey,
      `subscription { deliveryUpdated(filter: {subscriptionId: "${subscription.id}"}) { delivery { id status } attempt { number statusCode outcome } } }`);
    try {
      await untilLive([live], () => gqlOk(svc.url, svc.adminKey, 'mutation($s: ID!) { sendTestEvent(input: {subscriptionId: $s, type: "session.archived"}) { delivery { id } } }', { s: subscription.id }));
      receiver.received.length = 0;
      const { publishEvent: { event } } = await gqlOk(svc.url, svc.adminKey,
        PUBLISH, { i: { type: 'tool.called', data: { sessionId: 's', tool: 'grep', arguments: {} } } });
      await until(() => receiver.received.find((r) => r.headers['webhook-id'] === event.id), 'the event at the receiver', 15_000);
      assert.equal(receiver.received.find((r) => r.headers['webhook-id'] === event.id)!.body, event.body);
      const { deliveries } = await gqlOk(svc.url, svc.adminKey,
        'query($e: ID!) { deliveries(filter: {eventId: $e}) { edges { node { id attempts { number outcome statusCode } } } } }', { e: event.id });
      const delivery = deliveries.edges[0].node;
      await within(live.until((r) => r.some((m) => m.data.deliveryUpdated.delivery.id === delivery.id && m.data.deliveryUpdated.delivery.status === 'SUCCEEDED')), 15_000, 'the live SUCCEEDED update');
      const { delivery: recorded } = await gqlOk(svc.url, svc.adminKey, 'query($id: ID!) { delivery(id: $id) { status attempts { number outcome statusCode } } }', { id: delivery.id });
      assert.deepEqual(recorded, { status: 'SUCCEEDED', attempts: [{ number: 1, outcome: 'SUCCEEDED', statusCode: 200 }] });
    } finally {
      await live.client.dispose();
    }
  });

  it('listens (its own LISTEN and pg-boss\'s) on DATABASE_LISTEN_URL, not through PgBouncer', async () => {
    const pool = direct();
    try {
      const bouncers = new Set(await bouncer.serverPids());
      assert.ok(bouncers.size > 0, 'PgBouncer has server connections');
      const { rows } = await pool.query<{ pid: number; application_name: string }>(
        `SELECT pid, application_name FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() ORDER BY application_name`);
      const direct = rows.filter((r) => !bouncers.has(r.pid)).map((r) => r.application_name);
      // The gateway's LISTEN connection, and pg-boss's (named as its pool is; the pool goes through
      // PgBouncer), besides the owner's (DATABASE_OWNER_URL) and the session pool's idle one.
      const others = new Set([OWNER_APPLICATION_NAME, SESSION_APPLICATION_NAME]);
      assert.deepEqual(direct.filter((name) => !others.has(name)), [LISTEN_APPLICATION_NAME, 'webhook-gateway:jobs']);
    } finally {
      await pool.end();
    }
  });

  it('takes its start-up session locks (migrations, bootstrap) on direct connections, never through PgBouncer', async () => {
    // Session-level advisory locks through a transaction-mode pooler could be released on another
    // server connection than the one holding them. Held here, so the starting replica waits on each
    // in turn, and the connection it waits on can be looked at.
    const [MIGRATIONS, BOOTSTRAP] = [7_261_126_001, 7_261_126_002];
    const holder = new pg.Client({ connectionString: databaseUrl });
    await holder.connect();
    // In this database only: test files share the server, and another file's replicas starting
    // together wait on the same keys in theirs.
    const waiter = async (key: number) => (await holder.query<{ pid: number; application_name: string }>(
      `SELECT a.pid, a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND NOT l.granted AND ((l.classid::bigint << 32) | l.objid::bigint) = $1
         AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`, [key])).rows[0];
    let starting: Promise<TestService> | undefined;
    try {
      await holder.query('SELECT pg_advisory_lock($1), pg_advisory_lock($2)', [MIGRATIONS, BOOTSTRAP]);
      starting = startTestService({
        DATABASE_URL: bouncer.url, DATABASE_LISTEN_URL: roles.serviceUrl, DATABASE_OWNER_URL: roles.ownerUrl, DATABASE_STATEMENTS: 'unnamed',
        MASTER_KEY: svc.services.config.masterKey!.toString('base64'),
      });
      starting.catch(() => {}); // awaited below
      const bouncers = new Set(await bouncer.serverPids());
      const migrating = await until(() => waiter(MIGRATIONS), 'the starting replica waiting for the migrations lock');
      assert.equal(migrating.application_name, OWNER_APPLICATION_NAME);
      assert.ok(!bouncers.has(migrating.pid), 'the migrations lock asked through PgBouncer');
      await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATIONS]);
      const bootstrapping = await until(() => waiter(BOOTSTRAP), 'the starting replica waiting for the bootstrap lock');
      assert.equal(bootstrapping.application_name, SESSION_APPLICATION_NAME);
      assert.ok(!(await bouncer.serverPids()).includes(bootstrapping.pid), 'the bootstrap lock asked through PgBouncer');
    } finally {
      await holder.query('SELECT pg_advisory_unlock_all()');
      await holder.end();
      await (await starting)?.stop();
    }
  });

  it('passes pipelined transactions written back to back, each whole, and sends their named statements unnamed', async () => {
    // Made by the owner, so the service role (PgBouncer's user) may write it by default privileges.
    const pool = direct(roles.ownerUrl);
    const conn = new PipelinedConnection(bouncer.url, 'unnamed');
    const held: pg.Client[] = [];
    try {
      await pool.query('CREATE TABLE pipe_t (v text PRIMARY KEY)');
      const insert = (v: string) => ({ name: 'pipe-insert', text: 'INSERT INTO pipe_t VALUES ($1)', values: [v] });
      // Started together: each is written behind the one before, before its answer; the 5th fails on its second row.
      const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => conn.transaction(async (p) => {
        void p.send(insert(`t${i}a`));
        void p.send(insert(i === 5 ? 't0a' : `t${i}b`));
        const { rows: [r] } = await p.send<{ n: number; pid: number }>('SELECT count(*)::int AS n, pg_backend_pid() AS pid FROM pipe_t');
        return r!;
      })));
      assert.deepEqual(results.map((r) => r.status), results.map((_, i) => (i === 5 ? 'rejected' : 'fulfilled')));
      assert.equal((results[5] as PromiseRejectedResult).reason.code, '23505');
      const done = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
      // Each saw the rows of every transaction before it and none of the failed one's: one after the other.
      assert.deepEqual(done.map((r) => r.n), [2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22]);
      // The server connection that ran them is held by another client now: the next transaction gets
      // another one, where a name prepared before would be unknown.
      const used = done.at(-1)!.pid;
      for (let i = 0; i < 4; i++) {
        const c = new pg.Client({ connectionString: bouncer.url });
        await c.connect();
        await c.query('BEGIN');
        held.push(c);
        if ((await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid === used) break;
      }
      assert.equal((await held.at(-1)!.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid, used, 'a client holds the server connection used');
      for (const c of held.splice(0, held.length - 1)) await c.query('COMMIT').then(() => c.end());
      const after = await conn.transaction(async (p) => {
        void p.send(insert('after'));
        return (await p.send<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      });
      assert.notEqual(after, used);
      const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM pipe_t');
      assert.equal(rows[0]!.n, 23);
    } finally {
      for (const c of held) await c.query('COMMIT').then(() => c.end(), () => {});
      await conn.end();
      await pool.query('DROP TABLE IF EXISTS pipe_t');
      await pool.end();
    }
  });

  it('fails without DATABASE_STATEMENTS=unnamed: a statement name prepared on one server connection meets another', async () => {
    const logged: string[] = [];
    const log = createLogger('error', new Writable({ write: (chunk, _encoding, done) => { logged.push(String(chunk)); done(); } }));
    const named = await startTestService({
      DATABASE_URL: bouncer.url, DATABASE_LISTEN_URL: roles.serviceUrl, MASTER_KEY: svc.services.config.masterKey!.toString('base64'),
    }, { log });
    let failed: GraphQLResponse | undefined;
    try {
      // Bounded: each publish after the first that prepared the name runs on the next server connection.
      for (let i = 0; i < 20 && !failed; i++) {
        const r = await gql(named.url, svc.adminKey, PUBLISH, { i: { type: 'tool.called', data: { sessionId: `s${i}`, tool: 'grep', arguments: {} } } });
        if (r.errors) failed = r;
      }
    } finally {
      await named.stop();
    }
    assert.ok(failed, 'every publish succeeded with named statements through PgBouncer');
    assert.equal(failed.errors![0]!.extensions?.code, 'INTERNAL_SERVER_ERROR');
    assert.match(logged.join(''), /prepared statement \\"[a-z-]+\\" (does not exist|already exists)/);
  });
});
