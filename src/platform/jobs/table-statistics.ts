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

/** Tables the delivery worker reads by key on every batch, and publishing on every flush (the service role is granted MAINTAIN on them: db/roles.ts). */
export const HOT_TABLES = ['outbound_delivery', 'event', 'webhook_subscription', 'subscription_secret'];

/**
 * Past this many rows in its statistics a hot table's new plans read it by its indexes, and an
 * ANALYZE of it costs more (`event` at 500,000 rows: ~300 ms each, every 20 % of growth, a tenth of
 * the database's CPU while bench:publish filled it): autovacuum keeps it from then on. The bound is
 * on the rows the planner last saw (reltuples), not the rows now: a table that grew past it since
 * its last ANALYZE gets one more, which replaces the plans made while it was small.
 * pg-boss's job tables, whose fetch plans follow the queues' sizes, are watched at every size.
 */
const YOUNG_TABLE_ROWS = 100_000;

/**
 * The tables due for an ANALYZE: changed a lot since their last one, young (or pg-boss's), and
 * ones this role may analyze (it owns them, or holds MAINTAIN on PostgreSQL 17+).
 */
export async function tablesDueForAnalyze(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ table: string }>(
    `SELECT format('%I.%I', s.schemaname, s.relname) AS table
     FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
     WHERE ((s.schemaname = 'pgboss' AND s.relname LIKE 'job%') OR (s.schemaname = current_schema() AND s.relname = ANY($1::text[]) AND c.reltuples < $2))
       AND s.n_mod_since_analyze > greatest(1000, 0.2 * s.n_live_tup)
       AND CASE WHEN pg_has_role(c.relowner, 'USAGE') THEN true
                WHEN current_setting('server_version_num')::int >= 170000 THEN has_table_privilege(c.oid, 'MAINTAIN')
                ELSE false END`,
    [HOT_TABLES, YOUNG_TABLE_ROWS],
  );
  return rows.map((r) => r.table);
}

/**
 * The keeper's statistics target: 10, where the server's is 100. The full sample (30,000 rows) cost
 * the database about a sixth of its CPU while bench:publish filled young tables (docs/benchmarks.md,
 * twelfth session). The plans at stake survive a coarse one: the hot paths read these tables by
 * primary and unique keys, whose selectivity the unique index gives, not the statistics, and
 * pg-boss's fetch by queue name and state, a few values each. What it coarsens (10 common values,
 * 10 histogram buckets, distinct counts estimated from 3,000 rows) weighs on the admin queries'
 * plans, and only until autovacuum's own analyzes, on its schedule and at the server's target,
 * replace them. Columns with a target of their own (event.body: 0) keep it.
 */
const KEEPER_STATISTICS_TARGET = 10;

/**
 * ANALYZE with the keeper's target. One simple-protocol string runs as one implicit transaction,
 * so SET LOCAL ends with it, whether the ANALYZE succeeds or fails: the pooled connection (a
 * pooler's server connection too) keeps the server's target.
 */
export const analyzeCoarsely = (pool: pg.Pool, table: string) =>
  pool.query(`SET LOCAL default_statistics_target = ${KEEPER_STATISTICS_TARGET}; ANALYZE (SKIP_LOCKED) ${table}`);

/**
 * Every process runs this. Tables another process is analyzing are skipped (SKIP_LOCKED). The
 * returned stop waits for an ANALYZE in progress.
 */
export function keepTableStatistics(pool: pg.Pool, log: Logger, intervalMs = 2000): () => Promise<void> {
  let stopped = false;
  let current: Promise<void> | undefined;
  const tick = async () => {
    try {
      for (const table of await tablesDueForAnalyze(pool)) {
        if (stopped) return;
        await analyzeCoarsely(pool, table);
        log.debug({ table }, 'analyzed a table after a burst');
      }
    } catch (err) {
      log.warn({ err: { message: (err as Error).message } }, 'table statistics check failed');
    }
  };
  const timer = setInterval(() => {
    if (!current) current = tick().finally(() => (current = undefined));
  }, intervalMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await current;
  };
}
