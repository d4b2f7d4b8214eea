// Refusals cost bounded work (SPEC §5, §9, §15): a flood of unsigned requests against a known
// trigger records at most INBOUND_REFUSAL_LIMIT refusals per trigger, source and window, across
// replicas, and the rest only as a count in one summary audit row; and the group-commit writer's
// queue is bounded (INBOUND_MAX_QUEUE): past it, 503 with Retry-After, and nothing accepted is lost.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../support/service.ts';
import { post, standardWebhooks } from '../support/senders.ts';
import { createTrigger } from '../support/triggers.ts';
import { holdAuditHead } from '../support/writer-stall.ts';

/** Polls until `check` holds; fails with `what` past the deadline. */
async function until<T>(what: string, probe: () => Promise<T>, check: (value: T) => boolean, deadlineMs = 30_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (check(value)) return value;
    if (Date.now() > end) assert.fail(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const FORGED_SECRET = `whsec_${Buffer.from('not the secret at all, sorry').toString('base64')}`;

describe('refusal flood limit', () => {
  const WINDOW_MS = 4000;
  const LIMIT = 5;
  let svc: TestService;
  let replica: TestService;
  before(async () => {
    const env = { INBOUND_REFUSAL_LIMIT: String(LIMIT), INBOUND_REFUSAL_WINDOW: `${WINDOW_MS / 1000}s`, TRUST_PROXY: '127.0.0.1' };
    svc = await startTestService(env);
    replica = await startTestService({ ...env, DATABASE_URL: svc.databaseUrl, MASTER_KEY: svc.services.config.masterKey!.toString('base64') });
  });
  after(async () => {
    await replica.stop();
    await svc.stop();
  });

  it('records at most the limit per trigger, source and window across replicas, counts the rest in summary rows, and still accepts a signed request', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'flooded' });
    const N = 60;
    // One source rotating through its /64, half through each replica.
    const from = (i: number) => ({ 'x-forwarded-for': `2001:db8:0:7::${(i + 1).toString(16)}` });
    // However the flood falls across windows, the bounds below allow the limit once per window it touched.
    const started = Date.now();
    const answers: number[] = [];
    let legit: Awaited<ReturnType<typeof post>> | undefined;
    for (let i = 0; i < N; i += 6) {
      const batch = Array.from({ length: 6 }, (_, k) => i + k).map((j) =>
        post(`${j % 2 === 0 ? svc.url : replica.url}/hooks/${t.id}`, standardWebhooks(FORGED_SECRET, `{"n":${j}}`), from(j)));
      if (i === 30) legit = await post(t.url, standardWebhooks(t.secret, '{"legit":true}'), from(99));
      for (const r of await Promise.all(batch)) {
        answers.push(r.status);
        assert.equal(r.json.error.code, 'INVALID_SIGNATURE', 'a suppressed refusal is answered like a recorded one');
      }
    }
    const windows = Math.floor(Date.now() / WINDOW_MS) - Math.floor(started / WINDOW_MS) + 1;
    assert.deepEqual(answers, Array(N).fill(401));
    assert.equal(legit!.status, 202, JSON.stringify(legit!.json));
    assert.match(legit!.json.sessionId, /^ses_/);

    // Every refusal is accounted for once its window's summary is written: recorded, or counted.
    const tally = () => svc.services.pool.query<{ refused: number; audited: number; summaries: number; suppressed: number }>(
      `SELECT (SELECT count(*)::int FROM inbound_delivery WHERE trigger_id = $1 AND outcome = 'REFUSED') AS refused,
              (SELECT count(*)::int FROM webhook_audit WHERE trigger_id = $1 AND outcome = 'REFUSED') AS audited,
              (SELECT count(*)::int FROM webhook_audit WHERE trigger_id = $1 AND outcome = 'SUPPRESSED') AS summaries,
              (SELECT coalesce(sum(attempt), 0)::int FROM webhook_audit WHERE trigger_id = $1 AND outcome = 'SUPPRESSED') AS suppressed`,
      [t.id]).then((r) => r.rows[0]!);
    const counts = await until('refusals recorded or counted', tally, (c) => c.refused + c.suppressed === N);
    assert.ok(counts.refused <= LIMIT * windows, `${counts.refused} refusals recorded in ${windows} window(s) of ${LIMIT}: the limit holds across both replicas`);
    assert.equal(counts.audited, counts.refused, 'one audit row per recorded refusal, none for the suppressed');
    assert.ok(counts.suppressed > 0);
    assert.ok(counts.summaries >= 1 && counts.summaries <= 2 * windows, `${counts.summaries} summary rows: at most one per window and replica`);

    const { rows } = await svc.services.pool.query(
      `SELECT attempt, status_code, error_class, source_ip, duration_ms, delivery_id FROM webhook_audit WHERE trigger_id = $1 AND outcome = 'SUPPRESSED'`, [t.id]);
    for (const r of rows) {
      assert.deepEqual({ ...r, attempt: r.attempt > 0 }, { attempt: true, status_code: 401, error_class: 'INVALID_SIGNATURE', source_ip: '2001:db8:0:7::/64', duration_ms: WINDOW_MS, delivery_id: null });
    }
  });

  it('counts each trigger and source apart', async () => {
    const a = await createTrigger(svc.url, svc.adminKey, { name: 'flood-a' });
    const b = await createTrigger(svc.url, svc.adminKey, { name: 'flood-b' });
    const sends = [];
    for (let i = 0; i < LIMIT; i++) {
      for (const [t, ip] of [[a, '198.51.100.1'], [a, '198.51.100.2'], [b, '198.51.100.1']] as const) {
        sends.push(post(t.url, standardWebhooks(FORGED_SECRET, '{}'), { 'x-forwarded-for': ip }));
      }
    }
    assert.deepEqual((await Promise.all(sends)).map((r) => r.status), Array(3 * LIMIT).fill(401));
    // No pair sent more than the limit, so all are recorded, in whatever windows they fell.
    const { rows } = await svc.services.pool.query(
      `SELECT trigger_id = $1 AS a, source_ip, count(*)::int AS n FROM inbound_delivery WHERE trigger_id = ANY($2) AND outcome = 'REFUSED' GROUP BY 1, 2 ORDER BY 1 DESC, 2`,
      [a.id, [a.id, b.id]]);
    assert.deepEqual(rows, [{ a: true, source_ip: '198.51.100.1', n: LIMIT }, { a: true, source_ip: '198.51.100.2', n: LIMIT }, { a: false, source_ip: '198.51.100.1', n: LIMIT }]);
  });
});

describe('inbound writer queue bound', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ INBOUND_MAX_QUEUE: '2' });
  });
  after(() => svc.stop());

  it('answers 503 with Retry-After past the queue bound while commits stall; the queued requests are all committed once, none lost', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'queued' });
    assert.equal((await post(t.url, standardWebhooks(t.secret, '{}', { id: 'msg_warm' }))).status, 202);

    // Commits cannot finish while the test holds the workspace's audit chain head.
    const { writerWaiting, release } = await holdAuditHead(svc);
    try {
      const first = post(t.url, standardWebhooks(t.secret, '{"n":0}', { id: 'msg_q_first' }));
      await writerWaiting();

      // Ten more while that commit stalls: two fit in the queue, eight are turned away at once.
      const ids = Array.from({ length: 10 }, (_, i) => `msg_q_${i}`);
      const settled: Array<{ id: string; status: number; json: any; retryAfter: string | null }> = [];
      const sent = ids.map((id, i) => post(t.url, standardWebhooks(t.secret, `{"n":${i + 1}}`, { id })).then((r) => {
        settled.push({ id, status: r.status, json: r.json, retryAfter: r.headers.get('retry-after') });
        return r;
      }));
      await until('eight answers while the commit stalls', async () => settled.length, (n) => n >= 8, 15_000);
      const turnedAway = settled.slice(0, 8);
      for (const r of turnedAway) {
        assert.equal(r.status, 503, JSON.stringify(r.json));
        assert.equal(r.retryAfter, '1');
        assert.equal(r.json.error.code, 'OVERLOADED');
      }

      await release();
      const queued = [await first, ...(await Promise.all(sent)).filter((_, i) => !turnedAway.some((r) => r.id === ids[i]))];
      assert.equal(queued.length, 3);
      for (const r of queued) assert.equal(r.status, 202, JSON.stringify(r.json));

      const { rows } = await svc.services.pool.query<{ message_id: string; session_id: string }>(
        `SELECT message_id, session_id FROM inbound_delivery WHERE trigger_id = $1 AND message_id LIKE 'msg_q_%' ORDER BY message_id`, [t.id]);
      const accepted = ['msg_q_first', ...ids.filter((id) => !turnedAway.some((r) => r.id === id))].sort();
      assert.deepEqual(rows.map((r) => r.message_id), accepted, 'each queued request recorded once; the turned-away ones not at all');
      assert.deepEqual(new Set(rows.map((r) => r.session_id)), new Set(queued.map((r) => r.json.sessionId)));
      const sessions = await svc.services.pool.query('SELECT count(*)::int AS n FROM session WHERE trigger_id = $1', [t.id]);
      assert.equal(sessions.rows[0].n, 1 + 3);
    } finally {
      await release();
    }
  });
});
