// A webhook_audit row as the API shows it (SPEC §9), and its public id. The table's key is a
// bigserial; the public id (aud_, SPEC §4) carries it with the row's time in the usual 26-character
// format (platform/ids.ts), so ids sort by (occurred_at, id), which is the order audit reads page in,
// and an id leads straight back to its row.
import { idForNumber, idKind, idParts } from '../platform/ids.ts';

/** A webhook_audit row; `id` is the row's number (as text) or, once shown, its aud_ id. */
export interface AuditEntryRecord {
  id: string;
  workspaceId: string;
  seq: number;
  direction: 'INBOUND' | 'OUTBOUND';
  triggerId: string | null;
  subscriptionId: string | null;
  deliveryId: string | null;
  eventType: string | null;
  headersSha256: string;
  payloadSha256: string;
  occurredAt: Date;
  durationMs: number | null;
  attempt: number | null;
  statusCode: number | null;
  outcome: string;
  errorClass: string | null;
  sourceIp: string | null;
  hash: string;
}

/** The aud_ id of a row, whether `id` holds the row's number or already the public id. */
export function auditEntryId(entry: Pick<AuditEntryRecord, 'id' | 'occurredAt'>): string {
  // String(): a row read with int8 parsed as a number (platform/db/pool.ts) may carry its id as one.
  const id = String(entry.id);
  if (id.startsWith('aud_')) return id;
  return idForNumber('auditEntry', new Date(entry.occurredAt).getTime(), BigInt(id));
}

/** The row an aud_ id names (its number and time); undefined for any other string. */
export function auditRowKey(id: string): { rowId: string; occurredAt: Date } | undefined {
  if (idKind(id) !== 'auditEntry') return undefined;
  const parts = idParts(id)!;
  if (parts.value > 9_223_372_036_854_775_807n) return undefined; // past PostgreSQL's bigint
  return { rowId: parts.value.toString(), occurredAt: new Date(parts.timeMs) };
}

/** webhook_audit's columns as a record with its public id (the hashes' chain fields stay out). */
export function toAuditEntryRecord(r: Record<string, unknown>): AuditEntryRecord {
  const occurredAt = r.occurred_at as Date;
  return {
    id: auditEntryId({ id: String(r.id), occurredAt }), workspaceId: r.workspace_id as string, seq: r.seq as number,
    direction: r.direction as AuditEntryRecord['direction'], triggerId: r.trigger_id as string | null,
    subscriptionId: r.subscription_id as string | null, deliveryId: r.delivery_id as string | null, eventType: r.event_type as string | null,
    headersSha256: r.headers_sha256 as string, payloadSha256: r.payload_sha256 as string, occurredAt, durationMs: r.duration_ms as number | null,
    attempt: r.attempt as number | null, statusCode: r.status_code as number | null, outcome: r.outcome as string,
    errorClass: r.error_class as string | null, sourceIp: r.source_ip as string | null, hash: r.hash as string,
  };
}
