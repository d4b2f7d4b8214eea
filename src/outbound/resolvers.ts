import { assertCan } from '../auth/principal.ts';
import type { Resolvers } from '../generated/graphql.ts';
import type { Services } from '../server/context.ts';
import { connection, decodeCursor, pageSize } from '../server/pagination.ts';
import {
  type OutboundDeps, createSubscription, deleteSubscription, getSubscription, listSubscriptions, updateSubscription, verifySubscription,
} from './subscriptions.ts';

const deps = (s: Services): OutboundDeps => ({
  db: s.db, cipher: s.cipher, client: s.deliveryClient,
  policy: { allowInsecure: s.config.allowInsecureTargets, allowPrivate: s.config.allowPrivateTargets },
});

export const outboundResolvers: Resolvers = {
  Query: {
    webhookSubscription: (_p, { id }, { services, principal }) => getSubscription(services.db, assertCan(principal, 'read').workspaceId, id),
    webhookSubscriptions: async (_p, { first, after }, { services, principal }) => {
      const { workspaceId } = assertCan(principal, 'read');
      const size = pageSize(first);
      const cursor = decodeCursor(after);
      return connection(await listSubscriptions(services.db, workspaceId, { take: size + 1, ...(cursor ? { after: cursor } : {}) }), size, after);
    },
  },
  Mutation: {
    createWebhookSubscription: (_p, { input }, { services, principal }) =>
      createSubscription(deps(services), assertCan(principal, 'manage').workspaceId, input),
    updateWebhookSubscription: async (_p, { input: { id, ...patch } }, { services, principal }) =>
      ({ subscription: await updateSubscription(deps(services), assertCan(principal, 'manage').workspaceId, id, patch) }),
    deleteWebhookSubscription: async (_p, { input }, { services, principal }) =>
      ({ deletedSubscriptionId: (await deleteSubscription(services.db, assertCan(principal, 'manage').workspaceId, input.id)).id }),
    verifyWebhookSubscription: async (_p, { input }, { services, principal }) =>
      ({ subscription: await verifySubscription(deps(services), assertCan(principal, 'manage').workspaceId, input.id) }),
  },
};
