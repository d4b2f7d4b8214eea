// Stalls the /hooks group-commit writer deterministically: the test holds the workspace's audit
// chain head, so the writer's flush waits on it and requests sent meanwhile queue behind it.
import pg from 'pg';
import type { TestService } from './service.ts';
import { until } from './wait.ts';

export interface HeldAuditHead {
  /** Resolves once the writer's connection waits on the held lock. */
  writerWaiting: () => Promise<void>;
  /** Lets the writer go on (idempotent). */
  release: () => Promise<void>;
}

export async function holdAuditHead(svc: TestService): Promise<HeldAuditHead> {
  const lock = new pg.Client({ connectionString: svc.databaseUrl });
  await lock.connect();
  await lock.query('BEGIN');
  await lock.query('SELECT 1 FROM audit_chain WHERE workspace_id = $1 FOR UPDATE', [svc.workspaceId]);
  let released = false;
  return {
    writerWaiting: async () => {
      await until(async () => (await svc.services.pool.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'webhook-gateway:writer' AND wait_event_type = 'Lock'`)).rows[0].n === 1,
      'the writer waiting on the lock', 30_000);
    },
    release: async () => {
      if (released) return;
      released = true;
      await lock.query('ROLLBACK');
      await lock.end();
    },
  };
}
