// pg-boss on the service's own PostgreSQL (SPEC §2). Jobs are defined beside their domain
// (platform/jobs/job.ts) and listed in app/job-registry.ts, which declares their queues.
import { type ConstructorOptions, PgBoss } from 'pg-boss';
// pg-boss's own pool-backed Db (the package has no exports map; its .d.ts ships beside it): the one
// piece of it that must move is its LISTEN connection, so the rest stays pg-boss's.
import PgBossDb from 'pg-boss/dist/db.js';
import type { Logger } from 'pino';

type DbOptions = Pick<ConstructorOptions, 'connectionString' | 'max' | 'application_name'>;

/**
 * pg-boss's Db with its LISTEN connection on `listenUrl`: behind a transaction pooler, LISTEN on a
 * pooled server connection hears nothing (and pg-boss's heartbeat, seeing no channel, reconnects
 * forever). Statements and transactions stay on the pooled URL. Being pg-boss's class, it is
 * opened, closed and heard ('error') by pg-boss as its own pool would be.
 */
class ListenApartDb extends PgBossDb {
  readonly #listener: PgBossDb;

  constructor(options: DbOptions, listenUrl: string) {
    super(options);
    this.#listener = new PgBossDb({ ...options, connectionString: listenUrl, max: 1 });
    this.#listener.on('error', (err: Error) => this.emit('error', err));
  }

  override async open(): Promise<void> {
    await super.open();
    await this.#listener.open();
  }

  override async close(): Promise<void> {
    await this.#listener.close();
    await super.close();
  }

  override listen(...args: Parameters<PgBossDb['listen']>): ReturnType<PgBossDb['listen']> {
    return this.#listener.listen(...args);
  }
}

/**
 * `createSchema: false` where the schema exists already: with split database roles the service role
 * owns it but may not create schemas, and PostgreSQL checks that right even for IF NOT EXISTS.
 * `listenUrl`: where its LISTEN connection goes when that is not `connectionString` (DATABASE_LISTEN_URL).
 * pg-boss names none of its statements, so DATABASE_STATEMENTS has nothing to change here.
 */
export function createBoss(
  connectionString: string, log: Logger, role: 'all' | 'api' | 'worker', options: { createSchema: boolean; listenUrl?: string } = { createSchema: true },
): PgBoss {
  const db: DbOptions = { connectionString, max: 4, application_name: 'webhook-gateway:jobs' };
  const boss = new PgBoss({
    ...(options.listenUrl && options.listenUrl !== connectionString ? { db: new ListenApartDb(db, options.listenUrl) } : db),
    schema: 'pgboss',
    createSchema: options.createSchema,
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
