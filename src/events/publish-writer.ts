// Publishes of API keys (single events and batches alike) share commits: concurrent publishes are
// written together, one pipelined transaction per flush (platform/db/group-commit.ts), so a
// publish costs about one round trip instead of a transaction of its own. Each event is answered
// on its own: an event that cannot be stored (a session that already finished) fails alone.
import type { PgBoss } from 'pg-boss';
import { isDatabaseUnavailable } from '../platform/database-errors.ts';
import { GroupCommit } from '../platform/db/group-commit.ts';
import type { Pipeline, PipelinedConnection } from '../platform/db/pool.ts';
import { DomainError } from '../platform/errors.ts';
import { type FanRow, type PlannedEvents, type PublishedEvent, eventsInsertQuery } from './outbox.ts';
import { applySessionEvents } from './session-events.ts';

/** One event, planned (validated, envelope fixed, filters evaluated) before it is queued. */
export type PlannedEvent = PlannedEvents;


// Publishes sharing a new idempotency key, here or on another replica, wait for each other on
// these locks, so the later ones find the first one's event instead of failing on the unique key.
// Taken in key order, so two flushes holding keys in common never deadlock.
const LOCK_KEYS = `SELECT count(pg_advisory_xact_lock(hashtext('event-idempotency:' || k.w), hashtext(k.key)))
  FROM (SELECT * FROM unnest($1::text[], $2::text[]) AS u(w, key) ORDER BY w, key) k`;

const EARLIER = `SELECT e.id, e.workspace_id, e.idempotency_key, e.type, e.body, e.created_at,
    coalesce((SELECT array_agg(d.id ORDER BY d.id) FROM outbound_delivery d WHERE d.event_id = e.id), '{}') AS delivery_ids
  FROM event e JOIN unnest($1::text[], $2::text[]) AS k(w, key) ON e.workspace_id = k.w AND e.idempotency_key = k.key`;

/** A keyed publish's workspace and key, as one map key (workspace ids hold no space). */
const keyOf = (plan: PlannedEvent): string | undefined => {
  const { input } = plan.events[0]!;
  return input.idempotencyKey ? `${input.workspaceId} ${input.idempotencyKey}` : undefined;
};
const splitKey = (key: string): [workspaceId: string, key: string] => {
  const at = key.indexOf(' ');
  return [key.slice(0, at), key.slice(at + 1)];
};

/**
 * Events waiting, while a flush is written, for which a second connection starts another. A
 * trickle still shares one commit; single publishes at concurrency 50 (about 25 per flush) overlap,
 * so a publish arriving just after a flush began waits for less than a whole one: measured against
 * 100 (docs/benchmarks.md, Publishing, thirteenth session), ratio 0.54 -> 0.64 and p99 28 -> 26 ms
 * (medians of four alternated pairs), for more database CPU per event (smaller flushes, two
 * transactions on the same rows and index pages): +3 % in those runs, about +25 % relative to the
 * gateway's own CPU, which fell with the faster pace.
 */
const OVERLAP_FROM = 16;

/** An event's answer: stored (or found under its key), or why not. */
type Answer = PublishedEvent | DomainError;

export class PublishWriter {
  readonly #boss: PgBoss;
  /** The connections not writing a flush now. */
  readonly #idle: PipelinedConnection[];
  readonly #queue: GroupCommit<PlannedEvent, Answer>;

  /**
   * One flush per connection, never two on one (a flush written behind one that fails can fail with
   * it: a statement name the first was to prepare). A second connection writes only a backlog of
   * OVERLAP_FROM events or more: batches, which one backend's CPU capped, run side by side there
   * (docs/benchmarks.md, Publishing, ninth session), and so do single publishes under load.
   */
  constructor(deps: { pipelines: readonly PipelinedConnection[]; boss: PgBoss }, opts: { maxQueue: number; maxBatch?: number }) {
    this.#boss = deps.boss;
    this.#idle = [...deps.pipelines];
    this.#queue = new GroupCommit((plans) => this.#commit(plans), {
      maxQueue: opts.maxQueue, maxBatch: opts.maxBatch ?? 500, maxInFlight: this.#idle.length, overlapFrom: OVERLAP_FROM,
    });
  }

  /** Each event's answer, in order: its stored event, or why it was not stored. */
  publish(plans: PlannedEvent[]): Array<Promise<PublishedEvent>> {
    return this.#queue.writeAll(plans).map((answer) => answer.then((a) => (a instanceof DomainError ? Promise.reject(a) : a)));
  }

  /**
   * Answers are settled after the commit and never throw: a throw would send the batch, already
   * committed, through the halving again.
   */
  async #commit(plans: PlannedEvent[]): Promise<Answer[]> {
    // Within the batch the first publish of a key stores the event; the others answer it.
    const owner = new Map<string, number>();
    const firstOf = plans.map((plan, i) => {
      const key = keyOf(plan);
      if (key === undefined) return undefined;
      const first = owner.get(key);
      if (first === undefined) owner.set(key, i);
      return first;
    });
    const pipeline = this.#idle.pop()!;
    // A connection that failed as a connection (refused, too many connections) goes to the bottom,
    // so the next flush takes the other one; its own flush is answered 503, to be retried. One
    // that failed for a write's content stays on top: the halves are written on it again.
    let failedAsConnection = false;
    const { fan, earlier, fresh } = await pipeline.transaction((p) => this.#write(p, plans, firstOf, owner))
      .catch((err: unknown) => {
        failedAsConnection = isDatabaseUnavailable(err);
        throw err;
      })
      .finally(() => (failedAsConnection ? this.#idle.unshift(pipeline) : this.#idle.push(pipeline)));
    const byEvent = Map.groupBy(fan ? (await fan).rows[0]!.fan : [], (d) => d.event_id);
    const stored = new Map(fresh.map((i) => {
      const e = plans[i]!.events[0]!;
      return [i, { id: e.id, type: e.input.type, body: e.body, createdAt: plans[i]!.createdAt, created: true, deliveryIds: (byEvent.get(e.id) ?? []).map((d) => d.id) }];
    }));
    return plans.map((plan, i) => {
      const own = stored.get(i);
      if (own) return own;
      const first = earlier.get(keyOf(plan)!) ?? { ...stored.get(firstOf[i]!)!, created: false };
      const { input } = plan.events[0]!;
      return first.type === input.type ? first
        : new DomainError('CONFLICT', `idempotencyKey "${input.idempotencyKey}" was used for a ${first.type} event`, 'idempotencyKey');
    });
  }

  /** The batch's statements; the fan-out's answer is left pending, so COMMIT goes out behind it at once. */
  async #write(p: Pipeline, plans: PlannedEvent[], firstOf: Array<number | undefined>, owner: Map<string, number>) {
    const earlier = owner.size > 0 ? await findEarlier(p, [...owner.keys()]) : new Map<string, PublishedEvent>();
    const fresh = plans.flatMap((plan, i) => (firstOf[i] === undefined && !earlier.has(keyOf(plan) ?? '') ? [i] : []));
    if (fresh.length === 0) return { fan: undefined, earlier, fresh };
    const merged: PlannedEvents = {
      createdAt: plans[fresh[0]!]!.createdAt,
      events: fresh.flatMap((i) => plans[i]!.events),
      matches: fresh.flatMap((i) => plans[i]!.matches),
    };
    const fan = p.send<{ fan: FanRow[] }>(await eventsInsertQuery(this.#boss, merged));
    await applySessionEvents(p.client, merged.events.map((e) => e.input));
    return { fan, earlier, fresh };
  }
}

/** Locks the batch's idempotency keys and reads the events stored earlier under them. */
async function findEarlier(p: Pipeline, keys: string[]): Promise<Map<string, PublishedEvent>> {
  const pairs = keys.sort().map(splitKey);
  // Sent together: the lookup's snapshot is taken after the locks are held.
  void p.send(LOCK_KEYS, [pairs.map(([w]) => w), pairs.map(([, k]) => k)]);
  const { rows } = await p.send<{ id: string; workspace_id: string; idempotency_key: string; type: string; body: string; created_at: Date; delivery_ids: string[] }>(
    { name: 'events-earlier', text: EARLIER }, [pairs.map(([w]) => w), pairs.map(([, k]) => k)]);
  return new Map(rows.map((r) => [`${r.workspace_id} ${r.idempotency_key}`,
    { id: r.id, type: r.type, body: r.body, createdAt: r.created_at, created: false, deliveryIds: r.delivery_ids }]));
}
