// node(id:) (SPEC §4): any object of the caller's workspace by its public id. Another workspace's
// object answers null, exactly as a missing one does.
import type { Resolvers } from '../generated/graphql/types.ts';
import { findApiKey } from '../auth/queries.ts';
import { findConsoleLink } from '../auth/console-links.ts';
import { type Principal, assertCan } from '../auth/principal.ts';
import { type IdKind, idKind } from '../platform/ids.ts';
import { findInboundDelivery, findSession, findTrigger } from '../inbound/queries.ts';
import { findEvent } from '../events/queries.ts';
import { findDelivery, findSubscription } from '../outbound/queries.ts';
import type { Services } from '../platform/services.ts';
import { findWorkspace } from '../workspaces/workspaces.ts';
import { findAuditEntry } from '../audit/queries.ts';

const TYPENAME_BY_KIND: Partial<Record<IdKind, 'Workspace' | 'ApiKey' | 'ConsoleLink' | 'Trigger' | 'Session' | 'InboundDelivery' | 'Event' | 'WebhookSubscription' | 'OutboundDelivery' | 'AuditEntry'>> = {
  workspace: 'Workspace', apiKey: 'ApiKey', consoleLink: 'ConsoleLink', trigger: 'Trigger', session: 'Session', inboundDelivery: 'InboundDelivery', event: 'Event', subscription: 'WebhookSubscription', delivery: 'OutboundDelivery',
  auditEntry: 'AuditEntry',
};

/** The read model that finds each kind of object in the caller's workspace (each checks the right to read). */
const FINDERS: Partial<Record<IdKind, (services: Services, principal: Principal | undefined, input: { id: string }) => Promise<unknown>>> = {
  workspace: findWorkspace, apiKey: findApiKey, consoleLink: findConsoleLink, trigger: findTrigger, session: findSession, inboundDelivery: findInboundDelivery,
  subscription: findSubscription, delivery: findDelivery, event: findEvent, auditEntry: findAuditEntry,
};

export const nodeResolvers: Resolvers = {
  Query: {
    node: async (_parent, { id }, { services, principal }) => {
      assertCan(principal, 'read');
      const kind = idKind(id);
      const find = kind ? FINDERS[kind] : undefined;
      return find ? ((await find(services, principal, { id })) as never) : null;
    },
  },
  Node: {
    __resolveType: (obj) => {
      const kind = idKind((obj as { id: string }).id);
      return (kind && TYPENAME_BY_KIND[kind]) ?? null;
    },
  },
};
