// Appends rows to webhook_audit inside the caller's transaction, chained per workspace (SPEC §9):
// each row's hash covers its own fields and the previous row's hash. The workspace's audit_chain
// row is locked for the append, so concurrent appends in one workspace serialize and the chain
// has no forks; other workspaces are not blocked.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { AuditEntryRecord } from './audit-entry.ts';

export const GENESIS_HASH = '0'.repeat(64);

export type AuditInput = Omit<AuditEntryRecord, 'id' | 'seq' | 'hash'>;

/** The hashed form of a row: fixed field order, ISO time, nulls explicit. */
export function auditRowHash(prevHash: string, seq: number, row: AuditInput): string {
  const canonical = JSON.stringify([
    row.workspaceId, seq, row.direction, row.triggerId, row.subscriptionId, row.deliveryId, row.eventType,
    row.headersSha256, row.payloadSha256, row.occurredAt.toISOString(), row.durationMs, row.attempt,
    row.statusCode, row.outcome, row.errorClass, row.sourceIp,
  ]);
  return createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex');
}

/** Appends rows of one workspace; returns them as stored. Call inside a transaction. */
export async function appendAudit(client: pg.PoolClient, workspaceId: string, rows: AuditInput[]): Promise<AuditEntryRecord[]> {
  if (rows.length === 0) return [];
  await client.query(
    `INSERT INTO audit_chain (workspace_id, last_hash, checkpoint_hash) VALUES ($1, $2, $2) ON CONFLICT DO NOTHING`,
    [workspaceId, GENESIS_HASH],
  );
  const { rows: [chain] } = await client.query<{ last_seq: number; last_hash: string }>(
    'SELECT last_seq, last_hash FROM audit_chain WHERE workspace_id = $1 FOR UPDATE',
    [workspaceId],
  );
  let seq = chain!.last_seq;
  let prev = chain!.last_hash;
  const stored: Array<AuditEntryRecord & { prevHash: string }> = rows.map((row) => {
    seq += 1;
    const hash = auditRowHash(prev, seq, row);
    const entry = { ...row, id: '', seq, hash, prevHash: prev };
    prev = hash;
    return entry;
  });
  const col = <K extends keyof (typeof stored)[number]>(k: K) => stored.map((r) => r[k]);
  const { rows: inserted } = await client.query<{ id: number; seq: number }>(
    `INSERT INTO webhook_audit (workspace_id, seq, direction, trigger_id, subscription_id, delivery_id, event_type,
        headers_sha256, payload_sha256, occurred_at, duration_ms, attempt, status_code, outcome, error_class, source_ip, prev_hash, hash)
     SELECT $1, * FROM unnest($2::bigint[], $3::"AuditDirection"[], $4::text[], $5::text[], $6::text[], $7::text[],
        $8::text[], $9::text[], $10::timestamptz[], $11::int[], $12::int[], $13::int[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[])
     RETURNING id, seq`,
    [
      workspaceId, col('seq'), col('direction'), col('triggerId'), col('subscriptionId'), col('deliveryId'), col('eventType'),
      col('headersSha256'), col('payloadSha256'), col('occurredAt'), col('durationMs'), col('attempt'), col('statusCode'),
      col('outcome'), col('errorClass'), col('sourceIp'), col('prevHash'), col('hash'),
    ],
  );
  await client.query('UPDATE audit_chain SET last_seq = $2, last_hash = $3 WHERE workspace_id = $1', [workspaceId, seq, prev]);
  const idBySeq = new Map(inserted.map((r) => [r.seq, r.id]));
  return stored.map(({ prevHash: _p, ...r }) => ({ ...r, id: String(idBySeq.get(r.seq)) }));
}

export const sha256Hex = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** SHA-256 over the request's headers in a canonical form: lower-case names, sorted, one per line. */
export function headersSha256(headers: Record<string, string | string[] | undefined>): string {
  const lines = Object.entries(headers)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k.toLowerCase()}:${Array.isArray(v) ? v.join(',') : v}`)
    .sort();
  return sha256Hex(lines.join('\n'));
}
