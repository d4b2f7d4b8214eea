// verifyAuditChain (SPEC §9, §12) and the owner's one-time seal of the SHA-256 rows written before
// the keyed chain.
import type pg from 'pg';
import type { Logger } from 'pino';
import { type Principal, assertCan } from '../auth/principal.ts';
import type { ChainKeyring } from '../platform/crypto/chain-key.ts';
import { badInput } from '../platform/errors.ts';
import type { Services } from '../platform/services.ts';
import { type CheckpointKind, GENESIS_HASH, checkpointMac } from './chain.ts';
import { type ChainVerdict, walkChain, walkRows } from './verify.ts';

export interface VerifyAuditChainInput {
  from?: Date | null;
  to?: Date | null;
  expectedHead?: { seq: bigint | number | string; hash: string } | null;
}

const NOTHING: ChainVerdict = { ok: true, checked: 0, head: null, firstBrokenEntry: null, reason: null };

function parseExpectedHead(head: VerifyAuditChainInput['expectedHead']): { seq: number; hash: string } | undefined {
  if (!head) return undefined;
  const seq = Number(head.seq);
  if (!Number.isSafeInteger(seq) || seq < 1) throw badInput('expectedHead.seq', 'must be a seq of this workspace\'s chain (1 or more)');
  if (!/^[0-9a-f]{64}$/.test(head.hash)) throw badInput('expectedHead.hash', 'must be 64 lower-case hex digits, as verifyAuditChain returned it');
  return { seq, hash: head.hash };
}

/** Checks the caller's workspace chain (ADMIN or VIEWER), at most 1,000,000 rows per call. */
export async function verifyAuditChain(services: Pick<Services, 'pool' | 'chainKeys'>, principal: Principal | undefined, input: VerifyAuditChainInput): Promise<ChainVerdict> {
  const { workspaceId } = assertCan(principal, 'read');
  const expectedHead = parseExpectedHead(input.expectedHead);
  if (input.from && input.to && input.from > input.to) throw badInput('to', 'must not be before from');
  const { pool } = services;
  // Times choose the first and the last row by the (workspace, time) index; every seq between is checked.
  let fromSeq: number | undefined;
  if (input.from) {
    const { rows: [first] } = await pool.query<{ seq: number }>(
      'SELECT seq FROM webhook_audit WHERE workspace_id = $1 AND occurred_at >= $2 ORDER BY occurred_at, seq LIMIT 1', [workspaceId, input.from]);
    if (!first) return NOTHING;
    fromSeq = first.seq;
  }
  let toSeq: number | undefined;
  if (input.to) {
    const { rows: [last] } = await pool.query<{ seq: number }>(
      'SELECT seq FROM webhook_audit WHERE workspace_id = $1 AND occurred_at <= $2 ORDER BY occurred_at DESC, seq DESC LIMIT 1', [workspaceId, input.to]);
    toSeq = last?.seq ?? 0;
  }
  return walkChain(pool, services.chainKeys, workspaceId, {
    ...(fromSeq !== undefined ? { fromSeq } : {}), ...(toSeq !== undefined ? { toSeq } : {}), ...(expectedHead ? { expectedHead } : {}),
  });
}

/**
 * Owner's path, at start-up: seals the checkpoints the migration left unsealed. A BOUNDARY (the last
 * row of the SHA-256 chain) is verified once before it is sealed; a chain that does not verify is
 * sealed as it is, and every verification goes on naming its broken row.
 */
export async function sealAuditCheckpoints(ownerPool: pg.Pool, keys: ChainKeyring, log: Logger): Promise<number> {
  const { rows } = await ownerPool.query<{ workspace_id: string; kind: CheckpointKind; seq: number; hash: string }>(
    `SELECT workspace_id, kind, seq, hash FROM audit_checkpoint WHERE mac IS NULL ORDER BY workspace_id, kind DESC`);
  for (const c of rows) {
    if (c.kind === 'BOUNDARY') {
      const { rows: [retention] } = await ownerPool.query<{ seq: number; hash: string }>(
        `SELECT seq, hash FROM audit_checkpoint WHERE workspace_id = $1 AND kind = 'RETENTION'`, [c.workspace_id]);
      const verdict = await walkRows(ownerPool, keys, c.workspace_id, {
        start: retention ?? { seq: 0, hash: GENESIS_HASH }, end: c.seq, limit: Number.MAX_SAFE_INTEGER, boundary: { ...c, key_version: null, mac: null }, expected: undefined,
      });
      if (verdict.ok) log.info({ workspaceId: c.workspace_id, seq: c.seq, checked: verdict.checked }, 'audit: the SHA-256 chain verified; sealed by a keyed boundary');
      else log.error({ workspaceId: c.workspace_id, seq: c.seq, reason: verdict.reason }, 'audit: the SHA-256 chain does not verify; sealed as it is');
    }
    await ownerPool.query(
      'UPDATE audit_checkpoint SET key_version = $3, mac = $4, updated_at = now() WHERE workspace_id = $1 AND kind = $2 AND mac IS NULL',
      [c.workspace_id, c.kind, keys.current, checkpointMac(keys, keys.current, c.workspace_id, c.kind, c)]);
  }
  return rows.length;
}
