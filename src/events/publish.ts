// Publishing an event (SPEC §6, §7): validate `data` against the catalogue, fix the envelope's bytes,
// and fan out in the same transaction: one delivery, with its first job, per matching ACTIVE
// subscription (the outbox). Nothing is lost if the process dies at any point: either all of it
// commits or none of it does.
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { inTransaction } from '../jobs/in-transaction.ts';
import { DomainError, badInput } from '../errors.ts';
import { newId } from '../ids.ts';
import { EVENT_SCHEMAS, EVENT_TYPES, isEventType } from './catalog.ts';

export const DELIVERY_QUEUE = 'outbound-delivery';

export interface PublishInput {
  workspaceId: string;
  type: string;
  data: unknown;
  idempotencyKey?: string | null;
  sessionId?: string | null;
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

/** Subscriptions match exact names, `*`, or prefixes such as `tool.*`. */
export const eventPatternsSql = `
  (s.events @> ARRAY['*']::text[] OR s.events @> ARRAY[$2::text] OR
   EXISTS (SELECT 1 FROM unnest(s.events) p WHERE right(p, 2) = '.*' AND starts_with($2::text, left(p, -1))))`;

export async function publishEvent(client: pg.PoolClient, jobs: PgBoss, input: PublishInput): Promise<PublishedEvent> {
  const data = validateEventData(input.type, input.data);
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
  const id = newId('event');
  const createdAt = new Date();
  const body = JSON.stringify({ id, type: input.type, timestamp: createdAt.toISOString(), workspaceId: input.workspaceId, data });
  const { rows: subs } = await client.query<{ id: string }>(
    `SELECT s.id FROM webhook_subscription s WHERE s.workspace_id = $1 AND s.status = 'ACTIVE' AND ${eventPatternsSql}`,
    [input.workspaceId, input.type],
  );
  const deliveryIds = subs.map(() => newId('delivery'));
  await client.query(
    `WITH ev AS (
       INSERT INTO event (id, workspace_id, type, body, idempotency_key, session_id, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id
     )
     INSERT INTO outbound_delivery (id, workspace_id, event_id, subscription_id, next_attempt_at, created_at, updated_at)
     SELECT d.id, $2, (SELECT id FROM ev), d.sub, $7, $7, $7 FROM unnest($8::text[], $9::text[]) AS d(id, sub)`,
    [id, input.workspaceId, input.type, body, key, input.sessionId ?? null, createdAt, deliveryIds, subs.map((s) => s.id)],
  );
  if (deliveryIds.length > 0) {
    await jobs.insert(DELIVERY_QUEUE, deliveryIds.map((deliveryId) => ({ data: { deliveryId } })), { db: inTransaction(client) });
  }
  return { id, type: input.type, body, createdAt, created: true, deliveryIds };
}
