// auditLog (SPEC §9, §12): newest first with Relay cursors, every filter, aud_ ids that node(id:)
// resolves, the rights of each role and workspace, and keyset pages that stay on an index when the
// workspace holds 200,000 rows (EXPLAIN of the very statements the API runs).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { auditEntryId } from '../../src/audit/audit-entry.ts';
import { type AuditFilter, type AuditKeyset, auditRowsStatement } from '../../src/audit/queries.ts';
import { encodeCursor } from '../../src/graphql/pagination.ts';
import { notify } from '../../src/platform/realtime.ts';
import { createWorkspace } from '../../src/workspaces/workspaces.ts';
import { seedAuditRows } from '../support/audit-seed.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { post, standardWebhooks } from '../support/senders.ts';
import { gql, gqlOk, keysByRole, type LiveSocket, openLiveSocket, startTestService, type TestService, untilLive, within } from '../support/service.ts';
import { createTrigger } from '../support/triggers.ts';
import { until } from '../support/wait.ts';

// The fields a page shows (the cost limit counts each one per item of a 100-item page).
const ENTRY = 'id seq direction triggerId subscriptionId deliveryId eventType outcome occurredAt';
const AUDIT_LOG = `query($f: AuditFilter, $first: Int!, $after: String) {
  auditLog(filter: $f, first: $first, after: $after) { edges { cursor node { ${ENTRY} } } pageInfo { hasNextPage hasPreviousPage endCursor } } }`;

interface Entry { id: string; seq: string; direction: string; triggerId: string | null; subscriptionId: string | null; deliveryId: string | null;
  eventType: string | null; outcome: string; occurredAt: string }

/** Every page of auditLog, following endCursor. */
async function allPages(url: string, key: string, filter: Record<string, unknown> | null, first: number): Promise<Entry[]> {
  const entries: Entry[] = [];
  let afterCursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const data: any = await gqlOk(url, key, AUDIT_LOG, { f: filter, first, after: afterCursor });
    const { edges, pageInfo } = data.auditLog;
    assert.equal(pageInfo.hasPreviousPage, afterCursor !== null);
    entries.push(...edges.map((e: any) => e.node));
    if (!pageInfo.hasNextPage) return entries;
    afterCursor = pageInfo.endCursor;
  }
  throw new Error('more than 1000 pages');
}

describe('auditLog', () => {
  let svc: TestService;
  let receiver: Receiver;
  const keys: Record<string, string> = {};
  let other: { workspaceId: string; adminKey: string };
  let t1: string;
  let subscriptionId: string;
  let inboundDeliveryId: string;
  let outboundDeliveryId: string;
  let all: Entry[];

  before(async () => {
    svc = await startTestService({ ALLOW_PRIVATE_TARGETS: 'true', ALLOW_INSECURE_TARGETS: 'true' });
    receiver = await startReceiver();
    Object.assign(keys, await keysByRole(svc));
    const created = await createWorkspace(svc.services.db, 'other');
    other = { workspaceId: created.workspace.id, adminKey: created.adminKey };
    // Real traffic: accepted and refused requests on two triggers, a subscription's ping and a delivery.
    const a = await createTrigger(svc.url, svc.adminKey, { name: 'a' });
    const b = await createTrigger(svc.url, svc.adminKey, { name: 'b' });
    t1 = a.id;
    for (let i = 0; i < 3; i++) {
      const r = await post(a.url, standardWebhooks(a.secret, `{"i":${i}}`));
      assert.equal(r.status, 202);
      inboundDeliveryId = r.json.deliveryId;
    }
    assert.equal((await post(a.url, { body: '{}', headers: { 'content-type': 'application/json' } })).status, 401);
    for (let i = 0; i < 2; i++) assert.equal((await post(b.url, standardWebhooks(b.secret, '{}'))).status, 202);
    const sub = await gqlOk(svc.url, svc.adminKey, 'mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { id status } } }',
      { i: { url: `${receiver.url}/hook`, events: ['tool.called'] } });
    subscriptionId = sub.createWebhookSubscription.subscription.id;
    assert.equal(sub.createWebhookSubscription.subscription.status, 'ACTIVE');
    await gqlOk(svc.url, svc.adminKey, 'mutation { publishEvent(input: {type: "tool.called", data: {sessionId: "ses_1", tool: "grep", arguments: {}}}) { event { id } } }');
    const attempt = await until(async () => (await svc.services.pool.query(
      `SELECT delivery_id FROM webhook_audit WHERE subscription_id = $1 AND attempt IS NOT NULL`, [subscriptionId])).rows[0], 'the delivery\'s audit row');
    outboundDeliveryId = attempt.delivery_id;
    all = await allPages(svc.url, svc.adminKey, null, 3);
  });
  after(async () => {
    await svc.stop();
    await receiver.close();
  });

  it('pages every entry of the workspace newest first, with aud_ ids and BigInt seqs, across Relay cursors', async () => {
    const { rows } = await svc.services.pool.query(
      'SELECT id::text AS id, occurred_at, seq FROM webhook_audit WHERE workspace_id = $1 ORDER BY occurred_at DESC, id DESC', [svc.workspaceId]);
    assert.equal(rows.length, 8, 'six requests, a ping and an attempt');
    assert.deepEqual(all.map((e) => e.id), rows.map((r) => auditEntryId({ id: r.id, occurredAt: r.occurred_at })));
    assert.deepEqual(all.map((e) => e.seq), rows.map((r) => String(r.seq)));
    for (const e of all) assert.match(e.id, /^aud_[0-9a-hjkmnp-tv-z]{26}$/);
    const times = all.map((e) => Date.parse(e.occurredAt));
    assert.deepEqual(times, [...times].sort((x, y) => y - x), 'newest first');
    assert.deepEqual([...all.map((e) => e.id)].sort().reverse(), all.map((e) => e.id), 'aud_ ids sort in the order the log is read');
  });

  it('applies each filter of AuditFilter, alone, through every page', async () => {
    const at = (i: number) => all[i]!.occurredAt;
    const cases: Array<[Record<string, unknown>, (e: Entry) => boolean]> = [
      [{ direction: 'OUTBOUND' }, (e) => e.direction === 'OUTBOUND'],
      [{ triggerId: t1 }, (e) => e.triggerId === t1],
      [{ subscriptionId }, (e) => e.subscriptionId === subscriptionId],
      [{ deliveryId: inboundDeliveryId }, (e) => e.deliveryId === inboundDeliveryId],
      [{ deliveryId: outboundDeliveryId }, (e) => e.deliveryId === outboundDeliveryId],
      [{ eventType: 'webhook.ping' }, (e) => e.eventType === 'webhook.ping'],
      [{ outcome: 'REFUSED' }, (e) => e.outcome === 'REFUSED'],
      [{ occurredAfter: at(5), occurredBefore: at(1) }, (e) => e.occurredAt >= at(5) && e.occurredAt < at(1)],
      [{ triggerId: t1, outcome: 'ACCEPTED', occurredBefore: at(0) }, (e) => e.triggerId === t1 && e.outcome === 'ACCEPTED' && e.occurredAt < at(0)],
    ];
    for (const [filter, keep] of cases) {
      const expected = all.filter(keep).map((e) => e.id);
      assert.ok(expected.length > 0 && expected.length < all.length, `${JSON.stringify(filter)} should select some rows, not all`);
      assert.deepEqual((await allPages(svc.url, svc.adminKey, filter, 2)).map((e) => e.id), expected, JSON.stringify(filter));
    }
  });

  it('resolves an aud_ id through node(id:) in its own workspace only', async () => {
    const query = `query($id: ID!) { node(id: $id) { __typename id ... on AuditEntry { ${ENTRY} statusCode hash } } }`;
    const entry = all[0]!;
    const mine = await gqlOk(svc.url, keys.VIEWER!, query, { id: entry.id });
    const { statusCode, hash, ...shown } = mine.node;
    assert.deepEqual(shown, { __typename: 'AuditEntry', ...entry });
    assert.equal(typeof statusCode, 'number');
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.equal((await gqlOk(svc.url, other.adminKey, query, { id: entry.id })).node, null, 'another workspace\'s entry is not found');
    // The same row number with another time is no id of ours.
    const { rows: [row] } = await svc.services.pool.query('SELECT id::text AS id FROM webhook_audit WHERE workspace_id = $1 ORDER BY id DESC LIMIT 1', [svc.workspaceId]);
    const forged = auditEntryId({ id: row.id, occurredAt: new Date(Date.parse(entry.occurredAt) - 1000) });
    assert.equal((await gqlOk(svc.url, svc.adminKey, query, { id: forged })).node, null);
  });

  it('lets ADMIN and VIEWER keys read, refuses PUBLISHER keys, and shows another workspace nothing', async () => {
    const viewer = await gqlOk(svc.url, keys.VIEWER!, AUDIT_LOG, { first: 100 });
    assert.deepEqual(viewer.auditLog.edges.map((e: any) => e.node.id), all.map((e) => e.id));
    const publisher = await gql(svc.url, keys.PUBLISHER!, AUDIT_LOG, { first: 5 });
    assert.equal(publisher.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    assert.equal(publisher.data, null);
    for (const filter of [null, { triggerId: t1 }, { deliveryId: inboundDeliveryId }]) {
      const theirs = await gqlOk(svc.url, other.adminKey, AUDIT_LOG, { f: filter, first: 100 });
      assert.deepEqual(theirs.auditLog.edges, [], `another workspace, filter ${JSON.stringify(filter)}`);
    }
    const unauthenticated = await gql(svc.url, undefined, AUDIT_LOG, { first: 5 });
    assert.equal(unauthenticated.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  });

  it('refuses a page size out of range and a cursor that is not an audit cursor, naming the argument', async () => {
    for (const [variables, field] of [
      [{ first: 0 }, 'first'], [{ first: 101 }, 'first'], [{ first: 5, after: 'not-a-cursor' }, 'after'],
      [{ first: 5, after: encodeCursor(t1) }, 'after'],
    ] as const) {
      const r = await gql(svc.url, svc.adminKey, AUDIT_LOG, variables);
      assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(variables));
      assert.equal(r.errors?.[0]?.extensions?.field, field);
    }
  });

  it('streams auditAppended through every field of its filter', async () => {
    // One entry matches every socket's filter; each of the others differs from it in one field, so
    // it must reach every socket but the one filtering on that field.
    const match = {
      workspaceId: svc.workspaceId, seq: 1, direction: 'INBOUND', triggerId: 'trg_live', subscriptionId: 'sub_live', deliveryId: 'ind_live',
      eventType: 'tool.called', headersSha256: 'h', payloadSha256: 'p', occurredAt: '2026-06-01T12:00:00.000Z', durationMs: 1, attempt: 1,
      statusCode: 202, outcome: 'ACCEPTED', errorClass: null, sourceIp: null, hash: 'x',
    };
    const filters: Record<string, [string, Record<string, unknown>]> = {
      direction: ['direction: INBOUND', { direction: 'OUTBOUND' }],
      triggerId: ['triggerId: "trg_live"', { triggerId: 'trg_else' }],
      subscriptionId: ['subscriptionId: "sub_live"', { subscriptionId: 'sub_else' }],
      deliveryId: ['deliveryId: "ind_live"', { deliveryId: 'dlv_else' }],
      eventType: ['eventType: "tool.called"', { eventType: 'tool.error' }],
      outcome: ['outcome: "ACCEPTED"', { outcome: 'REFUSED' }],
      occurredAfter: ['occurredAfter: "2026-06-01T12:00:00.000Z"', { occurredAt: '2026-06-01T11:59:59.999Z' }],
      occurredBefore: ['occurredBefore: "2026-06-01T12:00:00.001Z"', { occurredAt: '2026-06-01T12:00:00.001Z' }],
    };
    const sockets: Record<string, LiveSocket> = {};
    for (const [field, [argument]] of Object.entries(filters)) {
      sockets[field] = await openLiveSocket(svc.url, keys.VIEWER!, `subscription { auditAppended(filter: {${argument}}) { id seq } }`);
    }
    const send = (entries: Array<Record<string, unknown>>) =>
      notify(svc.services.pool, entries.map((data) => ({ topic: 'audit.appended' as const, workspaceId: svc.workspaceId, data: { ...match, ...data } })));
    try {
      let probes = 0;
      await untilLive(Object.values(sockets), () => send([{ id: `aud_probe${probes++}` }]));
      await send([...Object.entries(filters).map(([field, [, differs]]) => ({ id: `aud_not_${field}`, ...differs })), { id: 'aud_last', seq: 2 }]);
      for (const [field, socket] of Object.entries(sockets)) {
        const ids = () => socket.received.map((m) => m.data.auditAppended.id as string).filter((id) => !id.startsWith('aud_probe'));
        await within(socket.until(() => ids().includes('aud_last')), 15_000, `${field}'s socket`);
        assert.deepEqual(ids(), [...Object.keys(filters).filter((f) => f !== field).map((f) => `aud_not_${f}`), 'aud_last'], field);
      }
      assert.equal(sockets.deliveryId!.received.at(-1).data.auditAppended.seq, '2', 'seq is a BigInt: a string of digits');
    } finally {
      await Promise.all(Object.values(sockets).map((s) => s.client.dispose()));
    }
  });

  describe('with 200,000 rows in one workspace', () => {
    const ROWS = 200_000;
    let pool: pg.Pool;
    before(async () => {
      pool = svc.services.pool;
      await seedAuditRows(pool, other.workspaceId, ROWS);
    });

    const day = (h: number) => new Date(Date.UTC(2026, 0, 1, h));
    const FILTERS: Array<[string, AuditFilter, string]> = [
      ['no filter', {}, 'webhook_audit_workspace_id_occurred_at_id_idx'],
      ['direction', { direction: 'INBOUND' }, 'webhook_audit_workspace_id_occurred_at_id_idx'],
      ['trigger', { triggerId: 'trg_seed2' }, 'webhook_audit_trigger_read_idx'],
      ['subscription', { subscriptionId: 'sub_seed3' }, 'webhook_audit_subscription_read_idx'],
      ['inbound delivery', { deliveryId: 'ind_seed100' }, 'webhook_audit_delivery_read_idx'],
      ['outbound delivery', { deliveryId: 'dlv_seed1000' }, 'webhook_audit_delivery_read_idx'],
      ['event type', { eventType: 'tool.called' }, 'webhook_audit_workspace_id_occurred_at_id_idx'],
      ['outcome', { outcome: 'FAILED' }, 'webhook_audit_workspace_id_occurred_at_id_idx'],
      ['time range', { occurredAfter: day(1), occurredBefore: day(3) }, 'webhook_audit_workspace_id_occurred_at_id_idx'],
      ['occurred after', { occurredAfter: day(2) }, 'webhook_audit_workspace_id_occurred_at_id_idx'],
      ['occurred before', { occurredBefore: day(2) }, 'webhook_audit_workspace_id_occurred_at_id_idx'],
      ['trigger and time range', { triggerId: 'trg_seed2', occurredAfter: day(1), occurredBefore: day(3) }, 'webhook_audit_trigger_read_idx'],
    ];

    /**
     * The cursor of the last page: the row just before the `size` rows that come last in `order`
     * (a delivery has fewer rows than a page: then its last row, or the only one, with an empty page after).
     */
    async function lastPageCursor(filter: AuditFilter, order: AuditKeyset['order'], size: number): Promise<AuditKeyset['after']> {
      const opposite = order === 'newest' ? 'oldest' : 'newest';
      const { rows } = await pool.query(auditRowsStatement(other.workspaceId, filter, { order: opposite, limit: size + 1 }));
      assert.ok(rows.length === size + 1 || filter.deliveryId, `${JSON.stringify(filter)} matches more than a page`);
      const row = rows[rows.length - 1];
      return { rowId: row.id, occurredAt: row.occurred_at };
    }

    async function planNodes(filter: AuditFilter, keyset: AuditKeyset): Promise<Array<Record<string, any>>> {
      const statement = auditRowsStatement(other.workspaceId, filter, keyset);
      const { rows } = await pool.query({ text: `EXPLAIN (FORMAT JSON) ${statement.text}`, values: statement.values });
      const nodes: Array<Record<string, any>> = [];
      const walk = (n: Record<string, any>) => { nodes.push(n); for (const c of n.Plans ?? []) walk(c); };
      walk(rows[0]['QUERY PLAN'][0].Plan);
      return nodes;
    }

    for (const [name, filter, index] of FILTERS) {
      it(`reads the first and the last page (${name}) along ${index}: no sequential scan, no sort`, async () => {
        for (const order of ['newest', 'oldest'] as const) {
          for (const page of ['first', 'last'] as const) {
            const afterRow = page === 'first' ? undefined : await lastPageCursor(filter, order, 20);
            const nodes = await planNodes(filter, { order, after: afterRow, limit: 21 });
            const where = `${name}, ${order} first, ${page} page: ${nodes.map((n) => `${n['Node Type']}(${n['Index Name'] ?? n['Relation Name'] ?? ''})`).join(' > ')}`;
            assert.ok(!nodes.some((n) => n['Node Type'] === 'Seq Scan'), `sequential scan: ${where}`);
            assert.ok(!nodes.some((n) => /Sort/.test(n['Node Type'])), `sort: ${where}`);
            const scan = nodes.find((n) => n['Relation Name'] === 'webhook_audit');
            assert.ok(scan && ['Index Scan', 'Index Only Scan'].includes(scan['Node Type']), `not an index scan: ${where}`);
            assert.equal(scan['Index Name'], index, where);
          }
        }
      });
    }

    it('answers the first and the last page of the 200,000 through GraphQL, newest first', async () => {
      const first = await gqlOk(svc.url, other.adminKey, AUDIT_LOG, { f: { triggerId: 'trg_seed2' }, first: 3 });
      assert.equal(first.auditLog.edges.length, 3);
      assert.ok(first.auditLog.pageInfo.hasNextPage);
      const { rows } = await pool.query(
        `SELECT id::text AS id, occurred_at FROM webhook_audit WHERE workspace_id = $1 AND trigger_id = 'trg_seed2' ORDER BY occurred_at, id LIMIT 4`, [other.workspaceId]);
      const oldest = rows.map((r) => auditEntryId({ id: r.id, occurredAt: r.occurred_at }));
      const last = await gqlOk(svc.url, other.adminKey, AUDIT_LOG, { f: { triggerId: 'trg_seed2' }, first: 3, after: encodeCursor(oldest[3]!) });
      assert.deepEqual(last.auditLog.edges.map((e: any) => e.node.id), oldest.slice(0, 3).reverse());
      assert.equal(last.auditLog.pageInfo.hasNextPage, false);
    });
  });
});
