// The audit export (SPEC §9, §12): the workspace's entries, oldest first, through auditLog's filter,
// read in keyset batches. Each batch is its own statement on the pool, so no transaction (and no
// connection) is held while the client reads; the caller asks for the next batch only once the
// previous one has been taken, which is what bounds what an export holds in memory.
//
// PostgreSQL writes each line's JSON (all but the aud_ id, which only the gateway encodes): an
// export streams millions of rows, and parsing each row into objects and serializing it again
// would cost the gateway far more CPU and garbage than the text it sends.
//
// A key runs at most EXPORTS_PER_KEY exports at once on a replica: an export holds a socket for as
// long as its client reads, and a few keys must not be able to occupy the process.
import type pg from 'pg';
import { type Principal, assertCan } from '../auth/principal.ts';
import type { Services } from '../platform/services.ts';
import { auditEntryId } from './audit-entry.ts';
import { type AuditFilter, type AuditKeyset, auditCursor, auditRowsStatement } from './queries.ts';

export const EXPORT_BATCH_ROWS = 500;
export const EXPORTS_PER_KEY = 2;

/** A third export of one key while two run. */
export class TooManyExports extends Error {
  constructor() {
    super(`at most ${EXPORTS_PER_KEY} audit exports may run at once per API key; wait for one to finish`);
  }
}

export interface AuditExport {
  /** Batches of at most EXPORT_BATCH_ROWS NDJSON lines (each ending in \n), oldest first; the next is read only when asked for. */
  batches: AsyncGenerator<string[]>;
  /** Gives the key's slot back; call it once, however the export ended. */
  release: () => void;
}

// The AuditEntry fields after the id, in the API's order and formats: seq as a string (64-bit),
// occurredAt as ISO-8601 UTC with milliseconds, as the DateTime scalar writes it.
const LINE_COLUMNS = `id::text AS id, (extract(epoch FROM occurred_at) * 1000)::bigint AS ms, json_build_object(
  'seq', seq::text, 'direction', direction, 'triggerId', trigger_id, 'subscriptionId', subscription_id, 'deliveryId', delivery_id,
  'eventType', event_type, 'headersSha256', headers_sha256, 'payloadSha256', payload_sha256,
  'occurredAt', to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'durationMs', duration_ms,
  'attempt', attempt, 'statusCode', status_code, 'outcome', outcome, 'errorClass', error_class, 'sourceIp', source_ip,
  'hash', hash)::text AS body`;

async function readLines(pool: pg.Pool, workspaceId: string, filter: AuditFilter, keyset: AuditKeyset) {
  const { rows } = await pool.query<{ id: string; ms: number; body: string }>(auditRowsStatement(workspaceId, filter, keyset, LINE_COLUMNS));
  const lines = rows.map((r) => `{"id":"${auditEntryId({ id: r.id, occurredAt: new Date(r.ms) })}",${r.body.slice(1)}\n`);
  const last = rows.at(-1);
  return { lines, last: last && { rowId: last.id, occurredAt: new Date(last.ms) } };
}

// Running exports per key, per process: kept beside the process's pool, as domain state is.
const running = new WeakMap<Services['pool'], Map<string, number>>();

/** Takes one of the key's slots, or refuses with TooManyExports; returns its release. */
function takeSlot(pool: pg.Pool, keyId: string): () => void {
  const counts = running.get(pool) ?? new Map<string, number>();
  running.set(pool, counts);
  const held = counts.get(keyId) ?? 0;
  if (held >= EXPORTS_PER_KEY) throw new TooManyExports();
  counts.set(keyId, held + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (counts.get(keyId) ?? 1) - 1;
    if (left > 0) counts.set(keyId, left);
    else counts.delete(keyId);
  };
}

/**
 * Starts an export for the caller (ADMIN or VIEWER): `after` is the aud_ id of the last entry a
 * previous export delivered, to resume from it.
 */
export function openAuditExport(
  services: Pick<Services, 'pool'>, principal: Principal | undefined, input: { filter: AuditFilter; after?: string | undefined },
): AuditExport {
  const { workspaceId, keyId } = assertCan(principal, 'read');
  const start = auditCursor(input.after, 'after');
  const release = takeSlot(services.pool, keyId);
  async function* batches(): AsyncGenerator<string[]> {
    let after = start;
    for (;;) {
      const { lines, last } = await readLines(services.pool, workspaceId, input.filter, { order: 'oldest', after, limit: EXPORT_BATCH_ROWS });
      if (lines.length > 0) yield lines;
      if (lines.length < EXPORT_BATCH_ROWS) return;
      after = last;
    }
  }
  return { batches: batches(), release };
}
