// How a row of webhook_audit is chained (SPEC §9), for the writer and the verifier alike.
import { type ChainKeyring, UNKEYED_VERSION } from '../platform/crypto/chain-key.ts';
import { sha256Hex } from '../platform/crypto/sha256.ts';
import type { AuditEntryRecord } from './audit-entry.ts';

export const GENESIS_HASH = '0'.repeat(64);

export type AuditInput = Omit<AuditEntryRecord, 'id' | 'seq' | 'hash'>;

export interface ChainHead {
  seq: number;
  hash: string;
}

/** The row's fields in a fixed order, ISO time, nulls explicit; seq and hashes are chained apart. */
export function auditCanonical(row: AuditInput): string {
  return JSON.stringify([
    row.workspaceId, row.direction, row.triggerId, row.subscriptionId, row.deliveryId, row.eventType,
    row.headersSha256, row.payloadSha256, row.occurredAt.toISOString(), row.durationMs, row.attempt,
    row.statusCode, row.outcome, row.errorClass, row.sourceIp,
  ]);
}

/**
 * The hash a row must carry. Keyed rows: HMAC-SHA256 under the chain key of their version over the
 * previous hash, seq, version and canonical row. Version 0: the plain SHA-256 chain the gateway
 * wrote before (kept for the rows it wrote, never for new ones).
 */
export function auditRowHash(keys: ChainKeyring, keyVersion: number, prevHash: string, seq: number, canonical: string): string {
  if (keyVersion === UNKEYED_VERSION) return sha256Hex(`${prevHash}\n${seq}\n${canonical}`);
  return keys.mac(keyVersion, `${prevHash}\n${seq}\n${keyVersion}\n${canonical}`);
}

export type CheckpointKind = 'BOUNDARY' | 'RETENTION';

/** The MAC that makes a checkpoint the owner's: the service role cannot compute it without the key. */
export function checkpointMac(keys: ChainKeyring, keyVersion: number, workspaceId: string, kind: CheckpointKind, at: ChainHead): string {
  return keys.mac(keyVersion, `audit-checkpoint\n${workspaceId}\n${kind}\n${at.seq}\n${at.hash}`);
}
