// node(id:) (SPEC §4): any object of the caller's workspace by its public id. Another workspace's
// object answers null, exactly as a missing one does.
import type { Resolvers } from '../generated/graphql/types.ts';
import { getApiKey } from '../auth/api-keys.ts';
import { assertCan } from '../auth/principal.ts';
import { type IdKind, idKind } from '../platform/ids.ts';
import { getTrigger } from '../inbound/triggers.ts';
import { findEvent } from '../events/queries.ts';
import { findDelivery, findSubscription } from '../outbound/queries.ts';
import { getWorkspace } from '../workspaces/workspaces.ts';

const TYPENAME_BY_KIND: Partial<Record<IdKind, 'Workspace' | 'ApiKey' | 'Trigger' | 'Session' | 'InboundDelivery' | 'Event' | 'WebhookSubscription' | 'OutboundDelivery'>> = {
  workspace: 'Workspace', apiKey: 'ApiKey', trigger: 'Trigger', session: 'Session', inboundDelivery: 'InboundDelivery', event: 'Event', subscription: 'WebhookSubscription', delivery: 'OutboundDelivery',
};

export const nodeResolvers: Resolvers = {
  Query: {
    node: async (_parent, { id }, { services, principal }) => {
      const p = assertCan(principal, 'read');
      switch (idKind(id)) {
        case 'workspace':
          return id === p.workspaceId ? await getWorkspace(services.db, id) : null;
        case 'apiKey':
          return p.role === 'ADMIN' ? await getApiKey(services.db, p.workspaceId, id) : null;
        case 'trigger':
          return getTrigger(services.db, p.workspaceId, id);
        case 'session':
          return services.db.session.findFirst({ where: { id, workspaceId: p.workspaceId } });
        case 'inboundDelivery':
          return services.db.inboundDelivery.findFirst({ where: { id, workspaceId: p.workspaceId } });
        case 'subscription':
          return findSubscription(services, principal, { id });
        case 'delivery':
          return findDelivery(services, principal, { id });
        case 'event':
          return findEvent(services, principal, { id });
        default:
          return null;
      }
    },
  },
  Node: {
    __resolveType: (obj) => {
      const kind = idKind((obj as { id: string }).id);
      return (kind && TYPENAME_BY_KIND[kind]) ?? null;
    },
  },
};
