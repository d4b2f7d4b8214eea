import { assertCan } from '../../auth/principal.ts';
import { badInput } from '../../platform/errors.ts';
import type { Resolvers } from '../../generated/graphql/types.ts';
import { lookupOnce } from '../../platform/realtime.ts';
import { connection, decodeCursor, newestFirst, pageSize } from '../pagination.ts';
import type { InboundDelivery as InboundDeliveryRow } from '../../generated/prisma/client.ts';
import { testTrigger } from '../../inbound/test-trigger.ts';
import { applyTriggerYaml, parseTriggerYaml } from '../../inbound/trigger-yaml.ts';
import { createTrigger, deleteTrigger, getTrigger, toTriggerRecord, triggerUrl, updateTrigger } from '../../inbound/triggers.ts';

// Newest first: ids sort by creation, so "after" a cursor means a smaller id.

export const inboundResolvers: Resolvers = {
  Query: {
    trigger: async (_p, { id }, { services, principal }) => getTrigger(services.db, assertCan(principal, 'read').workspaceId, id),
    triggers: async (_p, { first, after }, { services, principal }) => {
      const { workspaceId } = assertCan(principal, 'read');
      const size = pageSize(first);
      const cursor = decodeCursor(after);
      const rows = await services.db.trigger.findMany({ where: { workspaceId, ...(cursor ? { id: { gt: cursor } } : {}) }, orderBy: { id: 'asc' }, take: size + 1 });
      return connection(rows.map(toTriggerRecord), size, after);
    },
    inboundDeliveries: async (_p, { filter, first, after }, { services, principal }) => {
      const { workspaceId } = assertCan(principal, 'read');
      const size = pageSize(first);
      const rows = await services.db.inboundDelivery.findMany({
        where: {
          workspaceId, ...newestFirst(after),
          ...(filter?.triggerId ? { triggerId: filter.triggerId } : {}),
          ...(filter?.outcome ? { outcome: filter.outcome } : {}),
          ...(filter?.refusalCode ? { refusalCode: filter.refusalCode } : {}),
          ...(filter?.messageId ? { messageId: filter.messageId } : {}),
          ...(filter?.receivedAfter || filter?.receivedBefore
            ? { receivedAt: { ...(filter.receivedAfter ? { gte: filter.receivedAfter } : {}), ...(filter.receivedBefore ? { lt: filter.receivedBefore } : {}) } }
            : {}),
        },
        orderBy: { id: 'desc' },
        take: size + 1,
      });
      return connection(rows, size, after);
    },
    sessions: async (_p, { filter, first, after }, { services, principal }) => {
      const { workspaceId } = assertCan(principal, 'read');
      const size = pageSize(first);
      const rows = await services.db.session.findMany({
        where: {
          workspaceId, ...newestFirst(after),
          ...(filter?.triggerId ? { triggerId: filter.triggerId } : {}),
          ...(filter?.agent ? { agent: filter.agent } : {}),
          ...(filter?.status ? { status: filter.status } : {}),
        },
        orderBy: { id: 'desc' },
        take: size + 1,
      });
      return connection(rows, size, after);
    },
  },
  Mutation: {
    createTrigger: async (_p, { input }, { services, principal }) => {
      const { workspaceId } = assertCan(principal, 'manage');
      return createTrigger(services.db, services.cipher, workspaceId, input, services.config);
    },
    updateTrigger: async (_p, { input: { id, ...patch } }, { services, principal }) => {
      const { workspaceId } = assertCan(principal, 'manage');
      return { trigger: await updateTrigger(services.db, workspaceId, id, patch, services.config) };
    },
    deleteTrigger: async (_p, { input }, { services, principal }) => {
      const { workspaceId } = assertCan(principal, 'manage');
      return { deletedTriggerId: (await deleteTrigger(services.db, workspaceId, input.id)).id };
    },
    applyTriggerYaml: async (_p, { input }, { services, principal }) => {
      const { workspaceId } = assertCan(principal, 'manage');
      const doc = parseTriggerYaml(input.yaml);
      if (doc.signature.secretFrom) throw badInput('yaml.signature.secretFrom', 'is read by the CLI only; pass the secret in the secret field instead');
      return applyTriggerYaml(services.db, services.cipher, workspaceId, doc, input.secret ?? null, services.config);
    },
    testTrigger: (_p, { input }, { services, principal }) => testTrigger(services, principal, input),
  },
  Trigger: {
    url: (t, _a, { services }) => triggerUrl(services.config.publicUrl, t.id),
  },
  InboundDelivery: {
    trigger: (d, _a, { services }) => getTrigger(services.db, d.workspaceId, d.triggerId),
    session: (d, _a, { services }) => (d.sessionId ? services.db.session.findFirst({ where: { id: d.sessionId, workspaceId: d.workspaceId } }) : null),
  },
  Session: {
    trigger: (s, _a, { services }) => (s.triggerId ? getTrigger(services.db, s.workspaceId, s.triggerId) : null),
  },
  Subscription: {
    inboundReceived: {
      subscribe: (_p, { triggerId }, { services, principal }) => {
        const { workspaceId } = assertCan(principal, 'read');
        return services.realtime.stream<{ id: string; triggerId: string }, { inboundReceived: InboundDeliveryRow }>('inbound.received', workspaceId, async (msg) => {
          if (triggerId && msg.triggerId !== triggerId) return undefined;
          const row = await lookupOnce(msg, 'inboundDelivery', () => services.db.inboundDelivery.findFirst({ where: { id: msg.id, workspaceId } }));
          return row ? { inboundReceived: row } : undefined;
        });
      },
    },
  },
};
