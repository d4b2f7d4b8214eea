// Signing secrets of triggers and subscriptions, encrypted at rest (SPEC §4) and kept per owner:
// the current one (expiresAt null) and old ones inside a rotation overlap (SPEC §8).
import type { Db } from '../db/prisma.ts';
import { newId } from '../ids.ts';
import type { SecretCipher } from './cipher.ts';

export type SecretOwner = { kind: 'trigger'; id: string } | { kind: 'subscription'; id: string };

export interface StoredSecret {
  id: string;
  secret: string;
  createdAt: Date;
  expiresAt: Date | null;
}

/** The id is the cipher's associated data, so a ciphertext moved to another row fails to open. */
const context = (owner: SecretOwner, secretId: string) => `${owner.kind}:${owner.id}:${secretId}`;

export async function addSecret(db: Db, cipher: SecretCipher, owner: SecretOwner, secret: string): Promise<string> {
  if (owner.kind === 'trigger') {
    const id = newId('triggerSecret');
    await db.triggerSecret.create({ data: { id, triggerId: owner.id, ciphertext: cipher.encrypt(secret, context(owner, id)) } });
    return id;
  }
  const id = newId('subscriptionSecret');
  await db.subscriptionSecret.create({ data: { id, subscriptionId: owner.id, ciphertext: cipher.encrypt(secret, context(owner, id)) } });
  return id;
}

/** Secrets still valid at `now`, newest first: the ones a verifier accepts and a signer uses. */
export async function activeSecrets(db: Db, cipher: SecretCipher, owner: SecretOwner, now = new Date()): Promise<StoredSecret[]> {
  const where = { OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
  const rows =
    owner.kind === 'trigger'
      ? await db.triggerSecret.findMany({ where: { triggerId: owner.id, ...where }, orderBy: { createdAt: 'desc' } })
      : await db.subscriptionSecret.findMany({ where: { subscriptionId: owner.id, ...where }, orderBy: { createdAt: 'desc' } });
  return rows.map((r) => ({ id: r.id, secret: cipher.decrypt(r.ciphertext, context(owner, r.id)), createdAt: r.createdAt, expiresAt: r.expiresAt }));
}
