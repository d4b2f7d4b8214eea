// Inbound requests leave a verifiable audit chain and reach live subscribers; trigger changes reach
// every replica's /hooks cache at once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verifyChain } from '../../src/audit/verify.ts';
import { gql, startTestService, type TestService, wsClient } from '../support/service.ts';
import { post, standardWebhooks } from '../support/senders.ts';
import { createTrigger } from '../support/triggers.ts';

describe('inbound audit chain and live updates', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService();
  });
  after(() => svc.stop());

  it('chains every audit row of a burst, accepted or refused, in one verifiable sequence', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'chained' });
    const requests = Array.from({ length: 60 }, (_, i) =>
      i % 5 === 0 ? post(t.url, standardWebhooks('whsec_' + Buffer.from('wrong key for this one').toString('base64'), '{}')) : post(t.url, standardWebhooks(t.secret, `{"i":${i}}`)));
    const results = await Promise.all(requests);
    assert.equal(results.filter((r) => r.status === 202).length, 48);
    assert.equal(results.filter((r) => r.status === 401).length, 12);
    const report = await verifyChain(svc.services.pool, svc.workspaceId);
    assert.deepEqual(report, { ok: true, checked: 60 });
    const { rows } = await svc.services.pool.query('SELECT min(seq)::int AS lo, max(seq)::int AS hi, count(DISTINCT seq)::int AS n FROM webhook_audit WHERE workspace_id = $1', [svc.workspaceId]);
    assert.deepEqual(rows[0], { lo: 1, hi: 60, n: 60 });
  });

  it('detects a row altered behind the application\'s back', async () => {
    await svc.services.pool.query('ALTER TABLE webhook_audit DISABLE TRIGGER webhook_audit_append_only');
    try {
      await svc.services.pool.query(`UPDATE webhook_audit SET status_code = 299 WHERE workspace_id = $1 AND seq = 11`, [svc.workspaceId]);
    } finally {
      await svc.services.pool.query('ALTER TABLE webhook_audit ENABLE TRIGGER webhook_audit_append_only');
    }
    const report = await verifyChain(svc.services.pool, svc.workspaceId);
    assert.equal(report.ok, false);
    assert.deepEqual(report.brokenAt, { seq: 11, reason: 'hash does not match the row: it was altered' });
  });

  it('streams inboundReceived and auditAppended to subscribers as requests are recorded', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'live' });
    const other = await createTrigger(svc.url, svc.adminKey, { name: 'other' });
    const client = wsClient(svc.url, svc.adminKey);
    try {
      const received: any[] = [];
      const audits: any[] = [];
      let connected!: () => void;
      const ready = new Promise<void>((r) => (connected = r));
      client.on('connected', () => setTimeout(connected, 100));
      client.subscribe({ query: `subscription { inboundReceived(triggerId: "${t.id}") { id outcome statusCode trigger { name } session { id } } }` }, { next: (v) => received.push(v.data!.inboundReceived), error: () => {}, complete: () => {} });
      client.subscribe({ query: `subscription { auditAppended(filter: {triggerId: "${t.id}"}) { seq outcome statusCode deliveryId hash } }` }, { next: (v) => audits.push(v.data!.auditAppended), error: () => {}, complete: () => {} });
      await ready;
      await post(other.url, standardWebhooks(other.secret, '{}'));
      const ok = await post(t.url, standardWebhooks(t.secret, '{}'));
      const refused = await post(t.url, { body: '{}', headers: { 'content-type': 'application/json' } });
      assert.equal(refused.status, 401);
      const deadline = Date.now() + 5000;
      while ((received.length < 2 || audits.length < 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(received.map((d) => [d.outcome, d.statusCode, d.trigger.name]), [['ACCEPTED', 202, 'live'], ['REFUSED', 401, 'live']]);
      assert.equal(received[0].session.id, ok.json.sessionId);
      assert.deepEqual(audits.map((a) => [a.outcome, a.statusCode]), [['ACCEPTED', 202], ['REFUSED', 401]]);
      assert.equal(audits[1].seq, audits[0].seq + 1);
      assert.match(audits[0].hash, /^[0-9a-f]{64}$/);
    } finally {
      await client.dispose();
    }
  });

  it('applies a trigger change on every replica at once (the /hooks cache is invalidated over NOTIFY)', async () => {
    const replica = await startTestService({ DATABASE_URL: svc.databaseUrl, MASTER_KEY: svc.services.config.masterKey!.toString('base64') });
    try {
      const t = await createTrigger(svc.url, svc.adminKey, { name: 'cached' });
      const onReplica = `${replica.url}/hooks/${t.id}`;
      assert.equal((await post(onReplica, standardWebhooks(t.secret, '{}'))).status, 202, 'the replica has it cached now');
      await gql(svc.url, svc.adminKey, 'mutation($id: ID!) { updateTrigger(input: {id: $id, enabled: false}) { trigger { enabled } } }', { id: t.id });
      let status = 0;
      for (let i = 0; i < 20 && status !== 404; i++) {
        status = (await post(onReplica, standardWebhooks(t.secret, '{}'))).status;
        if (status !== 404) await new Promise((r) => setTimeout(r, 25));
      }
      assert.equal(status, 404, 'the disabled trigger still accepted on the replica');
    } finally {
      await replica.stop();
    }
  });
});
