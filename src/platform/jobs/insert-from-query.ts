// pg-boss's own insert statement (queue defaults, policy, notify and all) folded into a statement of
// the caller's, fed by a query instead of a parameter: jobs for rows the same statement writes (the
// fan-out's deliveries, the sessions /hooks starts) are queued without those rows coming back to
// the application and with no statement of their own (each costs the database a parse check, a
// snapshot and an executor: measured in docs/benchmarks.md, tenth session).
import type { PgBoss } from 'pg-boss';

const MARKER = '$1::text::json';

/** pg-boss's insert statement for a queue with `notify`: the insert as the CTE `ins`, its notify as the CTE `notified`, a select reading both. */
const FOLDABLE = /^\s*WITH\s+ins\s+AS\s+\(([\s\S]*)\)\s*,\s*notified\s+AS\s+\(([\s\S]*)\)\s*SELECT\s+id\s+FROM\s+ins\s+WHERE\s+\(SELECT\s+count\(\*\)\s+FROM\s+notified\)\s*<\s*0\s*$/;
/** Where the notify reads the insert's rows. */
const READS_INSERT = /\bFROM\s+ins\s+WHERE\b/g;

export interface JobsCtes {
  /** For the statement's WITH list: the insert, named as asked, and its notify. */
  ctes: string;
  /**
   * For the statement's select list: how many notifies the statement sent (0 or 1). A CTE that
   * only reads runs only when something reads it: leaving this out would leave the workers asleep
   * until their next poll.
   */
  woke: string;
}

/**
 * The statement pg-boss's insert() runs for `queue`, captured from pg-boss itself, with its JSON
 * parameter replaced by `jobsJson` (SQL yielding the JSON array insert() would be given), as CTEs.
 * Captured anew on each call: the statements holding it are built once (perBoss). A pg-boss whose
 * statement no longer has that shape is refused at start (app/service.ts), not at the first use.
 */
export async function insertJobsCtes(boss: PgBoss, queue: string, name: string, jobsJson: string): Promise<JobsCtes> {
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
  // Matched before the caller's SQL goes in, so nothing of it can shape the match.
  const fill = (sql: string) => sql.replace(MARKER, () => `(${jobsJson})`);
  const notifying = FOLDABLE.exec(text);
  if (notifying) {
    const notify = notifying[2]!;
    if (notify.match(READS_INSERT)?.length !== 1) throw new Error(`pg-boss's notify for ${queue} does not read its insert exactly once: it cannot be folded`);
    return {
      ctes: `${name} AS (${fill(notifying[1]!)}), ${name}_notified AS (${notify.replace(READS_INSERT, `FROM ${name} WHERE`)})`,
      woke: `(SELECT count(*) FROM ${name}_notified)`,
    };
  }
  // A queue without notify: the insert alone, which runs as a CTE whether read or not.
  if (/^\s*INSERT\s/.test(text)) return { ctes: `${name} AS (${fill(text)})`, woke: '0' };
  throw new Error(`pg-boss's insert statement for ${queue} is neither an insert nor an insert and a notify in two CTEs: it cannot be folded`);
}

/**
 * A statement that folds pg-boss's inserts in (insertJobsCtes), built once per pg-boss instance:
 * the hot paths send it on every flush. One that failed to build (pg-boss not started yet, say) is
 * built again by the next caller.
 */
export function perBoss<T>(build: (boss: PgBoss) => Promise<T>): (boss: PgBoss) => Promise<T> {
  const byBoss = new WeakMap<PgBoss, Promise<T>>();
  return (boss) => {
    let statement = byBoss.get(boss);
    if (!statement) {
      statement = build(boss);
      statement.catch(() => byBoss.delete(boss));
      byBoss.set(boss, statement);
    }
    return statement;
  };
}
