import type { Resolvers } from '../../generated/graphql/types.ts';
import { auditEntryId } from '../../audit/audit-entry.ts';
import { listAuditEntries, watchAudit } from '../../audit/queries.ts';
import { verifyAuditChain } from '../../audit/verification.ts';
import { paged } from '../pagination.ts';

export const auditResolvers: Resolvers = {
  Query: {
    auditLog: (_p, { first, after, filter }, { services, principal }) =>
      paged({ first, after }, (page) => listAuditEntries(services, principal, { ...page, filter })),
  },
  Mutation: {
    verifyAuditChain: (_parent, { input }, { services, principal }) => verifyAuditChain(services, principal, input),
  },
  AuditEntry: {
    // Every entry shown gets its aud_ id here, whichever read produced it (live rows carry the row's number).
    id: (entry) => auditEntryId(entry),
  },
  Subscription: {
    auditAppended: {
      subscribe: (_parent, args, { services, principal }) => watchAudit(services, principal, args),
    },
  },
};
