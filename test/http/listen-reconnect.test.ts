// NOTIFYs sent while a replica's LISTEN connection is down are lost (SPEC §15): the gateway notices
// the connection died, listens again, and then drops what those notifications kept fresh, so a
// change made meanwhile (on another replica, or here by SQL) is seen at once, not after a TTL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { CHANNEL, LISTEN_APPLICATION_NAME } from '../../src/platform/realtime.ts';
import { post, standardWebhooks } from '../support/senders.ts';
import { gql, openLiveSocket, startTestService, type TestService, untilLive, within } from '../support/service.ts';
import { createTrigger } from '../support/triggers.ts';

const WAIT_MS = 15_000;

describe('the LISTEN connection dies', () => {
  let svc: TestService;
  let db: pg.Client;
  before(async () => {
    svc = await startTestService();
    db = new pg.Client({ connectionString: svc.databaseUrl });
    await db.connect();
  });
  after(async () => {
    await db.end();
    await svc.stop();
  });

  /** Polls pg_stat_activity until `test` holds for this database's LISTEN backends, with a deadline. */
  const listenBackends = async (test: (rows: Array<{ pid: number; state: string }>) => boolean) => {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const { rows } = await db.query<{ pid: number; state: string }>(
        `SELECT pid, state FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1 AND query LIKE '%LISTEN ${CHANNEL}'`,
        [LISTEN_APPLICATION_NAME],
      );
      if (test(rows)) return rows;
      if (Date.now() > deadline) throw new Error(`LISTEN backends never matched: ${JSON.stringify(rows)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('reconnects, then serves a trigger changed meanwhile as it now is and closes a socket whose key was revoked meanwhile', async () => {
    const trigger = await createTrigger(svc.url, svc.adminKey, { name: 'cached' });
    const body = JSON.stringify({ n: 1 });
    assert.equal((await post(trigger.url, standardWebhooks(trigger.secret, body))).status, 202, 'accepted (and now cached)');
    const viewer = await gql(svc.url, svc.adminKey, 'mutation { createApiKey(input: {name: "watcher", role: VIEWER}) { key apiKey { id } } }');
    const { key, apiKey } = viewer.data!.createApiKey;
    assert.equal((await gql(svc.url, key, '{ me { workspace { id } } }')).status, 200, 'the key works (and is now cached)');
    const watcher = await openLiveSocket(svc.url, key, 'subscription { auditAppended { id } }');
    const sentinel = await openLiveSocket(svc.url, svc.adminKey, 'subscription { auditAppended { id } }');

    let probes = 0;
    const notifyAudit = (id: string) =>
      db.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify({ topic: 'audit.appended', workspaceId: svc.workspaceId, data: { id } })]);
    await untilLive([watcher, sentinel], () => notifyAudit(`aud_probe_${probes++}`));

    const [listener] = await listenBackends((rows) => rows.length === 1);
    const killed = await db.query<{ pid: number; terminated: boolean }>(
      'SELECT pid, pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1 AND pid = $2',
      [LISTEN_APPLICATION_NAME, listener!.pid],
    );
    assert.deepEqual(killed.rows, [{ pid: listener!.pid, terminated: true }], 'exactly the LISTEN backend of this test\'s gateway');

    // As another replica would, with its NOTIFYs lost: nothing here hears of these changes.
    await db.query('UPDATE trigger SET enabled = false WHERE id = $1', [trigger.id]);
    await db.query('UPDATE api_key SET revoked_at = now() WHERE id = $1', [apiKey.id]);

    await listenBackends((rows) => rows.length === 1 && rows[0]!.pid !== listener!.pid && rows[0]!.state === 'idle');
    // The first notification through the new connection: the gateway has its LISTEN answer too.
    await notifyAudit('aud_back');
    await within(sentinel.until((got) => got.some((m) => m.data?.auditAppended?.id === 'aud_back')), WAIT_MS, 'a notification after the reconnect');

    const after = await post(trigger.url, standardWebhooks(trigger.secret, body));
    assert.equal(after.status, 404, 'the disabled trigger was served from a cache the lost NOTIFY should have flushed');
    assert.equal(after.json.error.code, 'TRIGGER_NOT_FOUND');
    assert.deepEqual(await within(watcher.closed, WAIT_MS, 'the revoked key\'s socket closed'), { code: 4403, reason: 'Forbidden: API key revoked' });
    assert.equal((await gql(svc.url, key, '{ me { workspace { id } } }')).status, 401, 'the revoked key was served from a key cache the lost NOTIFY should have flushed');
    await Promise.all([watcher.client.dispose(), sentinel.client.dispose()]);
  });
});
