// A webhook subscription's signing secrets (SPEC §8): its side of rotateWebhookSubscriptionSecret
// and revokeSecret. The secret store rotates and ends overlaps (secrets/rotation.ts); this checks
// the caller's rights and finds and locks the subscription. Deliveries read the secrets afresh
// for each batch, so nothing is announced.
import { type Principal, assertCan } from '../auth/principal.ts';
import type { DbOrTx } from '../platform/db/prisma.ts';
import { badInput, notFound } from '../platform/errors.ts';
import type { Services } from '../platform/services.ts';
import { DEFAULT_OVERLAP_HOURS, type SecretInfo, endOverlap, findSecret, rotateSecrets } from '../secrets/rotation.ts';
import { generateSecret } from '../secrets/secret-format.ts';
import { type SubscriptionRecord, getSubscription, mustGetSubscription, secretProblem } from './subscriptions.ts';

/** See inbound/triggers.ts lockTrigger: rotations of one subscription take turns on its row. */
async function lockSubscription(tx: DbOrTx, workspaceId: string, id: string): Promise<Date | undefined> {
  const [locked] = await tx.$queryRaw<Array<{ now: Date }>>`
    SELECT clock_timestamp() AS now FROM (SELECT 1 FROM webhook_subscription WHERE id = ${id} AND workspace_id = ${workspaceId} FOR NO KEY UPDATE) s`;
  return locked?.now;
}

/**
 * A new whsec_ secret becomes current (generated, or the one given: a receiver's secret set again,
 * "resync"); deliveries are signed with the previous ones too for overlapHours.
 */
export async function rotateWebhookSubscriptionSecret(
  services: Pick<Services, 'db' | 'cipher'>, principal: Principal | undefined,
  input: { subscriptionId: string; overlapHours?: number; secret?: string | null },
): Promise<{ subscription: SubscriptionRecord; secret: string; previousSecretExpiresAt: Date }> {
  const { workspaceId } = assertCan(principal, 'manage');
  const problem = input.secret != null ? secretProblem(input.secret) : undefined;
  if (problem) throw badInput('secret', problem);
  // Rotation changes nothing this record shows; the lock below finds out whether it was deleted meanwhile.
  const subscription = await mustGetSubscription(services.db, workspaceId, input.subscriptionId);
  const secret = input.secret ?? generateSecret('whsec');
  const previousSecretExpiresAt = await services.db.$transaction(async (tx) => {
    const now = await lockSubscription(tx, workspaceId, subscription.id);
    if (!now) throw notFound('webhook subscription', subscription.id);
    const owner = { kind: 'subscription', id: subscription.id } as const;
    return rotateSecrets(tx, services.cipher, owner, secret, input.overlapHours ?? DEFAULT_OVERLAP_HOURS, now);
  });
  return { subscription, secret, previousSecretExpiresAt };
}

/**
 * revokeSecret for a subscription's old secret: its overlap ends now. Any id that is not a secret
 * of a subscription of the caller's workspace answers NOT_FOUND.
 */
export async function revokeSubscriptionSecret(services: Pick<Services, 'db'>, principal: Principal | undefined, input: { secretId: string }): Promise<SecretInfo> {
  const { workspaceId } = assertCan(principal, 'manage');
  const secret = await findSecret(services.db, input.secretId);
  const owned = secret?.owner.kind === 'subscription' && (await getSubscription(services.db, workspaceId, secret.owner.id));
  if (!secret || !owned) throw notFound('secret', input.secretId);
  return endOverlap(services.db, secret);
}
