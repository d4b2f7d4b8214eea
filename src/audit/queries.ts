// Audit reads (SPEC §9, §10): the live auditAppended stream of the caller's workspace, filtered.
import { type Principal, assertCan } from '../auth/principal.ts';
import type { Services } from '../platform/services.ts';
import type { AuditEntryRecord } from './audit-entry.ts';

export interface AuditFilter {
  direction?: AuditEntryRecord['direction'] | null;
  triggerId?: string | null;
  subscriptionId?: string | null;
  eventType?: string | null;
  outcome?: string | null;
}

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

/** Entries as they are appended; the message carries the whole row, so nothing is read back. */
export function watchAudit(
  services: Pick<Services, 'realtime'>, principal: Principal | undefined, { filter }: { filter?: AuditFilter | null },
): AsyncIterableIterator<{ auditAppended: AuditEntryRecord }> {
  // Checked before the stream exists, so a refusal is an ordinary GraphQL error.
  const { workspaceId } = assertCan(principal, 'read');
  return services.realtime.stream<AuditEntryRecord, { auditAppended: AuditEntryRecord }>('audit.appended', workspaceId, (raw) => {
    const entry = { ...raw, occurredAt: new Date(raw.occurredAt) };
    return matchesAuditFilter(entry, filter) ? { auditAppended: entry } : undefined;
  });
}
