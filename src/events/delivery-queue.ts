// The delivery queue's contract (SPEC §7): what every producer (the outbox's fan-out, retries,
// redeliveries, replays, the sweeper) puts on pg-boss's queue and the worker
// (src/outbound/delivery-job.ts) takes off it. A job names the deliveries whose next attempt it
// carries; the delivery rows, not the jobs, say what is left to do.
import type { Db as BossDb, PgBoss } from 'pg-boss';
import { z } from 'zod';

export const DELIVERY_QUEUE = 'outbound-delivery';

/**
 * A delivery job names up to this many deliveries: a commit's first attempts travel together
 * (one job row per 25 deliveries of a workspace, not one each), retries one by one. Measured with
 * bench/outbound: pg-boss's insert, fetch and completion of a job cost about as much database time
 * as the delivery's own rows.
 */
export const DELIVERIES_PER_JOB = 25;

/**
 * Seconds a job lives past its subscription's timeout (the longest among its deliveries'), so one
 * held by a killed worker runs again within seconds. The sweeper waits as long before it calls a
 * job lost.
 */
export const JOB_EXPIRY_MARGIN_SECONDS = 3;

export const deliveryPayload = z.object({ deliveryIds: z.array(z.string().startsWith('dlv_')).min(1).max(DELIVERIES_PER_JOB) });

/** One delivery's next attempt. (maxConcurrency is held by delivery leases in the worker, not here.) */
export interface DeliveryJob {
  deliveryId: string;
  /** The subscription's timeout: the job expires just above it. */
  timeoutMs: number;
  startAfter?: Date;
}

/** Queues delivery attempts, one job each; pass `db` (pg-boss's adapter over a transaction) to commit them with their rows. */
export async function queueDeliveries(jobs: PgBoss, list: DeliveryJob[], db?: BossDb): Promise<void> {
  if (list.length === 0) return;
  await jobs.insert(DELIVERY_QUEUE, list.map(deliveryJob), db ? { db } : {});
}

const deliveryJob = (d: DeliveryJob) => ({
  data: { deliveryIds: [d.deliveryId] } satisfies z.infer<typeof deliveryPayload>,
  expireInSeconds: Math.ceil(d.timeoutMs / 1000) + JOB_EXPIRY_MARGIN_SECONDS,
  ...(d.startAfter ? { startAfter: d.startAfter.toISOString() } : {}),
});
