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

/**
 * A session's events, oldest first, at most 50: those stored with it (session.created) and those
 * whose data names it (what the runtime publishes). Read from the session's start on the
 * (workspace, created_at) index, so publishing keeps no index more to write.
 */
export async function eventsOfSession(
  services: Pick<Services, 'db'>, principal: Principal | undefined, session: { id: string; createdAt: Date },
): Promise<EventRecord[]> {
  const { workspaceId } = assertCan(principal, 'read');
  // Envelopes are compact JSON (outbox.ts), so the data's sessionId reads exactly so.
  const named = `"sessionId":${JSON.stringify(session.id)}`;
  return services.db.event.findMany({
    where: { workspaceId, createdAt: { gte: session.createdAt }, OR: [{ sessionId: session.id }, { body: { contains: named } }] },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: 50,
  });
}

/** Any key may read the catalogue: publishers need the schemas as much as subscribers do. */
export function eventCatalog(principal: Principal | undefined): Array<{ type: EventType; description: string; schema: Record<string, unknown> }> {
  // Refuses only the caller without a key (UNAUTHENTICATED); every role passes.
  if (!principal) assertCan(principal, 'read');
  return eventJsonSchemas();
}
