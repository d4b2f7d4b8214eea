// Publishing an event (SPEC §6): an API key's publishEvent (GraphQL and POST /v1/events alike) and
// the agent runtimes' session.finished come through here; the /hooks writer folds session.created
// into its group commit through the outbox directly (src/inbound/record.ts). Each event is planned
// (data validated, envelope fixed, subscription filters evaluated) before its transaction opens.
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { type Principal, assertCan } from '../auth/principal.ts';
import { withTransaction } from '../platform/db/pool.ts';
import { DomainError, badInput } from '../platform/errors.ts';
import type { Services } from '../platform/services.ts';
import { validateEventData } from './catalog.ts';
import { type PlannedEvents, type PublishInput, type PublishedEvent, findByIdempotencyKey, insertPlanned, planEvents } from './outbox.ts';
import { applySessionEvent } from './session-events.ts';
import { subscriptionFilters } from './subscription-filters.ts';

/**
 * Events only the gateway emits: a key that could publish them would forge a subscriber's
 * verification ping, or a notice that its own subscription was disabled.
 */
const GATEWAY_EVENTS = new Set(['webhook.ping', 'subscription.disabled']);

export type PublishDeps = Pick<Services, 'pool' | 'boss' | 'log' | 'realtime'>;

/** What an API key publishes. */
export interface PublishEventInput {
  type: string;
  data: unknown;
  idempotencyKey?: string | null;
}

/** An API key publishes an event into its workspace (GraphQL publishEvent, POST /v1/events). */
export async function publishEvent(services: PublishDeps, principal: Principal | undefined, input: PublishEventInput): Promise<PublishedEvent> {
  const { workspaceId } = assertCan(principal, 'publish');
  if (GATEWAY_EVENTS.has(input.type)) throw badInput('type', `${input.type} is emitted by the gateway itself and cannot be published`);
  const plan = await planPublish(services, { workspaceId, type: input.type, data: input.data, idempotencyKey: input.idempotencyKey ?? null });
  return withTransaction(services.pool, (client) => publishPlanned(client, services.boss, plan));
}

/** Validates `data` and the idempotency key (BAD_USER_INPUT naming the field) and plans the event, outside any transaction. */
export function planPublish(deps: PublishDeps, input: PublishInput): Promise<PlannedEvents> {
  const data = validateEventData(input.type, input.data);
  const key = input.idempotencyKey ?? null;
  if (key !== null && (key.length === 0 || key.length > 200)) throw badInput('idempotencyKey', 'must be 1 to 200 characters');
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
  await applySessionEvent(client, input.workspaceId, input.type, input.data as Record<string, unknown>);
  return published!;
}
