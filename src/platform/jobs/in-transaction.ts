import type pg from 'pg';
import type { Db as BossDb } from 'pg-boss';
import type { Pipeline } from '../db/pool.ts';

/**
 * pg-boss's `db` option over a client inside our transaction: jobs commit (or roll back) together
 * with the rows they belong to (STYLE: Jobs).
 */
export const inTransaction = (client: pg.PoolClient): BossDb => ({
  executeSql: (text, values) => client.query(text, values as unknown[]),
});

/**
 * The same inside a pipelined transaction: starts `insert` and returns once pg-boss has written
 * its statement (it awaits its queue cache first), so the statements sent after it really go after
 * it. Its answer is awaited with the rest of the pipeline, before COMMIT is trusted.
 */
export async function sendThroughBoss(p: Pipeline, insert: (db: BossDb) => Promise<unknown>): Promise<void> {
  let written!: () => void;
  const issued = new Promise<void>((resolve) => { written = resolve; });
  const answer = p.also(insert({
    executeSql: (text, values) => {
      const q = p.send(text, values as unknown[]);
      written();
      return q;
    },
  }));
  await Promise.race([issued, answer]);
}
