import { assertCan } from '../../auth/principal.ts';
import type { Resolvers } from '../../generated/graphql/types.ts';
import { lookupOnce } from '../../platform/realtime.ts';
import type { Services } from '../../platform/services.ts';
import { connection, decodeCursor, newestFirst, pageSize } from '../pagination.ts';
import {
  type OutboundDeps, createSubscription, deleteSubscription, enableSubscription, getSubscription, listSubscriptions, updateSubscription, urlShownTo,
  verifySubscription,
} from '../../outbound/subscriptions.ts';
import { type DeliveryUpdateRecord, disable, redeliver, replayEvents, sendTestEvent } from '../../outbound/deliveries.ts';
import { shownHeaders } from '../../outbound/subscription-headers.ts';

const deps = (s: Services): OutboundDeps => ({
  db: s.db, cipher: s.cipher, client: s.deliveryClient,
  policy: { allowInsecure: s.config.allowInsecureTargets, allowPrivate: s.config.allowPrivateTargets },
  deploymentId: s.deploymentId, own: s.ownAddresses,
});

export const outboundResolvers: Resolvers = {
  Query: {
    deliveries: async (_p, { filter, first, after }, { services, principal }) => {
      const { workspaceId } = assertCan(principal, 'read');
      const size = pageSize(first);
      const rows = await services.db.outboundDelivery.findMany({
        where: {
          workspaceId, ...newestFirst(after),
          ...(filter?.subscriptionId ? { subscriptionId: filter.subscriptionId } : {}),
          ...(filter?.eventId ? { eventId: filter.eventId } : {}),
          ...(filter?.status ? { status: filter.status } : {}),
          ...(filter?.eventType ? { event: { type: filter.eventType } } : {}),
        },
        orderBy: { id: 'desc' },
        take: size + 1,
      });
      return connection(rows, size, after);
    },
    delivery: (_p, { id }, { services, principal }) =>
      services.db.outboundDelivery.findFirst({ where: { id, workspaceId: assertCan(principal, 'read').workspaceId } }),
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
    enableWebhookSubscription: async (_p, { input }, { services, principal }) =>
      ({ subscription: await enableSubscription(deps(services), assertCan(principal, 'manage').workspaceId, input.id) }),
    disableWebhookSubscription: async (_p, { input }, { services, principal }) =>
      ({ subscription: await disable(services.pool, services.db, services.boss, assertCan(principal, 'manage').workspaceId, input.id, input.reason) }),
    replayEvents: (_p, { input }, { services, principal }) =>
      replayEvents(services.pool, services.db, services.boss, assertCan(principal, 'manage').workspaceId, input.subscriptionId, input.since),
    redeliver: async (_p, { input }, { services, principal }) =>
      ({ delivery: await redeliver(services.pool, services.db, services.boss, assertCan(principal, 'manage').workspaceId, input.deliveryId) }),
    sendTestEvent: async (_p, { input }, { services, principal }) =>
      ({ delivery: await sendTestEvent(services.pool, services.db, services.boss, assertCan(principal, 'manage').workspaceId, input.subscriptionId, input.type) }),
    verifyWebhookSubscription: async (_p, { input }, { services, principal }) =>
      ({ subscription: await verifySubscription(deps(services), assertCan(principal, 'manage').workspaceId, input.id) }),
  },
  WebhookSubscription: {
    url: (s, _a, { principal }) => urlShownTo(principal?.role, s.url),
    headers: (s) => shownHeaders(s.headers),
  },
  OutboundDelivery: {
    event: async (d, _a, { services }) => (await services.db.event.findUnique({ where: { id: d.eventId } }))!,
    subscription: (d, _a, { services }) => getSubscription(services.db, d.workspaceId, d.subscriptionId),
    attempts: (d, _a, { services }) => services.db.deliveryAttempt.findMany({ where: { deliveryId: d.id }, orderBy: { number: 'asc' } }),
  },
  Subscription: {
    deliveryUpdated: {
      subscribe: (_p, { filter }, { services, principal }) => {
        const { workspaceId } = assertCan(principal, 'read');
        return services.realtime.stream<{ deliveryId: string; attempt?: number }, { deliveryUpdated: DeliveryUpdateRecord }>('delivery.updated', workspaceId, async (msg) => {
          // Shared by every subscription this message reaches (lookupOnce): one read per update.
          const found = await lookupOnce(msg, 'delivery', () =>
            services.db.outboundDelivery.findFirst({ where: { id: msg.deliveryId, workspaceId }, include: { event: { select: { type: true } } } }));
          if (!found) return undefined;
          const { event, ...delivery } = found;
          if ((filter?.subscriptionId && delivery.subscriptionId !== filter.subscriptionId) || (filter?.eventId && delivery.eventId !== filter.eventId)
            || (filter?.status && delivery.status !== filter.status) || (filter?.eventType && event.type !== filter.eventType)) return undefined;
          const attempt = msg.attempt
            ? await lookupOnce(msg, 'attempt', () => services.db.deliveryAttempt.findFirst({ where: { deliveryId: delivery.id, number: msg.attempt } }))
            : null;
          return { deliveryUpdated: { delivery, attempt } };
        });
      },
    },
  },
};
