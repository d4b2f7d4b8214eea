// Publishing an event (SPEC §6, §7): validate `data` against the catalogue, fix the envelope's bytes,
// and fan out in the same transaction: one delivery, with its first job, per matching ACTIVE
// subscription (the outbox). Nothing is lost if the process dies at any point: either all of it
// commits or none of it does. Subscription filters (tenants' JSONPath) are evaluated before that
// transaction, when the events are planned (src/events/subscription-filters.ts).
import type pg from 'pg';
import type { Db as BossDb, PgBoss } from 'pg-boss';
import { insertFromQuerySql } from '../platform/jobs/insert-from-query.ts';
import { DomainError, badInput } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { EVENT_SCHEMAS, EVENT_TYPES, isEventType } from './catalog.ts';
import { type SubscriptionFilterSource, loadSubscriptionFilters, takesEventType } from './subscription-filters.ts';

export const DELIVERY_QUEUE = 'outbound-delivery';

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

export interface DeliveryJob {
  deliveryId: string;
  subscriptionId: string;
  timeoutMs: number;
  maxConcurrency: number | null;
  startAfter?: Date;
}

/**
 * Queues delivery attempts. Each job expires just above its subscription's timeout, so one held by
 * a killed worker runs again within seconds. (maxConcurrency is held by delivery leases in the
 * worker, src/outbound/delivery-job.ts.)
 */
export async function queueDeliveries(jobs: PgBoss, list: DeliveryJob[], db?: BossDb): Promise<void> {
  if (list.length === 0) return;
  await jobs.insert(DELIVERY_QUEUE, list.map(deliveryJob), db ? { db } : {});
}

const EXPIRY_MARGIN_SECONDS = 3;

/**
 * A delivery job names up to this many deliveries: a fan-out's first attempts travel together
 * (one job row per 25 deliveries of an event, not one each), retries one by one. Measured with
 * bench/outbound: pg-boss's insert, fetch and completion of a job cost about as much database time
 * as the delivery's own rows.
 */
export const DELIVERIES_PER_JOB = 25;

/** pg-boss's job for a delivery's next attempt. */
const deliveryJob = (d: DeliveryJob) => ({
  data: { deliveryIds: [d.deliveryId] },
  expireInSeconds: Math.ceil(d.timeoutMs / 1000) + EXPIRY_MARGIN_SECONDS,
  ...(d.startAfter ? { startAfter: d.startAfter.toISOString() } : {}),
});

/**
 * The first jobs of the deliveries of the events $1 (text[]) fanned out earlier in the
 * transaction, as pg-boss's insert() takes them: each event's deliveries in chunks of
 * DELIVERIES_PER_JOB, each job expiring just above the longest timeout among them.
 */
const FANNED_OUT_JOBS = `SELECT coalesce(json_agg(json_build_object('data', json_build_object('deliveryIds', c.ids), 'expireInSeconds', c.expire)), '[]'::json)
  FROM (
    SELECT json_agg(d.id ORDER BY d.id) AS ids, ceil(max(s.timeout_ms) / 1000.0)::int + ${EXPIRY_MARGIN_SECONDS} AS expire
    FROM (SELECT id, event_id, subscription_id, (row_number() OVER (PARTITION BY event_id ORDER BY id) - 1) / ${DELIVERIES_PER_JOB} AS chunk
          FROM outbound_delivery WHERE event_id = ANY($1::text[])) d
    JOIN webhook_subscription s ON s.id = d.subscription_id
    GROUP BY d.event_id, d.chunk
  ) c`;

/** Captures pg-boss's insert statement for the fan-out's jobs; called once at start. */
export const prepareFannedOutJobs = (boss: PgBoss): Promise<string> => insertFromQuerySql(boss, DELIVERY_QUEUE, FANNED_OUT_JOBS);

/**
 * The statement that queues the first job of every delivery the events fanned out earlier in the
 * transaction, for the caller to send its way (awaited, or pipelined without waiting).
 */
export const fannedOutJobs = async (boss: PgBoss, eventIds: string[]): Promise<pg.QueryConfig> =>
  ({ name: 'fanned-out-jobs', text: await prepareFannedOutJobs(boss), values: [eventIds] });

/** Validates `data`; throws BAD_USER_INPUT naming the first failing field (`data.status`). */
export function validateEventData(type: string, data: unknown): Record<string, unknown> {
  if (!isEventType(type)) throw badInput('type', `unknown event type "${type}"; one of ${EVENT_TYPES.join(', ')}`);
  const parsed = EVENT_SCHEMAS[type].safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = ['data', ...issue.path.map(String)].join('.');
    throw badInput(field, issue.message);
  }
  return parsed.data as Record<string, unknown>;
}

/** Subscriptions (alias s) match exact names, `*`, or prefixes such as `tool.*`. */
const matchesSql = (type: string) => `
  (s.events @> ARRAY['*']::text[] OR s.events @> ARRAY[${type}] OR
   EXISTS (SELECT 1 FROM unnest(s.events) p WHERE right(p, 2) = '.*' AND starts_with(${type}, left(p, -1))))`;

/**
 * Publishes one planned event (planEvents, `data` validated) in the caller's transaction. An
 * idempotencyKey used before returns that earlier event instead, and nothing is written.
 */
export async function publishEvent(client: pg.PoolClient, jobs: PgBoss, plan: PlannedEvents): Promise<PublishedEvent> {
  const input = plan.events[0]!.input;
  const key = input.idempotencyKey ?? null;
  if (key !== null && (key.length === 0 || key.length > 200)) throw badInput('idempotencyKey', 'must be 1 to 200 characters');
  if (key !== null) {
    const { rows } = await client.query<{ id: string; type: string; body: string; created_at: Date }>(
      'SELECT id, type, body, created_at FROM event WHERE workspace_id = $1 AND idempotency_key = $2',
      [input.workspaceId, key],
    );
    if (rows[0]) {
      if (rows[0].type !== input.type) throw new DomainError('CONFLICT', `idempotencyKey "${key}" was used for a ${rows[0].type} event`, 'idempotencyKey');
      const { rows: d } = await client.query<{ id: string }>('SELECT id FROM outbound_delivery WHERE event_id = $1 ORDER BY id', [rows[0].id]);
      return { id: rows[0].id, type: rows[0].type, body: rows[0].body, createdAt: rows[0].created_at, created: false, deliveryIds: d.map((r) => r.id) };
    }
  }
  const [event] = await insertPlanned(client, jobs, plan);
  return event!;
}

export interface PreparedEvents {
  createdAt: Date;
  /** `body` is `envelope` serialized: the bytes every attempt sends. */
  events: Array<{ id: string; input: PublishInput; envelope: Record<string, unknown>; body: string }>;
}

/** Ids, timestamps and the envelope bytes, fixed here once and for every attempt. */
export function prepareEvents(inputs: PublishInput[]): PreparedEvents {
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
export const EVENTS_CTE_PARAMS = 12;

/**
 * CTEs `ev` (the events) and `fan` (one delivery, id minted by gateway_id(), per ACTIVE subscription
 * that takes the event's type and either has no filter or was planned with the filter it still
 * has), numbering their EVENTS_CTE_PARAMS parameters from $first, so hot paths can fold them into
 * a larger statement. An event's hop count is its input's, or read from its session by a subquery
 * of the INSERT: the loop marker costs the publish no round trip.
 */
export function eventsCte(first: number): string {
  const p = (i: number) => `$${first + i}`;
  return `ev AS (
       INSERT INTO event (id, workspace_id, type, body, idempotency_key, session_id, hops, created_at)
       SELECT u.id, u.workspace_id, u.type, u.body, u.idempotency_key, u.session_id,
              coalesce(u.hops, (SELECT hs.hops FROM session hs WHERE hs.id = u.hop_session AND hs.workspace_id = u.workspace_id), 0), ${p(6)}::timestamptz
       FROM unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::text[], ${p(3)}::text[], ${p(4)}::text[], ${p(5)}::text[], ${p(10)}::smallint[], ${p(11)}::text[])
         AS u(id, workspace_id, type, body, idempotency_key, session_id, hops, hop_session)
       RETURNING id, workspace_id, type
     ), fan AS (
       INSERT INTO outbound_delivery (id, workspace_id, event_id, subscription_id, next_attempt_at, created_at, updated_at)
       SELECT gateway_id('dlv'), ev.workspace_id, ev.id, s.id, ${p(6)}, ${p(6)}, ${p(6)}
       FROM ev JOIN webhook_subscription s ON s.workspace_id = ev.workspace_id AND s.status = 'ACTIVE' AND ${matchesSql('ev.type')}
       WHERE s.filter IS NULL OR (ev.id, s.id, s.filter) IN (SELECT * FROM unnest(${p(7)}::text[], ${p(8)}::text[], ${p(9)}::text[]))
       RETURNING id, event_id, subscription_id
     )`;
}

export const eventsParams = ({ events, createdAt, matches }: PlannedEvents): unknown[] => [
  events.map((e) => e.id), events.map((e) => e.input.workspaceId), events.map((e) => e.input.type), events.map((e) => e.body),
  events.map((e) => e.input.idempotencyKey ?? null), events.map((e) => e.input.sessionId ?? null), createdAt,
  matches.map((m) => m.eventId), matches.map((m) => m.subscriptionId), matches.map((m) => m.filter),
  events.map((e) => e.input.hops ?? null), events.map((e) => (e.input.hops === undefined ? hopSession(e.input) : null)),
];

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

/** Queues the fanned-out deliveries' first jobs, in the same transaction. */
export async function finishEvents(client: pg.PoolClient, jobs: PgBoss, prepared: PreparedEvents, fan: FanRow[]): Promise<PublishedEvent[]> {
  if (fan.length > 0) await client.query(await fannedOutJobs(jobs, [...new Set(fan.map((d) => d.event_id))]));
  const byEvent = Map.groupBy(fan, (d) => d.event_id);
  return prepared.events.map((e) => ({
    id: e.id, type: e.input.type, body: e.body, createdAt: prepared.createdAt, created: true, deliveryIds: (byEvent.get(e.id) ?? []).map((d) => d.id),
  }));
}

/**
 * Stores planned events and fans each out to the ACTIVE subscriptions of its workspace that match
 * its type (and, with a filter, were matched when planned): one delivery (and its first job) per
 * pair, in the caller's transaction, in two statements for any number of events.
 */
export async function insertPlanned(client: pg.PoolClient, jobs: PgBoss, plan: PlannedEvents): Promise<PublishedEvent[]> {
  if (plan.events.length === 0) return [];
  const { rows: [out] } = await client.query<{ fan: FanRow[] }>({
    name: 'events-insert',
    text: `WITH ${eventsCte(1)} SELECT coalesce(json_agg(fan), '[]'::json) AS fan FROM fan`,
  }, eventsParams(plan));
  return finishEvents(client, jobs, plan, out!.fan);
}

/**
 * insertPlanned for the gateway's own events raised inside a transaction of other work
 * (subscription.disabled): the filters are read, and evaluated, in that transaction. Their data is
 * the gateway's, small and fixed in shape.
 */
export async function insertEvents(client: pg.PoolClient, jobs: PgBoss, inputs: PublishInput[]): Promise<PublishedEvent[]> {
  return insertPlanned(client, jobs, await planEvents(loadSubscriptionFilters(client), inputs));
}
