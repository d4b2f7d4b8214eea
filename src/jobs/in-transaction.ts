import type pg from 'pg';
import type { Db as BossDb } from 'pg-boss';

/**
 * pg-boss's `db` option over a client inside our transaction: jobs commit (or roll back) together
 * with the rows they belong to (STYLE: Jobs).
 */
export const inTransaction = (client: pg.PoolClient): BossDb => ({
  executeSql: (text, values) => client.query(text, values as unknown[]),
});
