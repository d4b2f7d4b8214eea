// SIGTERM drains jobs too: stopping the service lets a running job finish before pg-boss and the
// pool close, and the job is recorded as completed rather than left to expire and run again.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { createTestDatabase, dropTestDatabase } from '../support/db.ts';
import { startTestService } from '../support/service.ts';

describe('graceful stop', () => {
  it('waits for an in-flight job to finish and records it completed', async () => {
    const databaseUrl = await createTestDatabase();
    const svc = await startTestService({ DATABASE_URL: databaseUrl });
    const { boss } = svc.services;
    const queue = 'test-slow-job';
    await boss.createQueue(queue);
    let finished = false;
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    await boss.work(queue, { pollingIntervalSeconds: 0.5 }, async () => {
      started();
      // The job's own work, still running when stop() is called: stop() must wait for it
      // however long it takes (the assertions below do not depend on this duration).
      await new Promise((r) => setTimeout(r, 700));
      finished = true;
    });
    const id = await boss.send(queue, {});
    await running;
    assert.equal(finished, false);
    await svc.stop();
    assert.equal(finished, true, 'stop() returned before the job ran to its end');

    const check = new pg.Client({ connectionString: databaseUrl });
    await check.connect();
    try {
      const { rows } = await check.query('SELECT state FROM pgboss.job WHERE id = $1', [id]);
      assert.equal(rows[0]?.state, 'completed');
    } finally {
      await check.end();
      await dropTestDatabase(databaseUrl);
    }
  });
});
