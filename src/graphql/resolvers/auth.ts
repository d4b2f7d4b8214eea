import type { Resolvers } from '../../generated/graphql/types.ts';
import { paged } from '../pagination.ts';
import { getCallerWorkspace } from '../../workspaces/workspaces.ts';
import { createApiKey, revokeApiKey } from '../../auth/api-keys.ts';
import { type ConsoleLinkRecord, createConsoleLink, listConsoleLinks, revokeConsoleLink } from '../../auth/console-links.ts';
import { getCaller, getCallerApiKey, listApiKeys } from '../../auth/queries.ts';

function linkStatus(link: ConsoleLinkRecord): 'UNUSED' | 'USED' | 'REVOKED' | 'EXPIRED' {
  if (link.revokedAt) return 'REVOKED';
  if (link.usedAt) return 'USED';
  return link.expiresAt.getTime() <= Date.now() ? 'EXPIRED' : 'UNUSED';
}

export const authResolvers: Resolvers = {
  Query: {
    me: (_parent, _args, { principal }) => ({ principal: getCaller(principal) }),
    apiKeys: (_p, { first, after, includeRevoked }, { services, principal }) =>
      paged({ first, after }, (page) => listApiKeys(services, principal, { ...page, includeRevoked })),
    consoleLinks: (_p, { first, after, includeInactive }, { services, principal }) =>
      paged({ first, after }, (page) => listConsoleLinks(services, principal, { ...page, includeInactive })),
  },
  Mutation: {
    createApiKey: (_parent, { input }, { services, principal }) => createApiKey(services, principal, input),
    revokeApiKey: async (_parent, { input }, { services, principal }) => ({ apiKey: await revokeApiKey(services, principal, input) }),
    createConsoleLink: async (_parent, { input }, { services, principal }) => {
      // GraphQL fills the defaults; the type says optional because a default exists.
      const { link, url } = await createConsoleLink(services, principal, { role: input.role ?? 'VIEWER', ttlMinutes: input.ttlMinutes ?? 60 });
      return { id: link.id, url, expiresAt: link.expiresAt };
    },
    revokeConsoleLink: async (_parent, { input }, { services, principal }) => {
      const link = await revokeConsoleLink(services, principal, input);
      return { id: link.id, revokedAt: link.revokedAt! };
    },
  },
  ApiKey: {
    kind: (key) => (key.consoleLinkId || key.expiresAt ? 'CONSOLE_SESSION' : 'API_KEY'),
  },
  ConsoleLink: {
    status: linkStatus,
  },
  Viewer: {
    role: (v) => v.principal.role,
    workspace: (v, _args, { services }) => getCallerWorkspace(services, v.principal),
    apiKey: (v, _args, { services }) => getCallerApiKey(services, v.principal),
  },
};
