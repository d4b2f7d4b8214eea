// Signing-secret fields of webhook subscriptions, and revokeSecret, which takes an old secret of
// either owner. Rotation belongs to the owners (inbound/trigger-admin.ts,
// outbound/subscription-secrets.ts); the trigger's fields are in resolvers/inbound.ts.
import type { Resolvers } from '../../generated/graphql/types.ts';
import { revokeTriggerSecret } from '../../inbound/trigger-admin.ts';
import { revokeSubscriptionSecret, rotateWebhookSubscriptionSecret } from '../../outbound/subscription-secrets.ts';
import { idKind } from '../../platform/ids.ts';
import { listSecrets } from '../../secrets/rotation.ts';

export const secretResolvers: Resolvers = {
  Mutation: {
    rotateWebhookSubscriptionSecret: (_p, { input }, { services, principal }) => rotateWebhookSubscriptionSecret(services, principal, input),
    // The id's prefix names the owner. Any other id goes to the triggers' side, which checks the
    // caller's rights first and then finds no such secret, as for a missing one.
    revokeSecret: async (_p, { input }, { services, principal }) => ({
      secret: idKind(input.secretId) === 'subscriptionSecret'
        ? await revokeSubscriptionSecret(services, principal, input)
        : await revokeTriggerSecret(services, principal, input),
    }),
  },
  WebhookSubscription: {
    secrets: (s, _a, { services }) => listSecrets(services.db, { kind: 'subscription', id: s.id }),
  },
};
