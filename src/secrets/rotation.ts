// Secret rotation (SPEC §8): a new secret becomes current and the previous ones stay valid until
// their overlap ends (168 h by default), so senders and receivers can switch without a gap. At most
// 10 old secrets are kept per object; revokeSecret ends an overlap early; expired ones are removed
// by the secrets-purge-expired job.
import type { Db } from '../platform/db/prisma.ts';
import { DomainError, badInput, notFound } from '../platform/errors.ts';
import { idKind } from '../platform/ids.ts';
import type { SecretCipher } from '../platform/crypto/cipher.ts';
import { type SecretOwner, addSecret } from './secret-store.ts';

export const MAX_OLD_SECRETS = 10;
export const MAX_OVERLAP_HOURS = 24 * 30;

export interface SecretInfo {
  id: string;
  createdAt: Date;
  expiresAt: Date | null;
  current: boolean;
}

/** What rotation needs of either secret table (trigger_secret, subscription_secret). */
interface SecretTable {
  updateMany(args: { where: object; data: { expiresAt: Date } }): Promise<unknown>;
  findMany(args: { where: object; orderBy: { createdAt: 'desc' }; select: { id: true } }): Promise<Array<{ id: string }>>;
  deleteMany(args: { where: { id: { in: string[] } } }): Promise<unknown>;
}

const valid = (now: Date) => ({ OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] });

export async function listSecrets(db: Db, owner: SecretOwner): Promise<SecretInfo[]> {
  const now = new Date();
  const rows = owner.kind === 'trigger'
    ? await db.triggerSecret.findMany({ where: { triggerId: owner.id, ...valid(now) }, orderBy: { createdAt: 'desc' }, select: { id: true, createdAt: true, expiresAt: true } })
    : await db.subscriptionSecret.findMany({ where: { subscriptionId: owner.id, ...valid(now) }, orderBy: { createdAt: 'desc' }, select: { id: true, createdAt: true, expiresAt: true } });
  return rows.map((r) => ({ ...r, current: r.expiresAt === null }));
}

/** Adds `secret` as the current one; returns when the previous one stops being valid. */
export async function rotate(db: Db, cipher: SecretCipher, owner: SecretOwner, secret: string, overlapHours: number): Promise<{ previousSecretExpiresAt: Date | null }> {
  if (!Number.isInteger(overlapHours) || overlapHours < 0 || overlapHours > MAX_OVERLAP_HOURS) {
    throw badInput('overlapHours', `must be a whole number of hours from 0 to ${MAX_OVERLAP_HOURS}`);
  }
  return db.$transaction(async (tx) => {
    const t = tx as Db;
    // Rotations of one owner take turns on its row. Without it, two at once each demote the
    // current secret they saw (the same one) and each add a new one: two current secrets. The
    // time is read once the lock is held, so creation times and overlap ends follow commit order
    // (outside the locking subquery: its own select list is computed before the lock wait). NO KEY
    // UPDATE, so rows that reference the owner (deliveries, sessions) are still inserted meanwhile.
    const [locked] = owner.kind === 'trigger'
      ? await t.$queryRaw<Array<{ now: Date }>>`SELECT clock_timestamp() AS now FROM (SELECT 1 FROM "trigger" WHERE id = ${owner.id} FOR NO KEY UPDATE) o`
      : await t.$queryRaw<Array<{ now: Date }>>`SELECT clock_timestamp() AS now FROM (SELECT 1 FROM webhook_subscription WHERE id = ${owner.id} FOR NO KEY UPDATE) o`;
    if (!locked) throw notFound(owner.kind === 'trigger' ? 'trigger' : 'webhook subscription', owner.id);
    const now = locked.now;
    const until = new Date(now.getTime() + overlapHours * 3_600_000);
    const table: SecretTable = owner.kind === 'trigger' ? t.triggerSecret : t.subscriptionSecret;
    const mine = owner.kind === 'trigger' ? { triggerId: owner.id } : { subscriptionId: owner.id };
    // The current secret starts its overlap now; old ones ending later are cut to the same end.
    await table.updateMany({ where: { ...mine, OR: [{ expiresAt: null }, { expiresAt: { gt: until } }] }, data: { expiresAt: until } });
    await addSecret(t, cipher, owner, secret, now);
    const old = await table.findMany({ where: { ...mine, expiresAt: { gt: now } }, orderBy: { createdAt: 'desc' }, select: { id: true } });
    const excess = old.slice(MAX_OLD_SECRETS).map((r) => r.id);
    if (excess.length > 0) await table.deleteMany({ where: { id: { in: excess } } });
    return { previousSecretExpiresAt: until };
  });
}

/** Ends an old secret's overlap now. Returns the owner, so the caller can announce the change. */
export async function revokeSecret(db: Db, workspaceId: string, secretId: string): Promise<{ info: SecretInfo; owner: SecretOwner }> {
  const kind = idKind(secretId);
  const now = new Date();
  const row = kind === 'triggerSecret'
    ? await db.triggerSecret.findFirst({ where: { id: secretId, trigger: { workspaceId } } })
    : kind === 'subscriptionSecret'
      ? await db.subscriptionSecret.findFirst({ where: { id: secretId, subscription: { workspaceId } } })
      : null;
  if (!row) throw notFound('secret', secretId);
  if (row.expiresAt === null) throw new DomainError('BAD_USER_INPUT', 'secretId: this is the current secret; rotate to replace it', 'secretId');
  const owner: SecretOwner = 'triggerId' in row ? { kind: 'trigger', id: row.triggerId } : { kind: 'subscription', id: (row as { subscriptionId: string }).subscriptionId };
  const expiresAt = row.expiresAt > now ? now : row.expiresAt;
  if (owner.kind === 'trigger') await db.triggerSecret.update({ where: { id: secretId }, data: { expiresAt } });
  else await db.subscriptionSecret.update({ where: { id: secretId }, data: { expiresAt } });
  return { info: { id: row.id, createdAt: row.createdAt, expiresAt, current: false }, owner };
}
