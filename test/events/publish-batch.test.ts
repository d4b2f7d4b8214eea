// Batches of events and publishes sharing commits (SPEC §6, issue 15): POST /v1/events with an
// array and publishEvents answer per event in order, publish the valid ones, fold repeated
// idempotency keys into one event; concurrent single publishes are committed together (the
// benchmark shows what that buys), and one that cannot be stored fails alone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { type Receiver } from '../support/receiver.ts';
import { post, standardWebhooks } from '../support/senders.ts';
import { gql, type TestService, withPublishingService } from '../support/service.ts';
import { createTrigger } from '../support/triggers.ts';
import { until } from '../support/wait.ts';
import { idKind, newId } from '../../src/platform/ids.ts';
import { planEvents } from '../../src/events/outbox.ts';
import { PublishWriter } from '../../src/events/publish-writer.ts';
import { PipelinedConnection } from '../../src/platform/db/pool.ts';

const PUBLISH_MANY = `mutation($i: PublishEventsInput!) { publishEvents(input: $i) {
  results { index event { id type idempotencyKey } error { code message field } } } }`;
const CREATE = `mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { id status } } }`;

interface HttpResult { id?: string; type?: string; created?: boolean; error?: { code: string; field?: string; message: string } }

describe('publishing in batches', () => {
  let svc: TestService;
  let publisher: string;
  let subscriptionId: string;
  const query = async (sql: string, values: unknown[] = []) => (await svc.services.pool.query(sql, values)).rows;
  const send = (body: unknown, key = publisher) =>
    fetch(`${svc.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const receiver = withPublishingService({ ALLOW_PRIVATE_TARGETS: 'true', ALLOW_INSECURE_TARGETS: 'true', EVENTS_MAX_BODY_BYTES: '65536' }, (s, key) => {
    svc = s;
    publisher = key;
  });
  const subscribe = async (r: Receiver) => {
    const res = await gql(svc.url, svc.adminKey, CREATE, { i: { url: `${r.url}/hook`, events: ['tool.*'] } });
    assert.equal(res.data?.createWebhookSubscription.subscription.status, 'ACTIVE', JSON.stringify(res.errors));
    return res.data!.createWebhookSubscription.subscription.id as string;
  };
  const tool = (n: number) => ({ type: 'tool.called', data: { sessionId: 'ses_batch', tool: `t${n}`, arguments: { n } } });

  it('POST /v1/events with an array: one result per event in order, the valid ones published and fanned out, a repeated key one event', async () => {
    subscriptionId = await subscribe(await receiver());
    const res = await send([
      tool(1),
      { type: 'tool.called', data: { sessionId: 'ses_batch' } },
      { ...tool(3), idempotencyKey: 'batch-key-1' },
      'not an event',
      { ...tool(5), idempotencyKey: 'batch-key-1' },
      { type: 'no.such.type', data: {} },
      { ...tool(7), idempotencyKey: 42 },
    ]);
    assert.equal(res.status, 200);
    const { results } = (await res.json()) as { results: HttpResult[] };
    assert.equal(results.length, 7);
    const [one, missingTool, keyed, notObject, repeated, unknownType, badKey] = results;
    assert.equal(one!.created, true);
    assert.match(one!.id!, /^evt_/);
    assert.deepEqual([missingTool!.error?.code, missingTool!.error?.field], ['BAD_USER_INPUT', 'events.1.data.tool']);
    assert.equal(keyed!.created, true);
    assert.deepEqual([notObject!.error?.code, notObject!.error?.field], ['BAD_USER_INPUT', 'events.3']);
    assert.deepEqual(repeated, { id: keyed!.id, type: 'tool.called', created: false }, 'the repeated key answers the first event of the batch');
    assert.equal(unknownType!.error?.field, 'events.5.type');
    assert.equal(badKey!.error?.field, 'events.6.idempotencyKey');

    const stored = await query(`SELECT e.id, (SELECT count(*)::int FROM outbound_delivery d WHERE d.event_id = e.id AND d.subscription_id = $2) AS deliveries
      FROM event e WHERE e.id = ANY($1::text[]) ORDER BY e.id`, [[one!.id, keyed!.id], subscriptionId]);
    assert.deepEqual(stored.map((r) => r.deliveries), [1, 1], 'each published event has its delivery');
    assert.equal((await query(`SELECT count(*)::int AS n FROM event WHERE idempotency_key = 'batch-key-1'`))[0].n, 1);
    // The key, published again in a later batch, answers the stored event.
    const again = (await (await send([{ ...tool(9), idempotencyKey: 'batch-key-1' }])).json()) as { results: HttpResult[] };
    assert.deepEqual(again.results[0], { id: keyed!.id, type: 'tool.called', created: false });
  });

  it('refuses a batch past 500 events (naming events) or past EVENTS_MAX_BODY_BYTES (413), and an empty one; stores nothing', async () => {
    const before = (await query('SELECT count(*)::int AS n FROM event'))[0].n;
    const tooMany = await send(Array.from({ length: 501 }, () => ({ type: 'tool.called', data: {} })));
    assert.equal(tooMany.status, 400);
    assert.equal(((await tooMany.json()) as { error: { field: string } }).error.field, 'events');
    const empty = await send([]);
    assert.equal(empty.status, 400);
    const tooLarge = await send(Array.from({ length: 100 }, (_, n) => ({ ...tool(n), data: { ...tool(n).data, pad: 'x'.repeat(1000) } })));
    assert.equal(tooLarge.status, 413);
    assert.equal((await query('SELECT count(*)::int AS n FROM event'))[0].n, before);
  });

  it('publishEvents in GraphQL answers the same way, for a PUBLISHER; a VIEWER is refused', async () => {
    const r = await gql(svc.url, publisher, PUBLISH_MANY, { i: { events: [tool(1), { type: 'tool.called', data: {} }, { ...tool(2), idempotencyKey: 'gql-k' }, { ...tool(3), idempotencyKey: 'gql-k' }] } });
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    const results = r.data!.publishEvents.results as Array<{ index: number; event: { id: string; idempotencyKey: string | null } | null; error: { code: string; field: string } | null }>;
    assert.deepEqual(results.map((x) => x.index), [0, 1, 2, 3]);
    assert.ok(results[0]!.event?.id.startsWith('evt_'));
    assert.deepEqual([results[1]!.event, results[1]!.error?.code, results[1]!.error?.field], [null, 'BAD_USER_INPUT', 'events.1.data.sessionId']);
    assert.equal(results[3]!.event?.id, results[2]!.event?.id);
    const viewer = await gql(svc.url, svc.adminKey, 'mutation { createApiKey(input: {name: "v", role: VIEWER}) { key } }');
    const refused = await gql(svc.url, viewer.data!.createApiKey.key, PUBLISH_MANY, { i: { events: [tool(1)] } });
    assert.equal(refused.errors?.[0]?.extensions?.code, 'FORBIDDEN');
  });

  it('of concurrent single publishes (sharing commits), one that cannot be stored fails alone and the others are stored', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'batch-finish', agent: 'triage', inputs: [{ name: 'n', path: '$.n', type: 'NUMBER' }] });
    const sessionId = (await post(t.url, standardWebhooks(t.secret, '{"n":1}'))).json.sessionId as string;
    await until(async () => (await query(`SELECT 1 FROM session WHERE id = $1 AND status = 'SUCCEEDED'`, [sessionId]))[0], 'the echo runtime finishing the session');
    const finishedAgain = { type: 'session.finished', data: { sessionId, agent: 'triage', status: 'FAILED', durationMs: 1 } };
    const bodies = [...Array.from({ length: 40 }, (_, n) => tool(100 + n)), finishedAgain];
    const answers = await Promise.all(bodies.map(async (b) => {
      const r = await send(b);
      return { status: r.status, body: (await r.json()) as HttpResult };
    }));
    assert.deepEqual(answers.slice(0, 40).map((a) => a.status), Array(40).fill(202), 'the others are stored');
    assert.equal(answers[40]!.status, 409);
    assert.equal(answers[40]!.body.error?.field, 'data.sessionId');
    const ids = answers.slice(0, 40).map((a) => a.body.id!);
    assert.equal((await query('SELECT count(*)::int AS n FROM event WHERE id = ANY($1::text[])', [ids]))[0].n, 40);
    assert.equal(new Set(ids).size, 40);
  });

  it('mints delivery ids in bulk that are ids like any other: valid, distinct across rows and statements, and time-ordered', async () => {
    await subscribe(await receiver());
    await subscribe(await receiver());
    const before = newId('delivery');
    const batch = async (b: number) => {
      const res = await send(Array.from({ length: 20 }, (_, n) => tool(1000 + b * 100 + n)));
      assert.equal(res.status, 200);
      return ((await res.json()) as { results: HttpResult[] }).results.map((r) => r.id!);
    };
    // One after the other (two commits, so two fan-out statements), then three at once.
    const batches = [await batch(0), await batch(1), ...(await Promise.all([2, 3, 4].map(batch)))];
    const eventIds = batches.flat();
    const rows = await query('SELECT id, event_id FROM outbound_delivery WHERE event_id = ANY($1::text[])', [eventIds]);
    // Three ACTIVE subscriptions take tool.*: the one of the first test and the two above.
    assert.equal(rows.length, eventIds.length * 3);
    assert.equal(new Set(rows.map((r) => r.id)).size, rows.length, 'no two deliveries share an id');
    for (const r of rows) assert.equal(idKind(r.id), 'delivery', `${r.id} is a delivery id`);
    const stems = new Set(rows.map((r) => r.id.slice(0, -7)));
    assert.ok(stems.size >= 3 && stems.size <= 5, `a stem per fan-out statement, not per batch or row (${stems.size})`);
    // Ids sort by their time first: compared on it, as ids made in one millisecond differ at random.
    const time = (id: string) => id.slice(4, 14);
    assert.ok(rows.every((r) => time(r.id) >= time(before)), 'ids made after an earlier one sort after it');
    const ofBatch = (b: number) => rows.filter((r) => batches[b]!.includes(r.event_id)).map((r) => time(r.id));
    assert.ok(ofBatch(1).every((t) => t >= ofBatch(0).toSorted().at(-1)!), 'a later commit\'s deliveries sort after an earlier one\'s');
  });
  it('writes a backlog of batches on a second connection beside the first, and answers every event of both', async () => {
    // The test holds the workspace row: every flush waits on it (the event's key locks its workspace).
    const lock = new pg.Client({ connectionString: svc.databaseUrl });
    await lock.connect();
    await lock.query('BEGIN');
    await lock.query('SELECT 1 FROM workspace WHERE id = $1 FOR UPDATE', [svc.workspaceId]);
    const writersWaiting = (n: number) => until(async () => (await query(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND application_name = 'webhook-gateway:writer' AND wait_event_type = 'Lock'`))[0].n === n,
    `${n} writers waiting on the workspace`, 30_000);
    try {
      const first = send(Array.from({ length: 10 }, (_, i) => tool(1000 + i)));
      await writersWaiting(1);
      // 150 events waiting behind a flush in flight are a backlog: a second connection takes them.
      const backlog = send(Array.from({ length: 150 }, (_, i) => tool(2000 + i)));
      await writersWaiting(2);
      await lock.query('ROLLBACK');
      const answers = await Promise.all([first, backlog].map(async (r) => ((await (await r).json()) as { results: HttpResult[] }).results));
      const ids = answers.flat().map((r) => r.id);
      assert.equal(ids.length, 160);
      assert.ok(ids.every((id) => id && idKind(id) === 'event'), JSON.stringify(answers.flat().find((r) => !r.id)));
      const stored = await query(`SELECT (SELECT count(*)::int FROM event WHERE id = ANY($1)) AS events,
        (SELECT count(DISTINCT event_id)::int FROM outbound_delivery WHERE event_id = ANY($1)) AS fanned_out`, [ids]);
      assert.deepEqual(stored[0], { events: 160, fanned_out: 160 }, 'each event stored once, and fanned out');
    } finally {
      await lock.end();
    }
  });
  it('two flushes side by side that move the same sessions in opposite orders wait for each other, not deadlock', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'side-by-side', agent: 'triage', inputs: [{ name: 'n', path: '$.n', type: 'NUMBER' }] });
    const started: string[] = [];
    for (const n of [1, 2, 3]) started.push((await post(t.url, standardWebhooks(t.secret, `{"n":${n}}`))).json.sessionId as string);
    // The echo runtime finishes them: wait, so that nothing else moves them during the test.
    await until(async () => (await query(`SELECT count(*)::int AS n FROM session WHERE id = ANY($1) AND status = 'SUCCEEDED'`, [started]))[0].n === 3, 'the sessions finished');
    const [s1, s2, s3] = started.toSorted();
    const deadlocks = async () => (await query('SELECT deadlocks::int AS n FROM pg_stat_database WHERE datname = current_database()'))[0].n as number;
    const before = await deadlocks();
    const one = new PipelinedConnection(svc.databaseUrl);
    const other = new PipelinedConnection(svc.databaseUrl);
    const writer = new PublishWriter({ pipelines: [one, other], boss: svc.services.boss }, { maxQueue: 100 });
    // The test holds s3: the first flush, which (in arrival order) archives s1, s3 and s2, waits on it.
    const lock = new pg.Client({ connectionString: svc.databaseUrl });
    await lock.connect();
    await lock.query('BEGIN');
    await lock.query('SELECT 1 FROM session WHERE id = $1 FOR UPDATE', [s3]);
    const waiting = (n: number) => until(async () => (await query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'webhook-gateway:writer' AND wait_event_type = 'Lock'`))[0].n === n,
    `${n} writers waiting on a lock`, 30_000);
    try {
      const plan = (type: string, data: Record<string, unknown>) => planEvents(async () => new Map(), [{ workspaceId: svc.workspaceId, type, data }]);
      const archive = (sessionId: string) => plan('session.archived', { sessionId });
      const first = writer.publish([await archive(s1!), await archive(s3!), await archive(s2!)]);
      await waiting(1);
      // Behind it, 16 events (enough for the second connection): archiving s2, then s1. In arrival
      // order this flush would hold s2 while the first holds s1 and, once the test lets go of s3,
      // wants s2: a deadlock, one flush aborted. In session order each takes s1 first.
      const fillers = await Promise.all(Array.from({ length: 14 }, (_, i) => plan('tool.called', { sessionId: s1, tool: `f${i}`, arguments: {} })));
      const second = writer.publish([await archive(s2!), await archive(s1!), ...fillers]);
      await waiting(2);
      await lock.query('ROLLBACK');
      const answers = await Promise.allSettled([...first, ...second]);
      assert.deepEqual(answers.filter((a) => a.status === 'rejected').map((a) => String((a as PromiseRejectedResult).reason)), [], 'every event stored');
      assert.equal(await deadlocks(), before, 'no transaction was aborted as a deadlock');
    } finally {
      await lock.end();
      await one.end();
      await other.end();
    }
  });
  it("writes a failed flush's halves again on the connection it used when a write was at fault, not on the other", async () => {
    // The other connection cannot connect at all: halves sent to it would be answered 503 whole.
    const refused = new PipelinedConnection('postgres://nobody@127.0.0.1:1/none');
    const open = new PipelinedConnection(svc.databaseUrl);
    const writer = new PublishWriter({ pipelines: [refused, open], boss: svc.services.boss }, { maxQueue: 100 });
    try {
      const plan = (type: string, data: Record<string, unknown>) => planEvents(async () => new Map(), [{ workspaceId: svc.workspaceId, type, data }]);
      const answers = await Promise.allSettled(writer.publish([
        await plan('tool.called', { sessionId: 'ses_halves', tool: 'a', arguments: {} }),
        await plan('session.finished', { sessionId: 'ses_no_such', status: 'SUCCEEDED' }),
        await plan('tool.called', { sessionId: 'ses_halves', tool: 'b', arguments: {} }),
      ]));
      assert.deepEqual(answers.map((a) => a.status), ['fulfilled', 'rejected', 'fulfilled'], JSON.stringify(answers.map((a) => a.status === 'rejected' ? String(a.reason) : 'ok')));
      assert.match(String((answers[1] as PromiseRejectedResult).reason), /ses_no_such not found/);
    } finally {
      await refused.end();
      await open.end();
    }
  });
});
