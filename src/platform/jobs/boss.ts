// pg-boss on the service's own PostgreSQL (SPEC §2). Jobs are defined beside their domain
// (platform/jobs/job.ts) and listed in app/job-registry.ts, which declares their queues.
import { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';

/**
 * `createSchema: false` where the schema exists already: with split database roles the service role
 * owns it but may not create schemas, and PostgreSQL checks that right even for IF NOT EXISTS.
 */
export function createBoss(connectionString: string, log: Logger, role: 'all' | 'api' | 'worker', options: { createSchema: boolean } = { createSchema: true }): PgBoss {
  const boss = new PgBoss({
    connectionString,
    schema: 'pgboss',
    createSchema: options.createSchema,
    max: 4,
    application_name: 'webhook-gateway:jobs',
    // Wakes workers on notify-enabled queues the moment a job is inserted (PERFORMANCE.md).
    useListenNotify: true,
    // Expired jobs (a worker killed mid-delivery) are found on the monitor pass: keep it short so
    // a delivery job, which expires just above its subscription's timeout, runs again within seconds.
    superviseIntervalSeconds: 2,
    monitorIntervalSeconds: 2,
    // An API-only process queues jobs and runs none: supervision and cron passes belong to the
    // workers (they showed as periodic maintenance queries beside /hooks' group commits).
    supervise: role !== 'api',
    schedule: role !== 'api',
  });
  boss.on('error', (err) => log.error({ err: { message: err.message } }, 'pg-boss error'));
  return boss;
}
