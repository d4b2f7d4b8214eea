// Walks a workspace's audit chain in seq order and reports the first broken link (SPEC §9). The
// walk starts at the retention checkpoint (genesis until retention has removed rows), checks the
// SHA-256 rows up to the sealed boundary and the keyed rows after it, and compares the end with the
// stored head and with a head the caller kept (which the database cannot rewrite).
import type pg from 'pg';
import { type ChainKeyring, UNKEYED_VERSION } from '../platform/crypto/chain-key.ts';
import type { AuditEntryRecord } from './audit-entry.ts';
import { type ChainHead, type CheckpointKind, GENESIS_HASH, auditCanonical, auditRowHash, checkpointMac } from './chain.ts';

/** Rows one call checks at most; `checked` and `head` tell the caller where to go on. */
export const MAX_ROWS_PER_CALL = 1_000_000;
const BATCH_ROWS = 5000;

export interface ChainVerdict {
  ok: boolean;
  checked: number;
  /** The newest row checked. */
  head: (ChainHead & { occurredAt: Date }) | null;
  firstBrokenEntry: AuditEntryRecord | null;
  reason: string | null;
}

export interface WalkOptions {
  /** First seq to check (its predecessor's stored hash is the link); absent: the oldest kept row. */
  fromSeq?: number;
  /** Last seq to check; absent: the stored head, which the walk's end must then match. */
  toSeq?: number;
  expectedHead?: ChainHead;
  limit?: number;
}

export interface Checkpoint {
  kind: CheckpointKind;
  seq: number;
  hash: string;
  key_version: number | null;
  mac: string | null;
}

export interface AuditRow {
  id: string; workspace_id: string; seq: number; direction: 'INBOUND' | 'OUTBOUND'; trigger_id: string | null; subscription_id: string | null;
  delivery_id: string | null; event_type: string | null; headers_sha256: string; payload_sha256: string; occurred_at: Date;
  duration_ms: number | null; attempt: number | null; status_code: number | null; outcome: string; error_class: string | null;
  source_ip: string | null; prev_hash: string; hash: string; key_version: number;
}

export function toAuditEntry(r: AuditRow): AuditEntryRecord {
  return {
    id: String(r.id), workspaceId: r.workspace_id, seq: r.seq, direction: r.direction, triggerId: r.trigger_id, subscriptionId: r.subscription_id,
    deliveryId: r.delivery_id, eventType: r.event_type, headersSha256: r.headers_sha256, payloadSha256: r.payload_sha256, occurredAt: r.occurred_at,
    durationMs: r.duration_ms, attempt: r.attempt, statusCode: r.status_code, outcome: r.outcome, errorClass: r.error_class, sourceIp: r.source_ip, hash: r.hash,
  };
}

const broken = (checked: number, head: ChainVerdict['head'], reason: string, row?: AuditRow): ChainVerdict =>
  ({ ok: false, checked, head, firstBrokenEntry: row ? toAuditEntry(row) : null, reason });

/** Why a checkpoint cannot be trusted, if it cannot: the service role holds no key to forge one. */
export function checkpointProblem(keys: ChainKeyring, workspaceId: string, c: Checkpoint): string | undefined {
  const name = `the ${c.kind.toLowerCase()} checkpoint at seq ${c.seq}`;
  if (c.mac === null || c.key_version === null) return `${name} is not sealed yet: start a gateway process with the owner's connection`;
  if (!keys.has(c.key_version)) return `${name} is sealed with key version ${c.key_version}, which this gateway does not hold`;
  return checkpointMac(keys, c.key_version, workspaceId, c.kind, c) === c.mac ? undefined : `${name} does not carry its MAC: it was moved or altered`;
}

/** Why a row breaks the chain, given the link it must carry; undefined when it holds. */
export function rowProblem(keys: ChainKeyring, r: AuditRow, expectSeq: number, expectPrev: string, boundary: Checkpoint | undefined): string | undefined {
  if (r.seq !== expectSeq) return `rows are missing before it: expected seq ${expectSeq}`;
  if (r.prev_hash !== expectPrev) return `its prev_hash is not the hash of seq ${r.seq - 1}`;
  const legacy = boundary !== undefined && r.seq <= boundary.seq;
  if (legacy && r.key_version !== UNKEYED_VERSION) return `it is keyed, but rows up to seq ${boundary.seq} were chained with plain SHA-256`;
  if (!legacy && r.key_version === UNKEYED_VERSION) return 'it carries a plain SHA-256 hash where the chain is keyed: it was not written by the gateway';
  if (!legacy && !keys.has(r.key_version)) return `it names key version ${r.key_version}, which this gateway does not hold`;
  if (auditRowHash(keys, r.key_version, r.prev_hash, r.seq, auditCanonical(toAuditEntry(r))) !== r.hash) return 'its hash does not match its content: it was altered';
  if (boundary && r.seq === boundary.seq && r.hash !== boundary.hash) return 'it is not the row the keyed boundary sealed';
  return undefined;
}

interface Start {
  seq: number;
  hash: string;
  problem?: { reason: string; row?: AuditRow };
}

/** The link the first checked row must carry: the retention checkpoint, genesis, or the row before `fromSeq`. */
async function startOf(pool: pg.Pool, workspaceId: string, retention: Checkpoint | undefined, fromSeq: number | undefined): Promise<Start> {
  const oldest = retention ? { seq: retention.seq, hash: retention.hash } : { seq: 0, hash: GENESIS_HASH };
  if (fromSeq === undefined || fromSeq <= oldest.seq + 1) return oldest;
  const { rows: [before] } = await pool.query<{ hash: string }>('SELECT hash FROM webhook_audit WHERE workspace_id = $1 AND seq = $2', [workspaceId, fromSeq - 1]);
  if (before) return { seq: fromSeq - 1, hash: before.hash };
  const { rows: [first] } = await pool.query<AuditRow>('SELECT * FROM webhook_audit WHERE workspace_id = $1 AND seq = $2', [workspaceId, fromSeq]);
  return { ...oldest, problem: { reason: `the row before it (seq ${fromSeq - 1}) is missing`, ...(first ? { row: first } : {}) } };
}

/**
 * Checks seqs from the start up to `toSeq` (or the stored head) in batches; at most `limit` rows.
 * The stored head is read first, so rows appended meanwhile are left to the next call.
 */
export async function walkChain(pool: pg.Pool, keys: ChainKeyring, workspaceId: string, options: WalkOptions = {}): Promise<ChainVerdict> {
  // One snapshot: an append moves the head and inserts its rows in one statement, so a row past the
  // head was written behind the gateway's back (the service role may INSERT rows and leave the head).
  const { rows: [stored] } = await pool.query<{ last_seq: number | null; last_hash: string | null; max_seq: number | null }>(
    `SELECT c.last_seq, c.last_hash, (SELECT max(seq) FROM webhook_audit WHERE workspace_id = $1) AS max_seq
     FROM (SELECT 1) one LEFT JOIN audit_chain c ON c.workspace_id = $1`, [workspaceId]);
  if (stored!.last_seq === null) {
    if (stored!.max_seq === null) return { ok: true, checked: 0, head: null, firstBrokenEntry: null, reason: null };
    return broken(0, null, 'the workspace has audit rows but no chain head: the head was removed');
  }
  const head = { last_seq: stored!.last_seq, last_hash: stored!.last_hash! };
  if (stored!.max_seq !== null && Number(stored!.max_seq) > Number(head.last_seq)) {
    const { rows: [beyond] } = await pool.query<AuditRow>('SELECT * FROM webhook_audit WHERE workspace_id = $1 AND seq = $2', [workspaceId, Number(head.last_seq) + 1]);
    return broken(0, null, `rows beyond the chain head (seq ${head.last_seq}) up to seq ${stored!.max_seq}: appended behind the gateway's back`, beyond);
  }
  const { rows: checkpoints } = await pool.query<Checkpoint>('SELECT kind, seq, hash, key_version, mac FROM audit_checkpoints($1)', [workspaceId]);
  for (const c of checkpoints) {
    const problem = checkpointProblem(keys, workspaceId, c);
    if (problem) return broken(0, null, problem);
  }
  const boundary = checkpoints.find((c) => c.kind === 'BOUNDARY');
  const start = await startOf(pool, workspaceId, checkpoints.find((c) => c.kind === 'RETENTION'), options.fromSeq);
  if (start.problem) return broken(0, null, start.problem.reason, start.problem.row);
  const end = Math.min(options.toSeq ?? head.last_seq, head.last_seq);
  const limit = Math.min(options.limit ?? MAX_ROWS_PER_CALL, MAX_ROWS_PER_CALL);
  const walk = await walkRows(pool, keys, workspaceId, { start, end, limit, boundary, expected: options.expectedHead });
  if (!walk.ok || walk.stopped) return walk;
  const reached = walk.head?.seq ?? start.seq;
  if (options.toSeq === undefined && reached < head.last_seq) {
    return broken(walk.checked, walk.head, `the chain head names seq ${head.last_seq}, but the rows end at seq ${reached}: rows were removed`);
  }
  if (options.toSeq === undefined && walk.head && walk.head.hash !== head.last_hash) {
    return broken(walk.checked, walk.head, `the newest row (seq ${reached}) is not the one the chain head names`);
  }
  return expectedHeadVerdict(pool, walk, workspaceId, start, options.expectedHead);
}

interface Walk extends ChainVerdict {
  stopped?: boolean;
  /** The expected head was among the rows walked (and matched). */
  sawExpected?: boolean;
}

export async function walkRows(
  pool: pg.Pool, keys: ChainKeyring, workspaceId: string,
  w: { start: ChainHead; end: number; limit: number; boundary: Checkpoint | undefined; expected: ChainHead | undefined },
): Promise<Walk> {
  let link = w.start;
  let checked = 0;
  let head: ChainVerdict['head'] = null;
  let sawExpected = false;
  while (link.seq < w.end) {
    const { rows } = await pool.query<AuditRow>(
      'SELECT * FROM webhook_audit WHERE workspace_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4',
      [workspaceId, link.seq, w.end, Math.min(BATCH_ROWS, w.limit - checked)]);
    if (rows.length === 0) break;
    for (const r of rows) {
      const problem = rowProblem(keys, r, link.seq + 1, link.hash, w.boundary);
      if (problem) return broken(checked, head, `seq ${r.seq}: ${problem}`, r);
      if (w.expected && r.seq === w.expected.seq) {
        if (r.hash !== w.expected.hash) return broken(checked, head, `seq ${r.seq} does not hold the expected head's hash: the chain was rewritten`, r);
        sawExpected = true;
      }
      checked++;
      link = { seq: r.seq, hash: r.hash };
      head = { ...link, occurredAt: r.occurred_at };
    }
    if (checked >= w.limit && link.seq < w.end) {
      return { ok: true, checked, head, firstBrokenEntry: null, reason: `stopped after ${checked} rows; call again with from set to head.occurredAt to go on`, stopped: true, sawExpected };
    }
  }
  return { ok: true, checked, head, firstBrokenEntry: null, reason: null, sawExpected };
}

/** A head the caller kept must still be there: truncation and a rewritten head show here. */
async function expectedHeadVerdict(pool: pg.Pool, walk: Walk, workspaceId: string, start: Start, expected: ChainHead | undefined): Promise<ChainVerdict> {
  const verdict: ChainVerdict = { ok: walk.ok, checked: walk.checked, head: walk.head, firstBrokenEntry: walk.firstBrokenEntry, reason: walk.reason };
  if (!expected || walk.sawExpected) return verdict;
  if (expected.seq <= start.seq) {
    // Removed by retention: only the checkpoint's own row can still be compared.
    return expected.seq === start.seq && expected.hash !== start.hash
      ? broken(walk.checked, walk.head, `the expected head (seq ${expected.seq}) is not the row retention removed last`)
      : verdict;
  }
  const { rows: [row] } = await pool.query<AuditRow>('SELECT * FROM webhook_audit WHERE workspace_id = $1 AND seq = $2', [workspaceId, expected.seq]);
  if (!row) return broken(walk.checked, walk.head, `the chain ends before the expected head (seq ${expected.seq}): rows were removed and the head rewritten`);
  if (row.hash !== expected.hash) return broken(walk.checked, walk.head, `seq ${expected.seq} does not hold the expected head's hash: the chain was rewritten`, row);
  return verdict;
}
