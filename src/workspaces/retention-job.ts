// Retention (SPEC §14): rows past their workspace's retention are removed by a scheduled job, in
// bounded batches, each batch one short autocommit statement that takes row locks only on the rows
// it removes (SKIP LOCKED on rows the hot paths update), so /hooks, fan-out and attempt recording
// never wait behind it. Replay memory (inbound_message) is not touched here: it follows
// REPLAY_WINDOW_HOURS alone (inbound/maintenance-job.ts), and retention is never shorter.
import type pg from 'pg';
import { defineScheduledJob } from '../platform/jobs/job.ts';
import type { Services } from '../platform/services.ts';
import { effectiveRetentionDays } from './settings.ts';

export interface RemovedRows {
  outboundDeliveries: number;
  attempts: number;
  events: number;
  inboundDeliveries: number;
  sessions: number;
  /** The charts' per-minute rollups (delivery_stat_minute). */
  deliveryStats: number;
  /** Statements run, each removing at most RETENTION_BATCH_SIZE rows of one table. */
  batches: number;
  /** The most rows one statement removed (attempts not counted). */
  largestBatch: number;
  /** False when the run stopped at its batch or time budget with rows still to remove. */
  finished: boolean;
}

type Kind = 'outboundDeliveries' | 'events' | 'inboundDeliveries' | 'sessions' | 'deliveryStats';

// $1 workspace, $2 cutoff, $3 batch size. Order matters: deliveries go first (their attempts with
// them), so an old event is removed once none of its deliveries is left; an event keeps a delivery
// that is PENDING or newer than the cutoff (a replay to a new subscription) with it.
const BATCHES: Array<{ kind: Kind; sql: string }> = [
  {
    kind: 'outboundDeliveries',
    sql: `WITH doomed AS (
        SELECT id FROM outbound_delivery
        WHERE workspace_id = $1 AND created_at < $2 AND status <> 'PENDING'
        LIMIT $3 FOR UPDATE SKIP LOCKED),
      a AS (DELETE FROM delivery_attempt WHERE delivery_id IN (SELECT id FROM doomed) RETURNING 1),
      d AS (DELETE FROM outbound_delivery WHERE id IN (SELECT id FROM doomed) RETURNING 1)
      SELECT (SELECT count(*) FROM d)::int AS removed, (SELECT count(*) FROM a)::int AS attempts`,
  },
  {
    kind: 'events',
    sql: `WITH d AS (DELETE FROM event WHERE id IN (
        SELECT e.id FROM event e
        WHERE e.workspace_id = $1 AND e.created_at < $2
          AND NOT EXISTS (SELECT 1 FROM outbound_delivery d WHERE d.event_id = e.id)
        LIMIT $3 FOR UPDATE OF e SKIP LOCKED) RETURNING 1)
      SELECT count(*)::int AS removed FROM d`,
  },
  {
    // A request whose session still runs stays: the session's page links back to it.
    kind: 'inboundDeliveries',
    sql: `WITH d AS (DELETE FROM inbound_delivery WHERE id IN (
        SELECT i.id FROM inbound_delivery i
        WHERE i.workspace_id = $1 AND i.received_at < $2
          AND NOT EXISTS (SELECT 1 FROM session s WHERE s.id = i.session_id AND s.status IN ('PENDING', 'RUNNING'))
        LIMIT $3) RETURNING 1)
      SELECT count(*)::int AS removed FROM d`,
  },
  {
    // Only finished sessions: a PENDING or RUNNING one still has its agent-run job to come.
    kind: 'sessions',
    sql: `WITH d AS (DELETE FROM session WHERE id IN (
        SELECT id FROM session
        WHERE workspace_id = $1 AND created_at < $2 AND status IN ('SUCCEEDED', 'FAILED', 'CANCELLED')
        LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING 1)
      SELECT count(*)::int AS removed FROM d`,
  },
  {
    // The charts read a week at most; the attempt recorder may hold the current minute's rows.
    kind: 'deliveryStats',
    sql: `WITH d AS (DELETE FROM delivery_stat_minute WHERE ctid IN (
        SELECT ctid FROM delivery_stat_minute
        WHERE workspace_id = $1 AND minute < $2
        LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING 1)
      SELECT count(*)::int AS removed FROM d`,
  },
];

export interface RetentionBudget {
  /** Stop after this many statements (tests; the job uses its time budget only). */
  maxBatches?: number;
  /** Stop starting new statements after this long; the next run carries on. */
  maxMs?: number;
}

/** Removes every workspace's rows past its retention, batch by batch, within the budget. */
export async function removeExpiredRows(services: Pick<Services, 'pool' | 'ownerPool' | 'config'>, budget: RetentionBudget = {}): Promise<RemovedRows> {
  const { config } = services;
  // SPEC §9: retention is the owner's work; a worker without the owner's connection (DATABASE_URL
  // alone while another role owns the tables) removes through its own, which may delete these rows.
  const pool = services.ownerPool ?? services.pool;
  const removed: RemovedRows = { outboundDeliveries: 0, attempts: 0, events: 0, inboundDeliveries: 0, sessions: 0, deliveryStats: 0, batches: 0, largestBatch: 0, finished: true };
  const deadline = performance.now() + (budget.maxMs ?? Infinity);
  const overBudget = () => removed.batches >= (budget.maxBatches ?? Infinity) || performance.now() >= deadline;
  // In a new order each run: a workspace with a backlog longer than one run's budget cannot keep
  // the ones after it waiting run after run.
  const { rows: workspaces } = await pool.query<{ id: string; retention_days: number | null }>('SELECT id, retention_days FROM workspace ORDER BY random()');
  for (const w of workspaces) {
    const cutoff = new Date(Date.now() - effectiveRetentionDays(config, w.retention_days) * 86_400_000);
    for (const batch of BATCHES) {
      let done = false;
      while (!done) {
        if (overBudget()) return { ...removed, finished: false };
        const started = performance.now();
        const n = await runBatch(pool, batch.sql, [w.id, cutoff, config.retentionBatchSize], removed, batch.kind);
        done = n < config.retentionBatchSize;
        // Paced: a backlog is worked off at a share of one connection's time, so it takes WAL,
        // I/O and CPU from the hot paths at that share too (measured in docs/benchmarks.md).
        if (!done) await pause((performance.now() - started) * (100 / config.retentionDutyPercent - 1));
      }
    }
  }
  return removed;
}

const pause = (ms: number) => (ms >= 1 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

async function runBatch(pool: pg.Pool, sql: string, params: unknown[], removed: RemovedRows, kind: Kind): Promise<number> {
  const { rows } = await pool.query<{ removed: number; attempts?: number }>(sql, params);
  const r = rows[0]!;
  removed[kind] += r.removed;
  removed.attempts += r.attempts ?? 0;
  removed.batches++;
  removed.largestBatch = Math.max(removed.largestBatch, r.removed);
  return r.removed;
}

const TABLES: Record<Exclude<keyof RemovedRows, 'batches' | 'largestBatch' | 'finished'>, string> = {
  outboundDeliveries: 'outbound_delivery', attempts: 'delivery_attempt', events: 'event', inboundDeliveries: 'inbound_delivery', sessions: 'session',
  deliveryStats: 'delivery_stat_minute',
};

/** Runs every 5 minutes for at most 4, one at a time: a backlog is worked off over several runs. */
export const retention = defineScheduledJob({
  name: 'retention',
  queue: { policy: 'exclusive', retryLimit: 1, expireInSeconds: 600 },
  schedule: '*/5 * * * *',
  run: async (services) => {
    const removed = await removeExpiredRows(services, { maxMs: 4 * 60_000 });
    const counts = Object.fromEntries(Object.entries(TABLES).map(([kind, table]) => [table, removed[kind as keyof typeof TABLES]]));
    for (const [table, n] of Object.entries(counts)) if (n > 0) services.metrics.retentionRemoved.inc({ table }, n);
    if (Object.values(counts).some((n) => n > 0)) services.log.info({ removed: counts, finished: removed.finished }, 'retention removed expired rows');
  },
});
