// Appends rows to webhook_audit inside the caller's transaction, chained per workspace with a keyed
// hash computed here, in the gateway (SPEC §9). The writer keeps each workspace's head in memory
// and appends with one statement that moves the stored head only if it is still the one held (the
// optimistic check) and inserts the rows only if it moved: one round trip. When the head moved
// meanwhile (another replica appended, or a transaction of this process rolled back), the statement
// fails with AUDIT_HEAD_MOVED, the caller's transaction rolls back, and `retrying` reloads the head
// and runs the transaction again. The statement also sends the rows' live update (NOTIFY, delivered
// at commit): one message per statement naming the workspace's new seqs (AuditAppendedMessage), not
// the rows themselves, which only a process with a live auditAppended subscriber reads back.
import type pg from 'pg';
import type { ChainKeyring } from '../platform/crypto/chain-key.ts';
import { sha256Hex } from '../platform/crypto/sha256.ts';
import { CHANNEL } from '../platform/realtime.ts';
import type { Services } from '../platform/services.ts';
import { type AuditInput, type ChainHead, auditCanonical, auditRowHash } from './chain.ts';

export { GENESIS_HASH, type AuditInput } from './chain.ts';

/** SQLSTATE of audit_head_moved() (the migration 20261202020000_audit_keyed_chain). */
const AUDIT_HEAD_MOVED = 'GWA01';
/** Conflicts in a row before the caller's transaction is given up; each one reloads the heads. */
const MAX_ATTEMPTS = 10;

class AuditHeadUnknown extends Error {
  readonly code = AUDIT_HEAD_MOVED;
}

export const isAuditHeadConflict = (err: unknown) => (err as { code?: string } | undefined)?.code === AUDIT_HEAD_MOVED;

const APPEND = `
WITH moved AS (
  UPDATE audit_chain SET last_seq = $19, last_hash = $20 WHERE workspace_id = $1 AND last_seq = $21 AND last_hash = $22 RETURNING 1
),
ins AS (
  INSERT INTO webhook_audit (workspace_id, seq, direction, trigger_id, subscription_id, delivery_id, event_type, headers_sha256,
                             payload_sha256, occurred_at, duration_ms, attempt, status_code, outcome, error_class, source_ip,
                             prev_hash, hash, key_version)
  SELECT $1, u.seq, u.direction, u.trigger_id, u.subscription_id, u.delivery_id, u.event_type, u.headers_sha256, u.payload_sha256,
         u.occurred_at, u.duration_ms, u.attempt, u.status_code, u.outcome, u.error_class, u.source_ip, u.prev_hash, u.hash, $23
  FROM unnest($2::bigint[], $3::"AuditDirection"[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
              $10::timestamptz[], $11::int[], $12::int[], $13::int[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[])
    AS u(seq, direction, trigger_id, subscription_id, delivery_id, event_type, headers_sha256, payload_sha256,
         occurred_at, duration_ms, attempt, status_code, outcome, error_class, source_ip, prev_hash, hash)
  CROSS JOIN moved
  RETURNING id, seq
),
notified AS (
  SELECT pg_notify($24, m) FROM unnest($25::text[]) AS m WHERE EXISTS (SELECT 1 FROM moved)
)
SELECT ins.id::text, ins.seq, (SELECT count(*) FROM notified) AS notified FROM ins
UNION ALL
SELECT NULL, audit_head_moved($1), 0 WHERE NOT EXISTS (SELECT 1 FROM moved)`;

/**
 * What an append announces on `audit.appended`: the seqs it stored in the message's workspace.
 * Rows as messages (`{ id, ... }`, what older gateways sent: 600 bytes of JSON built per row in the
 * statement, and parsed by every replica) are still understood by the stream (audit/queries.ts).
 */
export interface AuditAppendedMessage {
  fromSeq: number;
  toSeq: number;
}

export interface AppendedRow {
  id: string;
  seq: number;
  hash: string;
}

export class AuditChainWriter {
  readonly #pool: pg.Pool;
  readonly #keys: ChainKeyring;
  /** Each workspace's head as this process's last append leaves it (committed or still in flight). */
  readonly #heads = new Map<string, ChainHead>();
  /**
   * Per workspace, the end of the queue of this process's transactions that append to it. An
   * append chains on the head the one before left in memory, which only holds if that one commits
   * first: transactions on different connections (the /hooks writer, attempt recording, pings)
   * could reach the database in another order, conflict, and retry each other out. So they take
   * turns; only another replica's appends meet the optimistic check.
   */
  readonly #turns = new Map<string, Promise<void>>();

  constructor(pool: pg.Pool, keys: ChainKeyring) {
    this.#pool = pool;
    this.#keys = keys;
  }

  /** Loads the heads this process does not hold yet (one query; none when all are held). */
  async prepare(workspaceIds: Iterable<string>): Promise<void> {
    const missing = [...new Set(workspaceIds)].filter((id) => !this.#heads.has(id));
    if (missing.length === 0) return;
    const { rows } = await this.#pool.query<{ workspace_id: string; last_seq: number; last_hash: string }>(
      'SELECT workspace_id, last_seq, last_hash FROM audit_chain WHERE workspace_id = ANY($1::text[])', [missing]);
    for (const r of rows) if (!this.#heads.has(r.workspace_id)) this.#heads.set(r.workspace_id, { seq: r.last_seq, hash: r.last_hash });
  }

  /**
   * Runs `transaction` (which appends for `workspaceIds`) with their heads loaded, again with
   * reloaded heads when one had moved.
   */
  async retrying<T>(workspaceIds: Iterable<string>, transaction: () => Promise<T>): Promise<T> {
    const ids = [...new Set(workspaceIds)].sort();
    const release = await this.#takeTurns(ids);
    try {
      for (let attempt = 1; ; attempt++) {
        await this.prepare(ids);
        try {
          return await transaction();
        } catch (err) {
          if (!isAuditHeadConflict(err) || attempt >= MAX_ATTEMPTS) throw err;
        }
      }
    } finally {
      release();
    }
  }

  /** Waits for this process's earlier transactions on these workspaces (taken in sorted order: no deadlock). */
  async #takeTurns(sortedIds: string[]): Promise<() => void> {
    const releases: Array<() => void> = [];
    for (const id of sortedIds) {
      const before = this.#turns.get(id);
      let done!: () => void;
      const mine = new Promise<void>((resolve) => (done = resolve));
      const tail = before ? before.then(() => mine) : mine;
      this.#turns.set(id, tail);
      releases.push(() => {
        done();
        if (this.#turns.get(id) === tail) this.#turns.delete(id);
      });
      if (before) await before;
    }
    return () => releases.forEach((r) => r());
  }

  /**
   * Appends one workspace's rows in order; `alsoNotify` carries further realtime messages (already
   * serialized) to send with the same commit. The statement is written before this returns (so
   * pipelined callers keep their order); the answer holds the stored rows' ids, seqs and hashes.
   */
  append(client: pg.PoolClient, workspaceId: string, rows: AuditInput[], alsoNotify: string[] = []): Promise<AppendedRow[]> {
    if (rows.length === 0) return Promise.resolve([]);
    const held = this.#heads.get(workspaceId);
    if (!held) return Promise.reject(new AuditHeadUnknown(`the audit chain head of workspace ${workspaceId} is not loaded`));
    const version = this.#keys.current;
    const chained: AppendedRow[] = [];
    const prevHashes: string[] = [];
    let prev = held;
    for (const row of rows) {
      const seq = prev.seq + 1;
      prevHashes.push(prev.hash);
      prev = { seq, hash: auditRowHash(this.#keys, version, prev.hash, seq, auditCanonical(row)) };
      chained.push({ id: '', ...prev });
    }
    const head = prev;
    // The next append of this process chains behind this one at once; its check waits for this commit.
    this.#heads.set(workspaceId, head);
    const col = <K extends keyof AuditInput>(k: K) => rows.map((r) => r[k]);
    const appended = JSON.stringify({ topic: 'audit.appended', workspaceId, data: { fromSeq: held.seq + 1, toSeq: head.seq } satisfies AuditAppendedMessage });
    const answer = client.query<{ id: string; seq: number }>({ name: 'audit-append-keyed', text: APPEND }, [
      workspaceId, chained.map((c) => c.seq), col('direction'), col('triggerId'), col('subscriptionId'), col('deliveryId'),
      col('eventType'), col('headersSha256'), col('payloadSha256'), col('occurredAt'), col('durationMs'), col('attempt'),
      col('statusCode'), col('outcome'), col('errorClass'), col('sourceIp'), prevHashes, chained.map((c) => c.hash),
      head.seq, head.hash, held.seq, held.hash, version, CHANNEL, [appended, ...alsoNotify],
    ]);
    return answer.then(({ rows: stored }) => {
      if (stored.length !== rows.length) throw new Error(`audit chain of workspace ${workspaceId} is missing; no row was appended`);
      return stored.map((r, i) => ({ id: r.id, seq: r.seq, hash: chained[i]!.hash }));
    }, (err: unknown) => {
      // What this process holds is no longer what the database will have: reloaded on next use.
      if (this.#heads.get(workspaceId) === head) this.#heads.delete(workspaceId);
      throw err;
    });
  }
}

const writers = new WeakMap<pg.Pool, AuditChainWriter>();

/** The process's writer, made on first use beside its pool. */
export function auditWriter(services: Pick<Services, 'pool' | 'chainKeys'>): AuditChainWriter {
  let writer = writers.get(services.pool);
  if (!writer) {
    writer = new AuditChainWriter(services.pool, services.chainKeys);
    writers.set(services.pool, writer);
  }
  return writer;
}

/** SHA-256 over the request's headers in a canonical form: lower-case names, sorted, one per line. */
export function headersSha256(headers: Record<string, string | string[] | undefined>): string {
  // One pass and no intermediate arrays: this runs for every outbound attempt and inbound request.
  const lines: string[] = [];
  for (const k in headers) {
    const v = headers[k];
    if (v !== undefined) lines.push(`${k.toLowerCase()}:${Array.isArray(v) ? v.join(',') : v}`);
  }
  return sha256Hex(lines.sort().join('\n'));
}
