// Live subscriptions that ask the same thing share one execution per update (SPEC §10, §15): a
// group per workspace, role and operation. Each socket still gets exactly its own results (its
// workspace's, masked for its role, filtered), a socket that stops reading is closed without
// stalling the others of its group, and members come and go without ending the group.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { urlShownTo } from '../../src/outbound/subscriptions.ts';
import { CHANNEL } from '../../src/platform/realtime.ts';
import { createWorkspace } from '../../src/workspaces/workspaces.ts';
import { gqlOk, keysByRole, openLiveSocket, startTestService, type LiveSocket, type TestService, untilLive, within } from '../support/service.ts';
import { until } from '../support/wait.ts';

const WAIT_MS = 20_000;
const URL_A = 'https://a.example.com/hook?token=s3cret-a';
const URL_B = 'https://b.example.com/hook?token=s3cret-b';
const WATCH = 'subscription { deliveryUpdated { recordedAt delivery { id status subscription { url } } } }';
const WATCH_FAILED = 'subscription { deliveryUpdated(filter: {status: FAILED}) { recordedAt delivery { id status subscription { url } } } }';
/** Probes (liveness) are recorded at the epoch, so what a socket received after them can be told apart. */
const PROBE_AT = 0;
const EPOCH = new Date(PROBE_AT).toISOString();
const id = (kind: string, n: string) => `${kind}_0000000000livegroups${n.padStart(5, '0')}`;

describe('live subscriptions shared by group', () => {
  let svc: TestService;
  let db: pg.Client;
  let workspaceB: string;
  let keys: { A: Record<'ADMIN' | 'VIEWER', string>; B: string };

  before(async () => {
    svc = await startTestService({ GRAPHQL_WS_MAX_BUFFER_BYTES: String(64 * 1024) });
    db = new pg.Client({ connectionString: svc.databaseUrl });
    await db.connect();
    const other = await createWorkspace(svc.services.db, 'other');
    workspaceB = other.workspace.id;
    keys = { A: await keysByRole(svc), B: other.adminKey };
    const seed = async (workspaceId: string, sub: string, url: string, deliveries: Array<[string, string]>) => {
      await db.query("INSERT INTO webhook_subscription (id, workspace_id, url, events, status) VALUES ($1, $2, $3, '{*}', 'DISABLED')", [sub, workspaceId, url]);
      for (const [delivery, status] of deliveries) {
        await db.query("INSERT INTO event (id, workspace_id, type, body) VALUES ($1, $2, 'webhook.test', '{}')", [delivery.replace('dlv_', 'evt_'), workspaceId]);
        await db.query('INSERT INTO outbound_delivery (id, workspace_id, event_id, subscription_id, status) VALUES ($1, $2, $3, $4, $5)',
          [delivery, workspaceId, delivery.replace('dlv_', 'evt_'), sub, status]);
      }
    };
    await seed(svc.workspaceId, id('sub', 'a'), URL_A, [[id('dlv', 'aok'), 'SUCCEEDED'], [id('dlv', 'afail'), 'FAILED']]);
    await seed(workspaceB, id('sub', 'b'), URL_B, [[id('dlv', 'b'), 'SUCCEEDED']]);
  });
  after(async () => {
    await db.end();
    await svc.stop();
  });

  /** An update of one delivery, the way the worker announces an attempt (NOTIFY). */
  const updated = (workspaceId: string, deliveryId: string, at = Date.now()) =>
    db.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify({ topic: 'delivery.updated', workspaceId, data: { deliveryId, at } })]);
  const probe = (workspaceId: string, deliveryId: string) => updated(workspaceId, deliveryId, PROBE_AT);
  /** What a socket received besides probes. */
  const measured = (s: LiveSocket) => s.received.filter((m) => m.data.deliveryUpdated.recordedAt !== EPOCH);
  const gauges = async () => {
    const text = await (await fetch(`${svc.url}/metrics`)).text();
    const read = (name: string) => Number(new RegExp(`^webhook_gateway_graphql_ws_live_${name} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
    return { groups: read('groups'), subscriptions: read('subscriptions') };
  };
  const gaugesAre = (groups: number, subscriptions: number, what: string) =>
    until(async () => {
      const g = await gauges();
      return g.groups === groups && g.subscriptions === subscriptions;
    }, `${what}: ${groups} groups of ${subscriptions} subscriptions`, WAIT_MS);
  const shown = (s: LiveSocket) => measured(s).map((m) => {
    const { delivery } = m.data.deliveryUpdated;
    return `${delivery.id} ${delivery.status} ${delivery.subscription.url}`;
  });

  it('gives every socket of a group, role, filter and workspace exactly its own results', async () => {
    const adminA = await openLiveSocket(svc.url, keys.A.ADMIN, WATCH);
    const adminA2 = await openLiveSocket(svc.url, keys.A.ADMIN, WATCH);
    const viewerA = await openLiveSocket(svc.url, keys.A.VIEWER, WATCH);
    const failedA = await openLiveSocket(svc.url, keys.A.ADMIN, WATCH_FAILED);
    const adminB = await openLiveSocket(svc.url, keys.B, WATCH);
    const all = [adminA, adminA2, viewerA, failedA, adminB];
    try {
      await untilLive(all, async () => {
        await probe(svc.workspaceId, id('dlv', 'afail'));
        await probe(workspaceB, id('dlv', 'b'));
      });
      // The two ADMIN sockets of A asking the same thing share one group; the others have their own.
      await gaugesAre(4, 5, 'the five subscriptions');
      // Notifications arrive in commit order: each workspace's last update is sent after the other's,
      // so a socket that would get another workspace's update has it before its own last one.
      for (const [ws, delivery] of [['A', 'aok'], ['A', 'afail'], ['B', 'b'], ['A', 'afail'], ['B', 'b']]) {
        await updated(ws === 'A' ? svc.workspaceId : workspaceB, id('dlv', delivery!));
      }
      const lastIs = (s: LiveSocket, delivery: string, count: number) =>
        within(s.until(() => measured(s).length >= count && measured(s).at(-1).data.deliveryUpdated.delivery.id === id('dlv', delivery)), WAIT_MS, `socket's last update ${delivery}`);
      await Promise.all([lastIs(adminA, 'afail', 3), lastIs(adminA2, 'afail', 3), lastIs(viewerA, 'afail', 3), lastIs(failedA, 'afail', 2), lastIs(adminB, 'b', 2)]);

      const [ok, failed, b] = [`${id('dlv', 'aok')} SUCCEEDED`, `${id('dlv', 'afail')} FAILED`, `${id('dlv', 'b')} SUCCEEDED`];
      assert.deepEqual(shown(adminA), [`${ok} ${URL_A}`, `${failed} ${URL_A}`, `${failed} ${URL_A}`]);
      assert.deepEqual(shown(adminA2), shown(adminA));
      const masked = urlShownTo('VIEWER', URL_A);
      assert.ok(!masked.includes('s3cret'));
      assert.deepEqual(shown(viewerA), [`${ok} ${masked}`, `${failed} ${masked}`, `${failed} ${masked}`]);
      assert.deepEqual(shown(failedA), [`${failed} ${URL_A}`, `${failed} ${URL_A}`]);
      assert.deepEqual(shown(adminB), [`${b} ${URL_B}`, `${b} ${URL_B}`]);

      // Both workspaces' updates in one commit: each workspace's subscribers get exactly their own, in order.
      const before = all.map((s) => measured(s).length);
      const at = Date.now();
      await db.query('SELECT pg_notify($1, m) FROM unnest($2::text[]) WITH ORDINALITY AS t(m, n) ORDER BY n', [CHANNEL, [
        [svc.workspaceId, 'aok'], [workspaceB, 'b'], [svc.workspaceId, 'afail'],
      ].map(([workspaceId, delivery], i) => JSON.stringify({ topic: 'delivery.updated', workspaceId, data: { deliveryId: id('dlv', delivery!), at: at + i } }))]);
      await Promise.all([lastIs(adminA, 'afail', 5), lastIs(adminA2, 'afail', 5), lastIs(viewerA, 'afail', 5), lastIs(failedA, 'afail', 3), lastIs(adminB, 'b', 3)]);
      const added = (s: LiveSocket, i: number) => shown(s).slice(before[i]);
      assert.deepEqual(added(adminA, 0), [`${ok} ${URL_A}`, `${failed} ${URL_A}`]);
      assert.deepEqual(added(adminA2, 1), [`${ok} ${URL_A}`, `${failed} ${URL_A}`]);
      assert.deepEqual(added(viewerA, 2), [`${ok} ${masked}`, `${failed} ${masked}`]);
      assert.deepEqual(added(failedA, 3), [`${failed} ${URL_A}`]);
      assert.deepEqual(added(adminB, 4), [`${b} ${URL_B}`]);
    } finally {
      await Promise.all(all.map((s) => s.client.dispose()));
    }
    await gaugesAre(0, 0, 'all sockets closed');
  });

  it('keeps a group working as members leave, and ends it with its last member', async () => {
    const first = await openLiveSocket(svc.url, keys.A.VIEWER, WATCH);
    const second = await openLiveSocket(svc.url, keys.A.VIEWER, WATCH);
    try {
      await untilLive([first, second], () => probe(svc.workspaceId, id('dlv', 'aok')));
      await gaugesAre(1, 2, 'one group of two');
      await first.client.dispose();
      await gaugesAre(1, 1, 'the group without the first');
      await updated(svc.workspaceId, id('dlv', 'afail'));
      await within(second.until(() => measured(second).length === 1), WAIT_MS, 'the remaining member received');
      assert.equal(measured(second)[0].data.deliveryUpdated.delivery.id, id('dlv', 'afail'));
      // A newcomer joins the running group.
      const third = await openLiveSocket(svc.url, keys.A.VIEWER, WATCH);
      try {
        await untilLive([third], () => probe(svc.workspaceId, id('dlv', 'aok')));
        await gaugesAre(1, 2, 'the newcomer in the same group');
      } finally {
        await third.client.dispose();
      }
    } finally {
      await Promise.all([first.client.dispose(), second.client.dispose()]);
    }
    await gaugesAre(0, 0, 'the group ended with its last member');
  });

  it('closes the socket of a revoked key whose operation opened the group; the other member, on another key, keeps receiving', async () => {
    const viewerKey = async (name: string) => (await gqlOk<{ createApiKey: { key: string; apiKey: { id: string } } }>(svc.url, svc.adminKey,
      'mutation($n: String!) { createApiKey(input: {name: $n, role: VIEWER}) { key apiKey { id } } }', { n: name })).createApiKey;
    const [opener, other] = [await viewerKey('group-opener'), await viewerKey('group-other')];
    const first = await openLiveSocket(svc.url, opener.key, WATCH);
    const second = await openLiveSocket(svc.url, other.key, WATCH);
    try {
      await untilLive([first, second], () => probe(svc.workspaceId, id('dlv', 'aok')));
      await gaugesAre(1, 2, 'one group of two keys');
      await gqlOk(svc.url, svc.adminKey, 'mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { revokedAt } } }', { id: opener.apiKey.id });
      assert.equal((await within(first.closed, WAIT_MS, 'the revoked key\'s socket closed')).code, 4403);
      await gaugesAre(1, 1, 'the group without the revoked key');
      const before = measured(first).length;
      await updated(svc.workspaceId, id('dlv', 'afail'));
      await within(second.until(() => measured(second).some((m) => m.data.deliveryUpdated.delivery.id === id('dlv', 'afail'))), WAIT_MS, 'the other key still receives');
      assert.equal(measured(first).length, before, 'nothing more reached the revoked key');
    } finally {
      await Promise.all([first.client.dispose(), second.client.dispose()]);
    }
    await gaugesAre(0, 0, 'all sockets closed');
  });

  it('closes a member that stops reading (4008) while the others of its group receive everything', async () => {
    const AUDIT = 'subscription { auditAppended { id outcome } }';
    const audit = (ids: string[], outcome: string) =>
      db.query('SELECT pg_notify($1, m) FROM unnest($2::text[]) WITH ORDINALITY AS t(m, n) ORDER BY n', [CHANNEL,
        ids.map((i) => JSON.stringify({ topic: 'audit.appended', workspaceId: svc.workspaceId, data: { id: i, outcome } }))]);
    const slowClosed = async () => {
      const text = await (await fetch(`${svc.url}/metrics`)).text();
      return Number(/^webhook_gateway_graphql_ws_closed_total\{reason="slow_reader"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    };
    const slow = await openLiveSocket(svc.url, keys.A.ADMIN, AUDIT);
    const healthy = [await openLiveSocket(svc.url, keys.A.ADMIN, AUDIT), await openLiveSocket(svc.url, keys.A.ADMIN, AUDIT)];
    try {
      let probes = 0;
      await untilLive([slow, ...healthy], () => audit([`aud_probe_${probes++}`], 'ok'));
      await gaugesAre(1, 3, 'one group of three');
      slow.socket().pause();
      // Rounds of 100 updates (~400 KB), each received in full by the healthy members before the
      // next; bounded in count, until the gateway has given up on the paused one.
      let rounds = 0;
      for (; rounds < 100 && (await slowClosed()) === 0; rounds++) {
        const ids = Array.from({ length: 100 }, (_, i) => `aud_${rounds}_${i}`);
        await audit(ids, 'x'.repeat(4000));
        await Promise.all(healthy.map((s) => within(s.until((r) => r.at(-1)?.data.auditAppended.id === ids.at(-1)), WAIT_MS, `healthy member received round ${rounds}`)));
      }
      assert.equal(await slowClosed(), 1, `the paused member still open after ${rounds} rounds`);
      slow.socket().resume();
      const closed = await within(slow.closed, WAIT_MS, 'the paused member closed');
      assert.equal(closed.code, 4008);
      await gaugesAre(1, 2, 'the group without the paused member');
      await audit(['aud_after'], 'ok');
      await Promise.all(healthy.map((s) => within(s.until((r) => r.at(-1)?.data.auditAppended.id === 'aud_after'), WAIT_MS, 'healthy member still receiving')));
      const expected = [...Array.from({ length: rounds * 100 }, (_, k) => `aud_${Math.floor(k / 100)}_${k % 100}`), 'aud_after'];
      for (const s of healthy) {
        assert.deepEqual(s.received.map((m) => m.data.auditAppended.id as string).filter((i) => !i.startsWith('aud_probe_')), expected, 'every update, in order');
      }
    } finally {
      await Promise.all([slow, ...healthy].map((s) => s.client.dispose()));
    }
  });
});
