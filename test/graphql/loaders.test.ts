// Per-request loaders (src/graphql/loaders.ts): a page's children cost one statement per kind,
// whatever the page size; a live subscription's updates each read afresh.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { newId } from '../../src/platform/ids.ts';
import { notify } from '../../src/platform/realtime.ts';
import { gqlOk, openLiveSocket, startTestService, type TestService, untilLive, within } from '../support/service.ts';

const DASHBOARD = 'query($n: Int!) { deliveries(first: $n) { edges { node { id event { type } subscription { url } attempts { statusCode } } } } }';
const INBOUND = 'query($n: Int!) { inboundDeliveries(first: $n) { edges { node { id trigger { name } session { id agent trigger { name } } } } } }';

/**
 * Every statement the service sends through its pool while `fn` runs: the pool's own query() (Prisma's
 * adapter and the plain SQL) and the clients it hands out. Authentication (api_key) is left out: it
 * is the request's, not the query's; so is the table-statistics keeper's check and ANALYZE, which
 * its timer sends on the same pool whatever the request does (platform/jobs/table-statistics.ts).
 */
async function statementsDuring(pool: pg.Pool, fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const textOf = (q: unknown) => (typeof q === 'string' ? q : String((q as { text?: unknown }).text));
  const record = (q: unknown) => {
    const text = textOf(q);
    if (!/\bapi_key\b|\bpg_stat_user_tables\b|\bANALYZE \(SKIP_LOCKED\)/.test(text)) seen.push(text.replace(/\s+/g, ' ').slice(0, 160));
  };
  const query = pool.query;
  const connect = pool.connect;
  const wrapped = new WeakSet<pg.PoolClient>();
  const p = pool as unknown as { query: (...a: unknown[]) => unknown; connect: (...a: unknown[]) => unknown };
  p.query = (...args: unknown[]) => {
    record(args[0]);
    return (query as (...a: unknown[]) => unknown).apply(pool, args);
  };
  p.connect = async (...args: unknown[]) => {
    // pool.query() takes its client through the callback form: counted above, not again here.
    if (args.length > 0) return (connect as (...a: unknown[]) => unknown).apply(pool, args);
    const client = await (connect as () => Promise<pg.PoolClient>).call(pool);
    if (!wrapped.has(client)) {
      wrapped.add(client);
      const clientQuery = client.query;
      (client as unknown as { query: (...a: unknown[]) => unknown }).query = (...args: unknown[]) => {
        record(args[0]);
        return (clientQuery as (...a: unknown[]) => unknown).apply(client, args);
      };
    }
    return client;
  };
  try {
    await fn();
  } finally {
    p.query = query as never;
    p.connect = connect as never;
  }
  return seen;
}

describe('GraphQL loaders', () => {
  let svc: TestService;
  const types = ['tool.called', 'review.completed', 'import.completed'];
  /** What the dashboard must show for each delivery, by id. */
  const expected = new Map<string, { type: string; url: string; codes: number[] }>();
  const inbound = new Map<string, { trigger: string; session: { id: string; agent: string } | null }>();
  const q = (sql: string, values: unknown[] = []) => svc.services.pool.query(sql, values);

  before(async () => {
    // The API alone: no worker, sweeper or statistics pass shares the pool while statements are counted.
    svc = await startTestService({ ROLE: 'api' });
    const subscriptions = [0, 1, 2].map((i) => ({ id: newId('subscription'), url: `https://receiver-${i}.example/hook` }));
    for (const s of subscriptions) {
      await q(`INSERT INTO webhook_subscription (id, workspace_id, url, events, status) VALUES ($1, $2, $3, ARRAY['*'], 'ACTIVE')`, [s.id, svc.workspaceId, s.url]);
    }
    for (let i = 0; i < 120; i++) {
      const eventId = newId('event');
      const deliveryId = newId('delivery');
      const type = types[i % types.length]!;
      const sub = subscriptions[i % subscriptions.length]!;
      const codes = [500 + (i % 4), 200 + (i % 3)];
      await q(`INSERT INTO event (id, workspace_id, type, body) VALUES ($1, $2, $3, $4)`,
        [eventId, svc.workspaceId, type, JSON.stringify({ id: eventId, type, timestamp: new Date().toISOString(), workspaceId: svc.workspaceId, data: {} })]);
      await q(`INSERT INTO outbound_delivery (id, workspace_id, event_id, subscription_id, status, attempt_count) VALUES ($1, $2, $3, $4, 'SUCCEEDED', 2)`,
        [deliveryId, svc.workspaceId, eventId, sub.id]);
      await q(`INSERT INTO delivery_attempt (delivery_id, number, started_at, duration_ms, outcome, status_code)
               SELECT $1, n, now(), 5, CASE WHEN code < 300 THEN 'SUCCEEDED' ELSE 'FAILED' END::"AttemptOutcome", code
               FROM unnest($2::int[]) WITH ORDINALITY AS a(code, n)`, [deliveryId, codes]);
      expected.set(deliveryId, { type, url: sub.url, codes });
    }
    const triggers = [0, 1].map((i) => ({ id: newId('trigger'), name: `loader-trigger-${i}` }));
    for (const t of triggers) {
      await q(`INSERT INTO trigger (id, workspace_id, name, agent, inputs) VALUES ($1, $2, $3, 'agent', '[]')`, [t.id, svc.workspaceId, t.name]);
    }
    for (let i = 0; i < 120; i++) {
      const t = triggers[i % triggers.length]!;
      const sessionId = i % 3 === 0 ? null : newId('session');
      if (sessionId) await q(`INSERT INTO session (id, workspace_id, agent, trigger_id) VALUES ($1, $2, $3, $4)`, [sessionId, svc.workspaceId, `agent-${i}`, t.id]);
      const id = newId('inboundDelivery');
      await q(`INSERT INTO inbound_delivery (id, workspace_id, trigger_id, outcome, status_code, payload_sha256, payload_bytes, session_id)
               VALUES ($1, $2, $3, $4, 202, 'x', 2, $5)`, [id, svc.workspaceId, t.id, sessionId ? 'ACCEPTED' : 'IGNORED', sessionId]);
      inbound.set(id, { trigger: t.name, session: sessionId ? { id: sessionId, agent: `agent-${i}` } : null });
    }
  });
  after(() => svc.stop());

  it('runs the dashboard query in the same few statements for 10 deliveries as for 100', async () => {
    const page = async (n: number) => {
      let edges: Array<{ node: { id: string; event: { type: string }; subscription: { url: string }; attempts: Array<{ statusCode: number }> } }> = [];
      const statements = await statementsDuring(svc.services.pool, async () => {
        edges = (await gqlOk(svc.url, svc.adminKey, DASHBOARD, { n })).deliveries.edges;
      });
      assert.equal(edges.length, n);
      for (const { node } of edges) {
        const want = expected.get(node.id)!;
        assert.deepEqual([node.event.type, node.subscription.url, node.attempts.map((a) => a.statusCode)], [want.type, want.url, want.codes], node.id);
      }
      return statements;
    };
    await page(10); // first use of every statement (Prisma's, pg's) out of the way
    const ten = await page(10);
    const hundred = await page(100);
    const tables = (statements: string[]) => statements.map((s) => /"public"\."(\w+)"/.exec(s)?.[1] ?? s).sort();
    // The page, then one each for its events, subscriptions and attempts.
    const once = ['delivery_attempt', 'event', 'outbound_delivery', 'webhook_subscription'];
    assert.deepEqual(tables(ten), once, ten.join(' | '));
    assert.deepEqual(tables(hundred), once, hundred.join(' | '));
  });

  it('runs the inbound list with its triggers and sessions in the same few statements for 10 requests as for 100', async () => {
    const page = async (n: number) => {
      let edges: Array<{ node: { id: string; trigger: { name: string }; session: { id: string; agent: string; trigger: { name: string } } | null } }> = [];
      const statements = await statementsDuring(svc.services.pool, async () => {
        edges = (await gqlOk(svc.url, svc.adminKey, INBOUND, { n })).inboundDeliveries.edges;
      });
      assert.equal(edges.length, n);
      for (const { node } of edges) {
        const want = inbound.get(node.id)!;
        assert.equal(node.trigger.name, want.trigger, node.id);
        assert.deepEqual(node.session && { id: node.session.id, agent: node.session.agent }, want.session, node.id);
        if (node.session) assert.equal(node.session.trigger.name, want.trigger, node.id);
      }
      return statements;
    };
    await page(10);
    const tables = (statements: string[]) => statements.map((s) => /"public"\."(\w+)"/.exec(s)?.[1] ?? s).sort();
    // The page, its sessions, then the triggers of the page and of its sessions (one load: DataLoader batches the tick).
    const once = ['inbound_delivery', 'session', 'trigger'];
    const ten = await page(10);
    const hundred = await page(100);
    assert.ok(tables(ten).length <= 4 && tables(hundred).length === tables(ten).length, `${ten.join(' | ')} || ${hundred.join(' | ')}`);
    for (const t of once) assert.ok(tables(hundred).includes(t), hundred.join(' | '));
  });

  it('reads a delivery\'s children afresh for every live update, not from an earlier update\'s loaders', async () => {
    const deliveryId = [...expected.keys()][0]!;
    const live = await openLiveSocket(svc.url, svc.adminKey, `subscription { deliveryUpdated { delivery { id attempts { number statusCode } } } }`);
    try {
      const announce = () => notify(svc.services.pool, [{ topic: 'delivery.updated', workspaceId: svc.workspaceId, data: { deliveryId } }]);
      await untilLive([live], announce);
      const attemptsOf = (m: any) => m.data.deliveryUpdated.delivery.attempts.map((a: { number: number; statusCode: number }) => [a.number, a.statusCode]);
      const first = expected.get(deliveryId)!.codes.map((c, i) => [i + 1, c]);
      assert.deepEqual(attemptsOf(live.received[0]), first);
      await q(`INSERT INTO delivery_attempt (delivery_id, number, started_at, duration_ms, outcome, status_code) VALUES ($1, 3, now(), 5, 'SUCCEEDED', 204)`, [deliveryId]);
      await announce();
      // Loaders kept for the whole subscription would answer every later update with the first one's attempts.
      await within(live.until((r) => r.some((m) => attemptsOf(m).length === 3)), 15_000, 'an update showing the new attempt');
      assert.deepEqual(attemptsOf(live.received.find((m) => attemptsOf(m).length === 3)), [...first, [3, 204]]);
    } finally {
      await live.client.dispose();
    }
  });
});
