// Subscription filters at fan-out (SPEC §7, §15). A filter is a tenant's JSONPath, so it is evaluated
// in the publishing process before the fan-out's transaction begins, never while that transaction
// holds locks (the /hooks writer's holds its workspaces' audit heads). It is evaluated against a
// per-workspace list of the ACTIVE subscriptions that have one, cached: every change to a
// subscription's status, event types or filter is announced by a database trigger on
// webhook_subscription (`subscription.changed` over LISTEN/NOTIFY, whatever wrote it: API, worker,
// SQL), which drops the workspace's list on every replica; a TTL of 5 s bounds staleness should a
// notification be lost while the listener reconnects.
//
// The transaction then inserts a delivery for an evaluated pair only if the subscription is still
// ACTIVE, still takes the event's type and still has the filter that was evaluated
// (src/events/outbox.ts). So a subscription disabled in between receives nothing; one enabled in
// between, or whose filter changed, receives nothing for events evaluated before the change
// reached this process (a notification's latency, at most the TTL).
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Services } from '../platform/services.ts';
import { type CompiledJsonPath, JsonPathRefused, compileJsonPath } from '../platform/jsonpath.ts';

export interface FilteredSubscription {
  id: string;
  /** Event types it takes: exact names, `*`, or prefixes such as `tool.*`. */
  events: string[];
  filter: string;
  /** Undefined when the filter breaks the rules it was not saved under: it then matches nothing. */
  compiled: CompiledJsonPath | undefined;
}

/** The ACTIVE subscriptions with a filter, by workspace (absent workspaces have none). */
export type SubscriptionFilterSource = (workspaceIds: string[]) => Promise<Map<string, FilteredSubscription[]>>;

/** Whether a subscription's event list takes `type` (as outbox.ts's SQL matches it). */
export const takesEventType = (patterns: string[], type: string) =>
  patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));

/** Reads the lists from `db`: the pool for the cache, or a transaction's client to see its own view. */
export function loadSubscriptionFilters(db: pg.Pool | pg.PoolClient, log?: Logger): SubscriptionFilterSource {
  return async (workspaceIds) => {
    const { rows } = await db.query<{ workspace_id: string; id: string; events: string[] | null; filter: string }>({
      name: 'subscription-filters',
      text: `SELECT workspace_id, id, events, filter FROM webhook_subscription
             WHERE workspace_id = ANY($1::text[]) AND status = 'ACTIVE' AND filter IS NOT NULL`,
    }, [workspaceIds]);
    const out = new Map<string, FilteredSubscription[]>();
    for (const r of rows) {
      let compiled: CompiledJsonPath | undefined;
      try {
        compiled = compileJsonPath(r.filter);
      } catch (err) {
        if (!(err instanceof JsonPathRefused)) throw err;
        log?.warn({ subscriptionId: r.id, reason: err.message }, 'subscription filter not allowed: it matches nothing until it is saved again');
      }
      const list = out.get(r.workspace_id) ?? [];
      list.push({ id: r.id, events: r.events ?? [], filter: r.filter, compiled });
      out.set(r.workspace_id, list);
    }
    return out;
  };
}

/** The cached source the publishing paths use; one per process. */
export class SubscriptionFilterCache {
  readonly #entries = new Map<string, { value: FilteredSubscription[]; expires: number }>();
  readonly #loading = new Map<string, Promise<Map<string, FilteredSubscription[]>>>();
  readonly #load: SubscriptionFilterSource;
  readonly #ttlMs: number;

  constructor(load: SubscriptionFilterSource, ttlMs = 5000) {
    this.#load = load;
    this.#ttlMs = ttlMs;
  }

  /** The workspaces' lists: from memory, else one query for all those missing. */
  readonly get: SubscriptionFilterSource = async (workspaceIds) => {
    const now = Date.now();
    const out = new Map<string, FilteredSubscription[]>();
    const waits: Array<Promise<void>> = [];
    const missing: string[] = [];
    for (const ws of new Set(workspaceIds)) {
      const hit = this.#entries.get(ws);
      if (hit && hit.expires > now) out.set(ws, hit.value);
      else {
        // One load per workspace at a time: requests meeting an expired entry wait for the same query.
        const loading = this.#loading.get(ws);
        if (loading) waits.push(loading.then((m) => void out.set(ws, m.get(ws) ?? [])));
        else missing.push(ws);
      }
    }
    if (missing.length > 0) {
      const load = this.#load(missing);
      for (const ws of missing) this.#loading.set(ws, load);
      const settle = () => {
        const current = missing.filter((ws) => this.#loading.get(ws) === load);
        for (const ws of current) this.#loading.delete(ws);
        return current;
      };
      waits.push(load.then((m) => {
        // A workspace invalidated while the query ran is no longer in #loading: what was read may
        // predate the change, so it answers this call only and is not kept.
        const current = new Set(settle());
        if (this.#entries.size > 10_000) this.#entries.clear();
        for (const ws of missing) {
          const value = m.get(ws) ?? [];
          out.set(ws, value);
          if (current.has(ws)) this.#entries.set(ws, { value, expires: Date.now() + this.#ttlMs });
        }
      }, (err: unknown) => {
        settle();
        throw err;
      }));
    }
    await Promise.all(waits);
    return out;
  };

  /** Every workspace's list: for when notifications may have been lost (the listener reconnected). */
  clear(): void {
    this.#entries.clear();
    this.#loading.clear();
  }

  invalidate(workspaceId: string): void {
    this.#entries.delete(workspaceId);
    // A load in flight read what was there before: later calls must not join it.
    this.#loading.delete(workspaceId);
  }
}

const caches = new WeakMap<Services['realtime'], SubscriptionFilterCache>();

/**
 * The process's cache, made on first use and kept beside the process's realtime connection: it is
 * dropped per workspace by the database's `subscription.changed` notifications, and whole when the
 * LISTEN connection reconnects (notifications sent meanwhile are lost).
 */
export function subscriptionFilters(services: Pick<Services, 'pool' | 'log' | 'realtime'>): SubscriptionFilterSource {
  let cache = caches.get(services.realtime);
  if (!cache) {
    const made = new SubscriptionFilterCache(loadSubscriptionFilters(services.pool, services.log));
    services.realtime.onTopic('subscription.changed', (workspaceId) => made.invalidate(workspaceId));
    services.realtime.onReconnect(() => made.clear());
    caches.set(services.realtime, made);
    cache = made;
  }
  return cache.get;
}
