// pg-boss's insert folded into a statement of ours (src/platform/jobs/insert-from-query.ts): the
// hot paths queue their jobs from rows the same statement wrote, with no statement of their own.
// The jobs must be pg-boss's own (queue defaults applied, found by a worker's fetch), and a queue
// with `notify` must still wake its workers, once per statement that queued something, from the
// statements /hooks and publishing send too.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { MAX_SESSIONS_PER_RUN_JOB } from '../../src/agent/agent-run-job.ts';
import { InboundWriter } from '../../src/inbound/record.ts';
import { insertJobsCtes } from '../../src/platform/jobs/insert-from-query.ts';
import { startReceiver } from '../support/receiver.ts';
import { post, standardWebhooks } from '../support/senders.ts';
import { type TestService, gql, startTestService } from '../support/service.ts';
import { createTrigger } from '../support/triggers.ts';

const JOBS_OF_SOURCE = `SELECT coalesce(json_agg(json_build_object('data', json_build_object('n', n)) ORDER BY n), '[]'::json) FROM source`;

describe('pg-boss inserts folded into another statement', () => {
  let svc: TestService;
  let listener: pg.Client;
  const heard: string[] = [];
  const waiting: Array<() => void> = [];
  const channel = `'pgboss_' || left(encode(sha224('pgboss'::bytea), 'hex'), 24)`;

  before(async () => {
    svc = await startTestService({ ALLOW_PRIVATE_TARGETS: 'true', ALLOW_INSECURE_TARGETS: 'true' });
    await svc.services.boss.createQueue('test-folded-notify', { notify: true, retryLimit: 7 });
    await svc.services.boss.createQueue('test-folded-quiet', { retryLimit: 3 });
    listener = new pg.Client({ connectionString: svc.databaseUrl });
    await listener.connect();
    const { rows: [c] } = await listener.query<{ channel: string }>(`SELECT ${channel} AS channel`);
    await listener.query(`LISTEN "${c!.channel}"`);
    listener.on('notification', (n) => {
      heard.push(n.payload ?? '');
      waiting.shift()?.();
    });
  });
  after(async () => {
    await listener.end();
    await svc.stop();
  });

  /** The next notification on pg-boss's channel (a failure, not a wait, past 10 s). */
  const nextHeard = async (): Promise<string> => {
    if (heard.length === 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('nothing was heard on pg-boss\'s channel')), 10_000);
        waiting.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return heard.shift()!;
  };

  /**
   * Everything heard on pg-boss's channel up to a marker sent now: notifications are delivered in
   * commit order, so this holds every notify of the transactions committed before the call.
   */
  const heardUntilMarker = async (): Promise<string[]> => {
    await svc.services.pool.query(`SELECT pg_notify(${channel}, 'marker')`);
    const seen: string[] = [];
    for (let n = await nextHeard(); n !== 'marker'; n = await nextHeard()) seen.push(n);
    return seen;
  };

  const run = async (queue: string, name: string, rows: number) => {
    const jobs = await insertJobsCtes(svc.services.boss, queue, name, JOBS_OF_SOURCE);
    const { rows: [r] } = await svc.services.pool.query<{ n: number; woke: number }>(
      `WITH source AS (SELECT n FROM generate_series(1, $1::int) n), ${jobs.ctes} SELECT (SELECT count(*) FROM source)::int AS n, ${jobs.woke}::int AS woke`, [rows]);
    assert.equal(r!.n, rows);
    return r!.woke;
  };

  const jobsOf = async (queue: string) => (await svc.services.pool.query<{ n: number; retry_limit: number; state: string }>(
    `SELECT (data->>'n')::int AS n, retry_limit, state FROM pgboss.job WHERE name = $1 ORDER BY (data->>'n')::int`, [queue])).rows;

  it('queues the jobs the query yields, with the queue\'s defaults, and wakes its workers once', async () => {
    // PostgreSQL folds identical notifications of one transaction into one: the count of notifies
    // the statement ran is what shows there was one, not what the listener hears.
    assert.equal(await run('test-folded-notify', 'notify_jobs', 3), 1);
    assert.deepEqual(await jobsOf('test-folded-notify'), [1, 2, 3].map((n) => ({ n, retry_limit: 7, state: 'created' })));
    assert.deepEqual(await heardUntilMarker(), ['test-folded-notify']);
  });

  it('queues nothing, and wakes no worker, when the query yields no job', async () => {
    assert.equal(await run('test-folded-notify', 'notify_jobs', 0), 0);
    assert.deepEqual(await heardUntilMarker(), [], 'a statement that queued nothing sent a notify');
    assert.equal((await jobsOf('test-folded-notify')).length, 3);
  });

  it('folds the insert of a queue without notify too, and a worker fetches the jobs', async () => {
    assert.equal(await run('test-folded-quiet', 'quiet_jobs', 2), 0);
    assert.deepEqual(await jobsOf('test-folded-quiet'), [1, 2].map((n) => ({ n, retry_limit: 3, state: 'created' })));
    const fetched = await svc.services.boss.fetch<{ n: number }>('test-folded-quiet', { batchSize: 10 });
    assert.deepEqual(fetched.map((j) => j.data.n).sort(), [1, 2]);
  });

  it('refuses a /hooks writer whose batch holds more sessions than one agent-run job takes', () => {
    const deps = { pipeline: svc.services.pipelines.inbound, boss: svc.services.boss } as ConstructorParameters<typeof InboundWriter>[0];
    assert.throws(() => new InboundWriter(deps, { replayWindowHours: 1, maxQueue: 10, maxBatch: MAX_SESSIONS_PER_RUN_JOB + 1 }), /larger than an agent-run job takes/);
  });

  // Last: the jobs these queue run, and what they publish wakes workers in the background.
  it('wakes the agent-run and delivery workers from an acceptance on /hooks, and the delivery workers from a publish', async () => {
    const receiver = await startReceiver();
    try {
      const subscribed = await gql(svc.url, svc.adminKey, 'mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { status } } }',
        { i: { url: `${receiver.url}/hook`, events: ['session.created', 'import.completed'] } });
      assert.equal(subscribed.data?.createWebhookSubscription.subscription.status, 'ACTIVE', JSON.stringify(subscribed.errors));
      const trigger = await createTrigger(svc.url, svc.adminKey, { name: 'wakes' });
      assert.deepEqual(await heardUntilMarker(), []);

      assert.equal((await post(trigger.url, standardWebhooks(trigger.secret, '{"n":1}'))).status, 202);
      const afterHooks = await heardUntilMarker();
      assert.ok(afterHooks.includes('agent-run') && afterHooks.includes('outbound-delivery'), `heard ${JSON.stringify(afterHooks)}`);

      const published = await gql(svc.url, svc.adminKey, 'mutation { publishEvent(input: {type: "import.completed", data: {importId: "i", source: "s", itemsImported: 1, itemsFailed: 0}}) { event { id } } }');
      assert.equal(published.errors, undefined, JSON.stringify(published.errors));
      assert.ok((await heardUntilMarker()).includes('outbound-delivery'));
    } finally {
      await receiver.close();
    }
  });
});
