// How events enter (SPEC §6): GraphQL publishEvent, POST /v1/events and the echo runtime come through
// here; the /hooks writer folds session.created into its group commit (src/inbound/record.ts). Each
// is planned (envelope fixed, subscription filters evaluated) before its transaction opens.
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { withTransaction } from '../platform/db/pool.ts';
import { badInput } from '../platform/errors.ts';
import { type PlannedEvents, type PublishInput, type PublishedEvent, planEvents, publishEvent, validateEventData } from '../events/publish.ts';
import { subscriptionFilters } from '../events/subscription-filters.ts';
import type { Services } from '../platform/services.ts';
import { applySessionEvent } from './session-events.ts';

/**
 * Events only the gateway emits: a key that could publish them would forge a subscriber's
 * verification ping, or a notice that its own subscription was disabled.
 */
const GATEWAY_EVENTS = new Set(['webhook.ping', 'subscription.disabled']);

export type PublishDeps = Pick<Services, 'pool' | 'boss' | 'log' | 'realtime'>;

/** Validates `data` (BAD_USER_INPUT naming the field) and plans the event, outside any transaction. */
export function planPublish(deps: PublishDeps, input: PublishInput): Promise<PlannedEvents> {
  return planEvents(subscriptionFilters(deps), [{ ...input, data: validateEventData(input.type, input.data) }]);
}

/** Stores a planned event and moves the session it names, in the caller's transaction. */
export async function publishPlanned(client: pg.PoolClient, boss: PgBoss, plan: PlannedEvents): Promise<PublishedEvent> {
  const { input } = plan.events[0]!;
  // Publishes that share a new idempotency key wait for each other here, so the later ones find the
  // first one's event instead of failing on the unique key (a 500). One more round trip, keyed only.
  if (input.idempotencyKey) {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [`event-idempotency:${input.workspaceId}`, input.idempotencyKey]);
  }
  const published = await publishEvent(client, boss, plan);
  if (published.created) await applySessionEvent(client, input.workspaceId, input.type, input.data as Record<string, unknown>);
  return published;
}

/** What an API key publishes (GraphQL publishEvent, POST /v1/events). */
export async function publish(deps: PublishDeps, input: PublishInput): Promise<PublishedEvent> {
  if (GATEWAY_EVENTS.has(input.type)) throw badInput('type', `${input.type} is emitted by the gateway itself and cannot be published`);
  const plan = await planPublish(deps, input);
  return withTransaction(deps.pool, (client) => publishPlanned(client, deps.boss, plan));
}
