// One job per delivery attempt (STYLE: Webhook code). The worker signs the event's fixed bytes with
// every active secret (decrypted just in time), POSTs through the one delivery client, then in ONE
// transaction records the attempt and its audit row, moves the delivery, and schedules the next
// attempt with pg-boss `startAfter` (SPEC §7). The queue's own retries are off: the retry schedule
// and Retry-After are ours, and a job killed mid-flight simply expires and runs again.
import type pg from 'pg';
import { z } from 'zod';
import { appendAudit, headersSha256, sha256Hex } from '../audit/append.ts';
import { withTransaction } from '../db/pool.ts';
import { DELIVERY_GROUP_TIERS, DELIVERY_QUEUE, insertEvents, queueDeliveries } from '../events/publish.ts';
import { countHit } from '../inbound/rate-limit.ts';
import { defineJob } from '../jobs/job.ts';
import type { Message } from '../realtime/realtime.ts';
import type { Services } from '../server/context.ts';
import { activeSecrets } from '../secrets/secret-store.ts';
import type { SendResult } from './http-client.ts';
import { nextAttemptDelay } from './retry-policy.ts';
import { deliveryHeaders } from './sign-delivery.ts';

export const deliveryPayload = z.object({ deliveryId: z.string().startsWith('dlv_') });

export const deliverEvent = defineJob({
  name: DELIVERY_QUEUE,
  payload: deliveryPayload,
  // Expires just above the longest subscription timeout (30 s), so a killed worker's job runs again
  // soon after. HTTP failures never throw (they are scheduled by our own retry policy); pg-boss's
  // few retries only cover expiry and infrastructure errors such as a lost database connection.
  queue: { retryLimit: 3, retryDelay: 5, expireInSeconds: 35, notify: true, deleteAfterSeconds: 3600 },
  // groupConcurrency: the per-subscription maxConcurrency cap, held across worker processes.
  work: { batchSize: 50, groupConcurrency: { default: 1000, tiers: DELIVERY_GROUP_TIERS } },
  handler: async ({ deliveryId }, services) => {
    await attempt(services, deliveryId);
  },
});

interface Target {
  delivery_id: string;
  status: string;
  attempt_count: number;
  workspace_id: string;
  event_id: string;
  event_type: string;
  body: string;
  subscription_id: string;
  url: string;
  headers: Array<{ name: string; value: string }>;
  timeout_ms: number;
  rate_limit_per_second: number | null;
  max_concurrency: number | null;
  sub_status: string;
  failing_since: Date | null;
}

export async function attempt(services: Services, deliveryId: string): Promise<void> {
  const { pool, db, cipher, deliveryClient, metrics } = services;
  const { rows: [t] } = await pool.query<Target>(
    `SELECT d.id AS delivery_id, d.status, d.attempt_count, d.workspace_id, e.id AS event_id, e.type AS event_type, e.body,
            s.id AS subscription_id, s.url, s.headers, s.timeout_ms, s.rate_limit_per_second, s.max_concurrency,
            s.status AS sub_status, s.failing_since
     FROM outbound_delivery d JOIN event e ON e.id = d.event_id JOIN webhook_subscription s ON s.id = d.subscription_id
     WHERE d.id = $1`,
    [deliveryId],
  );
  if (!t || t.status !== 'PENDING') return; // deleted, finished, or cancelled meanwhile
  // Fan-out only targets ACTIVE subscriptions; a test event may go to one still being verified.
  if (t.sub_status === 'DISABLED') {
    await pool.query(`UPDATE outbound_delivery SET status = 'CANCELLED', next_attempt_at = NULL, updated_at = now() WHERE id = $1 AND status = 'PENDING'`, [deliveryId]);
    return;
  }
  if (t.rate_limit_per_second !== null) {
    const hits = await countHit(pool, `subscription:${t.subscription_id}`);
    if (hits > t.rate_limit_per_second) {
      // Over the limit this second: come back in the second where this job's turn falls. Only this
      // subscription's own jobs wait; other subscriptions' jobs are fetched and sent meanwhile.
      const second = Math.floor(Date.now() / 1000) + Math.ceil((hits - t.rate_limit_per_second) / t.rate_limit_per_second);
      await withTransaction(pool, (client) => queueDeliveries(client, services.boss, [{
        deliveryId, subscriptionId: t.subscription_id, timeoutMs: t.timeout_ms, maxConcurrency: t.max_concurrency,
        startAfter: new Date(second * 1000 + Math.floor(Math.random() * 100)),
      }]));
      return;
    }
  }
  const secrets = (await activeSecrets(db, cipher, { kind: 'subscription', id: t.subscription_id })).map((s) => s.secret);
  const headers = deliveryHeaders(t.event_id, t.body, secrets, t.headers);
  const startedAt = new Date();
  const result = await deliveryClient.post(t.url, t.body, headers, t.timeout_ms);
  metrics?.deliveries.inc({ outcome: result.errorClass ?? 'SUCCEEDED' });
  metrics?.attemptLatency.observe(result.durationMs / 1000);
  await withTransaction(pool, (client) => record(client, services, t, startedAt, headers, result));
}

async function record(client: pg.PoolClient, services: Services, t: Target, startedAt: Date, headers: Record<string, string>, r: SendResult) {
  const { config, boss } = services;
  const number = t.attempt_count + 1;
  const ok = r.errorClass === null;
  const gone = r.statusCode === 410;
  const delay = ok || gone ? null : nextAttemptDelay(config.deliveryRetryScheduleMs, number, r.retryAfterSeconds);
  const status = ok ? 'SUCCEEDED' : delay === null ? 'FAILED' : 'PENDING';
  const nextAt = delay === null ? null : new Date(Date.now() + delay);

  await client.query(
    `INSERT INTO delivery_attempt (delivery_id, number, started_at, duration_ms, outcome, status_code, error_class, response_body)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [t.delivery_id, number, startedAt, r.durationMs, ok ? 'SUCCEEDED' : 'FAILED', r.statusCode, r.errorClass, r.responseBody],
  );
  // Only a delivery still PENDING moves: a concurrent cancel (disable) wins over this attempt.
  const { rowCount } = await client.query(
    `UPDATE outbound_delivery SET status = $2, attempt_count = $3, last_attempt_at = $4, next_attempt_at = $5, updated_at = now()
     WHERE id = $1 AND status = 'PENDING'`,
    [t.delivery_id, status, number, startedAt, nextAt],
  );
  if (nextAt && rowCount) {
    await queueDeliveries(client, boss, [{ deliveryId: t.delivery_id, subscriptionId: t.subscription_id, timeoutMs: t.timeout_ms, maxConcurrency: t.max_concurrency, startAfter: nextAt }]);
  }

  let disableReason: string | null = null;
  if (ok) {
    await client.query(`UPDATE webhook_subscription SET last_success_at = now(), failing_since = NULL WHERE id = $1`, [t.subscription_id]);
  } else {
    const { rows: [s] } = await client.query<{ failing_since: Date }>(
      `UPDATE webhook_subscription SET failing_since = coalesce(failing_since, $2) WHERE id = $1 RETURNING failing_since`,
      [t.subscription_id, startedAt],
    );
    if (gone) disableReason = 'the endpoint answered 410 Gone';
    else if (s && Date.now() - s.failing_since.getTime() >= config.deliveryAutoDisableAfterMs) {
      disableReason = `no successful delivery since ${s.failing_since.toISOString()} while deliveries kept failing`;
    }
  }
  if (disableReason) await disableSubscription(client, boss, t.workspace_id, t.subscription_id, disableReason);

  await appendAudit(client, t.workspace_id, [{
    workspaceId: t.workspace_id, direction: 'OUTBOUND', triggerId: null, subscriptionId: t.subscription_id, deliveryId: t.delivery_id,
    eventType: t.event_type, headersSha256: headersSha256(headers), payloadSha256: sha256Hex(t.body), occurredAt: startedAt,
    durationMs: r.durationMs, attempt: number, statusCode: r.statusCode, outcome: ok ? 'SUCCEEDED' : 'FAILED', errorClass: r.errorClass, sourceIp: null,
  }], [JSON.stringify({ topic: 'delivery.updated', workspaceId: t.workspace_id, data: { deliveryId: t.delivery_id, attempt: number } } satisfies Message)]);
}

/**
 * DISABLED, with the reason; its pending deliveries are CANCELLED (replayEvents sends them again
 * after it is enabled); a `subscription.disabled` event goes to the workspace's other subscribers.
 */
export async function disableSubscription(client: pg.PoolClient, boss: Services['boss'], workspaceId: string, subscriptionId: string, reason: string): Promise<boolean> {
  const { rowCount } = await client.query(
    `UPDATE webhook_subscription SET status = 'DISABLED', status_reason = $2, disabled_at = now(), updated_at = now()
     WHERE id = $1 AND status <> 'DISABLED'`,
    [subscriptionId, reason],
  );
  if (!rowCount) return false;
  const { rows: cancelled } = await client.query<{ id: string }>(
    `UPDATE outbound_delivery SET status = 'CANCELLED', next_attempt_at = NULL, updated_at = now()
     WHERE subscription_id = $1 AND status = 'PENDING' RETURNING id`,
    [subscriptionId],
  );
  await insertEvents(client, boss, [{ workspaceId, type: 'subscription.disabled', data: { subscriptionId, reason } }]);
  if (cancelled.length > 0) {
    await client.query(`SELECT pg_notify('webhook_gateway', m) FROM unnest($1::text[]) m`, [
      cancelled.map((c) => JSON.stringify({ topic: 'delivery.updated', workspaceId, data: { deliveryId: c.id } } satisfies Message)),
    ]);
  }
  return true;
}
