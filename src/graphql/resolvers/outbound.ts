import type { Resolvers } from '../../generated/graphql/types.ts';
import { redeliver, replayEvents, sendTestEvent } from '../../outbound/deliveries.ts';
import { deliveryOverview, deliveryStats } from '../../outbound/delivery-stats.ts';
import {
  findDelivery, findSubscription, listDeliveries, listSubscriptions, watchDeliveries,
} from '../../outbound/queries.ts';
import { shownOAuth2 } from '../../outbound/oauth2.ts';
import { shownHeaders } from '../../outbound/subscription-headers.ts';
import { shownTls } from '../../outbound/subscription-tls.ts';
import {
  createSubscription, deleteSubscription, disableSubscription, enableSubscription, updateSubscription, urlShownTo, verifySubscription,
} from '../../outbound/subscriptions.ts';
import { loadersOf } from '../loaders.ts';
import { paged } from '../pagination.ts';

export const outboundResolvers: Resolvers = {
  Query: {
    deliveries: (_p, { first, after, filter }, { services, principal }) =>
      paged({ first, after }, (page) => listDeliveries(services, principal, { ...page, filter })),
    delivery: (_p, args, { services, principal }) => findDelivery(services, principal, args),
    deliveryStats: (_p, args, { services, principal }) => deliveryStats(services, principal, args),
    deliveryOverview: (_p, args, { services, principal }) => deliveryOverview(services, principal, args),
    webhookSubscription: (_p, args, { services, principal }) => findSubscription(services, principal, args),
    webhookSubscriptions: (_p, { first, after }, { services, principal }) =>
      paged({ first, after }, (page) => listSubscriptions(services, principal, page)),
  },
  Mutation: {
    createWebhookSubscription: (_p, { input }, { services, principal }) => createSubscription(services, principal, input),
    updateWebhookSubscription: async (_p, { input }, { services, principal }) => ({ subscription: await updateSubscription(services, principal, input) }),
    deleteWebhookSubscription: async (_p, { input }, { services, principal }) =>
      ({ deletedSubscriptionId: (await deleteSubscription(services, principal, input)).id }),
    enableWebhookSubscription: async (_p, { input }, { services, principal }) => ({ subscription: await enableSubscription(services, principal, input) }),
    disableWebhookSubscription: async (_p, { input }, { services, principal }) => ({ subscription: await disableSubscription(services, principal, input) }),
    replayEvents: (_p, { input }, { services, principal }) => replayEvents(services, principal, input),
    redeliver: async (_p, { input }, { services, principal }) => ({ delivery: await redeliver(services, principal, input) }),
    sendTestEvent: async (_p, { input }, { services, principal }) => ({ delivery: await sendTestEvent(services, principal, input) }),
    verifyWebhookSubscription: async (_p, { input }, { services, principal }) => ({ subscription: await verifySubscription(services, principal, input) }),
  },
  WebhookSubscription: {
    url: (s, _a, { principal }) => urlShownTo(principal?.role, s.url),
    headers: (s) => shownHeaders(s.headers),
    oauth2: (s, _a, { principal }) => {
      const shown = shownOAuth2(s.oauth2);
      return shown && { ...shown, tokenUrl: urlShownTo(principal?.role, shown.tokenUrl) };
    },
    tls: (s) => shownTls(s.tls),
  },
  SubscriptionDeliveryCounts: {
    subscription: (c, _a, ctx, info) => loadersOf(ctx, info).subscription.load(c.subscriptionId),
  },
  OutboundDelivery: {
    event: async (d, _a, ctx, info) => (await loadersOf(ctx, info).event.load(d.eventId))!,
    subscription: (d, _a, ctx, info) => loadersOf(ctx, info).subscription.load(d.subscriptionId),
    attempts: (d, _a, ctx, info) => loadersOf(ctx, info).attempts.load(d.id),
  },
  Subscription: {
    deliveryUpdated: {
      subscribe: (_p, args, { services, principal }) => watchDeliveries(services, principal, args),
    },
  },
};
