import type { Resolvers } from '../../generated/graphql/types.ts';
import { watchAudit } from '../../audit/queries.ts';
import { verifyAuditChain } from '../../audit/verification.ts';

export const auditResolvers: Resolvers = {
  Mutation: {
    verifyAuditChain: (_parent, { input }, { services, principal }) => verifyAuditChain(services, principal, input),
  },
  Subscription: {
    auditAppended: {
      subscribe: (_parent, args, { services, principal }) => watchAudit(services, principal, args),
    },
  },
};
