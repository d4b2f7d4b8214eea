// pg-boss's own insert statement (queue defaults, policy, notify and all) folded into a statement of
// the caller's, fed by a query instead of a parameter: jobs for rows the same statement writes (the
// fan-out's deliveries, the sessions /hooks starts) are queued without those rows coming back to
// the application and with no statement of their own (each costs the database a parse check, a
// snapshot and an executor: measured in docs/benchmarks.md, tenth session).
import type { PgBoss } from 'pg-boss';

const MARKER = '$1::text::json';

/** pg-boss's insert statement for a queue with `notify`: the insert as the CTE `ins`, its notify as the CTE `notified`, a select reading both. */
const FOLDABLE = /^\s*WITH\s+ins\s+AS\s+\(([\s\S]*)\)\s*,\s*notified\s+AS\s+\(([\s\S]*)\)\s*SELECT\s+id\s+FROM\s+ins\s+WHERE\s+\(SELECT\s+count\(\*\)\s+FROM\s+notified\)\s*<\s*0\s*$/;

export interface JobsCtes {
  /** For the statement's WITH list: the insert, named as asked, and its notify. */
  ctes: string;
  /** For the statement's select list: a CTE that only reads runs only when read, and this reads the notify. */
  queued: string;
}

/**
 * The statement pg-boss's insert() runs for `queue`, captured from pg-boss itself, with its JSON
 * parameter replaced by `jobsJson` (SQL yielding the JSON array insert() would be given), as CTEs.
 * A pg-boss whose statement no longer has that shape is refused at start (app/service.ts), not at
 * the first use.
 */
async function capture(boss: PgBoss, queue: string, name: string, jobsJson: string): Promise<JobsCtes> {
  let text = '';
  await boss.insert(queue, [{ data: {} }], {
    db: {
      executeSql: async (sql: string) => {
        text = sql;
        return { rows: [] };
      },
    },
  });
  if (text.split(MARKER).length !== 2) throw new Error(`pg-boss's insert statement for ${queue} no longer reads its jobs from ${MARKER}: it cannot be folded`);
  const sql = text.replace(MARKER, () => `(${jobsJson})`);
  const notifying = FOLDABLE.exec(sql);
  if (notifying) {
    return {
      ctes: `${name} AS (${notifying[1]}), ${name}_notified AS (${notifying[2]!.replace(/\bins\b/g, name)})`,
      queued: `(SELECT count(*) FROM ${name}_notified)`,
    };
  }
  // A queue without notify: the insert alone, which runs as a CTE whether read or not.
  if (/^\s*INSERT\s/.test(sql)) return { ctes: `${name} AS (${sql})`, queued: '0' };
  throw new Error(`pg-boss's insert statement for ${queue} is neither an insert nor an insert and a notify in two CTEs: it cannot be folded`);
}

const captured = new WeakMap<PgBoss, Map<string, Promise<JobsCtes>>>();

/** Jobs for `queue` from the JSON `jobsJson` yields, as CTEs named `name`: captured once per pg-boss instance. */
export function insertJobsCtes(boss: PgBoss, queue: string, name: string, jobsJson: string): Promise<JobsCtes> {
  let byQuery = captured.get(boss);
  if (!byQuery) captured.set(boss, (byQuery = new Map()));
  const key = `${queue}\n${name}\n${jobsJson}`;
  let ctes = byQuery.get(key);
  if (!ctes) byQuery.set(key, (ctes = capture(boss, queue, name, jobsJson)));
  return ctes;
}
