import type { Resolvers } from '../../generated/graphql/types.ts';
import { effectiveRetentionDays, updateWorkspaceSettings } from '../../workspaces/settings.ts';

export const workspaceResolvers: Resolvers = {
  Mutation: {
    updateWorkspaceSettings: async (_parent, { input }, { services, principal }) => ({ workspace: await updateWorkspaceSettings(services, principal, input) }),
  },
  Workspace: {
    retentionDays: (w, _args, { services }) => effectiveRetentionDays(services.config, w.retentionDays),
    retentionDaysOverride: (w) => w.retentionDays,
  },
};
