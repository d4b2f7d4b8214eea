// Read models of the inbound side (SPEC §5, §6, §10, §12): triggers, the requests received on them
// and the sessions they started, in the caller's workspace only. Lists are pages of a Relay
// connection: `after` is the id the cursor stood for, and `first + 1` rows come back so the caller
// can tell whether there is a next page.
import { type Principal, assertCan } from '../auth/principal.ts';
import type { InboundDelivery, InboundOutcome, Prisma, Session, SessionStatus } from '../generated/prisma/client.ts';
import type { DbOrTx } from '../platform/db/prisma.ts';
import { lookupOnce } from '../platform/realtime.ts';
import type { Services } from '../platform/services.ts';
import { type TriggerRecord, getTrigger, toTriggerRecord } from './triggers.ts';

export interface Page {
  first: number;
  after?: string | undefined;
}

export interface InboundDeliveryFilter {
  triggerId?: string | null;
  outcome?: InboundOutcome | null;
  refusalCode?: string | null;
  messageId?: string | null;
  receivedAfter?: Date | null;
  receivedBefore?: Date | null;
}

export interface SessionFilter {
  triggerId?: string | null;
  agent?: string | null;
  status?: SessionStatus | null;
}

/** Newest first: ids sort by creation, so "after" a cursor is a smaller id. */
const newestFirst = (page: Page) => ({ where: page.after ? { id: { lt: page.after } } : {}, orderBy: { id: 'desc' as const }, take: page.first + 1 });

/** A trigger of the caller's workspace; null when there is none. */
export async function findTrigger(services: Pick<Services, 'db'>, principal: Principal | undefined, input: { id: string }): Promise<TriggerRecord | null> {
  const { workspaceId } = assertCan(principal, 'read');
  return getTrigger(services.db, workspaceId, input.id);
}

/** Oldest first. */
export async function listTriggers(services: Pick<Services, 'db'>, principal: Principal | undefined, page: Page): Promise<TriggerRecord[]> {
  const { workspaceId } = assertCan(principal, 'read');
  const rows = await services.db.trigger.findMany({
    where: { workspaceId, ...(page.after ? { id: { gt: page.after } } : {}) }, orderBy: { id: 'asc' }, take: page.first + 1,
  });
  return rows.map(toTriggerRecord);
}

function inboundDeliveryWhere(filter: InboundDeliveryFilter | null | undefined): Prisma.InboundDeliveryWhereInput {
  const { triggerId, outcome, refusalCode, messageId, receivedAfter, receivedBefore } = filter ?? {};
  return {
    ...(triggerId ? { triggerId } : {}),
    ...(outcome ? { outcome } : {}),
    ...(refusalCode ? { refusalCode } : {}),
    ...(messageId ? { messageId } : {}),
    ...(receivedAfter || receivedBefore
      ? { receivedAt: { ...(receivedAfter ? { gte: receivedAfter } : {}), ...(receivedBefore ? { lt: receivedBefore } : {}) } }
      : {}),
  };
}

/** Requests received on the workspace's triggers, newest first. */
export async function listInboundDeliveries(
  services: Pick<Services, 'db'>, principal: Principal | undefined, input: Page & { filter?: InboundDeliveryFilter | null },
): Promise<InboundDelivery[]> {
  const { workspaceId } = assertCan(principal, 'read');
  const { where, ...order } = newestFirst(input);
  return services.db.inboundDelivery.findMany({ where: { workspaceId, ...where, ...inboundDeliveryWhere(input.filter) }, ...order });
}

/** Sessions, newest first. */
export async function listSessions(
  services: Pick<Services, 'db'>, principal: Principal | undefined, input: Page & { filter?: SessionFilter | null },
): Promise<Session[]> {
  const { workspaceId } = assertCan(principal, 'read');
  const { triggerId, agent, status } = input.filter ?? {};
  const { where, ...order } = newestFirst(input);
  return services.db.session.findMany({
    where: { workspaceId, ...where, ...(triggerId ? { triggerId } : {}), ...(agent ? { agent } : {}), ...(status ? { status } : {}) },
    ...order,
  });
}

/** Triggers by id, in the order asked, null where the caller's workspace has none (per-request loaders). */
export async function triggersByIds(services: Pick<Services, 'db'>, principal: Principal | undefined, ids: readonly string[]): Promise<Array<TriggerRecord | null>> {
  const { workspaceId } = assertCan(principal, 'read');
  const rows = await services.db.trigger.findMany({ where: { id: { in: [...ids] }, workspaceId } });
  const byId = new Map(rows.map((r) => [r.id, toTriggerRecord(r)]));
  return ids.map((id) => byId.get(id) ?? null);
}

/** Sessions by id, in the order asked, null where the caller's workspace has none (per-request loaders). */
export async function sessionsByIds(services: Pick<Services, 'db'>, principal: Principal | undefined, ids: readonly string[]): Promise<Array<Session | null>> {
  const { workspaceId } = assertCan(principal, 'read');
  const rows = await services.db.session.findMany({ where: { id: { in: [...ids] }, workspaceId } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id) ?? null);
}

/** A session of the caller's workspace (node(id:)); null when there is none. */
export async function findSession(services: Pick<Services, 'db'>, principal: Principal | undefined, input: { id: string }): Promise<Session | null> {
  return getSession(services.db, assertCan(principal, 'read').workspaceId, input.id);
}

/** A request received on one of the caller's workspace's triggers (node(id:)); null when there is none. */
export async function findInboundDelivery(services: Pick<Services, 'db'>, principal: Principal | undefined, input: { id: string }): Promise<InboundDelivery | null> {
  return services.db.inboundDelivery.findFirst({ where: { id: input.id, workspaceId: assertCan(principal, 'read').workspaceId } });
}

/** A session of the workspace: the one a delivery started, say. */
async function getSession(db: DbOrTx, workspaceId: string, id: string): Promise<Session | null> {
  return db.session.findFirst({ where: { id, workspaceId } });
}

/**
 * An inbound.received message: the requests one flush of the /hooks writer recorded
 * (record.ts RECEIVED_PER_MESSAGE to a message), or one request alone, as replicas of earlier
 * versions still send it during a rolling upgrade.
 */
type InboundReceivedMessage = { deliveries: Array<{ id: string; triggerId: string }> } | { id: string; triggerId: string };

/** Requests as they are received (inboundReceived), in the order received, on one trigger or all of the workspace's. */
export function watchInboundDeliveries(
  services: Pick<Services, 'db' | 'realtime'>, principal: Principal | undefined, input: { triggerId?: string | null },
): AsyncIterableIterator<InboundDelivery> {
  const { workspaceId } = assertCan(principal, 'read');
  return services.realtime.streamEach<InboundReceivedMessage, InboundDelivery>('inbound.received', workspaceId, async (msg) => {
    const received = 'deliveries' in msg ? msg.deliveries : [msg];
    const wanted = received.filter((r) => !input.triggerId || r.triggerId === input.triggerId);
    if (wanted.length === 0) return [];
    // Shared by every subscription this message reaches (lookupOnce): one read per message.
    const rows = await lookupOnce(msg, 'inboundDeliveries', () =>
      services.db.inboundDelivery.findMany({ where: { id: { in: received.map((r) => r.id) }, workspaceId } }));
    const byId = new Map(rows.map((r) => [r.id, r]));
    return wanted.flatMap((r) => byId.get(r.id) ?? []);
  });
}
