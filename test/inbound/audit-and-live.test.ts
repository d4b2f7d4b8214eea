// Inbound requests leave a verifiable audit chain and reach live subscribers. (A trigger change
// reaching another replica's /hooks cache: trigger-cache.test.ts.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gqlOk, openLiveSocket, startTestService, type TestService, untilLive, within } from '../support/service.ts';
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
    const { verifyAuditChain: report } = await gqlOk(svc.url, svc.adminKey, 'mutation { verifyAuditChain(input: {}) { ok checked head { seq } reason } }');
    assert.deepEqual(report, { ok: true, checked: 60, head: { seq: '60' }, reason: null });
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
    const { verifyAuditChain: report } = await gqlOk(svc.url, svc.adminKey, 'mutation { verifyAuditChain(input: {}) { ok firstBrokenEntry { seq statusCode } reason } }');
    assert.equal(report.ok, false);
    assert.equal(report.firstBrokenEntry.statusCode, 299);
    assert.equal(report.reason, 'seq 11: its hash does not match its content: it was altered');
  });

  it('streams inboundReceived and auditAppended to subscribers as requests are recorded', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'live' });
    const other = await createTrigger(svc.url, svc.adminKey, { name: 'other' });
    const inbound = await openLiveSocket(svc.url, svc.adminKey, `subscription { inboundReceived(triggerId: "${t.id}") { id outcome statusCode trigger { name } session { id } } }`);
    const audit = await openLiveSocket(svc.url, svc.adminKey, `subscription { auditAppended(filter: {triggerId: "${t.id}"}) { seq outcome statusCode deliveryId hash } }`);
    try {
      // Probes until both are live: signed requests with a body that is not JSON, refused with
      // 400 and recorded, so they reach both subscriptions and are told apart by their status.
      await untilLive([inbound, audit], () => post(t.url, standardWebhooks(t.secret, 'not json')));
      const probe = (status: number) => status === 400;
      await post(other.url, standardWebhooks(other.secret, '{}'));
      const ok = await post(t.url, standardWebhooks(t.secret, '{}'));
      assert.equal(ok.status, 202);
      const refused = await post(t.url, { body: '{}', headers: { 'content-type': 'application/json' } });
      assert.equal(refused.status, 401);
      const received = () => inbound.received.map((m) => m.data.inboundReceived).filter((d) => !probe(d.statusCode));
      const audits = () => audit.received.map((m) => m.data.auditAppended).filter((a) => !probe(a.statusCode));
      await within(inbound.until(() => received().length >= 2), 15_000, 'two inboundReceived');
      await within(audit.until(() => audits().length >= 2), 15_000, 'two auditAppended');
      assert.deepEqual(received().map((d) => [d.outcome, d.statusCode, d.trigger.name]), [['ACCEPTED', 202, 'live'], ['REFUSED', 401, 'live']]);
      assert.equal(received()[0].session.id, ok.json.sessionId);
      assert.equal(received()[0].id, ok.json.deliveryId);
      assert.deepEqual(audits().map((a) => [a.outcome, a.statusCode, a.deliveryId]), [['ACCEPTED', 202, ok.json.deliveryId], ['REFUSED', 401, received()[1].id]]);
      // seq is a BigInt: a string of digits.
      assert.equal(BigInt(audits()[1].seq), BigInt(audits()[0].seq) + 1n);
      assert.match(audits()[0].hash, /^[0-9a-f]{64}$/);
    } finally {
      await Promise.all([inbound.client.dispose(), audit.client.dispose()]);
    }
  });

  it('streams a burst recorded in shared commits to each subscriber once per request, filtered, in audit order', async () => {
    const [a, b] = [await createTrigger(svc.url, svc.adminKey, { name: 'burst-a' }), await createTrigger(svc.url, svc.adminKey, { name: 'burst-b' })];
    const inbound = await openLiveSocket(svc.url, svc.adminKey, `subscription { inboundReceived(triggerId: "${a.id}") { id statusCode } }`);
    const all = await openLiveSocket(svc.url, svc.adminKey, 'subscription { inboundReceived { id statusCode } }');
    const audit = await openLiveSocket(svc.url, svc.adminKey, `subscription { auditAppended(filter: {triggerId: "${a.id}"}) { seq statusCode deliveryId } }`);
    try {
      await untilLive([inbound, all, audit], () => post(a.url, standardWebhooks(a.secret, 'not json')));
      const live = (m: { data: Record<string, { statusCode: number }> }) => Object.values(m.data)[0]!.statusCode !== 400;
      // Sent at once: the /hooks writer records them together, a few commits for all 100.
      const results = await Promise.all(Array.from({ length: 100 }, (_, i) =>
        i % 4 === 3 ? post(b.url, standardWebhooks(b.secret, `{"i":${i}}`)) : post(a.url, standardWebhooks(a.secret, `{"i":${i}}`))));
      assert.ok(results.every((r) => r.status === 202));
      const ofA = results.filter((_, i) => i % 4 !== 3).map((r) => r.json.deliveryId as string);
      await within(inbound.until(() => inbound.received.filter(live).length >= 75), 15_000, '75 inboundReceived on trigger a');
      await within(all.until(() => all.received.filter(live).length >= 100), 15_000, '100 inboundReceived in the workspace');
      await within(audit.until(() => audit.received.filter(live).length >= 75), 15_000, '75 auditAppended on trigger a');
      // A marker recorded after the burst reaches each stream after anything the burst sent: a late
      // duplicate would have come before it.
      assert.equal((await post(a.url, standardWebhooks(a.secret, 'marker: not json'))).status, 400);
      const marked = (s: typeof inbound) => s.until(() => s.received.length > 0 && !live(s.received.at(-1)!));
      await within(Promise.all([marked(inbound), marked(all), marked(audit)]), 15_000, 'the marker on every stream');
      const ids = (s: typeof inbound) => s.received.filter(live).map((m) => Object.values(m.data)[0] as unknown as { id?: string; deliveryId?: string });
      assert.deepEqual(new Set(ids(inbound).map((d) => d.id)), new Set(ofA));
      assert.equal(ids(inbound).length, 75, 'each request once');
      assert.deepEqual(new Set(ids(all).map((d) => d.id)), new Set(results.map((r) => r.json.deliveryId)));
      assert.equal(ids(all).length, 100, 'each request once');
      assert.deepEqual(new Set(ids(audit).map((d) => d.deliveryId)), new Set(ofA));
      const seqs = audit.received.filter(live).map((m) => BigInt(m.data.auditAppended.seq));
      assert.deepEqual(seqs, [...seqs].sort((x, y) => (x < y ? -1 : 1)), 'audit entries arrive in chain order');
    } finally {
      await Promise.all([inbound.client.dispose(), all.client.dispose(), audit.client.dispose()]);
    }
  });
});
