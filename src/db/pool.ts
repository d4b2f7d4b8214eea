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

/**
 * Connections that write each query without waiting for the previous answer (pg's pipeline mode),
 * for the group-commit writers: BEGIN, the batch's statements and COMMIT cost one round trip
 * instead of one each (../shared/PERFORMANCE.md: round trips, not bytes, are the cost).
 */
export function createPipelinedPool(connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, application_name: 'webhook-gateway:writer', connectionTimeoutMillis: 5000, pipeline: true });
  pool.on('error', () => {});
  return pool;
}

/**
 * What a pipelined transaction hands its body: `send` writes a statement at once and returns its
 * answer; `also` adds the answer of a statement a helper wrote on `client` itself.
 */
export interface Pipeline {
  send<R extends pg.QueryResultRow = pg.QueryResultRow>(query: pg.QueryConfig | string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  also<T>(answer: Promise<T>): Promise<T>;
  client: pg.PoolClient;
}

/**
 * BEGIN, whatever `fn` sends, COMMIT, on one pipelined client. `fn` awaits only the answers it
 * needs; everything sent is awaited before COMMIT's answer is trusted. When any statement failed,
 * PostgreSQL aborted the transaction and turned the COMMIT into a ROLLBACK: nothing was written,
 * and the first error is thrown.
 */
export async function pipelinedTransaction<T>(pool: pg.Pool, fn: (p: Pipeline) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const sent: Array<Promise<unknown>> = [];
  const also = <A>(answer: Promise<A>): Promise<A> => {
    sent.push(answer);
    answer.catch(() => {}); // awaited below; a failure is reported once, from there
    return answer;
  };
  const send: Pipeline['send'] = (query, values) => also(client.query(query as pg.QueryConfig, values));
  let broken: Error | undefined;
  try {
    send('BEGIN');
    let result: T;
    try {
      result = await fn({ send, also, client });
    } catch (err) {
      // A statement that failed is the cause; later ones only report the aborted transaction.
      const settled = await Promise.allSettled([...sent, client.query('ROLLBACK')]);
      throw settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')?.reason ?? err;
    }
    const commit = send('COMMIT');
    const settled = await Promise.allSettled(sent);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    if ((await commit).command !== 'COMMIT') throw new Error('transaction was rolled back');
    return result;
  } catch (err) {
    if (!(err as { code?: string }).code) broken = err as Error; // a connection problem: do not reuse it
    throw err;
  } finally {
    client.release(broken);
  }
}
