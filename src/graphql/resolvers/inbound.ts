import { eventsOfSession } from '../../events/queries.ts';
import type { Resolvers } from '../../generated/graphql/types.ts';
import type { InboundDelivery as InboundDeliveryRow } from '../../generated/prisma/client.ts';
import { loadersOf } from '../loaders.ts';
import { paged } from '../pagination.ts';
import { findTrigger, listInboundDeliveries, listSessions, listTriggers, watchInboundDeliveries } from '../../inbound/queries.ts';
import { testTrigger } from '../../inbound/test-trigger.ts';
import { applyTriggerYaml, createTrigger, deleteTrigger, rotateTriggerSecret, updateTrigger } from '../../inbound/trigger-admin.ts';
import { triggerUrl } from '../../inbound/triggers.ts';
import { listSecrets } from '../../secrets/rotation.ts';

export const inboundResolvers: Resolvers = {
  Query: {
    trigger: (_p, { id }, { services, principal }) => findTrigger(services, principal, { id }),
    triggers: (_p, { first, after }, { services, principal }) =>
      paged({ first, after }, (page) => listTriggers(services, principal, page)),
    inboundDeliveries: (_p, { first, after, filter }, { services, principal }) =>
      paged({ first, after }, (page) => listInboundDeliveries(services, principal, { ...page, filter })),
    sessions: (_p, { first, after, filter }, { services, principal }) =>
      paged({ first, after }, (page) => listSessions(services, principal, { ...page, filter })),
  },
  Mutation: {
    createTrigger: (_p, { input }, { services, principal }) => createTrigger(services, principal, input),
    updateTrigger: async (_p, { input }, { services, principal }) => ({ trigger: await updateTrigger(services, principal, input) }),
    deleteTrigger: async (_p, { input }, { services, principal }) => ({ deletedTriggerId: await deleteTrigger(services, principal, input) }),
    applyTriggerYaml: (_p, { input }, { services, principal }) => applyTriggerYaml(services, principal, input),
    rotateTriggerSecret: (_p, { input }, { services, principal }) => rotateTriggerSecret(services, principal, input),
    testTrigger: (_p, { input }, { services, principal }) => testTrigger(services, principal, input),
  },
  Trigger: {
    url: (t, _a, { services }) => triggerUrl(services.config.publicUrl, t.id),
    secrets: (t, _a, { services }) => listSecrets(services.db, { kind: 'trigger', id: t.id }),
    clientCertificate: (t, _a, { services }) => t.clientCertificate && {
      required: true,
      ...t.clientCertificate,
      trustedAuthorities: services.tls.held().filter((h) => h.role === 'client-ca').map((h) => h.info),
    },
  },
  InboundDelivery: {
    trigger: (d, _a, ctx, info) => loadersOf(ctx, info).trigger.load(d.triggerId),
    session: (d, _a, ctx, info) => (d.sessionId ? loadersOf(ctx, info).session.load(d.sessionId) : null),
  },
  Session: {
    trigger: (s, _a, ctx, info) => (s.triggerId ? loadersOf(ctx, info).trigger.load(s.triggerId) : null),
    events: (s, _a, { services, principal }) => eventsOfSession(services, principal, s),
  },
  Subscription: {
    inboundReceived: {
      subscribe: (_p, { triggerId }, { services, principal }) => watchInboundDeliveries(services, principal, { triggerId }),
      resolve: (row: InboundDeliveryRow) => row,
    },
  },
};
