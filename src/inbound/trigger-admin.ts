// Trigger administration (SPEC §5, §8): the use cases behind the trigger mutations. Each checks the
// caller's rights first and works in the caller's workspace only; a trigger of another workspace
// answers NOT_FOUND, like a missing one.
import { type Principal, assertCan } from '../auth/principal.ts';
import { badInput, notFound } from '../platform/errors.ts';
import type { Services } from '../platform/services.ts';
import { DEFAULT_OVERLAP_HOURS, type SecretInfo, endOverlap, findSecret, rotateSecrets } from '../secrets/rotation.ts';
import { generateSecret } from '../secrets/secret-format.ts';
import { secretFormat, secretProblem } from './trigger-input.ts';
import { type ApplyResult, applyTriggerDocument, parseTriggerYaml } from './trigger-yaml.ts';
import {
  type TriggerDeps, type TriggerRecord, announceChange, getTrigger, insertTrigger, lockTrigger, patchTrigger,
} from './triggers.ts';

export async function createTrigger(
  services: TriggerDeps, principal: Principal | undefined, input: Record<string, unknown> & { secret?: string | null },
): Promise<{ trigger: TriggerRecord; secret: string }> {
  const { workspaceId } = assertCan(principal, 'manage');
  return insertTrigger(services, workspaceId, input);
}

export async function updateTrigger(
  services: TriggerDeps, principal: Principal | undefined, input: { id: string } & Record<string, unknown>,
): Promise<TriggerRecord> {
  const { workspaceId } = assertCan(principal, 'manage');
  const { id, ...patch } = input;
  return patchTrigger(services, workspaceId, id, patch);
}

/** Returns the id of the trigger deleted; its secrets, deliveries and messages go with it. */
export async function deleteTrigger(services: Pick<Services, 'db'>, principal: Principal | undefined, input: { id: string }): Promise<string> {
  const { workspaceId } = assertCan(principal, 'manage');
  const { count } = await services.db.trigger.deleteMany({ where: { id: input.id, workspaceId } });
  if (count === 0) throw notFound('trigger', input.id);
  await announceChange(services.db, workspaceId, input.id);
  return input.id;
}

/** `secretFrom: env:NAME` is the CLI's alone: through the API it would read the server's environment. */
export async function applyTriggerYaml(
  services: TriggerDeps, principal: Principal | undefined, input: { yaml: string; secret?: string | null },
): Promise<ApplyResult> {
  const { workspaceId } = assertCan(principal, 'manage');
  const doc = parseTriggerYaml(input.yaml);
  if (doc.signature.secretFrom) throw badInput('yaml.signature.secretFrom', 'is read by the CLI only; pass the secret in the secret field instead');
  return applyTriggerDocument(services, workspaceId, doc, input.secret ?? null);
}

/**
 * A new secret of the trigger's scheme becomes current (generated, or the one given: the secret the
 * sender holds, set again, "resync"); the previous ones stay valid for overlapHours.
 */
export async function rotateTriggerSecret(
  services: Pick<Services, 'db' | 'cipher'>, principal: Principal | undefined, input: { triggerId: string; overlapHours?: number; secret?: string | null },
): Promise<{ trigger: TriggerRecord; secret: string; previousSecretExpiresAt: Date }> {
  const { workspaceId } = assertCan(principal, 'manage');
  const rotated = await services.db.$transaction(async (tx) => {
    const now = await lockTrigger(tx, workspaceId, input.triggerId);
    const trigger = now && (await getTrigger(tx, workspaceId, input.triggerId));
    if (!now || !trigger) throw notFound('trigger', input.triggerId);
    const problem = input.secret != null ? secretProblem(trigger.signatureScheme, input.secret) : undefined;
    if (problem) throw badInput('secret', problem);
    const secret = input.secret ?? generateSecret(secretFormat(trigger.signatureScheme));
    const overlapHours = input.overlapHours ?? DEFAULT_OVERLAP_HOURS;
    const previousSecretExpiresAt = await rotateSecrets(tx, services.cipher, { kind: 'trigger', id: trigger.id }, secret, overlapHours, now);
    return { trigger, secret, previousSecretExpiresAt };
  });
  await announceChange(services.db, workspaceId, rotated.trigger.id);
  return rotated;
}

/**
 * revokeSecret for a trigger's old secret: its overlap ends now. Any id that is not a secret of a
 * trigger of the caller's workspace answers NOT_FOUND.
 */
export async function revokeTriggerSecret(services: Pick<Services, 'db'>, principal: Principal | undefined, input: { secretId: string }): Promise<SecretInfo> {
  const { workspaceId } = assertCan(principal, 'manage');
  const secret = await findSecret(services.db, input.secretId);
  const owned = secret?.owner.kind === 'trigger' && (await getTrigger(services.db, workspaceId, secret.owner.id));
  if (!secret || !owned) throw notFound('secret', input.secretId);
  const info = await endOverlap(services.db, secret);
  await announceChange(services.db, workspaceId, secret.owner.id);
  return info;
}
