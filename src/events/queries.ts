// Read models of events (SPEC §7, §12): an event by id, a page's events at once (loaders), and the
// catalogue.
import { type Principal, assertCan } from '../auth/principal.ts';
import type { Services } from '../platform/services.ts';
import { type EventType, eventJsonSchemas } from './catalog.ts';
import type { EventRecord } from './event-record.ts';

export async function findEvent(services: Pick<Services, 'db'>, principal: Principal | undefined, input: { id: string }): Promise<EventRecord | null> {
  const { workspaceId } = assertCan(principal, 'read');
  return services.db.event.findFirst({ where: { id: input.id, workspaceId } });
}

/** The caller's events with these ids, in their order (null where there is none): one query. */
export async function eventsByIds(services: Pick<Services, 'db'>, principal: Principal | undefined, ids: readonly string[]): Promise<Array<EventRecord | null>> {
  const { workspaceId } = assertCan(principal, 'read');
  const rows = await services.db.event.findMany({ where: { id: { in: [...ids] }, workspaceId } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id) ?? null);
}

/** Any key may read the catalogue: publishers need the schemas as much as subscribers do. */
export function eventCatalog(principal: Principal | undefined): Array<{ type: EventType; description: string; schema: Record<string, unknown> }> {
  // Refuses only the caller without a key (UNAUTHENTICATED); every role passes.
  if (!principal) assertCan(principal, 'read');
  return eventJsonSchemas();
}
