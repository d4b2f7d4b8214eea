// What the gateway recorded about outbound deliveries, read from its rows.
import type pg from 'pg';

/**
 * The waits the gateway scheduled before each retry of a delivery, in ms: from the end of the
 * attempt it recorded to the start_after of the job it queued for the next one. This is what it
 * decided, whenever pg-boss then ran the job, so tests check it instead of timing the receiver.
 */
export async function scheduledWaits(pool: pg.Pool, deliveryId: string): Promise<number[]> {
  const { rows } = await pool.query<{ wait_ms: number }>(
    `SELECT floor(extract(epoch FROM j.start_after - (a.started_at + make_interval(secs => a.duration_ms / 1000.0))) * 1000)::int AS wait_ms
     FROM delivery_attempt a
     JOIN LATERAL (SELECT start_after FROM pgboss.job WHERE name = 'outbound-delivery' AND data->'deliveryIds' ? a.delivery_id
                   AND created_on >= a.started_at ORDER BY created_on LIMIT 1) j ON true
     WHERE a.delivery_id = $1 AND a.outcome = 'FAILED' ORDER BY a.number`,
    [deliveryId],
  );
  return rows.map((r) => r.wait_ms);
}
