// pg-boss's own insert statement, fed by a query instead of a parameter, so that jobs for rows
// written earlier in the same transaction (the fan-out's deliveries) are queued without waiting
// for those rows to come back to the application: the whole group commit stays one round trip.
// Also as a statement prepared once, for hot paths that queue jobs on every commit.
import type { PgBoss } from 'pg-boss';

const MARKER = '$1::text::json';

/**
 * The statement pg-boss's insert() runs for `queue` (queue defaults, policy, notify and all), with
 * its JSON parameter replaced by `jobsJson`: SQL yielding the same JSON array insert() would be
 * given, which may use parameters from $1 on. Without `jobsJson`, the statement reads the jobs'
 * JSON text from $1, as insert() does, but can be prepared once and reused (insert() sends it
 * unnamed, so it is planned again on every call). Captured once from pg-boss itself; a pg-boss
 * whose statement no longer reads its jobs that way is refused at start, not at the first use.
 */
async function capture(boss: PgBoss, queue: string, jobsJson: string): Promise<string> {
  let text = '';
  await boss.insert(queue, [{ data: {} }], {
    db: {
      executeSql: async (sql: string) => {
        text = sql;
        return { rows: [] };
      },
    },
  });
  if (text.split(MARKER).length !== 2) throw new Error(`pg-boss's insert statement for ${queue} no longer reads its jobs from ${MARKER}`);
  return text.replace(MARKER, () => `(${jobsJson})`);
}

const captured = new WeakMap<PgBoss, Map<string, Promise<string>>>();

/** insertFromQuerySql, captured once per pg-boss instance, queue and query. */
export function insertFromQuerySql(boss: PgBoss, queue: string, jobsJson = MARKER): Promise<string> {
  let byQuery = captured.get(boss);
  if (!byQuery) captured.set(boss, (byQuery = new Map()));
  const key = `${queue}\n${jobsJson}`;
  let sql = byQuery.get(key);
  if (!sql) byQuery.set(key, (sql = capture(boss, queue, jobsJson)));
  return sql;
}
