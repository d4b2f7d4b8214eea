// Live updates across replicas (SPEC §3, §10) over PostgreSQL LISTEN/NOTIFY. A publish inside a
// transaction is delivered only if and when that transaction commits, so subscribers never see a
// state that was rolled back. Every message names its workspace; subscribers only ever receive
// their own workspace's messages.
import { EventEmitter, on } from 'node:events';
import type pg from 'pg';
import type { Logger } from 'pino';

export const CHANNEL = 'webhook_gateway';

export type Topic = 'audit.appended' | 'delivery.updated' | 'inbound.received' | 'trigger.changed' | 'subscription.changed';

export interface Message {
  topic: Topic;
  workspaceId: string;
  data: unknown;
}

/** Sends messages on `db` (delivered when its transaction commits); no Realtime instance needed. */
export async function notify(db: pg.Pool | pg.PoolClient, messages: Message[]): Promise<void> {
  if (messages.length === 0) return;
  await db.query('SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p', [CHANNEL, messages.map((m) => JSON.stringify(m))]);
}

export class Realtime {
  readonly #pool: pg.Pool;
  readonly #log: Logger;
  readonly #local = new EventEmitter();
  #client: pg.PoolClient | undefined;
  #stopped = false;

  constructor(pool: pg.Pool, log: Logger) {
    this.#pool = pool;
    this.#log = log;
    this.#local.setMaxListeners(0);
  }

  async start(): Promise<void> {
    await this.#listen();
  }

  async #listen(): Promise<void> {
    const client = await this.#pool.connect();
    client.on('notification', (n) => {
      if (n.channel !== CHANNEL || !n.payload) return;
      try {
        const message = JSON.parse(n.payload) as Message;
        this.#local.emit(`${message.topic}:${message.workspaceId}`, message.data);
        this.#local.emit(message.topic, message.workspaceId, message.data);
      } catch {
        this.#log.warn('realtime: dropped a malformed notification');
      }
    });
    client.on('error', () => {
      // The listener connection broke (database restart): reconnect after a pause.
      if (this.#client !== client) return; // already let go by stop() or an earlier error
      this.#client = undefined;
      client.release(true);
      if (this.#stopped) return;
      setTimeout(() => this.#listen().catch((err) => this.#log.warn({ err: err.message }, 'realtime: reconnect failed')), 1000).unref();
    });
    await client.query(`LISTEN ${CHANNEL}`);
    this.#client = client;
  }

  /** Publishes on `db` (a transaction client, to deliver on commit, or the pool). */
  async publish(db: pg.Pool | pg.PoolClient, topic: Topic, workspaceId: string, data: unknown): Promise<void> {
    await notify(db, [{ topic, workspaceId, data }]);
  }

  /** An async iterator of one workspace's messages on a topic; ends when `signal` aborts. */
  subscribe<T>(topic: Topic, workspaceId: string, signal: AbortSignal): AsyncIterableIterator<T> {
    const events = on(this.#local, `${topic}:${workspaceId}`, { signal });
    return (async function* () {
      try {
        for await (const [data] of events) yield data as T;
      } catch (err) {
        if ((err as Error).name !== 'AbortError') throw err;
      }
    })();
  }

  /**
   * A GraphQL subscription's stream: one workspace's messages on a topic, each turned into the
   * value to send by `map` (undefined skips it). Ends, and stops listening, when the client leaves.
   */
  stream<T, R>(topic: Topic, workspaceId: string, map: (message: T) => Promise<R | undefined> | R | undefined): AsyncGenerator<R> {
    const subscribe = this.subscribe.bind(this);
    return (async function* () {
      const abort = new AbortController();
      try {
        for await (const message of subscribe<T>(topic, workspaceId, abort.signal)) {
          const value = await map(message);
          if (value !== undefined) yield value;
        }
      } finally {
        abort.abort();
      }
    })();
  }

  /** Every workspace's messages on a topic, for process-wide concerns such as cache invalidation. */
  onTopic(topic: Topic, handler: (workspaceId: string, data: unknown) => void): () => void {
    this.#local.on(topic, handler);
    return () => this.#local.off(topic, handler);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    const client = this.#client;
    this.#client = undefined;
    if (client) {
      // Destroyed, not returned to the pool: a dedicated LISTEN connection is never reused.
      client.release(true);
    }
  }
}
