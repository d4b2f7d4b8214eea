// Delivery statistics (SPEC §13, the console's charts): per-minute rollups per subscription and
// outcome, with a duration histogram, written by the delivery worker inside the statement that
// records a batch of attempts (delivery-job.ts), so charts never read the attempts themselves.
import { type Principal, assertCan } from '../auth/principal.ts';
import { badInput, notFound } from '../platform/errors.ts';
import type { Services } from '../platform/services.ts';
import { getSubscription } from './subscriptions.ts';

/** Upper bounds (ms) of the histogram's buckets; one more bucket holds the slower attempts. */
export const LATENCY_BOUNDS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000] as const;

/**
 * A CTE `stats` for the statement that records attempts: adds the batch's attempts to their
 * (subscription, minute, outcome) rows. `cols` names the unnest of the batch's subscription ids,
 * workspace ids, start times, durations and outcomes. Rows are written in key order, so two
 * flushes touching the same rows wait for each other instead of deadlocking.
 */
export function statsCte(cols: { subscriptions: string; workspaces: string; startedAt: string; durations: string; outcomes: string }): string {
  const buckets = [...LATENCY_BOUNDS_MS.map((upper, i) => `count(*) FILTER (WHERE u.dur ${i === 0 ? '' : `> ${LATENCY_BOUNDS_MS[i - 1]} AND u.dur `}<= ${upper})`),
    `count(*) FILTER (WHERE u.dur > ${LATENCY_BOUNDS_MS.at(-1)})`];
  return `stats AS (
    INSERT INTO delivery_stat_minute AS m (subscription_id, minute, outcome, workspace_id, attempts, duration_ms_sum, latency)
    SELECT u.sub, date_trunc('minute', u.started_at), u.outcome, min(u.ws), count(*), sum(u.dur), ARRAY[${buckets.join(', ')}]::int[]
    FROM unnest(${cols.subscriptions}, ${cols.workspaces}, ${cols.startedAt}, ${cols.durations}, ${cols.outcomes}) AS u(sub, ws, started_at, dur, outcome)
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (subscription_id, minute, outcome) DO UPDATE
      SET attempts = m.attempts + EXCLUDED.attempts, duration_ms_sum = m.duration_ms_sum + EXCLUDED.duration_ms_sum,
          latency = (SELECT array_agg(a + b ORDER BY i) FROM unnest(m.latency, EXCLUDED.latency) WITH ORDINALITY AS x(a, b, i))
  )`;
}

export type StatsBucket = 'MINUTE' | 'FIVE_MINUTES' | 'FIFTEEN_MINUTES' | 'HOUR';
const BUCKET_MS: Record<StatsBucket, number> = { MINUTE: 60_000, FIVE_MINUTES: 300_000, FIFTEEN_MINUTES: 900_000, HOUR: 3_600_000 };
const MAX_BACK_MS = 7 * 24 * 3_600_000;
const MAX_POINTS = 1500;

export interface StatsPoint {
  start: Date;
  succeeded: number;
  failed: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface DeliveryStats {
  subscriptionId: string;
  since: Date;
  bucket: StatsBucket;
  points: StatsPoint[];
}

/** The duration under which `share` of the histogram's attempts fall, interpolated within its bucket. */
export function percentile(histogram: number[], share: number): number | null {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = share * total;
  let below = 0;
  for (let i = 0; i < histogram.length; i++) {
    const inBucket = histogram[i]!;
    if (inBucket > 0 && below + inBucket >= rank) {
      const lower = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1]!;
      const upper = LATENCY_BOUNDS_MS[i] ?? lower;
      return Math.round(lower + ((upper - lower) * (rank - below)) / inBucket);
    }
    below += inBucket;
  }
  return LATENCY_BOUNDS_MS.at(-1)!;
}

/** A subscription's attempts per bucket since `since`, from the rollups: one query. */
export async function deliveryStats(
  services: Pick<Services, 'db' | 'pool'>, principal: Principal | undefined, input: { subscriptionId: string; since: Date; bucket: StatsBucket },
): Promise<DeliveryStats> {
  const { workspaceId } = assertCan(principal, 'read');
  const step = BUCKET_MS[input.bucket];
  const now = Date.now();
  if (Number.isNaN(input.since.getTime()) || input.since.getTime() < now - MAX_BACK_MS) throw badInput('since', 'must be within the last 7 days');
  const start = Math.floor(Math.min(input.since.getTime(), now) / step) * step;
  const count = Math.floor((now - start) / step) + 1;
  if (count > MAX_POINTS) throw badInput('bucket', `${count} buckets of ${input.bucket} since ${input.since.toISOString()}; at most ${MAX_POINTS}: choose a larger bucket`);
  if (!(await getSubscription(services.db, workspaceId, input.subscriptionId))) throw notFound('webhook subscription', input.subscriptionId);
  const { rows } = await services.pool.query<{ minute: Date; outcome: 'SUCCEEDED' | 'FAILED'; attempts: number; latency: number[] }>(
    `SELECT minute, outcome, attempts, latency FROM delivery_stat_minute
     WHERE subscription_id = $1 AND workspace_id = $2 AND minute >= $3`, [input.subscriptionId, workspaceId, new Date(start)]);
  const points = Array.from({ length: count }, (_, i) => ({ start: new Date(start + i * step), succeeded: 0, failed: 0, histogram: LATENCY_BOUNDS_MS.map(() => 0).concat(0) }));
  for (const r of rows) {
    const p = points[Math.floor((r.minute.getTime() - start) / step)];
    if (!p) continue;
    if (r.outcome === 'SUCCEEDED') p.succeeded += r.attempts;
    else p.failed += r.attempts;
    r.latency.forEach((n, i) => (p.histogram[i]! += n));
  }
  return {
    subscriptionId: input.subscriptionId, since: new Date(start), bucket: input.bucket,
    points: points.map(({ histogram, ...p }) => ({ ...p, p50Ms: percentile(histogram, 0.5), p95Ms: percentile(histogram, 0.95) })),
  };
}

export interface SubscriptionCounts {
  subscriptionId: string;
  succeeded: number;
  failed: number;
}

/** Every subscription's attempts by outcome since `since`, from the rollups: one query. */
export async function deliveryOverview(services: Pick<Services, 'pool'>, principal: Principal | undefined, input: { since: Date }): Promise<SubscriptionCounts[]> {
  const { workspaceId } = assertCan(principal, 'read');
  if (Number.isNaN(input.since.getTime()) || input.since.getTime() < Date.now() - MAX_BACK_MS) throw badInput('since', 'must be within the last 7 days');
  const { rows } = await services.pool.query<SubscriptionCounts>(
    `SELECT subscription_id AS "subscriptionId",
            coalesce(sum(attempts) FILTER (WHERE outcome = 'SUCCEEDED'), 0)::int AS succeeded,
            coalesce(sum(attempts) FILTER (WHERE outcome = 'FAILED'), 0)::int AS failed
     FROM delivery_stat_minute WHERE workspace_id = $1 AND minute >= date_trunc('minute', $2::timestamptz)
     GROUP BY subscription_id ORDER BY failed DESC, subscription_id`, [workspaceId, input.since]);
  return rows;
}
