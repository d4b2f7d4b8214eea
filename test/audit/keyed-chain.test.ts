// The keyed audit chain through verifyAuditChain (SPEC §9, §12): what a superuser's edits, deletions
// and forgeries leave, what a kept head catches, replicas appending to one chain, the scheduled
// re-verification and audit retention (its jobs run directly).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { auditWriter } from '../../src/audit/append.ts';
import { removeExpiredAuditRows, reverifyAuditChains } from '../../src/audit/audit-jobs.ts';
import { auditCanonical, auditRowHash } from '../../src/audit/chain.ts';
import { toAuditEntry } from '../../src/audit/verify.ts';
import { withTransaction } from '../../src/platform/db/pool.ts';
import { createWorkspace } from '../../src/workspaces/workspaces.ts';
import { gql, gqlOk, startTestService, type TestService } from '../support/service.ts';
import { post, standardWebhooks } from '../support/senders.ts';
import { createTrigger } from '../support/triggers.ts';

const VERIFY = `mutation($input: VerifyAuditChainInput!) {
  verifyAuditChain(input: $input) { ok checked head { seq hash occurredAt } firstBrokenEntry { id hash outcome statusCode } reason }
}`;

interface Verdict {
  ok: boolean;
  checked: number;
  head: { seq: string; hash: string; occurredAt: string } | null;
  firstBrokenEntry: { id: string; hash: string; outcome: string; statusCode: number | null } | null;
  reason: string | null;
}

async function verify(svc: TestService, key: string, input: Record<string, unknown> = {}): Promise<Verdict> {
  return (await gqlOk<{ verifyAuditChain: Verdict }>(svc.url, key, VERIFY, { input })).verifyAuditChain;
}

/** A workspace of its own (each test breaks its chain its own way) with a trigger that has received `n` webhooks. */
async function workspaceWithRows(svc: TestService, name: string, n: number) {
  const { workspace, adminKey } = await createWorkspace(svc.services.db, name);
  const t = await createTrigger(svc.url, adminKey, { name: 'audited' });
  for (let i = 0; i < n; i++) assert.equal((await post(t.url, standardWebhooks(t.secret, `{"i":${i}}`))).status, 202);
  return { workspaceId: workspace.id, adminKey, trigger: t };
}

/** Runs SQL as the superuser the tests connect as, with the append-only trigger off: what an intruder with full rights can do. */
async function behindTheGatewaysBack(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<unknown>): Promise<void> {
  await withTransaction(pool, async (client) => {
    await client.query('ALTER TABLE webhook_audit DISABLE TRIGGER USER');
    await fn(client);
    await client.query('ALTER TABLE webhook_audit ENABLE TRIGGER USER');
  });
}

const rowAt = async (pool: pg.Pool, workspaceId: string, seq: number) =>
  (await pool.query('SELECT * FROM webhook_audit WHERE workspace_id = $1 AND seq = $2', [workspaceId, seq])).rows[0];

describe('keyed audit chain', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService();
  });
  after(() => svc.stop());

  it('verifies HMAC-keyed rows for an ADMIN and a VIEWER key, returns the head to keep, and refuses a PUBLISHER', async () => {
    const w = await workspaceWithRows(svc, 'plain', 6);
    const { createApiKey: viewer } = await gqlOk(svc.url, w.adminKey, 'mutation { createApiKey(input: {name: "v", role: VIEWER}) { key } }');
    const { createApiKey: publisher } = await gqlOk(svc.url, w.adminKey, 'mutation { createApiKey(input: {name: "p", role: PUBLISHER}) { key } }');
    const verdict = await verify(svc, viewer.key);
    const newest = await rowAt(svc.services.pool, w.workspaceId, 6);
    assert.deepEqual(verdict, { ok: true, checked: 6, head: { seq: '6', hash: newest.hash, occurredAt: newest.occurred_at.toISOString() }, firstBrokenEntry: null, reason: null });
    assert.equal(newest.key_version, 1);
    // Not the unkeyed formula: without MASTER_KEY nobody recomputes it.
    assert.notEqual(newest.hash, auditRowHash(svc.services.chainKeys, 0, newest.prev_hash, 6, auditCanonical(toAuditEntry(newest))));
    assert.deepEqual(await verify(svc, w.adminKey, { expectedHead: { seq: verdict.head!.seq, hash: verdict.head!.hash } }), verdict);
    const refused = await gql(svc.url, publisher.key, VERIFY, { input: {} });
    assert.equal(refused.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const bad = await gql(svc.url, w.adminKey, VERIFY, { input: { expectedHead: { seq: '6', hash: 'not hex' } } });
    assert.equal(bad.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(bad.errors?.[0]?.extensions?.field, 'expectedHead.hash');
  });

  it('names a row edited behind the gateway\'s back', async () => {
    const w = await workspaceWithRows(svc, 'edited', 8);
    await behindTheGatewaysBack(svc.services.pool, (c) => c.query(`UPDATE webhook_audit SET outcome = 'REFUSED', status_code = 401 WHERE workspace_id = $1 AND seq = 5`, [w.workspaceId]));
    const verdict = await verify(svc, w.adminKey);
    assert.equal(verdict.ok, false);
    assert.equal(verdict.checked, 4);
    assert.equal(verdict.head?.seq, '4');
    assert.deepEqual({ outcome: verdict.firstBrokenEntry?.outcome, statusCode: verdict.firstBrokenEntry?.statusCode }, { outcome: 'REFUSED', statusCode: 401 });
    assert.equal(verdict.firstBrokenEntry?.hash, (await rowAt(svc.services.pool, w.workspaceId, 5)).hash);
    assert.equal(verdict.reason, 'seq 5: its hash does not match its content: it was altered');
  });

  it('catches the newest rows deleted and the head rewritten with the head a caller kept, and the writer goes on from the rewritten head', async () => {
    const w = await workspaceWithRows(svc, 'truncated', 10);
    const kept = (await verify(svc, w.adminKey)).head!;
    assert.equal(kept.seq, '10');
    const seventh = await rowAt(svc.services.pool, w.workspaceId, 7);
    await behindTheGatewaysBack(svc.services.pool, async (c) => {
      await c.query('DELETE FROM webhook_audit WHERE workspace_id = $1 AND seq > 7', [w.workspaceId]);
      await c.query('UPDATE audit_chain SET last_seq = 7, last_hash = $2 WHERE workspace_id = $1', [w.workspaceId, seventh.hash]);
    });
    // Consistent in itself: only a head kept outside the database shows what is gone.
    assert.deepEqual(await verify(svc, w.adminKey), { ok: true, checked: 7, head: { seq: '7', hash: seventh.hash, occurredAt: seventh.occurred_at.toISOString() }, firstBrokenEntry: null, reason: null });
    const caught = await verify(svc, w.adminKey, { expectedHead: { seq: kept.seq, hash: kept.hash } });
    assert.equal(caught.ok, false);
    assert.equal(caught.reason, 'the chain ends before the expected head (seq 10): rows were removed and the head rewritten');

    // The writer held seq 10 in memory: its optimistic check fails, it reloads the head and appends.
    assert.equal((await post(w.trigger.url, standardWebhooks(w.trigger.secret, '{"after":true}'))).status, 202);
    const after = await verify(svc, w.adminKey);
    assert.deepEqual({ ok: after.ok, checked: after.checked, seq: after.head?.seq }, { ok: true, checked: 8, seq: '8' });
  });

  it('catches a forged row carrying a plain SHA-256 hash, and one claiming the key it was not made with', async () => {
    const w = await workspaceWithRows(svc, 'forged', 3);
    const last = await rowAt(svc.services.pool, w.workspaceId, 3);
    const forged = { ...last, seq: 4, outcome: 'ACCEPTED', delivery_id: 'ind_forged', prev_hash: last.hash };
    const canonical = auditCanonical({
      workspaceId: forged.workspace_id, direction: forged.direction, triggerId: forged.trigger_id, subscriptionId: null, deliveryId: forged.delivery_id,
      eventType: null, headersSha256: forged.headers_sha256, payloadSha256: forged.payload_sha256, occurredAt: forged.occurred_at, durationMs: forged.duration_ms,
      attempt: null, statusCode: forged.status_code, outcome: forged.outcome, errorClass: null, sourceIp: forged.source_ip,
    });
    const sha256 = auditRowHash(svc.services.chainKeys, 0, last.hash, 4, canonical);
    const insert = (version: number) => svc.services.pool.query(
      `INSERT INTO webhook_audit (workspace_id, seq, direction, trigger_id, delivery_id, headers_sha256, payload_sha256, occurred_at, duration_ms, status_code, outcome, source_ip, prev_hash, hash, key_version)
       VALUES ($1, 4, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [w.workspaceId, forged.direction, forged.trigger_id, forged.delivery_id, forged.headers_sha256, forged.payload_sha256, forged.occurred_at, forged.duration_ms,
        forged.status_code, forged.outcome, forged.source_ip, last.hash, sha256, version]);
    await insert(0);
    await svc.services.pool.query('UPDATE audit_chain SET last_seq = 4, last_hash = $2 WHERE workspace_id = $1', [w.workspaceId, sha256]);
    const verdict = await verify(svc, w.adminKey);
    assert.equal(verdict.ok, false);
    assert.equal(verdict.firstBrokenEntry?.hash, sha256);
    assert.equal(verdict.reason, 'seq 4: it carries a plain SHA-256 hash where the chain is keyed: it was not written by the gateway');

    await behindTheGatewaysBack(svc.services.pool, (c) => c.query('UPDATE webhook_audit SET key_version = 1 WHERE workspace_id = $1 AND seq = 4', [w.workspaceId]));
    assert.equal((await verify(svc, w.adminKey)).reason, 'seq 4: its hash does not match its content: it was altered');
  });

  it('catches rows inserted beyond the chain head, the head left where it was', async () => {
    const w = await workspaceWithRows(svc, 'beyond-head', 2);
    const last = await rowAt(svc.services.pool, w.workspaceId, 2);
    // What the service role's INSERT right allows on its own: rows past the head, the head untouched.
    await svc.services.pool.query(
      `INSERT INTO webhook_audit (workspace_id, seq, direction, trigger_id, delivery_id, headers_sha256, payload_sha256, occurred_at, status_code, outcome, prev_hash, hash, key_version)
       VALUES ($1, 3, 'INBOUND', $2, 'ind_planted', $3, $3, now(), 202, 'ACCEPTED', $4, $4, 1)`,
      [w.workspaceId, last.trigger_id, last.headers_sha256, last.hash]);
    const verdict = await verify(svc, w.adminKey);
    assert.equal(verdict.ok, false);
    assert.match(verdict.reason!, /^rows beyond the chain head \(seq 2\) up to seq 3/);
    assert.equal(verdict.firstBrokenEntry?.hash, last.hash, 'the planted row is named');
  });

  it('keeps one unbroken chain while two replicas append to the same workspace at once', async () => {
    const w = await workspaceWithRows(svc, 'replicas', 0);
    const replica = await startTestService({ DATABASE_URL: svc.databaseUrl, MASTER_KEY: svc.services.config.masterKey!.toString('base64') });
    try {
      const send = (base: string, i: number) => post(`${base}/hooks/${w.trigger.id}`, standardWebhooks(w.trigger.secret, `{"i":${i}}`));
      const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => send(i % 2 === 0 ? svc.url : replica.url, i)));
      assert.deepEqual(answers.map((a) => a.status), answers.map(() => 202));
    } finally {
      await replica.stop();
    }
    const verdict = await verify(svc, w.adminKey);
    assert.deepEqual({ ok: verdict.ok, checked: verdict.checked, seq: verdict.head?.seq, reason: verdict.reason }, { ok: true, checked: 40, seq: '40', reason: null });
  });

  it('takes turns between one process\'s writers (pings on the pool, /hooks on its writer) appending to one workspace at once: none fails, one chain', async () => {
    const w = await workspaceWithRows(svc, 'one-process', 0);
    const receiver = http.createServer((_req, res) => res.writeHead(200).end('ok'));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as AddressInfo).port;
    const insecure = await startTestService({ DATABASE_URL: svc.databaseUrl, MASTER_KEY: svc.services.config.masterKey!.toString('base64'), ALLOW_INSECURE_TARGETS: 'true', ALLOW_PRIVATE_TARGETS: 'true' });
    try {
      const CREATE = 'mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { status } } }';
      const work = [
        ...Array.from({ length: 12 }, (_, i) => gql(insecure.url, w.adminKey, CREATE, { i: { url: `http://127.0.0.1:${port}/s${i}`, events: ['review.completed'] } })),
        ...Array.from({ length: 12 }, (_, i) => post(`${insecure.url}/hooks/${w.trigger.id}`, standardWebhooks(w.trigger.secret, `{"i":${i}}`))),
      ];
      const answers = await Promise.all(work);
      for (const a of answers.slice(0, 12)) assert.equal((a as { errors?: unknown }).errors, undefined, JSON.stringify(a));
      assert.deepEqual(answers.slice(12).map((a) => (a as { status: number }).status), Array(12).fill(202));
    } finally {
      await insecure.stop();
      receiver.close();
    }
    const verdict = await verify(svc, w.adminKey);
    assert.deepEqual({ ok: verdict.ok, checked: verdict.checked, reason: verdict.reason }, { ok: true, checked: 24, reason: null }, '12 pings and 12 requests, one chain');
  });

  it('re-verifies on a schedule: exports the head it reached and counts a breach once', async () => {
    const w = await workspaceWithRows(svc, 'scheduled', 4);
    const metric = async (name: string) => {
      const text = await (await fetch(`${svc.url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${name}{workspace="${w.workspaceId}"}`));
      return line === undefined ? undefined : Number(line.split(' ').at(-1));
    };
    await reverifyAuditChains(svc.services);
    assert.equal(await metric('webhook_gateway_audit_chain_head_seq'), 4);
    assert.equal(await metric('webhook_gateway_audit_chain_broken'), 0);
    await post(w.trigger.url, standardWebhooks(w.trigger.secret, '{"more":1}'));
    await reverifyAuditChains(svc.services);
    assert.equal(await metric('webhook_gateway_audit_chain_head_seq'), 5);
    // The newest row removed and the head moved back: the run compares with the head it kept.
    const fourth = await rowAt(svc.services.pool, w.workspaceId, 4);
    await behindTheGatewaysBack(svc.services.pool, async (c) => {
      await c.query('DELETE FROM webhook_audit WHERE workspace_id = $1 AND seq = 5', [w.workspaceId]);
      await c.query('UPDATE audit_chain SET last_seq = 4, last_hash = $2 WHERE workspace_id = $1', [w.workspaceId, fourth.hash]);
    });
    await reverifyAuditChains(svc.services);
    await reverifyAuditChains(svc.services);
    assert.equal(await metric('webhook_gateway_audit_chain_broken'), 1);
    assert.equal(await metric('webhook_gateway_audit_chain_breaches_total'), 1);
    assert.equal(await metric('webhook_gateway_audit_chain_head_seq'), 5);
  });

  it('removes audit rows past AUDIT_RETENTION_DAYS through the owner\'s path and verifies from the oldest kept row', async () => {
    const w = await workspaceWithRows(svc, 'retained', 0);
    const day = 86_400_000;
    const row = (daysAgo: number, i: number) => ({
      workspaceId: w.workspaceId, direction: 'INBOUND' as const, triggerId: w.trigger.id, subscriptionId: null, deliveryId: `ind_old${i}`, eventType: null,
      headersSha256: 'h'.repeat(64), payloadSha256: 'p'.repeat(64), occurredAt: new Date(Date.now() - daysAgo * day), durationMs: 1, attempt: null,
      statusCode: 202, outcome: 'ACCEPTED', errorClass: null, sourceIp: '127.0.0.1',
    });
    // Appended by the gateway's own writer, dated in the past: 5 past the default 400 days, 3 within.
    const writer = auditWriter(svc.services);
    const rows = [...[500, 450, 430, 420, 401].map(row), ...[300, 10, 1].map((d, i) => row(d, i + 5))];
    await writer.retrying([w.workspaceId], () => withTransaction(svc.services.pool, (c) => writer.append(c, w.workspaceId, rows)));
    const kept = (await verify(svc, w.adminKey)).head!;

    assert.equal(await removeExpiredAuditRows(svc.services), 5);
    assert.equal(await removeExpiredAuditRows(svc.services), 0);
    const { rows: left } = await svc.services.pool.query('SELECT seq FROM webhook_audit WHERE workspace_id = $1 ORDER BY seq', [w.workspaceId]);
    assert.deepEqual(left.map((r) => r.seq), [6, 7, 8]);
    const { rows: [checkpoint] } = await svc.services.pool.query(`SELECT seq, mac IS NOT NULL AS sealed FROM audit_checkpoint WHERE workspace_id = $1 AND kind = 'RETENTION'`, [w.workspaceId]);
    assert.deepEqual(checkpoint, { seq: 5, sealed: true });
    assert.deepEqual(await verify(svc, w.adminKey, { expectedHead: { seq: kept.seq, hash: kept.hash } }), { ok: true, checked: 3, head: kept, firstBrokenEntry: null, reason: null });

    // A checkpoint moved by hand (to hide the next row) does not carry its MAC.
    await svc.services.pool.query(`UPDATE audit_checkpoint SET seq = 6 WHERE workspace_id = $1 AND kind = 'RETENTION'`, [w.workspaceId]);
    assert.equal((await verify(svc, w.adminKey)).reason, 'the retention checkpoint at seq 6 does not carry its MAC: it was moved or altered');
    // Retention builds on no checkpoint that does not verify: one moved to a real row's seq and hash
    // (a consistent link, a stale MAC) would let it delete the rows after and re-seal over the
    // evidence. Nothing is removed; the bad checkpoint stays.
    const six = await rowAt(svc.services.pool, w.workspaceId, 6);
    await svc.services.pool.query(`UPDATE audit_checkpoint SET hash = $2 WHERE workspace_id = $1 AND kind = 'RETENTION'`, [w.workspaceId, six.hash]);
    assert.equal(await removeExpiredAuditRows(svc.services, new Date(Date.now() + 395 * day)), 0, 'seq 7 (10 days old) would be past the cutoff');
    const { rows: after } = await svc.services.pool.query(`SELECT seq FROM audit_checkpoint WHERE workspace_id = $1 AND kind = 'RETENTION'`, [w.workspaceId]);
    assert.deepEqual(after.map((r) => r.seq), [6]);
  });
});
