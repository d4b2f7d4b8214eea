import { assertCan } from '../../auth/principal.ts';
import type { Resolvers } from '../../generated/graphql/types.ts';
import { announceChange, generateSecret, getTrigger } from '../../inbound/triggers.ts';
import { generateSubscriptionSecret, getSubscription } from '../../outbound/subscriptions.ts';
import { notFound } from '../../platform/errors.ts';
import { listSecrets, revokeSecret, rotate } from '../../secrets/rotation.ts';

export const secretResolvers: Resolvers = {
  Mutation: {
    rotateTriggerSecret: async (_p, { input }, { services, principal }) => {
      const { workspaceId } = assertCan(principal, 'manage');
      const trigger = await getTrigger(services.db, workspaceId, input.triggerId);
      if (!trigger) throw notFound('trigger', input.triggerId);
      const secret = generateSecret(trigger.signatureScheme);
      const { previousSecretExpiresAt } = await rotate(services.db, services.cipher, { kind: 'trigger', id: trigger.id }, secret, input.overlapHours ?? 168);
      await announceChange(services.db, workspaceId, trigger.id);
      return { trigger, secret, previousSecretExpiresAt };
    },
    rotateWebhookSubscriptionSecret: async (_p, { input }, { services, principal }) => {
      const { workspaceId } = assertCan(principal, 'manage');
      const subscription = await getSubscription(services.db, workspaceId, input.subscriptionId);
      if (!subscription) throw notFound('webhook subscription', input.subscriptionId);
      const secret = generateSubscriptionSecret();
      const { previousSecretExpiresAt } = await rotate(services.db, services.cipher, { kind: 'subscription', id: subscription.id }, secret, input.overlapHours ?? 168);
      return { subscription, secret, previousSecretExpiresAt };
    },
    revokeSecret: async (_p, { input }, { services, principal }) => {
      const { workspaceId } = assertCan(principal, 'manage');
      const { info, owner } = await revokeSecret(services.db, workspaceId, input.secretId);
      if (owner.kind === 'trigger') await announceChange(services.db, workspaceId, owner.id);
      return { secret: info };
    },
  },
  Trigger: {
    secrets: (t, _a, { services }) => listSecrets(services.db, { kind: 'trigger', id: t.id }),
  },
  WebhookSubscription: {
    secrets: (s, _a, { services }) => listSecrets(services.db, { kind: 'subscription', id: s.id }),
  },
};
