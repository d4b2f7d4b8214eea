// What one graphql-ws socket may hold (SPEC §15): at most 100 live subscriptions, lookups shared by
// the subscriptions a message reaches, and a bounded amount waiting to be sent: a reader that stops
// reading is closed with a reason while the others keep receiving.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { CHANNEL } from '../../src/platform/realtime.ts';
import { openLiveSocket, startTestService, type TestService, untilLive, within, wsClient } from '../support/service.ts';

const WAIT_MS = 20_000;
const AUDIT = 'subscription { auditAppended { id outcome } }';

describe('graphql-ws socket limits', () => {
  let svc: TestService;
  let db: pg.Client;
  before(async () => {
    svc = await startTestService({ GRAPHQL_WS_MAX_BUFFER_BYTES: String(256 * 1024) });
    db = new pg.Client({ connectionString: svc.databaseUrl });
    await db.connect();
  });
  after(async () => {
    await db.end();
    await svc.stop();
  });

  /** Publishes audit messages the way the gateway does (NOTIFY), in one transaction, in order. */
  const publishAudit = (ids: string[], outcome = 'ok') =>
    db.query('SELECT pg_notify($1, m) FROM unnest($2::text[]) WITH ORDINALITY AS t(m, n) ORDER BY n', [
      CHANNEL,
      ids.map((id) => JSON.stringify({ topic: 'audit.appended', workspaceId: svc.workspaceId, data: { id, outcome } })),
    ]);

  it('refuses the 101st live subscription on a socket with TOO_MANY_SUBSCRIPTIONS, and takes a new one after one ends', async () => {
    const client = wsClient(svc.url, svc.adminKey);
    try {
      const got = new Map<number, string[]>();
      const errors = new Map<number, any>();
      const unsubscribe: Array<() => void> = [];
      let onChange = () => {};
      const subscribe = (i: number) =>
        unsubscribe.push(client.subscribe({ query: AUDIT }, {
          next: (r: any) => { got.set(i, [...(got.get(i) ?? []), r.data.auditAppended.id]); onChange(); },
          error: (e) => { errors.set(i, e); onChange(); },
          complete: () => {},
        }));
      const until = (test: () => boolean, what: string) =>
        within(new Promise<void>((resolve) => { onChange = () => test() && resolve(); onChange(); }), WAIT_MS, what);
      // A subscription starts when the gateway has read its message: publish until `test` holds.
      let probes = 0;
      const probeUntil = async (test: () => boolean, what: string) => {
        const deadline = Date.now() + WAIT_MS;
        while (!test()) {
          if (Date.now() > deadline) assert.fail(`${what}: not within ${WAIT_MS} ms`);
          await publishAudit([`aud_probe_${probes++}`]);
          await new Promise<void>((resolve) => { onChange = () => test() && resolve(); setTimeout(resolve, 500); });
        }
      };

      for (let i = 0; i < 101; i++) subscribe(i);
      await until(() => errors.size > 0, 'a refusal');
      assert.equal(errors.size, 1);
      const [refused, error] = [...errors][0]!;
      assert.equal(error[0].extensions.code, 'TOO_MANY_SUBSCRIPTIONS');
      assert.match(error[0].message, /at most 100 live subscriptions/);

      await probeUntil(() => got.size === 100, 'the 100 live subscriptions received');
      assert.ok(!got.has(refused));

      unsubscribe[refused === 0 ? 1 : 0]!();
      subscribe(101);
      await probeUntil(() => got.has(101), 'the new subscription received');
      assert.equal(errors.size, 1);
    } finally {
      await client.dispose();
    }
  });

  it('reads a delivery once per update for all the subscriptions of a socket', async () => {
    const sub = 'sub_0000000000livelimits00000';
    await db.query("INSERT INTO webhook_subscription (id, workspace_id, url, events, status) VALUES ($1, $2, 'https://example.com/', '{*}', 'DISABLED')", [sub, svc.workspaceId]);
    for (const n of ['a', 'b']) {
      await db.query("INSERT INTO event (id, workspace_id, type, body) VALUES ($1, $2, 'webhook.test', '{}')", [`evt_0000000000livelimits0000${n}`, svc.workspaceId]);
      await db.query("INSERT INTO outbound_delivery (id, workspace_id, event_id, subscription_id, status) VALUES ($1, $2, $3, $4, 'SUCCEEDED')",
        [`dlv_0000000000livelimits0000${n}`, svc.workspaceId, `evt_0000000000livelimits0000${n}`, sub]);
    }
    const probe = 'dlv_0000000000livelimits0000a';
    const measured = 'dlv_0000000000livelimits0000b';
    const updated = (deliveryId: string) =>
      db.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify({ topic: 'delivery.updated', workspaceId: svc.workspaceId, data: { deliveryId, at: Date.now() } })]);
    // What the fan-out sends for a commit's new deliveries: all their ids in one message.
    const created = (deliveryIds: string[]) =>
      db.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify({ topic: 'delivery.updated', workspaceId: svc.workspaceId, data: { deliveryIds, at: Date.now() } })]);

    // Every read of a delivery update this process makes, counted on the real pool.
    const pool = svc.services.pool;
    const query = pool.query;
    const reads: string[] = [];
    pool.query = ((config: unknown, ...rest: unknown[]) => {
      const { name, values } = (config ?? {}) as { name?: string; values?: unknown[] };
      if (name === 'delivery-updates') reads.push((values![0] as string[]).join(','));
      return (query as (...args: unknown[]) => unknown).call(pool, config, ...rest);
    }) as typeof query;
    const client = wsClient(svc.url, svc.adminKey);
    try {
      const received = Array.from({ length: 20 }, () => new Set<string>());
      const waiters = new Set<() => void>();
      for (const got of received) {
        client.subscribe<any>({ query: 'subscription { deliveryUpdated { delivery { id } } }' }, {
          next: (r) => { got.add(r.data.deliveryUpdated.delivery.id); for (const w of waiters) w(); },
          error: (e) => assert.fail(JSON.stringify(e)),
          complete: () => {},
        });
      }
      /** Whether `test` holds within `ms`, checked on each message. */
      const holds = (test: () => boolean, ms: number) => new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => { waiters.delete(check); resolve(false); }, ms);
        const check = () => { if (test()) { clearTimeout(timer); waiters.delete(check); resolve(true); } };
        waiters.add(check);
        check();
      });
      // A subscription starts once the gateway has read its message: probe until all 20 are live.
      const deadline = Date.now() + WAIT_MS;
      let live = false;
      while (!live && Date.now() < deadline) {
        await updated(probe);
        live = await holds(() => received.every((got) => got.has(probe)), 500);
      }
      assert.ok(live, 'the 20 subscriptions never all went live');

      await updated(measured);
      assert.ok(await holds(() => received.every((got) => got.has(measured)), WAIT_MS), 'the update reached every subscription');
      assert.deepEqual(reads.filter((id) => id === measured), [measured], 'one read of the delivery for the 20 subscriptions');

      // A creation message of two deliveries: one query for both, for all 20 subscriptions.
      for (const got of received) got.clear();
      reads.length = 0;
      await created([probe, measured]);
      assert.ok(await holds(() => received.every((got) => got.has(probe) && got.has(measured)), WAIT_MS), 'both reached every subscription');
      assert.deepEqual(reads, [`${probe},${measured}`], 'one read of both deliveries for the 20 subscriptions');
    } finally {
      pool.query = query;
      await client.dispose();
    }
  });

  it('closes a socket that stops reading with 4008 and a reason; another socket keeps receiving', async () => {
    const slow = await openLiveSocket(svc.url, svc.adminKey, AUDIT);
    const healthy = await openLiveSocket(svc.url, svc.adminKey, AUDIT);
    const closedSlow = async () => {
      const text = await (await fetch(`${svc.url}/metrics`)).text();
      return Number(/^webhook_gateway_graphql_ws_closed_total\{reason="slow_reader"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    };
    try {
      let probes = 0;
      await untilLive([slow, healthy], () => publishAudit([`aud_probe_${probes++}`]));
      slow.socket().pause();
      const outcome = 'x'.repeat(4000);
      // Batches of 100 updates (~400 KB), each received in full by the healthy socket before the
      // next; bounded in count, until the gateway has given up on the paused one.
      let batches = 0;
      for (; batches < 100 && (await closedSlow()) === 0; batches++) {
        const ids = Array.from({ length: 100 }, (_, i) => `aud_${batches}_${i}`);
        await publishAudit(ids, outcome);
        const last = ids.at(-1);
        await within(healthy.until((m) => m.at(-1)?.data.auditAppended.id === last), WAIT_MS, `healthy socket received batch ${batches}`);
      }
      assert.equal(await closedSlow(), 1, `the paused socket still open after ${batches} batches`);
      slow.socket().resume();
      const closed = await within(slow.closed, WAIT_MS, 'the paused socket closed');
      assert.equal(closed.code, 4008);
      assert.match(closed.reason, /^slow reader: over 262144 bytes waiting to be sent$/);
      assert.ok(slow.received.length < probes + batches * 100, 'the paused socket did not get everything');

      await publishAudit(['aud_after']);
      await within(healthy.until((m) => m.at(-1)?.data.auditAppended.id === 'aud_after'), WAIT_MS, 'healthy socket still receiving');
    } finally {
      await Promise.all([slow.client.dispose(), healthy.client.dispose()]);
    }
  });
});
