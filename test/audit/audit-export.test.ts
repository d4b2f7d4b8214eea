// GET /v1/audit/export (SPEC §9, §12): NDJSON oldest first with auditLog's filters as parameters,
// ADMIN or VIEWER keys only, resumable with `after`; and, from a child gateway held to a 64 MB heap,
// 200,000 rows to a slow client with backpressure, two exports per key, and stalled exports cut off
// while the gateway goes on serving.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createWorkspace } from '../../src/workspaces/workspaces.ts';
import { seedAuditRows } from '../support/audit-seed.ts';
import { createTestDatabase, dropTestDatabase } from '../support/db.ts';
import { type GatewayOnDatabase, startGatewayOnDatabase } from '../support/process.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { post, standardWebhooks } from '../support/senders.ts';
import { gqlOk, keysByRole, startTestService, type TestService } from '../support/service.ts';
import { createTrigger } from '../support/triggers.ts';
import { until } from '../support/wait.ts';

const FIELDS = ['id', 'seq', 'direction', 'triggerId', 'subscriptionId', 'deliveryId', 'eventType', 'headersSha256', 'payloadSha256',
  'occurredAt', 'durationMs', 'attempt', 'statusCode', 'outcome', 'errorClass', 'sourceIp', 'hash'];

async function exportOf(url: string, key: string | undefined, query = '') {
  const res = await fetch(`${url}/v1/audit/export${query}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  const text = await res.text();
  return { res, text, lines: res.ok ? text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l)) : [], body: res.ok ? undefined : JSON.parse(text) };
}

describe('audit export', () => {
  let svc: TestService;
  let receiver: Receiver;
  const keys: Record<string, string> = {};
  let otherKey: string;
  let triggerId: string;
  let logged: Array<Record<string, any>>;

  before(async () => {
    svc = await startTestService({ ALLOW_PRIVATE_TARGETS: 'true', ALLOW_INSECURE_TARGETS: 'true' });
    receiver = await startReceiver();
    Object.assign(keys, await keysByRole(svc));
    otherKey = (await createWorkspace(svc.services.db, 'other')).adminKey;
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'export' });
    triggerId = t.id;
    for (let i = 0; i < 4; i++) assert.equal((await post(t.url, standardWebhooks(t.secret, `{"i":${i}}`))).status, 202);
    assert.equal((await post(t.url, { body: '{}', headers: { 'content-type': 'application/json' } })).status, 401);
    await gqlOk(svc.url, svc.adminKey, 'mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { id } } }',
      { i: { url: `${receiver.url}/hook`, events: ['tool.called'] } });
    const page = await gqlOk(svc.url, svc.adminKey, '{ auditLog(first: 100) { edges { node { id seq direction triggerId subscriptionId deliveryId eventType outcome occurredAt } } } }');
    logged = page.auditLog.edges.map((e: any) => e.node).reverse();
  });
  after(async () => {
    await svc.stop();
    await receiver.close();
  });

  it('streams every entry oldest first as NDJSON, one AuditEntry per line, for ADMIN and VIEWER keys', async () => {
    assert.equal(logged.length, 6, 'five requests and a ping');
    for (const key of [keys.ADMIN!, keys.VIEWER!]) {
      const { res, text, lines } = await exportOf(svc.url, key);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/x-ndjson');
      assert.ok(text.endsWith('\n'));
      assert.deepEqual(lines.map((l) => l.id), logged.map((e) => e.id));
      for (const line of lines) {
        assert.deepEqual(Object.keys(line), FIELDS);
        assert.match(line.id, /^aud_[0-9a-hjkmnp-tv-z]{26}$/);
        assert.equal(typeof line.seq, 'string');
      }
      assert.deepEqual(lines.map((l) => [l.seq, l.occurredAt, l.outcome]), logged.map((e) => [e.seq, e.occurredAt, e.outcome]));
    }
  });

  it('takes auditLog\'s filters as query parameters, and resumes after an entry', async () => {
    const at = (i: number) => logged[i]!.occurredAt;
    const refused = logged.find((e) => e.outcome === 'REFUSED')!;
    const cases: Array<[string, (e: any) => boolean]> = [
      [`direction=OUTBOUND`, (e) => e.direction === 'OUTBOUND'],
      [`triggerId=${triggerId}`, (e) => e.triggerId === triggerId],
      [`subscriptionId=${logged.find((e) => e.subscriptionId)!.subscriptionId}`, (e) => e.subscriptionId !== null],
      [`deliveryId=${refused.deliveryId}`, (e) => e.deliveryId === refused.deliveryId],
      [`eventType=webhook.ping`, (e) => e.eventType === 'webhook.ping'],
      [`outcome=REFUSED`, (e) => e.outcome === 'REFUSED'],
      [`occurredAfter=${at(1)}&occurredBefore=${at(4)}`, (e) => e.occurredAt >= at(1) && e.occurredAt < at(4)],
      [`after=${logged[2]!.id}`, (e) => e.id > logged[2]!.id],
    ];
    for (const [query, keep] of cases) {
      const expected = logged.filter(keep).map((e) => e.id);
      assert.ok(expected.length > 0 && expected.length < logged.length, query);
      assert.deepEqual((await exportOf(svc.url, keys.VIEWER, `?${query}`)).lines.map((l) => l.id), expected, query);
    }
  });

  it('refuses a missing or unknown key (401), a PUBLISHER key (403), and shows another workspace only its own entries', async () => {
    const none = await exportOf(svc.url, undefined);
    assert.equal(none.res.status, 401);
    assert.equal(none.res.headers.get('www-authenticate'), 'Bearer');
    assert.equal(none.body.error.code, 'UNAUTHENTICATED');
    assert.equal((await exportOf(svc.url, 'gwk_not_a_key')).res.status, 401);
    const publisher = await exportOf(svc.url, keys.PUBLISHER);
    assert.equal(publisher.res.status, 403);
    assert.equal(publisher.body.error.code, 'FORBIDDEN');
    const theirs = await exportOf(svc.url, otherKey, `?triggerId=${triggerId}`);
    assert.equal(theirs.res.status, 200);
    assert.deepEqual(theirs.lines, []);
  });

  it('runs the README\'s curl example: an export, then its resumption after the last line, with no line twice', async () => {
    const example = /<!-- example:audit-export -->\n```sh\n([\s\S]*?)```/.exec(readFileSync(new URL('../../README.md', import.meta.url), 'utf8'))![1]!;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gw-audit-export-'));
    try {
      await promisify(execFile)('sh', ['-e', '-c', example], {
        cwd: dir, timeout: 20_000, env: { PATH: process.env.PATH ?? '', GATEWAY: svc.url, KEY: keys.VIEWER! },
      });
      const ids = readFileSync(path.join(dir, 'audit.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).id);
      assert.deepEqual(ids, logged.filter((e) => e.direction === 'INBOUND').map((e) => e.id));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a bad parameter with 400 naming it', async () => {
    for (const [query, field] of [
      ['?colour=red', 'colour'], ['?direction=SIDEWAYS', 'direction'], ['?occurredAfter=yesterday', 'occurredAfter'],
      ['?occurredBefore=2026-13-45T00:00:00Z', 'occurredBefore'], [`?triggerId=${triggerId}&triggerId=trg_x`, 'triggerId'],
      ['?after=not-an-id', 'after'], [`?after=${triggerId}`, 'after'], ['?outcome=', 'outcome'],
    ] as const) {
      const r = await exportOf(svc.url, keys.VIEWER, query);
      assert.equal(r.res.status, 400, query);
      assert.equal(r.body.error.code, 'BAD_USER_INPUT', query);
      assert.equal(r.body.error.field, field, query);
    }
  });
});

/** An export read by a client that reads only when told: http.get with the response paused. */
interface SlowExport {
  status: number;
  lines: () => number;
  /** Reads until `count` more lines have arrived, then pauses again. */
  readMore: (count: number) => Promise<void>;
  /** Reads to the end; resolves with whether the response was complete (chunked encoding's last chunk). */
  readToEnd: () => Promise<boolean>;
  destroy: () => void;
  /** Throws unless the ids seen so far rose strictly (aud_ ids sort as the export runs). */
  checkOrder: () => void;
}

function openSlowExport(url: string, key: string, query = ''): Promise<SlowExport> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}/v1/audit/export${query}`, { agent: false, headers: { authorization: `Bearer ${key}` } }, (res) => {
      res.pause();
      res.setEncoding('utf8');
      let lines = 0;
      let partial = '';
      let lastId = '';
      let disordered = '';
      let target = Infinity;
      let reached: (() => void) | undefined;
      const ended = new Promise<boolean>((done) => {
        res.on('end', () => done(res.complete));
        res.on('error', () => done(false));
        res.on('close', () => done(res.complete));
      });
      res.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop()!;
        for (const line of parts) {
          // Each line opens with its id ({"id":"aud_ + 26 characters): read without parsing 200,000 objects.
          assert.ok(line.startsWith('{"id":"aud_') && line.endsWith('}'), `not an entry: ${line.slice(0, 80)}`);
          const id = line.slice(7, 37);
          if (id <= lastId && !disordered) disordered = `${id} after ${lastId}`;
          lastId = id;
          lines++;
        }
        if (lines >= target) {
          res.pause();
          target = Infinity;
          reached?.();
        }
      });
      resolve({
        status: res.statusCode!,
        lines: () => lines,
        readMore: (count) => new Promise<void>((done) => {
          target = lines + count;
          reached = done;
          res.resume();
        }),
        readToEnd: () => {
          target = Infinity;
          res.resume();
          return ended;
        },
        destroy: () => res.destroy(),
        checkOrder: () => assert.equal(disordered, '', 'lines out of order'),
      });
    });
    req.on('error', reject);
  });
}

/**
 * One request on a connection of its own: a pooled keep-alive connection left idle while a long
 * export runs can be closed by the server just as the next request goes out on it.
 */
function once(url: string, options: { method?: string; key?: string; body?: string } = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(options.key ? { authorization: `Bearer ${options.key}` } : {}), ...(options.body ? { 'content-type': 'application/json' } : {}) };
    const req = http.request(url, { method: options.method ?? 'GET', agent: false, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The export figures of the child's /metrics. */
async function exportMetrics(url: string): Promise<{ read: number; sent: number; waiting: number; stalled: number }> {
  const { text } = await once(`${url}/metrics`);
  const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
  return {
    read: value(/^webhook_gateway_audit_export_rows_total\{stage="read"\} (\d+)/m),
    sent: value(/^webhook_gateway_audit_export_rows_total\{stage="sent"\} (\d+)/m),
    waiting: value(/^webhook_gateway_audit_exports_waiting (\d+)/m),
    stalled: value(/^webhook_gateway_audit_exports_total\{outcome="stalled"\} (\d+)/m),
  };
}

describe('audit export of 200,000 rows from a child gateway with a 64 MB heap', () => {
  const ROWS = 200_000;
  const BATCH = 500; // EXPORT_BATCH_ROWS
  const STALL_MS = 5000;
  let databaseUrl: string;
  let gw: GatewayOnDatabase;
  let pool: pg.Pool;
  const keys: string[] = [];

  before(async () => {
    databaseUrl = await createTestDatabase();
    gw = await startGatewayOnDatabase(databaseUrl, { AUDIT_EXPORT_STALL_MS: String(STALL_MS) }, { nodeArgs: ['--max-old-space-size=64'] });
    pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    const { rows: [workspace] } = await pool.query('SELECT id FROM workspace');
    await seedAuditRows(pool, workspace.id, ROWS);
    for (const name of ['first', 'second']) {
      keys.push((await gqlOk(gw.url, gw.adminKey, `mutation { createApiKey(input: {name: "${name}", role: VIEWER}) { key } }`)).createApiKey.key);
    }
  });
  const assertAlive = () => {
    const { exitCode, signalCode } = gw.gw.child;
    assert.ok(exitCode === null && signalCode === null, `the gateway exited (${exitCode ?? signalCode}): ${gw.gw.stderr().slice(-2000)}`);
  };
  after(async () => {
    // A gateway that died (out of memory, say) is named with what it printed, whichever test saw it first.
    const died = gw && (gw.gw.child.exitCode !== null || gw.gw.child.signalCode !== null) ? gw.gw.stderr().slice(-3000) : undefined;
    await gw?.stop();
    await pool?.end();
    if (databaseUrl) await dropTestDatabase(databaseUrl);
    if (died !== undefined) throw new Error(`the gateway died:\n${died}`);
  });

  it('sends all 200,000 to a slow client, never reading more than two batches ahead of what the client was sent', async () => {
    const client = await openSlowExport(gw.url, keys[0]!);
    assert.equal(client.status, 200);
    for (let pause = 0; pause < 4; pause++) {
      // The client reads nothing: the export must stop and wait for it rather than read on.
      const m = await until(async () => { const x = await exportMetrics(gw.url); return x.waiting === 1 && x; }, 'the export waiting for its client', 20_000);
      assert.ok(m.read - m.sent <= 2 * BATCH, `read ${m.read} rows but sent ${m.sent} (pause ${pause})`);
      assert.ok(m.read < ROWS, `read all ${m.read} rows for a client that has taken ${client.lines()}`);
      await client.readMore(10_000);
    }
    const complete = await client.readToEnd();
    assertAlive();
    assert.equal(complete, true, 'the export ends with its last chunk');
    assert.equal(client.lines(), ROWS);
    client.checkOrder();
    const m = await exportMetrics(gw.url);
    assert.deepEqual([m.read, m.sent], [ROWS, ROWS]);
    assertAlive();
  });

  it('runs two exports per key, refuses a third with 429, and serves other requests while three stall until the stall limit ends them', async () => {
    const { stalled: before } = await exportMetrics(gw.url);
    const stalling = [await openSlowExport(gw.url, keys[0]!), await openSlowExport(gw.url, keys[0]!), await openSlowExport(gw.url, keys[1]!)];
    try {
      assert.deepEqual(stalling.map((s) => s.status), [200, 200, 200]);
      const third = await once(`${gw.url}/v1/audit/export`, { key: keys[0] });
      assert.equal(third.status, 429);
      assert.equal(JSON.parse(third.text).error.code, 'TOO_MANY_EXPORTS');
      await until(async () => (await exportMetrics(gw.url)).waiting === 3, 'three exports waiting for their clients', 20_000);
      assert.equal((await once(`${gw.url}/healthz`)).status, 200);
      const r = await once(`${gw.url}/graphql`, {
        method: 'POST', key: keys[1], body: JSON.stringify({ query: '{ auditLog(first: 2, filter: {outcome: "FAILED"}) { edges { node { id outcome } } } }' }),
      });
      assert.deepEqual(JSON.parse(r.text).data.auditLog.edges.map((e: any) => e.node.outcome), ['FAILED', 'FAILED']);
      // Nobody reads: past AUDIT_EXPORT_STALL_MS each export is ended, and its client finds it cut short.
      await until(async () => (await exportMetrics(gw.url)).stalled === before + 3, 'three exports ended as stalled', STALL_MS + 20_000);
      for (const s of stalling) {
        assert.equal(await s.readToEnd(), false, 'a stalled export ends without its last chunk');
        assert.ok(s.lines() < ROWS);
      }
    } finally {
      for (const s of stalling) s.destroy();
    }
    // The slots are free again.
    const again = await once(`${gw.url}/v1/audit/export?triggerId=trg_seed2&occurredBefore=2026-01-01T00:00:10Z`, { key: keys[0] });
    assert.equal(again.status, 200);
    assert.equal(again.text.split('\n').filter(Boolean).length, 13);
    assertAlive();
  });
});
