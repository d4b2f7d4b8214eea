import type { AuditFilter, Resolvers } from '../../generated/graphql/types.ts';
import { assertCan } from '../../auth/principal.ts';
import type { AuditEntryRecord } from '../../audit/audit-entry.ts';

export function matchesAuditFilter(entry: AuditEntryRecord, filter: AuditFilter | null | undefined): boolean {
  if (!filter) return true;
  return (
    (!filter.direction || entry.direction === filter.direction) &&
    (!filter.triggerId || entry.triggerId === filter.triggerId) &&
    (!filter.subscriptionId || entry.subscriptionId === filter.subscriptionId) &&
    (!filter.eventType || entry.eventType === filter.eventType) &&
    (!filter.outcome || entry.outcome === filter.outcome)
  );
}

export const auditResolvers: Resolvers = {
  Subscription: {
    auditAppended: {
      // Authorisation runs before the stream exists, so a refusal is an ordinary GraphQL error.
      subscribe: (_parent, { filter }, { services, principal }) => {
        const { workspaceId } = assertCan(principal, 'read');
        return services.realtime.stream<AuditEntryRecord, { auditAppended: AuditEntryRecord }>('audit.appended', workspaceId, (raw) => {
          const entry = { ...raw, occurredAt: new Date(raw.occurredAt) };
          return matchesAuditFilter(entry, filter) ? { auditAppended: entry } : undefined;
        });
      },
    },
  },
};
