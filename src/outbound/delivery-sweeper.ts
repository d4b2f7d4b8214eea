// SPEC §7, §15: the delivery row, not pg-boss, is the source of truth. A job can be lost: its retries
// spent on expiries (workers killed again and again), or a recording that failed for good. Once a
// minute the sweeper queues again every PENDING delivery whose next attempt is overdue by more than
// its job's expiry while no job naming it is queued or active, and wakes deliveries parked for a
// maxConcurrency slot that a dead worker's expired lease has freed.
import { withTransaction } from '../platform/db/pool.ts';
import { DELIVERY_QUEUE, JOB_EXPIRY_MARGIN_SECONDS, queueDeliveries } from '../events/delivery-queue.ts';
import { inTransaction } from '../platform/jobs/in-transaction.ts';
import { defineScheduledJob } from '../platform/jobs/job.ts';
import type { Services } from '../platform/services.ts';
import { wakeWaiting } from './delivery-job.ts';

/** The shortest job expiry (a 100 ms timeout): the bound the index range scan can use. */
const SHORTEST_EXPIRY_SECONDS = 1 + JOB_EXPIRY_MARGIN_SECONDS;
/** Most deliveries queued again per run; the next run takes the rest. */
const PER_RUN = 5000;

export const sweepDeliveries = defineScheduledJob({
  name: 'outbound-delivery-sweep',
  queue: { retryLimit: 1, expireInSeconds: 120 },
  schedule: '* * * * *',
  run: async (services) => {
    const swept = await sweep(services);
    if (swept.requeued + swept.woken + swept.pruned > 0) services.log.info(swept, 'swept deliveries left without a job');
  },
});

export interface Swept {
  /** PENDING deliveries, overdue without a live job, queued again. */
  requeued: number;
  /** Parked deliveries queued because a slot was free. */
  woken: number;
  /** Parked entries of deliveries no longer PENDING, removed. */
  pruned: number;
}

export async function sweep(services: Services): Promise<Swept> {
  const { pool, boss } = services;
  const requeued = await withTransaction(pool, async (client) => {
    // Candidates come from the partial index on next_attempt_at (PENDING only). The live jobs are
    // read once, as a set of delivery ids, and only when there is a candidate. The UPDATE re-checks
    // each row under its lock: a worker that recorded an attempt meanwhile moved next_attempt_at
    // (and queued the next job in the same commit), so that delivery is left alone.
    const { rows } = await client.query<{ id: string; timeout_ms: number }>(
      `WITH candidate AS (
         SELECT d.id, d.subscription_id, d.next_attempt_at FROM outbound_delivery d
         WHERE d.status = 'PENDING' AND d.next_attempt_at < now() - make_interval(secs => $1)
       ), live AS MATERIALIZED (
         SELECT jsonb_array_elements_text(j.data->'deliveryIds') AS id FROM pgboss.job j
         WHERE j.name = $2 AND j.state < 'completed' AND EXISTS (SELECT 1 FROM candidate)
       ), lost AS (
         SELECT c.id, c.next_attempt_at, s.timeout_ms
         FROM candidate c JOIN webhook_subscription s ON s.id = c.subscription_id
         WHERE c.next_attempt_at < now() - make_interval(secs => ceil(s.timeout_ms / 1000.0) + $3)
           AND NOT EXISTS (SELECT 1 FROM live WHERE live.id = c.id)
           AND NOT EXISTS (SELECT 1 FROM delivery_wait w WHERE w.delivery_id = c.id)
         ORDER BY c.next_attempt_at LIMIT $4
       )
       UPDATE outbound_delivery d SET next_attempt_at = now(), updated_at = now()
       FROM lost l WHERE d.id = l.id AND d.status = 'PENDING' AND d.next_attempt_at IS NOT DISTINCT FROM l.next_attempt_at -- by key, not by time
       RETURNING d.id, l.timeout_ms`,
      [SHORTEST_EXPIRY_SECONDS, DELIVERY_QUEUE, JOB_EXPIRY_MARGIN_SECONDS, PER_RUN],
    );
    await queueDeliveries(boss, rows.map((r) => ({ deliveryId: r.id, timeoutMs: r.timeout_ms })), inTransaction(client));
    return rows.length;
  });
  const { rowCount: pruned } = await pool.query(
    `DELETE FROM delivery_wait w WHERE NOT EXISTS (SELECT 1 FROM outbound_delivery d WHERE d.id = w.delivery_id AND d.status = 'PENDING')`,
  );
  const { rows: waiting } = await pool.query<{ subscription_id: string }>('SELECT DISTINCT subscription_id FROM delivery_wait');
  const woken = await wakeWaiting(services, waiting.map((w) => w.subscription_id));
  return { requeued, woken, pruned: pruned ?? 0 };
}
