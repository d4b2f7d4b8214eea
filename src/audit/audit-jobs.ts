// The audit chain's scheduled work (SPEC §9, §14): re-verification, which logs and exports the head
// it reached (a copy outside the database's reach), and retention, which removes the oldest rows
// through the owner's path and keeps a keyed checkpoint of the last one removed.
import type pg from 'pg';
import { withTransaction } from '../platform/db/pool.ts';
import { defineScheduledJob } from '../platform/jobs/job.ts';
import type { Services } from '../platform/services.ts';
import { type ChainHead, GENESIS_HASH, checkpointMac } from './chain.ts';
import { type AuditRow, type Checkpoint, checkpointProblem, rowProblem, walkChain } from './verify.ts';

/** Rows one scheduled run verifies per workspace; the next run goes on from there. */
const VERIFY_ROWS_PER_RUN = 100_000;
/** Rows one retention transaction removes: short transactions, no lock the writers wait on for long. */
export const RETENTION_BATCH = 1000;
/** Batches per workspace and run: the rest waits for the next run. */
const RETENTION_BATCHES_PER_RUN = 50;

interface VerificationState {
  /** The head each workspace verified up to, kept by this process. */
  verified: Map<string, ChainHead>;
  /** The reason last logged for a broken chain: a breach is logged once. */
  breached: Map<string, string>;
}

const states = new WeakMap<pg.Pool, VerificationState>();

function stateOf(pool: pg.Pool): VerificationState {
  let state = states.get(pool);
  if (!state) {
    state = { verified: new Map(), breached: new Map() };
    states.set(pool, state);
  }
  return state;
}

/** Verifies each workspace's rows appended since the last run, and that the head it kept is still there. */
export async function reverifyAuditChains(services: Pick<Services, 'pool' | 'chainKeys' | 'log' | 'metrics'>): Promise<void> {
  const { pool, chainKeys, log, metrics } = services;
  const state = stateOf(pool);
  const { rows } = await pool.query<{ workspace_id: string }>('SELECT workspace_id FROM audit_chain ORDER BY workspace_id');
  for (const { workspace_id: workspaceId } of rows) {
    const kept = state.verified.get(workspaceId);
    const verdict = await walkChain(pool, chainKeys, workspaceId, kept ? { fromSeq: kept.seq + 1, expectedHead: kept, limit: VERIFY_ROWS_PER_RUN } : { limit: VERIFY_ROWS_PER_RUN });
    if (!verdict.ok) {
      metrics.auditChainBroken.set({ workspace: workspaceId }, 1);
      if (state.breached.get(workspaceId) !== verdict.reason) {
        state.breached.set(workspaceId, verdict.reason ?? '');
        metrics.auditChainBreaches.inc({ workspace: workspaceId });
        log.error({ workspaceId, reason: verdict.reason, brokenSeq: verdict.firstBrokenEntry?.seq ?? null, verifiedSeq: kept?.seq ?? null }, 'audit chain broken');
      }
      continue;
    }
    state.breached.delete(workspaceId);
    metrics.auditChainBroken.set({ workspace: workspaceId }, 0);
    const head = verdict.head ? { seq: verdict.head.seq, hash: verdict.head.hash } : kept;
    if (!head) continue;
    metrics.auditChainHeadSeq.set({ workspace: workspaceId }, head.seq);
    if (head.seq !== kept?.seq) log.info({ workspaceId, seq: head.seq, hash: head.hash, checked: verdict.checked }, 'audit chain verified');
    state.verified.set(workspaceId, head);
  }
}

export const auditChainVerification = defineScheduledJob({
  name: 'audit-chain-verify',
  queue: { retryLimit: 0, expireInSeconds: 600 },
  schedule: '* * * * *',
  run: (services) => reverifyAuditChains(services),
});

/**
 * Removes audit rows older than AUDIT_RETENTION_DAYS, oldest first, through the owner's path. Only a
 * prefix of the chain that verifies is removed (never the evidence of a break), and the last row
 * removed becomes the keyed RETENTION checkpoint the oldest kept row is verified from. Returns the
 * number of rows removed.
 */
export async function removeExpiredAuditRows(services: Pick<Services, 'ownerPool' | 'chainKeys' | 'log' | 'config'>, now = new Date()): Promise<number> {
  const { ownerPool, log, config } = services;
  if (!ownerPool) {
    log.warn('audit retention skipped: this process has no owner connection (DATABASE_OWNER_URL)');
    return 0;
  }
  const cutoff = new Date(now.getTime() - config.auditRetentionDays * 86_400_000);
  const { rows } = await ownerPool.query<{ workspace_id: string }>(
    `SELECT c.workspace_id FROM audit_chain c WHERE EXISTS (SELECT 1 FROM webhook_audit a WHERE a.workspace_id = c.workspace_id AND a.occurred_at < $1)`, [cutoff]);
  let removed = 0;
  for (const { workspace_id: workspaceId } of rows) {
    for (let batch = 0; batch < RETENTION_BATCHES_PER_RUN; batch++) {
      const n = await removeBatch(ownerPool, services, workspaceId, cutoff);
      removed += n;
      if (n < RETENTION_BATCH) break;
    }
  }
  if (removed > 0) log.info({ removed, before: cutoff.toISOString() }, 'audit retention removed rows');
  return removed;
}

async function removeBatch(owner: pg.Pool, { chainKeys, log }: Pick<Services, 'chainKeys' | 'log'>, workspaceId: string, cutoff: Date): Promise<number> {
  return withTransaction(owner, async (client) => {
    // One retention at a time per workspace: the checkpoint only ever moves forward.
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('audit-retention:' || $1))`, [workspaceId]);
    await client.query(`SET LOCAL webhook.audit_maintenance = 'on'`);
    const { rows: checkpoints } = await client.query<Checkpoint>('SELECT kind, seq, hash, key_version, mac FROM audit_checkpoint WHERE workspace_id = $1', [workspaceId]);
    // Built on only once their MACs hold: an invalid checkpoint must stay as evidence, not be
    // overwritten by a freshly keyed one after the rows it vouched for are gone.
    const invalid = checkpoints.map((c) => checkpointProblem(chainKeys, workspaceId, c)).find((p) => p !== undefined);
    if (invalid) {
      log.error({ workspaceId, reason: invalid }, 'audit retention skipped the workspace: a checkpoint does not verify');
      return 0; // nothing written: the commit changes nothing
    }
    const retention = checkpoints.find((c) => c.kind === 'RETENTION');
    const boundary = checkpoints.find((c) => c.kind === 'BOUNDARY');
    let link: ChainHead = retention ?? { seq: 0, hash: GENESIS_HASH };
    const { rows } = await client.query<AuditRow>('SELECT * FROM webhook_audit WHERE workspace_id = $1 AND seq > $2 ORDER BY seq LIMIT $3', [workspaceId, link.seq, RETENTION_BATCH]);
    let count = 0;
    for (const r of rows) {
      if (r.occurred_at >= cutoff) break;
      const problem = rowProblem(chainKeys, r, link.seq + 1, link.hash, boundary);
      if (problem) {
        log.error({ workspaceId, seq: r.seq, reason: problem }, 'audit retention stopped at a broken row: it is kept as evidence');
        break;
      }
      link = { seq: r.seq, hash: r.hash };
      count++;
    }
    if (count > 0) {
      await client.query('DELETE FROM webhook_audit WHERE workspace_id = $1 AND seq > $2 AND seq <= $3', [workspaceId, retention?.seq ?? 0, link.seq]);
      await client.query(
        `INSERT INTO audit_checkpoint (workspace_id, kind, seq, hash, key_version, mac) VALUES ($1, 'RETENTION', $2, $3, $4, $5)
         ON CONFLICT (workspace_id, kind) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, key_version = EXCLUDED.key_version, mac = EXCLUDED.mac, updated_at = now()`,
        [workspaceId, link.seq, link.hash, chainKeys.current, checkpointMac(chainKeys, chainKeys.current, workspaceId, 'RETENTION', link)]);
    }
    return count;
  });
}

export const auditRetention = defineScheduledJob({
  name: 'audit-retention',
  queue: { retryLimit: 1, expireInSeconds: 900 },
  schedule: '23 * * * *',
  run: async (services) => {
    await removeExpiredAuditRows(services);
  },
});
