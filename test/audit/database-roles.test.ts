// Append-only by database roles (SPEC §9), through real roles: an existing database upgraded in
// place (re-owned, the SHA-256 rows sealed), what the service role cannot do to the audit rows,
// what start-up refuses, and --role api without the owner's connection.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { removeExpiredAuditRows } from '../../src/audit/audit-jobs.ts';
import { GENESIS_HASH, auditCanonical, auditRowHash } from '../../src/audit/chain.ts';
import { issueApiKey } from '../../src/auth/api-keys.ts';
import { ConfigError, loadConfig } from '../../src/platform/config.ts';
import { ChainKeyring } from '../../src/platform/crypto/chain-key.ts';
import { type DatabaseRoles, createDatabaseBefore, dropTestDatabase, withDatabaseRoles } from '../support/db.ts';
import { gqlOk, startTestService, type TestService } from '../support/service.ts';
import { post, standardWebhooks } from '../support/senders.ts';
import { createTrigger } from '../support/triggers.ts';

const KEYED_CHAIN = '20261202020000_audit_keyed_chain';
const MASTER_KEY = randomBytes(32).toString('base64');

/** Three rows chained with plain SHA-256, as the gateway wrote them before the keyed chain. */
async function writeLegacyChain(url: string, workspaceId: string): Promise<void> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    await db.query(`INSERT INTO workspace (id, name) VALUES ($1, 'legacy')`, [workspaceId]);
    let prev = GENESIS_HASH;
    for (let seq = 1; seq <= 3; seq++) {
      const row = {
        workspaceId, direction: 'INBOUND' as const, triggerId: null, subscriptionId: null, deliveryId: `ind_legacy${seq}`, eventType: null,
        headersSha256: 'h'.repeat(64), payloadSha256: 'p'.repeat(64), occurredAt: new Date(Date.now() - 60_000 + seq), durationMs: 1, attempt: null,
        statusCode: 202, outcome: 'ACCEPTED', errorClass: null, sourceIp: '127.0.0.1',
      };
      const hash = auditRowHash(new ChainKeyring([Buffer.alloc(32)]), 0, prev, seq, auditCanonical(row));
      await db.query(`INSERT INTO webhook_audit (workspace_id, seq, direction, delivery_id, headers_sha256, payload_sha256, occurred_at, duration_ms, status_code, outcome, source_ip, prev_hash, hash)
                      VALUES ($1, $2, 'INBOUND', $3, $4, $5, $6, 1, 202, 'ACCEPTED', '127.0.0.1', $7, $8)`,
      [workspaceId, seq, row.deliveryId, row.headersSha256, row.payloadSha256, row.occurredAt, prev, hash]);
      prev = hash;
    }
    await db.query(`INSERT INTO audit_chain (workspace_id, last_seq, last_hash, checkpoint_seq, checkpoint_hash) VALUES ($1, 3, $2, 0, $3)`, [workspaceId, prev, GENESIS_HASH]);
  } finally {
    await db.end();
  }
}

/** A connection as one role; closed after `fn`. */
async function as<T>(url: string, fn: (db: pg.Client) => Promise<T>): Promise<T> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

const refused = (code = '42501') => (err: unknown) => (err as { code?: string }).code === code;

describe('append-only by database roles', () => {
  const workspaceId = `wsp_legacy${randomBytes(4).toString('hex')}`;
  let databaseUrl: string;
  let roles: DatabaseRoles;
  let svc: TestService;
  let adminKey: string;
  before(async () => {
    databaseUrl = await createDatabaseBefore(KEYED_CHAIN);
    await writeLegacyChain(databaseUrl, workspaceId);
    // What the embedded server does to an existing ./.data at every start (src/app/service.ts).
    roles = await withDatabaseRoles(databaseUrl);
    svc = await startTestService({ DATABASE_URL: roles.serviceUrl, DATABASE_OWNER_URL: roles.ownerUrl, MASTER_KEY });
    adminKey = (await issueApiKey(svc.services.db, workspaceId, { name: 'admin', role: 'ADMIN' })).key;
  });
  after(async () => {
    await svc?.stop();
    await dropTestDatabase(databaseUrl);
    await roles?.drop();
  });

  it('upgrades an existing database in place: objects re-owned, SHA-256 rows sealed and verified with the keyed rows after them', async () => {
    const owners = await as(databaseUrl, async (db) => (await db.query(`
      SELECT DISTINCT n.nspname AS schema, pg_get_userbyid(c.relowner) AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname IN ('public', 'pgboss') AND c.relkind IN ('r', 'p', 'S') ORDER BY 1`)).rows);
    assert.deepEqual(owners, [{ schema: 'pgboss', owner: roles.names.service }, { schema: 'public', owner: roles.names.owner }]);
    const boundary = await as(databaseUrl, async (db) => (await db.query(`SELECT seq, key_version, mac IS NOT NULL AS sealed FROM audit_checkpoint WHERE workspace_id = $1 AND kind = 'BOUNDARY'`, [workspaceId])).rows);
    assert.deepEqual(boundary, [{ seq: 3, key_version: 1, sealed: true }]);

    const t = await createTrigger(svc.url, adminKey, { name: 'after-upgrade' });
    for (const i of [1, 2]) assert.equal((await post(t.url, standardWebhooks(t.secret, `{"i":${i}}`))).status, 202);
    const { verifyAuditChain: verdict } = await gqlOk(svc.url, adminKey, 'mutation { verifyAuditChain(input: {}) { ok checked head { seq } reason } }');
    assert.deepEqual(verdict, { ok: true, checked: 5, head: { seq: '5' }, reason: null });
    // The sealed SHA-256 rows stay checked: one edited after the upgrade is named.
    const editLegacyRow = (status: number) => as(databaseUrl, (db) => db.query(`ALTER TABLE webhook_audit DISABLE TRIGGER USER;
      UPDATE webhook_audit SET status_code = ${status} WHERE workspace_id = '${workspaceId}' AND seq = 2; ALTER TABLE webhook_audit ENABLE TRIGGER USER`));
    await editLegacyRow(500);
    const { verifyAuditChain: edited } = await gqlOk(svc.url, adminKey, 'mutation { verifyAuditChain(input: {}) { ok checked firstBrokenEntry { statusCode } reason } }');
    assert.deepEqual(edited, { ok: false, checked: 1, firstBrokenEntry: { statusCode: 500 }, reason: 'seq 2: its hash does not match its content: it was altered' });
    await editLegacyRow(202);

    // A table a later migration makes (as the owner) gets the service role's rights by default; webhook_audit keeps its own.
    await as(roles.ownerUrl, (db) => db.query('CREATE TABLE made_by_a_later_migration (n int)'));
    const rights = await as(roles.serviceUrl, async (db) => (await db.query(`
      SELECT has_table_privilege('made_by_a_later_migration', 'SELECT, INSERT, UPDATE, DELETE') AS later,
             has_table_privilege('webhook_audit', 'INSERT') AND has_table_privilege('webhook_audit', 'SELECT') AS audit_append,
             has_table_privilege('webhook_audit', 'UPDATE, DELETE, TRUNCATE') AS audit_change`)).rows[0]);
    assert.deepEqual(rights, { later: true, audit_append: true, audit_change: false });
    // The checkpoints' reader runs with the owner's rights: the service role may call it, another role may not.
    const nobody = `${roles.names.service}_nobody`;
    await as(databaseUrl, (db) => db.query(`CREATE ROLE ${nobody} LOGIN PASSWORD 'nobody'`));
    const nobodyUrl = new URL(roles.serviceUrl);
    nobodyUrl.username = nobody;
    nobodyUrl.password = 'nobody';
    await as(databaseUrl, (db) => db.query(`GRANT CONNECT ON DATABASE "${new URL(databaseUrl).pathname.slice(1)}" TO ${nobody}; GRANT USAGE ON SCHEMA public TO ${nobody}`));
    await as(nobodyUrl.toString(), (db) => assert.rejects(db.query('SELECT * FROM audit_checkpoints($1)', [workspaceId]), /permission denied for function audit_checkpoints/));
    await as(roles.serviceUrl, (db) => db.query('SELECT * FROM audit_checkpoints($1)', [workspaceId]));
  });

  it('the service role cannot UPDATE, DELETE or TRUNCATE audit rows, disable the trigger, move a checkpoint, or use the maintenance switch', async () => {
    await as(roles.serviceUrl, async (db) => {
      await assert.rejects(db.query(`UPDATE webhook_audit SET outcome = 'REFUSED' WHERE workspace_id = $1`, [workspaceId]), refused());
      await assert.rejects(db.query('DELETE FROM webhook_audit WHERE workspace_id = $1', [workspaceId]), refused());
      await assert.rejects(db.query('TRUNCATE webhook_audit'), refused());
      await assert.rejects(db.query('ALTER TABLE webhook_audit DISABLE TRIGGER webhook_audit_append_only'), refused());
      await assert.rejects(db.query(`UPDATE audit_checkpoint SET seq = 1 WHERE workspace_id = $1`, [workspaceId]), refused());
      await assert.rejects(db.query(`INSERT INTO audit_checkpoint (workspace_id, kind, seq, hash) VALUES ($1, 'RETENTION', 2, 'x')`, [workspaceId]), refused());
      await assert.rejects(db.query(`DELETE FROM audit_checkpoint`), refused());
      await assert.rejects(db.query(`UPDATE audit_chain SET workspace_id = 'elsewhere' WHERE workspace_id = $1`, [workspaceId]), refused());
      await db.query('BEGIN');
      await db.query(`SET LOCAL webhook.audit_maintenance = 'on'`);
      await assert.rejects(db.query('DELETE FROM webhook_audit WHERE workspace_id = $1', [workspaceId]), refused());
      await db.query('ROLLBACK');
    });
    // Even given DELETE by mistake, the switch does nothing for a role that does not own the table.
    await as(databaseUrl, (db) => db.query(`GRANT DELETE ON webhook_audit TO ${roles.names.service}`));
    try {
      await as(roles.serviceUrl, async (db) => {
        await db.query('BEGIN');
        await db.query(`SET LOCAL webhook.audit_maintenance = 'on'`);
        await assert.rejects(db.query('DELETE FROM webhook_audit WHERE workspace_id = $1', [workspaceId]), /append-only \(DELETE refused\)/);
        await db.query('ROLLBACK');
      });
    } finally {
      await as(databaseUrl, (db) => db.query(`REVOKE DELETE ON webhook_audit FROM ${roles.names.service}`));
    }
    const { rows: [count] } = await svc.services.pool.query('SELECT count(*)::int AS n FROM webhook_audit WHERE workspace_id = $1', [workspaceId]);
    assert.ok(count.n >= 3, 'no audit row was removed');

    // Retention is the owner's: it removes rows through the switch and seals its checkpoint.
    const later = new Date(Date.now() + 500 * 86_400_000);
    assert.equal(await removeExpiredAuditRows(svc.services, later), count.n);
    const { verifyAuditChain: verdict } = await gqlOk(svc.url, adminKey, 'mutation { verifyAuditChain(input: {}) { ok checked reason } }');
    assert.deepEqual(verdict, { ok: true, checked: 0, reason: null });
  });

  it('refuses to start with a service role that holds more than INSERT and SELECT on webhook_audit, or owns a table', async () => {
    await as(databaseUrl, (db) => db.query(`GRANT UPDATE ON webhook_audit TO ${roles.names.service}`));
    try {
      await assert.rejects(startTestService({ DATABASE_URL: roles.serviceUrl, ROLE: 'api', MASTER_KEY }), (err: Error) =>
        err instanceof ConfigError && /DATABASE_URL: its role must be the service role.*holds UPDATE on webhook_audit/.test(err.message));
    } finally {
      await as(databaseUrl, (db) => db.query(`REVOKE UPDATE ON webhook_audit FROM ${roles.names.service}`));
    }
    await as(databaseUrl, (db) => db.query(`ALTER TABLE event OWNER TO ${roles.names.service}`));
    try {
      await assert.rejects(startTestService({ DATABASE_URL: roles.serviceUrl, DATABASE_OWNER_URL: roles.ownerUrl, MASTER_KEY }), (err: Error) =>
        err instanceof ConfigError && new RegExp(`${roles.names.service} owns event`).test(err.message));
    } finally {
      await as(databaseUrl, (db) => db.query(`ALTER TABLE event OWNER TO ${roles.names.owner}`));
    }
  });

  it('--role api never takes the owner\'s connection and runs as the service role alone', async () => {
    assert.throws(() => loadConfig({ DATABASE_URL: roles.serviceUrl, DATABASE_OWNER_URL: roles.ownerUrl, MASTER_KEY }, ['--role', 'api']), (err: Error) =>
      err instanceof ConfigError && err.problems.some((p) => p.startsWith('DATABASE_OWNER_URL: never given to --role api')));
    const api = await startTestService({ DATABASE_URL: roles.serviceUrl, ROLE: 'api', MASTER_KEY });
    try {
      assert.equal(api.services.ownerPool, undefined);
      const { verifyAuditChain: verdict } = await gqlOk(api.url, adminKey, 'mutation { verifyAuditChain(input: {}) { ok } }');
      assert.equal(verdict.ok, true);
      const { rows } = await api.services.pool.query('SELECT current_user AS role');
      assert.equal(rows[0].role, roles.names.service);
    } finally {
      await api.stop();
    }
  });
});
