// The audit export (SPEC §9, §12): the workspace's entries, oldest first, through auditLog's filter,
// read in keyset batches. Each batch is its own statement on the pool, so no transaction (and no
// connection) is held while the client reads; the caller asks for the next batch only once the
// previous one has been taken, which is what bounds what an export holds in memory.
//
// A key runs at most EXPORTS_PER_KEY exports at once on a replica: an export holds a socket for as
// long as its client reads, and a few keys must not be able to occupy the process.
import { type Principal, assertCan } from '../auth/principal.ts';
import type { Services } from '../platform/services.ts';
import { type AuditEntryRecord, auditEntryId } from './audit-entry.ts';
import { type AuditFilter, auditCursor, readAuditRows } from './queries.ts';

export const EXPORT_BATCH_ROWS = 500;
export const EXPORTS_PER_KEY = 2;

/** A third export of one key while two run. */
export class TooManyExports extends Error {
  constructor() {
    super(`at most ${EXPORTS_PER_KEY} audit exports may run at once per API key; wait for one to finish`);
  }
}

export interface AuditExport {
  /** Batches of at most EXPORT_BATCH_ROWS entries, oldest first; the next is read only when asked for. */
  batches: AsyncGenerator<AuditEntryRecord[]>;
  /** Gives the key's slot back; call it once, however the export ended. */
  release: () => void;
}

// Running exports per key, per process: kept beside the process's pool, as domain state is.
const running = new WeakMap<Services['pool'], Map<string, number>>();

/**
 * Starts an export for the caller (ADMIN or VIEWER): `after` is the aud_ id of the last entry a
 * previous export delivered, to resume from it.
 */
export function openAuditExport(
  services: Pick<Services, 'pool'>, principal: Principal | undefined, input: { filter: AuditFilter; after?: string | undefined },
): AuditExport {
  const { workspaceId, keyId } = assertCan(principal, 'read');
  const start = auditCursor(input.after, 'after');
  const counts = running.get(services.pool) ?? new Map<string, number>();
  running.set(services.pool, counts);
  const held = counts.get(keyId) ?? 0;
  if (held >= EXPORTS_PER_KEY) throw new TooManyExports();
  counts.set(keyId, held + 1);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    const left = (counts.get(keyId) ?? 1) - 1;
    if (left > 0) counts.set(keyId, left);
    else counts.delete(keyId);
  };
  async function* batches(): AsyncGenerator<AuditEntryRecord[]> {
    let after = start;
    for (;;) {
      const rows = await readAuditRows(services.pool, workspaceId, input.filter, { order: 'oldest', after, limit: EXPORT_BATCH_ROWS });
      if (rows.length > 0) yield rows;
      if (rows.length < EXPORT_BATCH_ROWS) return;
      const last = rows[rows.length - 1]!;
      after = auditCursor(last.id, 'after');
    }
  }
  return { batches: batches(), release };
}

/** One NDJSON line: the AuditEntry fields, id as aud_, seq as a string (a 64-bit integer). */
export function auditExportLine(e: AuditEntryRecord): string {
  return `${JSON.stringify({
    id: auditEntryId(e), seq: String(e.seq), direction: e.direction, triggerId: e.triggerId, subscriptionId: e.subscriptionId,
    deliveryId: e.deliveryId, eventType: e.eventType, headersSha256: e.headersSha256, payloadSha256: e.payloadSha256,
    occurredAt: e.occurredAt.toISOString(), durationMs: e.durationMs, attempt: e.attempt, statusCode: e.statusCode, outcome: e.outcome,
    errorClass: e.errorClass, sourceIp: e.sourceIp, hash: e.hash,
  })}\n`;
}
