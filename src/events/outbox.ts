// The outbox (SPEC §6, §7): an event's row, its fixed envelope bytes, and, in the same transaction,
// its fan-out: one delivery, with its first job on the delivery queue (delivery-queue.ts), per
// matching ACTIVE subscription. Nothing is lost if the process dies at any point: either all of it
// commits or none of it does. Subscription filters (tenants' JSONPath) are evaluated before that
// transaction, when the events are planned (src/events/subscription-filters.ts). Every path that
// stores events goes through here: publishing (publish.ts), the /hooks writer's session.created
// (folded into its group commit: src/inbound/record.ts), the gateway's own events
// (subscription.disabled) and test events.
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { type JobsCtes, insertJobsCtes, perBoss } from '../platform/jobs/insert-from-query.ts';
import { newId } from '../platform/ids.ts';
import { DELIVERIES_PER_JOB, DELIVERY_QUEUE, JOB_EXPIRY_MARGIN_SECONDS, queueDeliveries } from './delivery-queue.ts';
import { inTransaction } from '../platform/jobs/in-transaction.ts';
import { CHANNEL } from '../platform/realtime.ts';
import { type SubscriptionFilterSource, loadSubscriptionFilters, takesEventType } from './subscription-filters.ts';

export interface PublishInput {
  workspaceId: string;
  type: string;
  data: unknown;
  idempotencyKey?: string | null;
  sessionId?: string | null;
  /**
   * The gateway hops of the session the event is about (signing/loop-marker.ts), when the caller
   * knows them (/hooks, starting that session in the same statement). Otherwise they are read from
   * the session named by `sessionId` or `data.sessionId`, in the event's INSERT; 0 without one.
   */
  hops?: number;
}

export interface PublishedEvent {
  id: string;
  type: string;
  body: string;
  createdAt: Date;
  /** False when the idempotency key matched an earlier publish, which is returned instead. */
  created: boolean;
  deliveryIds: string[];
}

/**
 * The first jobs of the deliveries `fan` created (eventsCte), as pg-boss's insert() takes them:
 * each workspace's deliveries, of all the statement's events together, in chunks of
 * DELIVERIES_PER_JOB, each job expiring just above the longest timeout among them. A commit of 24
 * published events with one subscriber each queues one job, not 24 (pg-boss's insert costs about as
 * much as the deliveries' own rows: delivery-queue.ts); a job never mixes workspaces.
 */
const FANNED_OUT_JOBS = `SELECT coalesce(json_agg(json_build_object('data', json_build_object('deliveryIds', c.ids), 'expireInSeconds', c.expire)), '[]'::json)
  FROM (
    SELECT json_agg(d.id ORDER BY d.id) AS ids, ceil(max(s.timeout_ms) / 1000.0)::int + ${JOB_EXPIRY_MARGIN_SECONDS} AS expire
    FROM (SELECT id, workspace_id, subscription_id, (row_number() OVER (PARTITION BY workspace_id ORDER BY id) - 1) / ${DELIVERIES_PER_JOB} AS chunk FROM fan) d
    JOIN webhook_subscription s ON s.id = d.subscription_id
    GROUP BY d.workspace_id, d.chunk
  ) c`;

/**
 * CTEs for a statement holding eventsCte() that queue the first jobs of its fan-out in the same
 * statement (`woke` goes in its select list).
 */
export const fannedOutJobsCtes = (boss: PgBoss): Promise<JobsCtes> =>
  insertJobsCtes(boss, DELIVERY_QUEUE, 'fan_jobs', FANNED_OUT_JOBS);

/** Subscriptions (alias s) match exact names, `*`, or prefixes such as `tool.*`. */
const matchesSql = (type: string) => `
  (s.events @> ARRAY['*']::text[] OR s.events @> ARRAY[${type}] OR
   EXISTS (SELECT 1 FROM unnest(s.events) p WHERE right(p, 2) = '.*' AND starts_with(${type}, left(p, -1))))`;

export interface PreparedEvents {
  createdAt: Date;
  /** `body` is `envelope` serialized: the bytes every attempt sends. */
  events: Array<{ id: string; input: PublishInput; envelope: Record<string, unknown>; body: string }>;
}

/** Ids, timestamps and the envelope bytes, fixed here once and for every attempt. */
function prepareEvents(inputs: PublishInput[]): PreparedEvents {
  const createdAt = new Date();
  return {
    createdAt,
    events: inputs.map((input) => {
      const id = newId('event');
      const envelope = { id, type: input.type, timestamp: createdAt.toISOString(), workspaceId: input.workspaceId, data: input.data };
      return { id, input, envelope, body: JSON.stringify(envelope) };
    }),
  };
}

/** A subscription whose filter an event passed, with the filter as evaluated. */
export interface FilterMatch {
  eventId: string;
  subscriptionId: string;
  filter: string;
}

export interface PlannedEvents extends PreparedEvents {
  matches: FilterMatch[];
}

/**
 * Prepares events and evaluates, against the envelope each subscriber would receive, the filters
 * of the ACTIVE subscriptions that take them: outside any transaction when `filters` is the
 * process's cache, as the publishing paths use it.
 */
export async function planEvents(filters: SubscriptionFilterSource, inputs: PublishInput[]): Promise<PlannedEvents> {
  const prepared = prepareEvents(inputs);
  if (inputs.length === 0) return { ...prepared, matches: [] };
  const byWorkspace = await filters([...new Set(inputs.map((i) => i.workspaceId))]);
  const matches: FilterMatch[] = [];
  for (const e of prepared.events) {
    for (const s of byWorkspace.get(e.input.workspaceId) ?? []) {
      if (s.compiled && takesEventType(s.events, e.input.type) && s.compiled.matches(e.envelope)) {
        matches.push({ eventId: e.id, subscriptionId: s.id, filter: s.filter });
      }
    }
  }
  return { ...prepared, matches };
}

/** The given events of a plan (those a batch still publishes), with their matches. */
export function selectPlanned(plan: PlannedEvents, eventIds: string[]): PlannedEvents {
  const keep = new Set(eventIds);
  return { createdAt: plan.createdAt, events: plan.events.filter((e) => keep.has(e.id)), matches: plan.matches.filter((m) => keep.has(m.eventId)) };
}

/** How many parameters eventsCte() numbers. */
export const EVENTS_CTE_PARAMS = 13;

/** Hex digits of a fan-out's row number in its delivery ids: 268 million deliveries per statement. */
const DELIVERY_COUNTER_DIGITS = 7;

/**
 * The first characters of the delivery ids one fan-out statement mints, the row number's hex digits
 * being the rest: a fresh id's prefix, time and 9 of its 16 random characters (45 bits), so the
 * ids are ids like any other (ids.ts) and sort by creation. Two statements share a stem only by a
 * 45-bit chance within one millisecond, and the primary key would refuse the second.
 */
const deliveryIdStem = () => newId('delivery').slice(0, -DELIVERY_COUNTER_DIGITS);

/**
 * CTEs `ev` (the events) and `fan` (one delivery per ACTIVE subscription that takes the event's type
 * and either has no filter or was planned with the filter it still has), numbering their
 * EVENTS_CTE_PARAMS parameters from $first, so hot paths can fold them into a larger statement. An
 * event's hop count is its input's, or read from its session by a subquery of the INSERT: the loop
 * marker costs the publish no round trip. The session is looked up by its key alone, so no plan
 * (a generic one made while the table was small) can read a workspace's sessions one by one for it.
 * The fan-out's delivery ids are the statement's stem (deliveryIdStem) and the row's number:
 * minting each in SQL (gateway_id(), kept for processes of the previous version during a rolling
 * upgrade) took about a fifth of a batched event's database time.
 */
export function eventsCte(first: number): string {
  const p = (i: number) => `$${first + i}`;
  return `ev AS (
       INSERT INTO event (id, workspace_id, type, body, idempotency_key, session_id, hops, created_at)
       SELECT u.id, u.workspace_id, u.type, u.body, u.idempotency_key, u.session_id,
              coalesce(u.hops, (SELECT CASE WHEN hs.workspace_id = u.workspace_id THEN hs.hops END FROM session hs WHERE hs.id = u.hop_session), 0), ${p(6)}::timestamptz
       FROM unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::text[], ${p(3)}::text[], ${p(4)}::text[], ${p(5)}::text[], ${p(10)}::smallint[], ${p(11)}::text[])
         AS u(id, workspace_id, type, body, idempotency_key, session_id, hops, hop_session)
       RETURNING id, workspace_id, type
     ), fan AS (
       INSERT INTO outbound_delivery (id, workspace_id, event_id, subscription_id, next_attempt_at, created_at, updated_at)
       SELECT ${p(12)}::text || lpad(to_hex(row_number() OVER ()), ${DELIVERY_COUNTER_DIGITS}, '0'), ev.workspace_id, ev.id, s.id, ${p(6)}, ${p(6)}, ${p(6)}
       FROM ev JOIN webhook_subscription s ON s.workspace_id = ev.workspace_id AND s.status = 'ACTIVE' AND ${matchesSql('ev.type')}
       WHERE s.filter IS NULL OR (ev.id, s.id, s.filter) IN (SELECT * FROM unnest(${p(7)}::text[], ${p(8)}::text[], ${p(9)}::text[]))
       RETURNING id, event_id, subscription_id, workspace_id
     )`;
}

/** Delivery ids per creation message: 200 ids of 30 characters stay well under NOTIFY's 8000 bytes. */
export const CREATED_IDS_PER_MESSAGE = 200;

/**
 * A select-list expression for a statement holding eventsCte(): tells live subscribers
 * (deliveryUpdated) of the deliveries `fan` created, one delivery.updated message per workspace and
 * CREATED_IDS_PER_MESSAGE ids, sent when the transaction commits. Folded into the fan-out's own
 * statement, so creation costs the hot paths no statement and a commit one NOTIFY, not one per
 * delivery. A message's ids are those of one workspace whose row numbers (the ids' last digits)
 * share a range of CREATED_IDS_PER_MESSAGE: no numbering window and its sort. Row numbers run
 * across workspaces, so past CREATED_IDS_PER_MESSAGE deliveries in a statement a workspace's may
 * span more messages than its count needs, each still within the limit.
 */
export const FAN_NOTIFY = `(SELECT count(pg_notify('${CHANNEL}', json_build_object('topic', 'delivery.updated', 'workspaceId', n.workspace_id,
     'data', json_build_object('deliveryIds', n.ids, 'at', floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint))::text))
   FROM (SELECT workspace_id, json_agg(id) AS ids FROM fan
         GROUP BY workspace_id, (('x' || right(id, ${DELIVERY_COUNTER_DIGITS}))::bit(${DELIVERY_COUNTER_DIGITS * 4})::int - 1) / ${CREATED_IDS_PER_MESSAGE}) n)`;

/**
 * Planned events with their fan-out, its creation notices and its first jobs, in one statement
 * (eventsParams from $1); answers `fan`.
 */
export const eventsInsert = perBoss(async (boss): Promise<{ name: string; text: string }> => {
  const jobs = await fannedOutJobsCtes(boss);
  return {
    name: 'events-insert',
    text: `WITH ${eventsCte(1)}, ${jobs.ctes}
      SELECT coalesce(json_agg(fan), '[]'::json) AS fan, ${FAN_NOTIFY} AS notified, ${jobs.woke} AS deliveries_woke FROM fan`,
  };
});

export const eventsParams = ({ events, createdAt, matches }: PlannedEvents): unknown[] => [
  events.map((e) => e.id), events.map((e) => e.input.workspaceId), events.map((e) => e.input.type), events.map((e) => e.body),
  events.map((e) => e.input.idempotencyKey ?? null), events.map((e) => e.input.sessionId ?? null), createdAt,
  matches.map((m) => m.eventId), matches.map((m) => m.subscriptionId), matches.map((m) => m.filter),
  events.map((e) => e.input.hops ?? null), events.map((e) => (e.input.hops === undefined ? hopSession(e.input) : null)),
  deliveryIdStem(),
];

/** eventsInsert with a plan's parameters: the statement both publishing paths send. */
export const eventsInsertQuery = async (boss: PgBoss, plan: PlannedEvents): Promise<pg.QueryConfig> =>
  ({ ...await eventsInsert(boss), values: eventsParams(plan) });

/** The session whose hop count an event carries: the one it belongs to, else the one its data names. */
function hopSession(input: PublishInput): string | null {
  if (input.sessionId) return input.sessionId;
  const named = (input.data as { sessionId?: unknown } | null | undefined)?.sessionId;
  return typeof named === 'string' ? named : null;
}

export interface FanRow {
  id: string;
  event_id: string;
  subscription_id: string;
}

/** What a publish answers for the events a statement stored, with the deliveries it fanned out. */
function publishedEvents(prepared: PreparedEvents, fan: FanRow[]): PublishedEvent[] {
  const byEvent = Map.groupBy(fan, (d) => d.event_id);
  return prepared.events.map((e) => ({
    id: e.id, type: e.input.type, body: e.body, createdAt: prepared.createdAt, created: true, deliveryIds: (byEvent.get(e.id) ?? []).map((d) => d.id),
  }));
}

/**
 * Stores planned events and fans each out to the ACTIVE subscriptions of its workspace that match
 * its type (and, with a filter, were matched when planned): one delivery (and its first job) per
 * pair, in the caller's transaction, in one statement for any number of events.
 */
export async function insertPlanned(client: pg.PoolClient, jobs: PgBoss, plan: PlannedEvents): Promise<PublishedEvent[]> {
  if (plan.events.length === 0) return [];
  const { rows: [out] } = await client.query<{ fan: FanRow[] }>(await eventsInsertQuery(jobs, plan));
  return publishedEvents(plan, out!.fan);
}

/**
 * insertPlanned for the gateway's own events raised inside a transaction of other work
 * (subscription.disabled): the filters are read, and evaluated, in that transaction. Their data is
 * the gateway's, small and fixed in shape.
 */
export async function insertEvents(client: pg.PoolClient, jobs: PgBoss, inputs: PublishInput[]): Promise<PublishedEvent[]> {
  return insertPlanned(client, jobs, await planEvents(loadSubscriptionFilters(client), inputs));
}

/**
 * The event stored earlier under this idempotency key, with its deliveries, as a publish that
 * stores nothing answers it (`created` false).
 */
export async function findByIdempotencyKey(client: pg.PoolClient, workspaceId: string, key: string): Promise<PublishedEvent | undefined> {
  const { rows: [found] } = await client.query<{ id: string; type: string; body: string; created_at: Date }>(
    'SELECT id, type, body, created_at FROM event WHERE workspace_id = $1 AND idempotency_key = $2',
    [workspaceId, key],
  );
  if (!found) return undefined;
  const { rows: d } = await client.query<{ id: string }>('SELECT id FROM outbound_delivery WHERE event_id = $1 ORDER BY id', [found.id]);
  return { id: found.id, type: found.type, body: found.body, createdAt: found.created_at, created: false, deliveryIds: d.map((r) => r.id) };
}

/**
 * One event for one subscription only, whatever the others take and whether or not it is ACTIVE
 * yet (sendTestEvent): the event, its delivery and the delivery's job, in the caller's
 * transaction. `data` is valid for `type` (catalog.ts). Returns the delivery's id.
 */
export async function insertDirectedEvent(
  client: pg.PoolClient, jobs: PgBoss, input: Pick<PublishInput, 'workspaceId' | 'type' | 'data'>, subscription: { id: string; timeoutMs: number },
): Promise<string> {
  const { createdAt, events: [event] } = prepareEvents([input]);
  const deliveryId = newId('delivery');
  await client.query(
    `WITH ev AS (INSERT INTO event (id, workspace_id, type, body, created_at) VALUES ($1, $2, $3, $4, $5))
     INSERT INTO outbound_delivery (id, workspace_id, event_id, subscription_id, next_attempt_at, created_at, updated_at)
     VALUES ($6, $2, $1, $7, $5, $5, $5)`,
    [event!.id, input.workspaceId, input.type, event!.body, createdAt, deliveryId, subscription.id],
  );
  await queueDeliveries(jobs, [{ deliveryId, timeoutMs: subscription.timeoutMs }], inTransaction(client));
  return deliveryId;
}
