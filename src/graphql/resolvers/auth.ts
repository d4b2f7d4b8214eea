import type { Resolvers } from '../../generated/graphql/types.ts';
import { notFound } from '../../platform/errors.ts';
import { connection, decodeCursor, pageSize } from '../pagination.ts';
import { getWorkspace } from '../../workspaces/workspaces.ts';
import { createApiKey, getApiKey, revokeApiKey } from '../../auth/api-keys.ts';
import { assertCan } from '../../auth/principal.ts';

export const authResolvers: Resolvers = {
  Query: {
    me: (_parent, _args, ctx) => {
      const principal = assertCan(ctx.principal, ctx.principal?.role === 'PUBLISHER' ? 'publish' : 'read');
      return { principal };
    },
    apiKeys: async (_parent, args, { services, principal }) => {
      const { workspaceId } = assertCan(principal, 'manage');
      const size = pageSize(args.first);
      const after = decodeCursor(args.after);
      const rows = await services.db.apiKey.findMany({
        where: { workspaceId, ...(args.includeRevoked ? {} : { revokedAt: null }), ...(after ? { id: { gt: after } } : {}) },
        orderBy: { id: 'asc' },
        take: size + 1,
        omit: { hash: true },
      });
      return connection(rows, size, args.after);
    },
  },
  Mutation: {
    createApiKey: async (_parent, { input }, { services, principal }) => {
      const { workspaceId } = assertCan(principal, 'manage');
      return createApiKey(services.db, workspaceId, input);
    },
    revokeApiKey: async (_parent, { input }, { services, principal }) => {
      const p = assertCan(principal, 'manage');
      return { apiKey: await revokeApiKey(services, p, input.id) };
    },
  },
  Viewer: {
    role: (v) => v.principal.role,
    workspace: async (v, _args, { services }) => {
      const workspace = await getWorkspace(services.db, v.principal.workspaceId);
      if (!workspace) throw notFound('workspace', v.principal.workspaceId);
      return workspace;
    },
    apiKey: async (v, _args, { services }) => {
      const key = await getApiKey(services.db, v.principal.workspaceId, v.principal.keyId);
      if (!key) throw notFound('API key', v.principal.keyId);
      return key;
    },
  },
};
