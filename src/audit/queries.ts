// Audit reads (SPEC §9, §10, §12): auditLog's pages, one entry by its aud_ id, the rows an export
// streams, and the live auditAppended stream, all of the caller's workspace and through one filter.
//
// Order and indexes: entries are read by (occurred_at, id), which is the order aud_ ids sort in, so
// the last id seen is the keyset cursor. Each read walks one index from the cursor and stops after
// `limit` rows, so the last page costs what the first does:
//   (workspace_id, occurred_at, id)                          no filter, a time range, and the filters below
//   (workspace_id, trigger_id, occurred_at, id)      partial: only inbound rows (trigger_id IS NOT NULL)
//   (workspace_id, subscription_id, occurred_at, id) partial: only outbound rows (subscription_id IS NOT NULL)
//   (workspace_id, delivery_id, occurred_at, id)     partial: rows about a delivery
// With a time range added, each of them still bounds the walk (occurred_at is their next column).
// Direction, event type and outcome have few values each: they filter the walk of one of these
// rather than cost every appended row another index entry.
import type pg from 'pg';
import { type Principal, assertCan } from '../auth/principal.ts';
import { badInput } from '../platform/errors.ts';
import { lookupOnce } from '../platform/realtime.ts';
import type { Services } from '../platform/services.ts';
import type { AuditAppendedMessage } from './append.ts';
import { type AuditEntryRecord, auditRowKey, toAuditEntryRecord } from './audit-entry.ts';

export interface AuditFilter {
  direction?: AuditEntryRecord['direction'] | null;
  triggerId?: string | null;
  subscriptionId?: string | null;
  deliveryId?: string | null;
  eventType?: string | null;
  outcome?: string | null;
  /** Inclusive. */
  occurredAfter?: Date | null;
  /** Exclusive. */
  occurredBefore?: Date | null;
}

export function matchesAuditFilter(entry: AuditEntryRecord, filter: AuditFilter | null | undefined): boolean {
  if (!filter) return true;
  const at = entry.occurredAt.getTime();
  return (
    (!filter.direction || entry.direction === filter.direction) &&
    (!filter.triggerId || entry.triggerId === filter.triggerId) &&
    (!filter.subscriptionId || entry.subscriptionId === filter.subscriptionId) &&
    (!filter.deliveryId || entry.deliveryId === filter.deliveryId) &&
    (!filter.eventType || entry.eventType === filter.eventType) &&
    (!filter.outcome || entry.outcome === filter.outcome) &&
    (!filter.occurredAfter || at >= filter.occurredAfter.getTime()) &&
    (!filter.occurredBefore || at < filter.occurredBefore.getTime())
  );
}

/** Where a read starts: after (in its direction) the row an aud_ id names. */
export interface AuditKeyset {
  order: 'newest' | 'oldest';
  after?: { occurredAt: Date; rowId: string } | undefined;
  limit: number;
}

// id as text: exact whatever the bigserial reaches (int8 is parsed to a JS number elsewhere).
const COLUMNS = `id::text AS id, workspace_id, seq, direction, trigger_id, subscription_id, delivery_id, event_type, headers_sha256,
  payload_sha256, occurred_at, duration_ms, attempt, status_code, outcome, error_class, source_ip, hash`;

const EQUALS: Array<[keyof AuditFilter, string]> = [
  ['triggerId', 'trigger_id'], ['subscriptionId', 'subscription_id'], ['deliveryId', 'delivery_id'],
  ['direction', 'direction'], ['eventType', 'event_type'], ['outcome', 'outcome'],
];

/**
 * One statement from fixed fragments: only the parameters come from the caller. `columns` is what
 * each row returns (the export asks for its lines ready-made: audit/export.ts).
 */
export function auditRowsStatement(
  workspaceId: string, filter: AuditFilter | null | undefined, keyset: AuditKeyset, columns = COLUMNS,
): { text: string; values: unknown[] } {
  const values: unknown[] = [workspaceId];
  const where = ['workspace_id = $1'];
  const param = (value: unknown) => `$${values.push(value)}`;
  for (const [field, column] of EQUALS) {
    const value = filter?.[field];
    if (value) where.push(`${column} = ${param(value)}${field === 'direction' ? '::"AuditDirection"' : ''}`);
  }
  if (filter?.occurredAfter) where.push(`occurred_at >= ${param(filter.occurredAfter)}`);
  if (filter?.occurredBefore) where.push(`occurred_at < ${param(filter.occurredBefore)}`);
  const direction = keyset.order === 'newest' ? 'DESC' : 'ASC';
  // ORDER BY names the table's id: a bare `id` would be the text column the SELECT outputs.
  if (keyset.after) {
    where.push(`(occurred_at, id) ${keyset.order === 'newest' ? '<' : '>'} (${param(keyset.after.occurredAt)}, ${param(keyset.after.rowId)}::bigint)`);
  }
  return {
    text: `SELECT ${columns} FROM webhook_audit WHERE ${where.join(' AND ')} ORDER BY occurred_at ${direction}, webhook_audit.id ${direction} LIMIT ${param(keyset.limit)}`,
    values,
  };
}

/** Rows of one workspace in keyset order; each call is its own statement (no transaction spans calls). */
export async function readAuditRows(
  pool: pg.Pool, workspaceId: string, filter: AuditFilter | null | undefined, keyset: AuditKeyset,
): Promise<AuditEntryRecord[]> {
  const { rows } = await pool.query(auditRowsStatement(workspaceId, filter, keyset));
  return rows.map(toAuditEntryRecord);
}

/** The row an `after` cursor stood for; anything else is refused naming `field`. */
export function auditCursor(after: string | undefined, field: string): AuditKeyset['after'] {
  if (after === undefined) return undefined;
  const key = auditRowKey(after);
  if (!key) throw badInput(field, 'is not a cursor from this API');
  return key;
}

/** auditLog: newest first; `first + 1` rows come back so the caller can tell whether there is a next page. */
export async function listAuditEntries(
  services: Pick<Services, 'pool'>, principal: Principal | undefined,
  input: { first: number; after?: string | undefined; filter?: AuditFilter | null },
): Promise<AuditEntryRecord[]> {
  const { workspaceId } = assertCan(principal, 'read');
  const after = auditCursor(input.after, 'after');
  return readAuditRows(services.pool, workspaceId, input.filter, { order: 'newest', after, limit: input.first + 1 });
}

/** One entry of the caller's workspace by its aud_ id; null when there is none. */
export async function findAuditEntry(
  services: Pick<Services, 'pool'>, principal: Principal | undefined, input: { id: string },
): Promise<AuditEntryRecord | null> {
  const { workspaceId } = assertCan(principal, 'read');
  const key = auditRowKey(input.id);
  if (!key) return null;
  const { rows } = await services.pool.query(`SELECT ${COLUMNS} FROM webhook_audit WHERE id = $1::bigint AND workspace_id = $2 AND occurred_at = $3`, [
    key.rowId, workspaceId, key.occurredAt,
  ]);
  return rows[0] ? toAuditEntryRecord(rows[0]) : null;
}

/** A row as older gateways announced it: the whole row, its time as JSON text. */
type AuditRowMessage = Omit<AuditEntryRecord, 'occurredAt'> & { occurredAt: string };

/**
 * Entries as they are appended. A message names the seqs one append stored (AuditAppendedMessage):
 * they are read back once per message in this process, however many subscriptions it reaches
 * (lookupOnce), so appends cost nothing more while nobody watches. A message carrying a whole row
 * (older gateways) is used as it is.
 */
export function watchAudit(
  services: Pick<Services, 'realtime' | 'pool'>, principal: Principal | undefined, { filter }: { filter?: AuditFilter | null },
): AsyncIterableIterator<{ auditAppended: AuditEntryRecord }> {
  // Checked before the stream exists, so a refusal is an ordinary GraphQL error.
  const { workspaceId } = assertCan(principal, 'read');
  return services.realtime.streamEach<AuditAppendedMessage | AuditRowMessage, { auditAppended: AuditEntryRecord }>('audit.appended', workspaceId, async (msg) => {
    const entries = 'fromSeq' in msg
      ? await lookupOnce(msg, 'rows', () => appendedRows(services.pool, workspaceId, msg))
      : [{ ...msg, occurredAt: new Date(msg.occurredAt) }];
    return entries.filter((entry) => matchesAuditFilter(entry, filter)).map((entry) => ({ auditAppended: entry }));
  });
}

async function appendedRows(pool: pg.Pool, workspaceId: string, { fromSeq, toSeq }: AuditAppendedMessage): Promise<AuditEntryRecord[]> {
  const { rows } = await pool.query({
    name: 'audit-appended-rows',
    text: `SELECT ${COLUMNS} FROM webhook_audit WHERE workspace_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq`,
  }, [workspaceId, fromSeq, toSeq]);
  return rows.map(toAuditEntryRecord);
}
