// Appends rows to webhook_audit inside the caller's transaction, chained per workspace (SPEC §9):
// each row's hash is SHA-256 over the previous row's hash, the row's seq and the row's canonical
// text. One statement per workspace and batch: it locks the workspace's audit_chain head (so
// concurrent appends serialize and the chain never forks), computes the hashes in order, inserts
// the rows, moves the head, and notifies live subscribers, all before the caller commits.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { CHANNEL } from '../platform/realtime.ts';
import type { AuditEntryRecord } from './audit-entry.ts';

export const GENESIS_HASH = '0'.repeat(64);

export type AuditInput = Omit<AuditEntryRecord, 'id' | 'seq' | 'hash'>;

/** The row's fields in a fixed order, ISO time, nulls explicit; seq and hashes are chained apart. */
export function auditCanonical(row: AuditInput): string {
  return JSON.stringify([
    row.workspaceId, row.direction, row.triggerId, row.subscriptionId, row.deliveryId, row.eventType,
    row.headersSha256, row.payloadSha256, row.occurredAt.toISOString(), row.durationMs, row.attempt,
    row.statusCode, row.outcome, row.errorClass, row.sourceIp,
  ]);
}

/** The hash a row must carry: what the append statement computes, for verification. */
export function auditRowHash(prevHash: string, seq: number, row: AuditInput): string {
  return createHash('sha256').update(`${prevHash}\n${seq}\n${auditCanonical(row)}`).digest('hex');
}

const APPEND = `
WITH RECURSIVE
head AS (SELECT last_seq, last_hash FROM audit_chain WHERE workspace_id = $1 FOR UPDATE),
input AS (
  SELECT * FROM unnest($2::text[], $3::"AuditDirection"[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                       $10::timestamptz[], $11::int[], $12::int[], $13::int[], $14::text[], $15::text[], $16::text[])
    WITH ORDINALITY AS u(canonical, direction, trigger_id, subscription_id, delivery_id, event_type, headers_sha256, payload_sha256,
                         occurred_at, duration_ms, attempt, status_code, outcome, error_class, source_ip, n)
),
chain(n, seq, prev_hash, hash) AS (
  SELECT 0::bigint, last_seq, NULL::text, last_hash FROM head
  UNION ALL
  SELECT c.n + 1, c.seq + 1, c.hash,
         encode(sha256(convert_to(c.hash || E'\\n' || (c.seq + 1)::text || E'\\n' || i.canonical, 'UTF8')), 'hex')
  FROM chain c JOIN input i ON i.n = c.n + 1
),
ins AS (
  INSERT INTO webhook_audit (workspace_id, seq, direction, trigger_id, subscription_id, delivery_id, event_type, headers_sha256,
                             payload_sha256, occurred_at, duration_ms, attempt, status_code, outcome, error_class, source_ip, prev_hash, hash)
  SELECT $1, c.seq, i.direction, i.trigger_id, i.subscription_id, i.delivery_id, i.event_type, i.headers_sha256, i.payload_sha256,
         i.occurred_at, i.duration_ms, i.attempt, i.status_code, i.outcome, i.error_class, i.source_ip, c.prev_hash, c.hash
  FROM chain c JOIN input i ON i.n = c.n
  RETURNING *
),
moved AS (
  UPDATE audit_chain SET last_seq = t.seq, last_hash = t.hash
  FROM (SELECT seq, hash FROM chain ORDER BY n DESC LIMIT 1) t
  WHERE workspace_id = $1
  RETURNING 1
),
notified AS (
  SELECT pg_notify($17, m) FROM (
    SELECT json_build_object('topic', 'audit.appended', 'workspaceId', workspace_id, 'data', json_build_object(
      'id', id::text, 'workspaceId', workspace_id, 'seq', seq, 'direction', direction, 'triggerId', trigger_id,
      'subscriptionId', subscription_id, 'deliveryId', delivery_id, 'eventType', event_type, 'headersSha256', headers_sha256,
      'payloadSha256', payload_sha256, 'occurredAt', occurred_at, 'durationMs', duration_ms, 'attempt', attempt,
      'statusCode', status_code, 'outcome', outcome, 'errorClass', error_class, 'sourceIp', source_ip, 'hash', hash))::text
    FROM ins
    UNION ALL SELECT unnest($18::text[])
  ) AS x(m)
)
SELECT ins.id::text, ins.seq, ins.hash, (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM notified) AS notified
FROM ins ORDER BY ins.seq`;

/**
 * Appends one workspace's rows in order; `alsoNotify` carries further realtime messages (already
 * serialized) to send with the same commit. Returns the stored rows' ids, seqs and hashes.
 */
export async function appendAudit(
  client: pg.PoolClient, workspaceId: string, rows: AuditInput[], alsoNotify: string[] = [],
): Promise<Array<{ id: string; seq: number; hash: string }>> {
  if (rows.length === 0) return [];
  const col = <K extends keyof AuditInput>(k: K) => rows.map((r) => r[k]);
  const { rows: stored } = await client.query<{ id: string; seq: number; hash: string }>({ name: 'audit-append', text: APPEND }, [
    workspaceId, rows.map(auditCanonical), col('direction'), col('triggerId'), col('subscriptionId'), col('deliveryId'),
    col('eventType'), col('headersSha256'), col('payloadSha256'), col('occurredAt'), col('durationMs'), col('attempt'),
    col('statusCode'), col('outcome'), col('errorClass'), col('sourceIp'), CHANNEL, alsoNotify,
  ]);
  if (stored.length !== rows.length) throw new Error(`audit chain of workspace ${workspaceId} is missing; no row was appended`);
  return stored.map((r) => ({ id: r.id, seq: r.seq, hash: r.hash }));
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
