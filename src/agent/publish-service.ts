// The one way events enter (SPEC §6): GraphQL publishEvent, POST /v1/events, the echo runtime and
// the gateway's own session.created all come through here.
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { withTransaction } from '../db/pool.ts';
import { type PublishInput, type PublishedEvent, publishEvent, validateEventData } from '../events/publish.ts';
import { applySessionEvent } from './session-events.ts';

export async function publishInTransaction(client: pg.PoolClient, boss: PgBoss, input: PublishInput): Promise<PublishedEvent> {
  // Publishes that share a new idempotency key wait for each other here, so the later ones find the
  // first one's event instead of failing on the unique key (a 500). One more round trip, keyed only.
  if (input.idempotencyKey) {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [`event-idempotency:${input.workspaceId}`, input.idempotencyKey]);
  }
  const published = await publishEvent(client, boss, input);
  if (published.created) {
    await applySessionEvent(client, input.workspaceId, input.type, validateEventData(input.type, input.data));
  }
  return published;
}

export function publish(pool: pg.Pool, boss: PgBoss, input: PublishInput): Promise<PublishedEvent> {
  return withTransaction(pool, (client) => publishInTransaction(client, boss, input));
}
