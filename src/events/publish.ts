// Publishing an event (SPEC §6): an API key's publishEvent (GraphQL and POST /v1/events alike) and
// the agent runtimes' session.finished come through here; the /hooks writer folds session.created
// into its group commit through the outbox directly (src/inbound/record.ts). Each event is planned
// (data validated, envelope fixed, subscription filters evaluated) before its transaction opens.
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { type Principal, assertCan } from '../auth/principal.ts';
import type { PipelinedConnection } from '../platform/db/pool.ts';
import { z } from 'zod';
import { DomainError, badInput, parseInput } from '../platform/errors.ts';
import type { Services } from '../platform/services.ts';
import { validateEventData } from './catalog.ts';
import { type PlannedEvents, type PublishInput, type PublishedEvent, findByIdempotencyKey, insertPlanned, planEvents } from './outbox.ts';
import { PublishWriter } from './publish-writer.ts';
import { applySessionEvents } from './session-events.ts';
import { subscriptionFilters } from './subscription-filters.ts';

/**
 * Events only the gateway emits: a key that could publish them would forge a subscriber's
 * verification ping, or a notice that its own subscription was disabled.
 */
const GATEWAY_EVENTS = new Set(['webhook.ping', 'subscription.disabled']);

export type PublishDeps = Pick<Services, 'pool' | 'log' | 'pipelines' | 'boss' | 'realtime'>;

/** What an API key publishes: the shape of one event, as POST /v1/events and GraphQL take it. */
export const publishEventInput = z.object({
  type: z.string({ error: 'required string' }).min(1, { error: 'required string' }),
  data: z.unknown(),
  idempotencyKey: z.string({ error: 'must be a string' }).nullish(),
}, { error: 'must be a JSON object {"type","data","idempotencyKey"?}' });
export type PublishEventInput = z.infer<typeof publishEventInput>;

/** An API key publishes an event into its workspace (GraphQL publishEvent, POST /v1/events). */
export async function publishEvent(services: PublishDeps, principal: Principal | undefined, input: PublishEventInput): Promise<PublishedEvent> {
  const { workspaceId } = assertCan(principal, 'publish');
  const plan = await planPublish(services, checkPublishable(workspaceId, input));
  return publishWriter(services).publish([plan])[0]!;
}

/** The most events one publishEvents call (or POST /v1/events with an array) carries. */
export const MAX_BATCH_EVENTS = 500;

/** One event of a batch: stored (or found under its idempotency key), or why not. */
export type BatchResult = { event: PublishedEvent } | { error: DomainError };

/**
 * An API key publishes several events at once (publishEvents, POST /v1/events with an array): each
 * is checked (its shape too: HTTP items come as sent) and published on its own, and answered in
 * order; an invalid one does not stop the others. Events sharing an idempotency key yield one event.
 */
export async function publishEvents(services: PublishDeps, principal: Principal | undefined, inputs: unknown[]): Promise<BatchResult[]> {
  const { workspaceId } = assertCan(principal, 'publish');
  if (inputs.length === 0 || inputs.length > MAX_BATCH_EVENTS) throw badInput('events', `must hold 1 to ${MAX_BATCH_EVENTS} events, not ${inputs.length}`);
  const checked = inputs.map((input, i) => checkBatchItem(workspaceId, input, i));
  const valid = checked.filter((c): c is PublishInput => !(c instanceof DomainError));
  const plans = splitPlan(await planEvents(subscriptionFilters(services), valid));
  const answers = publishWriter(services).publish(plans);
  let next = 0;
  return Promise.all(checked.map(async (c, i): Promise<BatchResult> => {
    if (c instanceof DomainError) return { error: c };
    try {
      return { event: await answers[next++]! };
    } catch (err) {
      return { error: atIndex(i, err) };
    }
  }));
}

/** One event of a batch, checked as a single publish is, its error naming its index. */
function checkBatchItem(workspaceId: string, input: unknown, i: number): PublishInput | DomainError {
  let shaped: PublishEventInput;
  try {
    shaped = parseInput(publishEventInput, input, `events.${i}.`);
  } catch (err) {
    return err as DomainError;
  }
  try {
    const valid = checkPublishable(workspaceId, shaped);
    return { ...valid, data: validateEventData(valid.type, valid.data) };
  } catch (err) {
    return atIndex(i, err);
  }
}

/** The checks of an API key's event that need no database: what the gateway alone emits, the key's length. */
function checkPublishable(workspaceId: string, input: PublishEventInput): PublishInput {
  if (GATEWAY_EVENTS.has(input.type)) throw badInput('type', `${input.type} is emitted by the gateway itself and cannot be published`);
  const key = input.idempotencyKey ?? null;
  if (key !== null && (key.length === 0 || key.length > 200)) throw badInput('idempotencyKey', 'must be 1 to 200 characters');
  return { workspaceId, type: input.type, data: input.data, idempotencyKey: key };
}

/** A batch's error names the event: `events.3.data.sessionId`. Database outages stay what they are. */
function atIndex(i: number, err: unknown): DomainError {
  if (!(err instanceof DomainError)) throw err;
  const field = `events.${i}${err.field ? `.${err.field}` : ''}`;
  return new DomainError(err.code, `events.${i}: ${err.message}`, field);
}

/** One plan per event, each with its own filter matches, for the writer to answer one by one. */
function splitPlan(plan: PlannedEvents): PlannedEvents[] {
  const matches = Map.groupBy(plan.matches, (m) => m.eventId);
  return plan.events.map((e) => ({ createdAt: plan.createdAt, events: [e], matches: matches.get(e.id) ?? [] }));
}

const writers = new WeakMap<readonly PipelinedConnection[], PublishWriter>();

/** The process's publish writer, on the pipelined connections kept for publishes. */
function publishWriter(services: PublishDeps): PublishWriter {
  const pipelines = services.pipelines.events;
  let writer = writers.get(pipelines);
  if (!writer) writers.set(pipelines, (writer = new PublishWriter({ pipelines, boss: services.boss }, { maxQueue: MAX_QUEUED_EVENTS })));
  return writer;
}

/**
 * Events waiting for a commit, past which a publish is answered 503 at once: a stalled database
 * must not gather requests without bound. Twenty full batches.
 */
const MAX_QUEUED_EVENTS = 20 * MAX_BATCH_EVENTS;

/** Validates `data` and the idempotency key (BAD_USER_INPUT naming the field) and plans the event, outside any transaction. */
export function planPublish(deps: Pick<Services, 'pool' | 'log' | 'realtime'>, input: PublishInput): Promise<PlannedEvents> {
  const data = validateEventData(input.type, input.data);
  return planEvents(subscriptionFilters(deps), [{ ...input, data }]);
}

/**
 * Stores a planned event and moves the session it names, in the caller's transaction. An
 * idempotencyKey used before answers that earlier event instead, and nothing is written.
 */
export async function publishPlanned(client: pg.PoolClient, boss: PgBoss, plan: PlannedEvents): Promise<PublishedEvent> {
  const { input } = plan.events[0]!;
  const key = input.idempotencyKey ?? null;
  if (key !== null) {
    // Publishes that share a new idempotency key wait for each other here, so the later ones find the
    // first one's event instead of failing on the unique key (a 500). One more round trip, keyed only.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [`event-idempotency:${input.workspaceId}`, key]);
    const earlier = await findByIdempotencyKey(client, input.workspaceId, key);
    if (earlier) {
      if (earlier.type !== input.type) throw new DomainError('CONFLICT', `idempotencyKey "${key}" was used for a ${earlier.type} event`, 'idempotencyKey');
      return earlier;
    }
  }
  const [published] = await insertPlanned(client, boss, plan);
  await applySessionEvents(client, [input]);
  return published!;
}
