// Delivery administration (SPEC §7): redeliver, replay after re-enabling (enabling pings, disabling
// cancels: subscriptions.ts), test events. Each checks the caller's rights, reads and writes in one
// transaction, and queues attempts on the same delivery queue as fan-out does.
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { type Principal, assertCan } from '../auth/principal.ts';
import { validateEventData } from '../events/catalog.ts';
import { type DeliveryJob, queueDeliveries } from '../events/delivery-queue.ts';
import { insertDirectedEvent } from '../events/outbox.ts';
import type { DeliveryAttempt, OutboundDelivery } from '../generated/prisma/client.ts';
import { withTransaction } from '../platform/db/pool.ts';
import { badInput, notFound } from '../platform/errors.ts';
import { inTransaction } from '../platform/jobs/in-transaction.ts';
import { notify } from '../platform/realtime.ts';
import type { Services } from '../platform/services.ts';
import { type SubscriptionRecord, mustGetSubscription } from './subscriptions.ts';

/** A deliveryUpdated message: the delivery as it is now, and the attempt that moved it, if one did. */
export interface DeliveryUpdateRecord {
  delivery: OutboundDelivery;
  attempt: DeliveryAttempt | null;
  recordedAt: Date;
}

/**
 * What a delivery.updated message carries: the delivery, the attempt that moved it, and when the
 * change was written (ms, just before its commit), so a live view can tell how late it is. The
 * fan-out announces the deliveries a commit created together, in `deliveryIds` (outbox.ts FAN_NOTIFY);
 * the worker the attempts a commit recorded together, each delivery's number in `attempts` beside it.
 */
export type DeliveryUpdatedMessage = { deliveryId: string; attempt?: number; at: number } | { deliveryIds: string[]; attempts?: number[]; at: number };

/** An outbound_delivery row in the shape Prisma gives it (the API's OutboundDelivery), its columns qualified by `table` in a join. */
export const deliveryColumns = (table?: string) => {
  const t = table ? `${table}.` : '';
  return `${t}id, ${t}workspace_id AS "workspaceId", ${t}event_id AS "eventId", ${t}subscription_id AS "subscriptionId", ${t}status,
  ${t}attempt_count AS "attemptCount", ${t}next_attempt_at AS "nextAttemptAt", ${t}last_attempt_at AS "lastAttemptAt", ${t}created_at AS "createdAt", ${t}updated_at AS "updatedAt"`;
};
const DELIVERY_ROW = deliveryColumns();

/** Queues the next attempt of each delivery, in the caller's transaction, and tells live subscribers. */
async function queue(client: pg.PoolClient, boss: PgBoss, workspaceId: string, jobs: DeliveryJob[]): Promise<void> {
  if (jobs.length === 0) return;
  await queueDeliveries(boss, jobs, inTransaction(client));
  await notify(client, jobs.map(({ deliveryId }) => ({ topic: 'delivery.updated', workspaceId, data: { deliveryId, at: Date.now() } })));
}

/** The subscription's status and timeout as this transaction sees them; NOT_FOUND outside the workspace. */
async function subscriptionIn(client: pg.PoolClient, workspaceId: string, id: string): Promise<{ status: SubscriptionRecord['status']; timeoutMs: number }> {
  const { rows: [sub] } = await client.query<{ status: SubscriptionRecord['status']; timeout_ms: number }>(
    'SELECT status, timeout_ms FROM webhook_subscription WHERE id = $1 AND workspace_id = $2', [id, workspaceId]);
  if (!sub) throw notFound('webhook subscription', id);
  return { status: sub.status, timeoutMs: sub.timeout_ms };
}

/**
 * One more attempt of the same delivery (same webhook-id), now, whatever its state. The delivery is
 * found by the statement that moves it: one deleted meanwhile (its subscription was) is NOT_FOUND.
 */
export async function redeliver(services: Pick<Services, 'pool' | 'boss'>, principal: Principal | undefined, input: { deliveryId: string }): Promise<OutboundDelivery> {
  const { workspaceId } = assertCan(principal, 'manage');
  return withTransaction(services.pool, async (client) => {
    // The job's expiry follows the subscription's timeout, read by the same statement.
    const { rows: [row] } = await client.query<OutboundDelivery & { timeout_ms: number }>(
      `UPDATE outbound_delivery SET status = 'PENDING', next_attempt_at = now(), updated_at = now() WHERE id = $1 AND workspace_id = $2
       RETURNING ${DELIVERY_ROW}, (SELECT s.timeout_ms FROM webhook_subscription s WHERE s.id = outbound_delivery.subscription_id) AS timeout_ms`,
      [input.deliveryId, workspaceId],
    );
    if (!row) throw notFound('delivery', input.deliveryId);
    const { timeout_ms: timeoutMs, ...delivery } = row;
    await queue(client, services.boss, workspaceId, [{ deliveryId: delivery.id, timeoutMs }]);
    return delivery;
  });
}

/** Queues again the subscription's CANCELLED and FAILED deliveries of events since `since`: it must be ACTIVE. */
export async function replayEvents(
  services: Pick<Services, 'db' | 'pool' | 'boss'>, principal: Principal | undefined, input: { subscriptionId: string; since: Date },
): Promise<{ subscription: SubscriptionRecord; replayed: number }> {
  const { workspaceId } = assertCan(principal, 'manage');
  const replayed = await withTransaction(services.pool, async (client) => {
    const { status, timeoutMs } = await subscriptionIn(client, workspaceId, input.subscriptionId);
    if (status !== 'ACTIVE') throw badInput('subscriptionId', `the subscription is ${status}; enable or verify it first`);
    const { rows } = await client.query<{ id: string }>(
      `UPDATE outbound_delivery d SET status = 'PENDING', next_attempt_at = now(), updated_at = now()
       FROM event e WHERE e.id = d.event_id AND d.subscription_id = $1 AND d.status IN ('CANCELLED', 'FAILED') AND e.created_at >= $2
       RETURNING d.id`,
      [input.subscriptionId, input.since],
    );
    await queue(client, services.boss, workspaceId, rows.map((r) => ({ deliveryId: r.id, timeoutMs })));
    return rows.length;
  });
  return { subscription: await mustGetSubscription(services.db, workspaceId, input.subscriptionId), replayed };
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
export async function sendTestEvent(
  services: Pick<Services, 'pool' | 'boss'>, principal: Principal | undefined, input: { subscriptionId: string; type: string },
): Promise<OutboundDelivery> {
  const { workspaceId } = assertCan(principal, 'manage');
  return withTransaction(services.pool, async (client) => {
    const sub = await subscriptionIn(client, workspaceId, input.subscriptionId);
    if (sub.status === 'DISABLED') throw badInput('subscriptionId', 'the subscription is DISABLED; enable it first');
    const data = validateEventData(input.type, sample(input.type, input.subscriptionId));
    const deliveryId = await insertDirectedEvent(client, services.boss, { workspaceId, type: input.type, data }, { id: input.subscriptionId, timeoutMs: sub.timeoutMs });
    await notify(client, [{ topic: 'delivery.updated', workspaceId, data: { deliveryId, at: Date.now() } }]);
    const { rows: [delivery] } = await client.query<OutboundDelivery>(`SELECT ${DELIVERY_ROW} FROM outbound_delivery WHERE id = $1`, [deliveryId]);
    return delivery!;
  });
}
