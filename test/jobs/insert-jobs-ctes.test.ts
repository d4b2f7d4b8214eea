// pg-boss's insert folded into a statement of ours (src/platform/jobs/insert-from-query.ts): the
// hot paths queue their jobs from rows the same statement wrote, with no statement of their own.
// The jobs must be pg-boss's own (queue defaults applied, found by a worker's fetch), and a queue
// with `notify` must still wake its workers, once per statement that queued something.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { insertJobsCtes } from '../../src/platform/jobs/insert-from-query.ts';
import { type TestService, startTestService } from '../support/service.ts';

const JOBS_OF_SOURCE = `SELECT coalesce(json_agg(json_build_object('data', json_build_object('n', n)) ORDER BY n), '[]'::json) FROM source`;

describe('pg-boss inserts folded into another statement', () => {
  let svc: TestService;
  let listener: pg.Client;
  const heard: string[] = [];
  let onHeard = () => {};

  before(async () => {
    svc = await startTestService();
    await svc.services.boss.createQueue('test-folded-notify', { notify: true, retryLimit: 7 });
    await svc.services.boss.createQueue('test-folded-quiet', { retryLimit: 3 });
    listener = new pg.Client({ connectionString: svc.databaseUrl });
    await listener.connect();
    const { rows: [c] } = await listener.query<{ channel: string }>(`SELECT 'pgboss_' || left(encode(sha224('pgboss'::bytea), 'hex'), 24) AS channel`);
    await listener.query(`LISTEN "${c!.channel}"`);
    listener.on('notification', (n) => {
      heard.push(n.payload ?? '');
      onHeard();
    });
  });
  after(async () => {
    await listener.end();
    await svc.stop();
  });

  /** The next notification on pg-boss's channel (a failure, not a wait, past 10 s). */
  const nextHeard = () => new Promise<string>((resolve, reject) => {
    if (heard.length > 0) return resolve(heard.shift()!);
    const timer = setTimeout(() => reject(new Error('nothing was heard on pg-boss\'s channel')), 10_000);
    onHeard = () => {
      clearTimeout(timer);
      resolve(heard.shift()!);
    };
  });

  const run = async (queue: string, name: string, rows: number) => {
    const jobs = await insertJobsCtes(svc.services.boss, queue, name, JOBS_OF_SOURCE);
    const { rows: [r] } = await svc.services.pool.query<{ n: number }>(
      `WITH source AS (SELECT n FROM generate_series(1, $1::int) n), ${jobs.ctes} SELECT (SELECT count(*) FROM source)::int AS n, ${jobs.queued} AS queued`, [rows]);
    assert.equal(r!.n, rows);
  };

  const jobsOf = async (queue: string) => (await svc.services.pool.query<{ n: number; retry_limit: number; state: string }>(
    `SELECT (data->>'n')::int AS n, retry_limit, state FROM pgboss.job WHERE name = $1 ORDER BY (data->>'n')::int`, [queue])).rows;

  it('queues the jobs the query yields, with the queue\'s defaults, and wakes its workers once', async () => {
    await run('test-folded-notify', 'notify_jobs', 3);
    assert.deepEqual(await jobsOf('test-folded-notify'), [1, 2, 3].map((n) => ({ n, retry_limit: 7, state: 'created' })));
    assert.equal(await nextHeard(), 'test-folded-notify');
    // Only one notify per statement: the next thing heard is this marker, sent after it committed.
    await svc.services.pool.query(`SELECT pg_notify('pgboss_' || left(encode(sha224('pgboss'::bytea), 'hex'), 24), 'marker')`);
    assert.equal(await nextHeard(), 'marker');
  });

  it('queues nothing, and wakes no worker, when the query yields no job', async () => {
    await run('test-folded-notify', 'notify_jobs', 0);
    await svc.services.pool.query(`SELECT pg_notify('pgboss_' || left(encode(sha224('pgboss'::bytea), 'hex'), 24), 'marker')`);
    assert.equal(await nextHeard(), 'marker', 'a statement that queued nothing sent a notify');
    assert.equal((await jobsOf('test-folded-notify')).length, 3);
  });

  it('folds the insert of a queue without notify too, and a worker fetches the jobs', async () => {
    await run('test-folded-quiet', 'quiet_jobs', 2);
    assert.deepEqual(await jobsOf('test-folded-quiet'), [1, 2].map((n) => ({ n, retry_limit: 3, state: 'created' })));
    const fetched = await svc.services.boss.fetch<{ n: number }>('test-folded-quiet', { batchSize: 10 });
    assert.deepEqual(fetched.map((j) => j.data.n).sort(), [1, 2]);
  });
});
