import pg from 'pg';

// BIGINT columns (audit seq, attempt ids) come back as strings by default; they stay well below
// 2^53 here, and numbers keep the hot-path SQL code free of conversions.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export type Pool = pg.Pool;
export type Queryable = pg.Pool | pg.PoolClient;

export function createPool(connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, application_name: 'webhook-gateway', connectionTimeoutMillis: 5000 });
  // An idle client that loses its server emits 'error' on the pool; without a listener Node
  // would crash the process. Queries on a dead server still fail and are answered 503.
  pool.on('error', () => {});
  return pool;
}

/** Runs fn inside BEGIN/COMMIT on one client; rolls back on any error. */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
