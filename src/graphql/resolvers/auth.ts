import type { Resolvers } from '../../generated/graphql/types.ts';
import { paged } from '../pagination.ts';
import { getCallerWorkspace } from '../../workspaces/workspaces.ts';
import { createApiKey, revokeApiKey } from '../../auth/api-keys.ts';
import { getCaller, getCallerApiKey, listApiKeys } from '../../auth/queries.ts';

export const authResolvers: Resolvers = {
  Query: {
    me: (_parent, _args, { principal }) => ({ principal: getCaller(principal) }),
    apiKeys: (_p, { first, after, includeRevoked }, { services, principal }) =>
      paged({ first, after }, (page) => listApiKeys(services, principal, { ...page, includeRevoked })),
  },
  Mutation: {
    createApiKey: (_parent, { input }, { services, principal }) => createApiKey(services, principal, input),
    revokeApiKey: async (_parent, { input }, { services, principal }) => ({ apiKey: await revokeApiKey(services, principal, input) }),
  },
  Viewer: {
    role: (v) => v.principal.role,
    workspace: (v, _args, { services }) => getCallerWorkspace(services, v.principal),
    apiKey: (v, _args, { services }) => getCallerApiKey(services, v.principal),
  },
};
