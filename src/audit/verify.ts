// Walks a workspace's audit chain in seq order and reports the first broken link (SPEC §9). The
// oldest kept row links to the retention checkpoint (genesis until retention has removed rows).
import type pg from 'pg';
import { type AuditInput, auditRowHash } from './append.ts';

export interface ChainReport {
  ok: boolean;
  checked: number;
  /** The first row whose prev_hash or hash does not match, with why. */
  brokenAt?: { seq: number; reason: string };
}

export async function verifyChain(pool: pg.Pool, workspaceId: string, range: { from?: Date; to?: Date } = {}): Promise<ChainReport> {
  const { rows: [chain] } = await pool.query<{ checkpoint_seq: number; checkpoint_hash: string }>(
    'SELECT checkpoint_seq, checkpoint_hash FROM audit_chain WHERE workspace_id = $1', [workspaceId]);
  if (!chain) return { ok: true, checked: 0 };
  const { rows } = await pool.query(
    `SELECT * FROM webhook_audit WHERE workspace_id = $1 AND ($2::timestamptz IS NULL OR occurred_at >= $2) AND ($3::timestamptz IS NULL OR occurred_at < $3)
     ORDER BY seq`,
    [workspaceId, range.from ?? null, range.to ?? null],
  );
  let expectedPrev: string | undefined = range.from ? undefined : chain.checkpoint_hash;
  let expectedSeq: number | undefined = range.from ? undefined : chain.checkpoint_seq + 1;
  for (const r of rows) {
    const row: AuditInput = {
      workspaceId: r.workspace_id, direction: r.direction, triggerId: r.trigger_id, subscriptionId: r.subscription_id,
      deliveryId: r.delivery_id, eventType: r.event_type, headersSha256: r.headers_sha256, payloadSha256: r.payload_sha256,
      occurredAt: r.occurred_at, durationMs: r.duration_ms, attempt: r.attempt, statusCode: r.status_code, outcome: r.outcome,
      errorClass: r.error_class, sourceIp: r.source_ip,
    };
    if (expectedSeq !== undefined && r.seq !== expectedSeq) return { ok: false, checked: r.seq - 1, brokenAt: { seq: r.seq, reason: `expected seq ${expectedSeq}: rows are missing` } };
    if (expectedPrev !== undefined && r.prev_hash !== expectedPrev) return { ok: false, checked: r.seq - 1, brokenAt: { seq: r.seq, reason: 'prev_hash does not match the previous row' } };
    if (auditRowHash(r.prev_hash, r.seq, row) !== r.hash) return { ok: false, checked: r.seq - 1, brokenAt: { seq: r.seq, reason: 'hash does not match the row: it was altered' } };
    expectedPrev = r.hash;
    expectedSeq = r.seq + 1;
  }
  return { ok: true, checked: rows.length };
}
