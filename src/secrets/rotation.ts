// The store's part in secret rotation (SPEC §8): a new secret becomes current and the previous ones
// stay valid until their overlap ends (168 h by default), so senders and receivers can switch
// without a gap. At most 10 old secrets are kept per owner; revocation ends an overlap early;
// expired ones are removed by the secrets-purge-expired job. The owners' use cases
// (inbound/trigger-admin.ts, outbound/subscription-secrets.ts) check rights, find and lock the owner.
import type { DbOrTx } from '../platform/db/prisma.ts';
import { DomainError, badInput } from '../platform/errors.ts';
import { idKind } from '../platform/ids.ts';
import type { SecretCipher } from '../platform/crypto/cipher.ts';
import { type SecretOwner, addSecret } from './secret-store.ts';

export const DEFAULT_OVERLAP_HOURS = 168;
const MAX_OLD_SECRETS = 10;
const MAX_OVERLAP_HOURS = 24 * 30;

export interface SecretInfo {
  id: string;
  createdAt: Date;
  expiresAt: Date | null;
  current: boolean;
}

/** A secret and whose it is. */
export interface OwnedSecret extends SecretInfo {
  owner: SecretOwner;
}

/** What rotation needs of either secret table (trigger_secret, subscription_secret). */
interface SecretTable {
  updateMany(args: { where: object; data: { expiresAt: Date } }): Promise<unknown>;
  findMany(args: { where: object; orderBy: { createdAt: 'desc' }; select: { id: true } }): Promise<Array<{ id: string }>>;
  deleteMany(args: { where: { id: { in: string[] } } }): Promise<unknown>;
}

const valid = (now: Date) => ({ OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] });

export async function listSecrets(db: DbOrTx, owner: SecretOwner): Promise<SecretInfo[]> {
  const now = new Date();
  const select = { id: true, createdAt: true, expiresAt: true } as const;
  const rows = owner.kind === 'trigger'
    ? await db.triggerSecret.findMany({ where: { triggerId: owner.id, ...valid(now) }, orderBy: { createdAt: 'desc' }, select })
    : await db.subscriptionSecret.findMany({ where: { subscriptionId: owner.id, ...valid(now) }, orderBy: { createdAt: 'desc' }, select });
  return rows.map((r) => ({ ...r, current: r.expiresAt === null }));
}

/**
 * Adds `secret` as the owner's current one; returns when the previous one stops being valid. Runs
 * in the caller's transaction, which holds the owner's row lock and read `now` once it had it:
 * two rotations at once would otherwise each demote the current secret they saw (the same one) and
 * each add a new one (two current secrets), and creation times and overlap ends follow commit order.
 */
export async function rotateSecrets(
  tx: DbOrTx, cipher: SecretCipher, owner: SecretOwner, secret: string, overlapHours: number, now: Date,
): Promise<Date> {
  if (!Number.isInteger(overlapHours) || overlapHours < 0 || overlapHours > MAX_OVERLAP_HOURS) {
    throw badInput('overlapHours', `must be a whole number of hours from 0 to ${MAX_OVERLAP_HOURS}`);
  }
  const until = new Date(now.getTime() + overlapHours * 3_600_000);
  const table: SecretTable = owner.kind === 'trigger' ? tx.triggerSecret : tx.subscriptionSecret;
  const mine = owner.kind === 'trigger' ? { triggerId: owner.id } : { subscriptionId: owner.id };
  // The current secret starts its overlap now; old ones ending later are cut to the same end.
  await table.updateMany({ where: { ...mine, OR: [{ expiresAt: null }, { expiresAt: { gt: until } }] }, data: { expiresAt: until } });
  await addSecret(tx, cipher, owner, secret, now);
  const old = await table.findMany({ where: { ...mine, expiresAt: { gt: now } }, orderBy: { createdAt: 'desc' }, select: { id: true } });
  const excess = old.slice(MAX_OLD_SECRETS).map((r) => r.id);
  if (excess.length > 0) await table.deleteMany({ where: { id: { in: excess } } });
  return until;
}

/** A secret by its id (valid or not yet purged) and its owner; undefined when there is none. */
export async function findSecret(db: DbOrTx, secretId: string): Promise<OwnedSecret | undefined> {
  const kind = idKind(secretId);
  const row = kind === 'triggerSecret'
    ? await db.triggerSecret.findUnique({ where: { id: secretId } })
    : kind === 'subscriptionSecret' ? await db.subscriptionSecret.findUnique({ where: { id: secretId } }) : null;
  if (!row) return undefined;
  const owner: SecretOwner = 'triggerId' in row ? { kind: 'trigger', id: row.triggerId } : { kind: 'subscription', id: row.subscriptionId };
  return { id: row.id, createdAt: row.createdAt, expiresAt: row.expiresAt, current: row.expiresAt === null, owner };
}

/** Ends an old secret's overlap now (revokeSecret). The current secret is replaced by rotating instead. */
export async function endOverlap(db: DbOrTx, secret: OwnedSecret): Promise<SecretInfo> {
  if (secret.expiresAt === null) throw new DomainError('BAD_USER_INPUT', 'secretId: this is the current secret; rotate to replace it', 'secretId');
  const now = new Date();
  const expiresAt = secret.expiresAt > now ? now : secret.expiresAt;
  // updateMany: a secret purged meanwhile has ended anyway.
  if (secret.owner.kind === 'trigger') await db.triggerSecret.updateMany({ where: { id: secret.id }, data: { expiresAt } });
  else await db.subscriptionSecret.updateMany({ where: { id: secret.id }, data: { expiresAt } });
  return { id: secret.id, createdAt: secret.createdAt, expiresAt, current: false };
}
