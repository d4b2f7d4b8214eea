// pg-boss on the service's own PostgreSQL (SPEC §2). Queues are declared here once; handlers live
// beside their domain and are registered in jobs/registry.ts.
import { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';

export function createBoss(connectionString: string, log: Logger): PgBoss {
  const boss = new PgBoss({
    connectionString,
    schema: 'pgboss',
    max: 4,
    application_name: 'webhook-gateway:jobs',
    // Wakes workers on notify-enabled queues the moment a job is inserted (PERFORMANCE.md).
    useListenNotify: true,
  });
  boss.on('error', (err) => log.error({ err: { message: err.message } }, 'pg-boss error'));
  return boss;
}
