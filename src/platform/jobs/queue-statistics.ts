// PostgreSQL plans pg-boss's fetch from table statistics. A burst of thousands of jobs into a table
// whose statistics are empty or stale makes the fetch pick a bad plan until autovacuum analyzes it
// (~40 s here, with deliveries crawling at a few hundred per second meanwhile: see
// ../shared/PERFORMANCE.md). The delivery worker's own reads meet the same trap on a young
// database (its batch lookup took 41 ms instead of ~2 ms), and so does publishing: a prepared
// statement's generic plan, made while `outbound_delivery` held a few hundred rows, kept reading
// a flush's deliveries back by a sequential scan (11 ms a flush instead of 0.4 ms, the publish
// path at a third of its rate) until an ANALYZE replaced it. Every process therefore watches the
// job tables and the publish and delivery paths' tables, and ANALYZEs one as soon as it changed a
// lot since its last analyze, instead of waiting for autovacuum.
import type pg from 'pg';
import type { Logger } from 'pino';

/** Tables the delivery worker reads by key on every batch, and publishing on every flush. */
const HOT_TABLES = ['outbound_delivery', 'event', 'webhook_subscription', 'subscription_secret'];

/**
 * Past this many rows a hot table's plans read it by its indexes whatever a later ANALYZE finds,
 * and an ANALYZE of it costs more (`event` at 500,000 rows: ~300 ms each, every 20 % of growth, a
 * tenth of the database's CPU while bench:publish filled it): autovacuum keeps it from then on.
 * pg-boss's job tables, whose fetch plans follow the queues' sizes, are watched at every size.
 */
const YOUNG_TABLE_ROWS = 100_000;

export function keepQueueStatistics(pool: pg.Pool, log: Logger, intervalMs = 2000): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const { rows } = await pool.query<{ table: string }>(
        `SELECT format('%I.%I', schemaname, relname) AS table FROM pg_stat_user_tables
         WHERE ((schemaname = 'pgboss' AND relname LIKE 'job%') OR (schemaname = 'public' AND relname = ANY($1::text[]) AND n_live_tup < $2))
           AND n_mod_since_analyze > greatest(1000, 0.2 * n_live_tup)`,
        [HOT_TABLES, YOUNG_TABLE_ROWS],
      );
      for (const { table } of rows) {
        await pool.query(`ANALYZE ${table}`);
        log.debug({ table }, 'analyzed a table after a burst');
      }
    } catch (err) {
      log.warn({ err: { message: (err as Error).message } }, 'queue statistics check failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
