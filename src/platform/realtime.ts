// Live updates across replicas (SPEC §3, §10) over PostgreSQL LISTEN/NOTIFY. A publish inside a
// transaction is delivered only if and when that transaction commits, so subscribers never see a
// state that was rolled back. Every message names its workspace; subscribers only ever receive
// their own workspace's messages.
import { EventEmitter } from 'node:events';
import type pg from 'pg';
import type { Logger } from 'pino';

export const CHANNEL = 'webhook_gateway';

/** What the LISTEN connection calls itself in pg_stat_activity. */
export const LISTEN_APPLICATION_NAME = 'webhook-gateway-listen';

export type Topic = 'apikey.revoked' | 'audit.appended' | 'delivery.updated' | 'inbound.received' | 'subscription.changed' | 'trigger.changed';

export interface Message {
  topic: Topic;
  workspaceId: string;
  data: unknown;
}

/** Messages one subscription may have waiting; past it, the subscription ends with this error. */
export const MAX_QUEUED_PER_SUBSCRIBER = 1000;

/** Ends a stream opened with `gaps: true` when the LISTEN connection was lost and is back. */
export class LiveGap extends Error {
  constructor() {
    super('live updates were interrupted (the gateway reconnected to the database); updates may have been missed: reload, then subscribe again');
  }
}

export class SubscriberOverflow extends Error {
  constructor() {
    super(`more than ${MAX_QUEUED_PER_SUBSCRIBER} live updates arrived faster than this subscription could process them; subscribe again`);
  }
}

/** Sends messages on `db` (delivered when its transaction commits); no Realtime instance needed. */
export async function notify(db: pg.Pool | pg.PoolClient, messages: Message[]): Promise<void> {
  if (messages.length === 0) return;
  await db.query('SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p', [CHANNEL, messages.map((m) => JSON.stringify(m))]);
}

/**
 * One commit's announcements of many items on a topic, `perMessage` items to a message (NOTIFY
 * payloads stay under 8000 bytes), serialized: a batch costs a few NOTIFYs, not one per item.
 */
export function chunkedMessages<T>(topic: Topic, workspaceId: string, items: T[], perMessage: number, data: (chunk: T[]) => unknown): string[] {
  const messages: string[] = [];
  for (let from = 0; from < items.length; from += perMessage) {
    messages.push(JSON.stringify({ topic, workspaceId, data: data(items.slice(from, from + perMessage)) } satisfies Message));
  }
  return messages;
}

const lookups = new WeakMap<object, Map<string, Promise<unknown>>>();

/**
 * One `load` per message and key, shared by every subscription the message reaches: the message
 * object is the same for all of them, so a socket with 100 subscriptions to deliveryUpdated reads
 * a delivery once per update, not 100 times. `key` must name everything `load` depends on.
 */
export function lookupOnce<V>(message: object, key: string, load: () => Promise<V>): Promise<V> {
  let byKey = lookups.get(message);
  if (!byKey) lookups.set(message, (byKey = new Map()));
  let pending = byKey.get(key) as Promise<V> | undefined;
  if (!pending) byKey.set(key, (pending = load()));
  return pending;
}

/**
 * A message's topic when it is its first key, as JSON.stringify of a Message and the audit
 * statement's json_build_object write it; a message in another form is parsed to find it.
 */
const TOPIC_FIRST = /^\{"topic" ?: ?"([a-z.]+)"/;

/** How far a stream's maps (reads, mostly) run ahead of its consumer, in messages. */
const MAX_MAPS_PER_STREAM = 16;

/** A message queued for a stream, and its map once started. */
interface Mapping<T, R> {
  message: T;
  mapped?: Promise<R[]>;
}

const HEARTBEAT_MS = 5000;
const RECONNECT_DELAYS_MS = [250, 1000, 2000, 5000];

export class Realtime {
  readonly #pool: pg.Pool;
  readonly #log: Logger;
  readonly #local = new EventEmitter();
  /** Topics with a listener in this process (subscriptions and onTopic handlers), and how many. */
  readonly #listened = new Map<string, number>();
  readonly #reconnectHandlers = new Set<() => void>();
  #client: pg.PoolClient | undefined;
  readonly #released = new WeakSet<pg.PoolClient>();
  #heartbeat: NodeJS.Timeout | undefined;
  #retry: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(pool: pg.Pool, log: Logger) {
    this.#pool = pool;
    this.#log = log;
    this.#local.setMaxListeners(0);
  }

  async start(): Promise<void> {
    await this.#listen();
    this.#heartbeat = setInterval(() => this.#checkListener(), HEARTBEAT_MS).unref();
  }

  async #listen(): Promise<void> {
    const client = await this.#pool.connect();
    let lost = false;
    const onLost = (err?: Error) => {
      if (lost) return;
      lost = true;
      this.#lost(client, err);
    };
    client.on('notification', (n) => {
      if (n.channel !== CHANNEL || !n.payload) return;
      // Every attempt notifies twice (delivery.updated, audit.appended): with nobody in this process
      // listening to its topic, a message is not even parsed.
      const topic = TOPIC_FIRST.exec(n.payload)?.[1];
      if (topic !== undefined && !this.#listened.has(topic)) return;
      try {
        this.#dispatch(JSON.parse(n.payload) as Message);
      } catch {
        this.#log.warn('realtime: dropped a malformed notification');
      }
    });
    client.on('error', onLost);
    client.on('end', () => onLost());
    try {
      await client.query(`SET application_name = '${LISTEN_APPLICATION_NAME}'; LISTEN ${CHANNEL}`);
    } catch (err) {
      onLost(err as Error);
      throw err;
    }
    if (this.#stopped) {
      this.#release(client);
      return;
    }
    this.#client = client;
  }

  /**
   * The LISTEN connection broke (database restart, terminated backend, dead network): whatever was
   * notified until a new LISTEN is in place is lost, so once it is, the caches are flushed.
   */
  #lost(client: pg.PoolClient, err: Error | undefined): void {
    const wasCurrent = this.#client === client;
    if (wasCurrent) this.#client = undefined;
    this.#release(client);
    if (!wasCurrent || this.#stopped) return;
    this.#log.warn({ err: err?.message }, 'realtime: the LISTEN connection was lost; reconnecting');
    this.#reconnect(0);
  }

  #reconnect(attempt: number): void {
    const delay = RECONNECT_DELAYS_MS[Math.min(attempt, RECONNECT_DELAYS_MS.length - 1)]!;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (this.#stopped) return;
      this.#listen().then(
        () => {
          if (!this.#client) return;
          this.#log.info('realtime: listening again; caches flushed');
          for (const handler of this.#reconnectHandlers) handler();
        },
        (err: Error) => {
          this.#log.warn({ err: err.message }, 'realtime: reconnect failed');
          if (!this.#stopped && !this.#client && !this.#retry) this.#reconnect(attempt + 1);
        },
      );
    }, delay);
    this.#retry.unref();
  }

  /** A connection that died without a word (no FIN, no error) only shows when it is used. */
  #checkListener(): void {
    const client = this.#client;
    if (!client) return;
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('heartbeat timed out')), HEARTBEAT_MS).unref());
    Promise.race([client.query('SELECT 1'), timeout]).catch((err: Error) => {
      if (this.#client === client) this.#lost(client, err);
    });
  }

  /** Destroyed, not returned to the pool: a dedicated LISTEN connection is never reused. */
  #release(client: pg.PoolClient): void {
    if (this.#released.has(client)) return;
    this.#released.add(client);
    client.release(true);
  }

  /**
   * Called each time LISTEN is in place again after the connection was lost: flush every cache that
   * NOTIFY keeps fresh, since the notifications sent meanwhile never arrive.
   */
  onReconnect(handler: () => void): () => void {
    this.#reconnectHandlers.add(handler);
    return () => this.#reconnectHandlers.delete(handler);
  }

  #dispatch(message: Message): void {
    this.#local.emit(`${message.topic}:${message.workspaceId}`, message.data);
    this.#local.emit(message.topic, message.workspaceId, message.data);
  }

  /**
   * For a change already committed whose effect on this replica must not wait for the NOTIFY's
   * round trip (a revoked key's sockets close before the revoking call answers): this process's
   * handlers run now, then every replica is notified (this one again; handlers are idempotent).
   */
  async announce(db: pg.Pool, topic: Topic, workspaceId: string, data: unknown): Promise<void> {
    this.#dispatch({ topic, workspaceId, data });
    await notify(db, [{ topic, workspaceId, data }]);
  }

  /**
   * An async iterator of one workspace's messages on a topic; ends when `signal` aborts or return()
   * is called, at once, even while a next() waits. At most MAX_QUEUED_PER_SUBSCRIBER messages wait
   * for the consumer; past that it ends with SubscriberOverflow rather than buffer without bound.
   * `prepare` turns each message into what is queued as it arrives.
   */
  subscribe<T>(
    topic: Topic, workspaceId: string, signal: AbortSignal, opts: { gaps?: boolean; prepare?: (data: unknown) => T } = {},
  ): AsyncIterableIterator<T> {
    const name = `${topic}:${workspaceId}`;
    const local = this.#local;
    const queue: T[] = [];
    let overflow = false;
    let gap = false;
    const stopGaps = opts.gaps ? this.onReconnect(() => {
      gap = true;
      wake?.();
    }) : undefined;
    let ended = false;
    let wake: (() => void) | undefined;
    const prepare = opts.prepare ?? ((data: unknown) => data as T);
    const listener = (data: unknown) => {
      if (queue.length >= MAX_QUEUED_PER_SUBSCRIBER) overflow = true;
      else if (!overflow) queue.push(prepare(data));
      wake?.();
    };
    const end = () => {
      if (ended) return;
      ended = true;
      queue.length = 0;
      local.off(name, listener);
      this.#count(topic, -1);
      stopGaps?.();
      signal.removeEventListener('abort', end);
      wake?.();
    };
    // Listening starts now, not at the first next(): nothing published in between is missed.
    local.on(name, listener);
    this.#count(topic, 1);
    signal.addEventListener('abort', end);
    if (signal.aborted) end();
    const done = { value: undefined, done: true } as const;
    return {
      async next(): Promise<IteratorResult<T>> {
        for (;;) {
          if (ended) return done;
          if (overflow || gap) {
            end();
            throw overflow ? new SubscriberOverflow() : new LiveGap();
          }
          if (queue.length > 0) return { value: queue.shift()!, done: false };
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      },
      async return(): Promise<IteratorResult<T>> {
        end();
        return done;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  /**
   * A GraphQL subscription's stream: one workspace's messages on a topic, each turned into the
   * value to send by `map` (undefined skips it). Ends, and stops listening, when the client leaves.
   */
  stream<T, R>(topic: Topic, workspaceId: string, map: (message: T) => Promise<R | undefined> | R | undefined): AsyncIterableIterator<R> {
    return this.streamEach<T, R>(topic, workspaceId, async (message) => {
      const value = await map(message);
      return value === undefined ? [] : [value];
    });
  }

  /**
   * stream() for messages that each carry any number of values (a commit's new deliveries). With
   * `gaps`, a lost LISTEN connection ends the stream with LiveGap once it is back, so a live view
   * knows to reload what it missed instead of silently lacking it. `map` starts as each message
   * arrives, not when the consumer reaches it: a message's reads overlap the next ones' instead of
   * queueing behind them, so a stream keeps pace with many messages a second whose reads each take
   * a round trip. They run at most MAX_MAPS_PER_STREAM messages ahead of the consumer: a backlog
   * waits as messages (small), not as what they were mapped to, and does not flood the pool.
   * Values still come out in the messages' order.
   */
  streamEach<T, R>(topic: Topic, workspaceId: string, map: (message: T) => Promise<R[]>, opts: { gaps?: boolean } = {}): AsyncIterableIterator<R> {
    const abort = new AbortController();
    // The queued messages not yet consumed, in order (the subscription's queue holds the same
    // entries); the first MAX_MAPS_PER_STREAM have their map started.
    const waiting: Array<Mapping<T, R>> = [];
    const startAhead = () => {
      for (let i = 0; i < Math.min(waiting.length, MAX_MAPS_PER_STREAM); i++) {
        const entry = waiting[i]!;
        if (entry.mapped) continue;
        entry.mapped = map(entry.message);
        // Awaited when its turn comes; until then a failure must not count as unhandled.
        entry.mapped.catch(() => {});
      }
    };
    const source = this.subscribe<Mapping<T, R>>(topic, workspaceId, abort.signal, { ...opts, prepare: (message) => {
      const entry: Mapping<T, R> = { message: message as T };
      waiting.push(entry);
      startAhead();
      return entry;
    } });
    const ready: R[] = [];
    return {
      async next(): Promise<IteratorResult<R>> {
        while (ready.length === 0) {
          if (abort.signal.aborted) return { value: undefined, done: true };
          const item = await source.next();
          if (item.done) return { value: undefined, done: true };
          waiting.shift(); // item.value: both queues hold the same entries in the same order
          startAhead();
          ready.push(...(await (item.value.mapped ?? map(item.value.message))));
        }
        return { value: ready.shift()!, done: false };
      },
      async return(): Promise<IteratorResult<R>> {
        abort.abort();
        ready.length = 0;
        waiting.length = 0;
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  /** Every workspace's messages on a topic, for process-wide concerns such as cache invalidation. */
  onTopic(topic: Topic, handler: (workspaceId: string, data: unknown) => void): () => void {
    this.#local.on(topic, handler);
    this.#count(topic, 1);
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      this.#local.off(topic, handler);
      this.#count(topic, -1);
    };
  }

  #count(topic: Topic, change: 1 | -1): void {
    const n = (this.#listened.get(topic) ?? 0) + change;
    if (n > 0) this.#listened.set(topic, n);
    else this.#listened.delete(topic);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#heartbeat);
    clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = undefined;
    if (client) this.#release(client);
  }
}
