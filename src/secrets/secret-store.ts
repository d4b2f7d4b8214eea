// Signing secrets of triggers and subscriptions, encrypted at rest (SPEC §4) and kept per owner:
// the current one (expiresAt null) and old ones inside a rotation overlap (SPEC §8).
import type pg from 'pg';
import type { Db, DbOrTx } from '../platform/db/prisma.ts';
import { newId } from '../platform/ids.ts';
import type { SecretCipher } from '../platform/crypto/cipher.ts';

export type SecretOwner = { kind: 'trigger'; id: string } | { kind: 'subscription'; id: string };

export interface StoredSecret {
  id: string;
  secret: string;
  createdAt: Date;
  expiresAt: Date | null;
}

/** The cipher's associated data: a ciphertext moved to another row or owner fails to open. */
export const secretContext = (owner: SecretOwner, secretId: string) => `${owner.kind}:${owner.id}:${secretId}`;

/** `createdAt` defaults to the transaction's start; rotation passes the time it took the owner's lock. */
export async function addSecret(db: DbOrTx, cipher: SecretCipher, owner: SecretOwner, secret: string, createdAt?: Date): Promise<string> {
  if (owner.kind === 'trigger') {
    const id = newId('triggerSecret');
    await db.triggerSecret.create({ data: { id, triggerId: owner.id, ciphertext: cipher.encrypt(secret, secretContext(owner, id)), createdAt } });
    return id;
  }
  const id = newId('subscriptionSecret');
  await db.subscriptionSecret.create({ data: { id, subscriptionId: owner.id, ciphertext: cipher.encrypt(secret, secretContext(owner, id)), createdAt } });
  return id;
}

/** Secrets still valid at `now`, newest first: the ones a verifier accepts and a signer uses. */
export async function activeSecrets(db: Db, cipher: SecretCipher, owner: SecretOwner, now = new Date()): Promise<StoredSecret[]> {
  const where = { OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
  const rows =
    owner.kind === 'trigger'
      ? await db.triggerSecret.findMany({ where: { triggerId: owner.id, ...where }, orderBy: { createdAt: 'desc' } })
      : await db.subscriptionSecret.findMany({ where: { subscriptionId: owner.id, ...where }, orderBy: { createdAt: 'desc' } });
  return rows.map((r) => ({ id: r.id, secret: cipher.decrypt(r.ciphertext, secretContext(owner, r.id)), createdAt: r.createdAt, expiresAt: r.expiresAt }));
}

/** Valid secrets of many subscriptions in one query (the delivery worker's batches), newest first. */
export async function subscriptionSecrets(pool: pg.Pool, cipher: SecretCipher, subscriptionIds: string[]): Promise<Map<string, string[]>> {
  const { rows } = await pool.query<{ id: string; subscription_id: string; ciphertext: string }>(
    `SELECT id, subscription_id, ciphertext FROM subscription_secret
     WHERE subscription_id = ANY($1::text[]) AND (expires_at IS NULL OR expires_at > now()) ORDER BY created_at DESC`,
    [subscriptionIds],
  );
  const grouped = Map.groupBy(rows, (r) => r.subscription_id);
  return new Map([...grouped].map(([id, list]) =>
    [id, list.map((r) => cipher.decrypt(r.ciphertext, secretContext({ kind: 'subscription', id }, r.id)))]));
}
