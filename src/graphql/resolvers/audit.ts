import type { Resolvers } from '../../generated/graphql/types.ts';
import { watchAudit } from '../../audit/queries.ts';

export const auditResolvers: Resolvers = {
  Subscription: {
    auditAppended: {
      subscribe: (_parent, args, { services, principal }) => watchAudit(services, principal, args),
    },
  },
};
