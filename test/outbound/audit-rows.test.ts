// SPEC §9: every outbound attempt and every ping has its webhook_audit row, with the attempt's
// number, status code, outcome, error class, duration, start time, delivery, subscription and
// event type: a success, a failure retried to the end, a redelivery, and pings answered 2xx and 503,
// all to a real receiver and read back through auditLog.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { gqlOk, startTestService, type TestService } from '../support/service.ts';
import { until } from '../support/wait.ts';

const CREATE = 'mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { id status } } }';
const PUBLISH = 'mutation($i: PublishEventInput!) { publishEvent(input: $i) { event { id type } } }';
const DELIVERY = `query($id: ID!) { delivery(id: $id) { id status subscription { id } event { type }
  attempts { number outcome statusCode errorClass durationMs startedAt } } }`;
const AUDIT = `query($f: AuditFilter) { auditLog(filter: $f, first: 50) { edges { node {
  direction triggerId subscriptionId deliveryId eventType attempt statusCode outcome errorClass durationMs occurredAt sourceIp payloadSha256 } } } }`;

describe('audit rows of outbound attempts and pings', () => {
  let svc: TestService;
  let receiver: Receiver;
  let failing = true;

  before(async () => {
    svc = await startTestService({
      ALLOW_PRIVATE_TARGETS: 'true', ALLOW_INSECURE_TARGETS: 'true', DELIVERY_RETRY_SCHEDULE: '50ms,50ms', DELIVERY_AUTO_DISABLE_AFTER: '1h',
    });
    receiver = await startReceiver();
    receiver.respond((r) => {
      const type = JSON.parse(r.body).type as string;
      if (r.headers['x-path'] === 'refuse') return { status: 503 };
      return type === 'tool.error' && failing ? { status: 500, body: 'down' } : { status: 200 };
    });
  });
  after(async () => {
    await svc.stop();
    await receiver.close();
  });

  const audit = async (filter: Record<string, unknown>) =>
    (await gqlOk(svc.url, svc.adminKey, AUDIT, { f: filter })).auditLog.edges.map((e: any) => e.node).reverse();
  const delivery = async (id: string) => (await gqlOk(svc.url, svc.adminKey, DELIVERY, { id })).delivery;
  const deliveryOf = async (eventId: string) =>
    (await gqlOk(svc.url, svc.adminKey, 'query($e: ID!) { deliveries(filter: {eventId: $e}) { edges { node { id } } } }', { e: eventId })).deliveries.edges[0]?.node.id as string;
  const publish = async (type: string, data: Record<string, unknown>) =>
    (await gqlOk(svc.url, svc.adminKey, PUBLISH, { i: { type, data } })).publishEvent.event.id as string;

  it('writes one row per ping and per attempt (success, each retry of a failure, a redelivery) with the attempt\'s facts', async () => {
    const ok = (await gqlOk(svc.url, svc.adminKey, CREATE, { i: { url: `${receiver.url}/ok`, events: ['tool.*'] } })).createWebhookSubscription.subscription;
    const refusing = (await gqlOk(svc.url, svc.adminKey, CREATE, {
      i: { url: `${receiver.url}/refuse`, events: ['tool.*'], headers: [{ name: 'X-Path', value: 'refuse' }] },
    })).createWebhookSubscription.subscription;
    assert.deepEqual([ok.status, refusing.status], ['ACTIVE', 'PENDING_VERIFICATION']);

    const succeeded = await deliveryOf(await publish('tool.called', { sessionId: 'ses_1', tool: 'grep', arguments: {} }));
    const failed = await deliveryOf(await publish('tool.error', { sessionId: 'ses_1', tool: 'grep', error: { message: 'boom' } }));
    await until(async () => (await delivery(succeeded)).status === 'SUCCEEDED' && (await delivery(failed)).status === 'FAILED', 'a success and a failure');
    failing = false;
    await gqlOk(svc.url, svc.adminKey, 'mutation($d: ID!) { redeliver(input: {deliveryId: $d}) { delivery { id } } }', { d: failed });
    await until(async () => (await delivery(failed)).status === 'SUCCEEDED', 'the redelivery');

    // Pings: no delivery, no attempt number; what the receiver answered.
    const pings = (await audit({ eventType: 'webhook.ping' })).map((p: any) => [p.subscriptionId, p.deliveryId, p.attempt, p.statusCode, p.outcome, p.errorClass]);
    assert.deepEqual(pings, [[ok.id, null, null, 200, 'SUCCEEDED', null], [refusing.id, null, null, 503, 'FAILED', 'HTTP_503']]);

    // Attempts: one row each, matching the delivery's own record of it.
    for (const [id, attempts] of [[succeeded, 1], [failed, 4]] as const) {
      const d = await delivery(id);
      assert.equal(d.attempts.length, attempts);
      const rows = await audit({ deliveryId: id });
      assert.deepEqual(rows.map((r: any) => [r.direction, r.triggerId, r.subscriptionId, r.deliveryId, r.eventType, r.sourceIp]),
        d.attempts.map(() => ['OUTBOUND', null, ok.id, id, d.event.type, null]));
      assert.deepEqual(rows.map((r: any) => [r.attempt, r.statusCode, r.outcome, r.errorClass, r.durationMs, r.occurredAt]),
        d.attempts.map((a: any) => [a.number, a.statusCode, a.outcome, a.errorClass, a.durationMs, a.startedAt]));
      for (const r of rows) assert.match(r.payloadSha256, /^[0-9a-f]{64}$/);
    }
    const failedRows = await audit({ deliveryId: failed });
    assert.deepEqual(failedRows.map((r: any) => [r.statusCode, r.outcome, r.errorClass]),
      [[500, 'FAILED', 'HTTP_500'], [500, 'FAILED', 'HTTP_500'], [500, 'FAILED', 'HTTP_500'], [200, 'SUCCEEDED', null]]);
    // Nothing else was sent, so nothing else was recorded: a ping and five attempts on one subscription.
    assert.equal((await audit({ subscriptionId: ok.id })).length, 6);
    assert.equal(receiver.received.filter((r) => r.headers['x-path'] !== 'refuse').length, 6);
  });
});
