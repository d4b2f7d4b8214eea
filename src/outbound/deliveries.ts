// Delivery administration (SPEC §7): redeliver, replay after re-enabling, disable (enabling pings:
// subscriptions.ts), test events. Each queues attempts through the same job as fan-out does.
import type pg from 'pg';
import { inTransaction } from '../platform/jobs/in-transaction.ts';
import type { PgBoss } from 'pg-boss';
import { withTransaction } from '../platform/db/pool.ts';
import type { Db } from '../platform/db/prisma.ts';
import { DomainError, badInput, notFound } from '../platform/errors.ts';
import { EVENT_TYPES, isEventType, validateEventData } from '../events/catalog.ts';
import { queueDeliveries } from '../events/delivery-queue.ts';
import type { DeliveryAttempt, OutboundDelivery } from '../generated/prisma/client.ts';
import { newId } from '../platform/ids.ts';
import { notify } from '../platform/realtime.ts';
import { disableSubscription } from './delivery-job.ts';
import { type SubscriptionRecord, mustGetSubscription as mustGet } from './subscriptions.ts';

export interface DeliveryUpdateRecord {
  delivery: OutboundDelivery;
  attempt: DeliveryAttempt | null;
}

async function queue(client: pg.PoolClient, boss: PgBoss, workspaceId: string, deliveryIds: string[]): Promise<void> {
  if (deliveryIds.length === 0) return;
  const { rows } = await client.query<{ id: string; timeout_ms: number }>(
    `SELECT d.id, s.timeout_ms FROM outbound_delivery d JOIN webhook_subscription s ON s.id = d.subscription_id WHERE d.id = ANY($1::text[])`,
    [deliveryIds],
  );
  await queueDeliveries(boss, rows.map((r) => ({ deliveryId: r.id, timeoutMs: r.timeout_ms })), inTransaction(client));
  await notify(client, deliveryIds.map((deliveryId) => ({ topic: 'delivery.updated', workspaceId, data: { deliveryId } })));
}

export async function redeliver(pool: pg.Pool, db: Db, boss: PgBoss, workspaceId: string, deliveryId: string): Promise<OutboundDelivery> {
  const found = await db.outboundDelivery.findFirst({ where: { id: deliveryId, workspaceId } });
  if (!found) throw notFound('delivery', deliveryId);
  await withTransaction(pool, async (client) => {
    await client.query(`UPDATE outbound_delivery SET status = 'PENDING', next_attempt_at = now(), updated_at = now() WHERE id = $1`, [deliveryId]);
    await queue(client, boss, workspaceId, [deliveryId]);
  });
  return (await db.outboundDelivery.findUnique({ where: { id: deliveryId } }))!;
}

export async function disable(pool: pg.Pool, db: Db, boss: PgBoss, workspaceId: string, id: string, reason: string | null | undefined): Promise<SubscriptionRecord> {
  await mustGet(db, workspaceId, id);
  await withTransaction(pool, (client) => disableSubscription(client, boss, workspaceId, id, reason?.trim() || 'disabled by an administrator'));
  return mustGet(db, workspaceId, id);
}

export async function replayEvents(pool: pg.Pool, db: Db, boss: PgBoss, workspaceId: string, subscriptionId: string, since: Date): Promise<{ subscription: SubscriptionRecord; replayed: number }> {
  const sub = await mustGet(db, workspaceId, subscriptionId);
  if (sub.status !== 'ACTIVE') throw new DomainError('BAD_USER_INPUT', `subscriptionId: the subscription is ${sub.status}; enable or verify it first`, 'subscriptionId');
  const replayed = await withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `UPDATE outbound_delivery d SET status = 'PENDING', next_attempt_at = now(), updated_at = now()
       FROM event e WHERE e.id = d.event_id AND d.subscription_id = $1 AND d.status IN ('CANCELLED', 'FAILED') AND e.created_at >= $2
       RETURNING d.id`,
      [subscriptionId, since],
    );
    await queue(client, boss, workspaceId, rows.map((r) => r.id));
    return rows.length;
  });
  return { subscription: sub, replayed };
}

/** Sample `data` for each catalogue event, valid against its schema. */
function sample(type: string, subscriptionId: string): Record<string, unknown> {
  const sessionId = 'ses_test';
  const samples: Record<string, Record<string, unknown>> = {
    'session.created': { sessionId, agent: 'code-review', triggerId: 'trg_test', inputs: { repo: 'acme/app', pr: 42 } },
    'session.finished': { sessionId, agent: 'code-review', status: 'SUCCEEDED', output: { summary: 'LGTM' }, durationMs: 1234 },
    'session.archived': { sessionId },
    'tool.called': { sessionId, tool: 'grep', arguments: { pattern: 'TODO' }, callId: 'call_1' },
    'tool.error': { sessionId, tool: 'grep', callId: 'call_1', error: { message: 'timed out', code: 'TIMEOUT' } },
    'review.completed': { sessionId, reviewId: 'rev_1', verdict: 'approve', summary: 'Looks good' },
    'import.completed': { importId: 'imp_1', source: 'github', itemsImported: 120, itemsFailed: 0 },
    'cost.threshold_exceeded': { budgetId: 'bud_1', scope: 'workspace', thresholdUsd: 100, spentUsd: 101.5, period: '2026-11' },
    'hook.violation': { hookId: 'hook_1', rule: 'no-secrets', severity: 'high', message: 'a secret was about to be committed', sessionId },
    'webhook.ping': { subscriptionId },
    'subscription.disabled': { subscriptionId, reason: 'test' },
  };
  return samples[type]!;
}

/** One event of the given type, delivered to this subscription only (ACTIVE or being verified). */
export async function sendTestEvent(pool: pg.Pool, db: Db, boss: PgBoss, workspaceId: string, subscriptionId: string, type: string): Promise<OutboundDelivery> {
  const sub = await mustGet(db, workspaceId, subscriptionId);
  if (sub.status === 'DISABLED') throw new DomainError('BAD_USER_INPUT', 'subscriptionId: the subscription is DISABLED; enable it first', 'subscriptionId');
  if (!isEventType(type)) throw badInput('type', `unknown event type "${type}"; one of ${EVENT_TYPES.join(', ')}`);
  const data = validateEventData(type, sample(type, subscriptionId));
  const eventId = newId('event');
  const deliveryId = newId('delivery');
  const createdAt = new Date();
  const body = JSON.stringify({ id: eventId, type, timestamp: createdAt.toISOString(), workspaceId, data });
  await withTransaction(pool, async (client) => {
    await client.query(
      `WITH ev AS (INSERT INTO event (id, workspace_id, type, body, created_at) VALUES ($1, $2, $3, $4, $5))
       INSERT INTO outbound_delivery (id, workspace_id, event_id, subscription_id, next_attempt_at, created_at, updated_at)
       VALUES ($6, $2, $1, $7, $5, $5, $5)`,
      [eventId, workspaceId, type, body, createdAt, deliveryId, subscriptionId],
    );
    await queue(client, boss, workspaceId, [deliveryId]);
  });
  return (await db.outboundDelivery.findUnique({ where: { id: deliveryId } }))!;
}
