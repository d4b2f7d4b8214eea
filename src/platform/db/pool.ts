import pg from 'pg';

// BIGINT columns (audit seq, attempt ids) come back as strings by default; they stay well below
// 2^53 here, and numbers keep the hot-path SQL code free of conversions.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export type Pool = pg.Pool;

/**
 * `named`: a query given a name is prepared once per connection and reused (one Parse saved per
 * use). `unnamed`: every name is dropped, for a pooler that hands each transaction a different
 * server connection (PgBouncer before 1.21 in transaction mode), where a name prepared on one is
 * unknown, or already taken, on the next (README: Running behind PgBouncer).
 */
export type Statements = 'named' | 'unnamed';

/**
 * Drops the name of every query: the one place the gateway's statements become unnamed. Submittables
 * (cursors, streams) pass as they are. pg's query() has overloads a subclass cannot restate one by
 * one; this signature stands for all of them and returns whatever pg's does.
 */
class UnnamedStatementsClient extends pg.Client {
  override query(config: unknown, ...rest: unknown[]): never {
    const plain = typeof config === 'object' && config !== null && 'name' in config && typeof (config as { submit?: unknown }).submit !== 'function';
    return (super.query as (...args: unknown[]) => never)(plain ? { ...config, name: undefined } : config, ...rest);
  }
}

const clientFor = (statements: Statements) => (statements === 'unnamed' ? UnnamedStatementsClient : pg.Client);

export interface PoolOptions {
  applicationName?: string;
  statements?: Statements;
}

export function createPool(connectionString: string, max: number, options: PoolOptions = {}): pg.Pool {
  const { applicationName = 'webhook-gateway', statements = 'named' } = options;
  const pool = new pg.Pool({ connectionString, max, application_name: applicationName, connectionTimeoutMillis: 5000, Client: clientFor(statements) });
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
 * What a pipelined transaction hands its body: `send` writes a statement at once and returns its
 * answer; `also` adds the answer of a statement a helper wrote on `client` itself.
 */
export interface Pipeline {
  send<R extends pg.QueryResultRow = pg.QueryResultRow>(query: pg.QueryConfig | string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  also<T>(answer: Promise<T>): Promise<T>;
  client: pg.PoolClient;
}

/**
 * For a writer whose named statements PostgreSQL would otherwise plan again at every execution: it
 * does so while a plan for the values at hand looks cheaper than the generic plan, and for the
 * publish writer's statement with a one-event batch it always did. At light load such a flush
 * spent 45 % of its backend's CPU planning (perf, docs/benchmarks.md, fourteenth session). The
 * setting covers every statement of the transaction; an unnamed one is planned at each use anyway,
 * and would only lose its values, so it is set for named statements only. SET LOCAL, not a session
 * setting: a pooler in transaction mode hands the next transaction another connection.
 */
const GENERIC_PLANS = 'SET LOCAL plan_cache_mode = force_generic_plan';

export interface PipelineOptions {
  /** Every transaction runs its named statements on their generic plans (GENERIC_PLANS). */
  genericPlans?: boolean;
}

/**
 * One connection in pg's pipeline mode, for the group-commit writers: each query is written
 * without waiting for the answer to the one before, so BEGIN, a batch's statements and COMMIT
 * cost one round trip (../shared/PERFORMANCE.md: round trips, not bytes, are the cost), and the
 * next batch's transaction is written right behind the last one's COMMIT, before its answer.
 */
export class PipelinedConnection {
  readonly #pool: pg.Pool;
  #client: Promise<pg.PoolClient> | undefined;
  #open: pg.PoolClient | undefined;
  /** Settles once the transaction before has been written whole (BEGIN to COMMIT or ROLLBACK). */
  #written: Promise<void> = Promise.resolve();

  readonly #genericPlans: boolean;

  constructor(connectionString: string, statements: Statements = 'named', options: PipelineOptions = {}) {
    this.#genericPlans = (options.genericPlans ?? false) && statements === 'named';
    this.#pool = new pg.Pool({
      connectionString, max: 1, application_name: 'webhook-gateway:writer', connectionTimeoutMillis: 5000, pipeline: true, Client: clientFor(statements),
    });
    this.#pool.on('error', () => {});
  }

  /**
   * BEGIN, whatever `fn` sends, COMMIT. `fn` awaits only the answers it needs; everything sent is
   * awaited before COMMIT's answer is trusted. When any statement failed, PostgreSQL aborted the
   * transaction and turned the COMMIT into a ROLLBACK: nothing was written, and the first error
   * is thrown. Transactions never interleave: one is written whole before the next begins.
   */
  async transaction<T>(fn: (p: Pipeline) => Promise<T>): Promise<T> {
    const before = this.#written;
    let written!: () => void;
    this.#written = new Promise<void>((resolve) => (written = resolve));
    const sent: Array<Promise<unknown>> = [];
    let client: pg.PoolClient | undefined;
    try {
      await before;
      client = await this.#connection();
      const c = client;
      const also = <A>(answer: Promise<A>): Promise<A> => {
        sent.push(answer);
        answer.catch(() => {}); // awaited below; a failure is reported once, from there
        return answer;
      };
      const send: Pipeline['send'] = (query, values) => also(c.query(query as pg.QueryConfig, values));
      send('BEGIN');
      if (this.#genericPlans) send(GENERIC_PLANS);
      let result: T;
      try {
        result = await fn({ send, also, client: c });
      } catch (err) {
        const rollback = c.query('ROLLBACK');
        written();
        // A statement that failed is the cause; later ones only report the aborted transaction.
        const settled = await Promise.allSettled([...sent, rollback]);
        throw settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')?.reason ?? err;
      }
      const commit = send('COMMIT');
      written();
      const settled = await Promise.allSettled(sent);
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) throw failed.reason;
      if ((await commit).command !== 'COMMIT') throw new Error('transaction was rolled back');
      return result;
    } catch (err) {
      // No SQLSTATE: the connection itself failed. The next transaction opens a new one.
      if (client && !(err as { code?: string }).code) this.#drop(client, err as Error);
      throw err;
    } finally {
      written();
    }
  }

  #connection(): Promise<pg.PoolClient> {
    this.#client ??= this.#pool.connect().then((client) => {
      this.#open = client;
      client.on('error', (err) => this.#drop(client, err)); // a server gone while idle
      return client;
    }, (err: unknown) => {
      this.#client = undefined;
      throw err;
    });
    return this.#client;
  }

  /** Gives a failed connection back to be destroyed, once, however many transactions saw it fail. */
  #drop(client: pg.PoolClient, err: Error): void {
    if (this.#open !== client) return;
    this.#open = undefined;
    this.#client = undefined;
    client.release(err);
  }

  async end(): Promise<void> {
    await this.#written;
    const client = this.#open;
    this.#open = undefined;
    this.#client = undefined;
    client?.release();
    await this.#pool.end();
  }
}
