// Read models of outbound webhooks (SPEC §7, §12): subscriptions, deliveries with their filters, a
// delivery's attempts, and the live deliveryUpdated stream. Lists return a page and one row more
// (for hasNextPage), after the cursor's id; the `...ByIds` reads serve a whole page's children in
// one query each (src/graphql/loaders.ts).
import { type Principal, assertCan } from '../auth/principal.ts';
import type { DeliveryAttempt, DeliveryStatus, OutboundDelivery, Prisma } from '../generated/prisma/client.ts';
import { lookupOnce } from '../platform/realtime.ts';
import type { Services } from '../platform/services.ts';
import type { DeliveryUpdateRecord, DeliveryUpdatedMessage } from './deliveries.ts';
import { type SubscriptionRecord, getSubscription, toRecord } from './subscriptions.ts';

export interface Page {
  first: number;
  /** The id the previous page ended with. */
  after?: string | undefined;
}

export interface DeliveryFilter {
  subscriptionId?: string | null;
  eventId?: string | null;
  eventType?: string | null;
  status?: DeliveryStatus | null;
}

type Reader = Pick<Services, 'db'>;

/** Oldest first. */
export async function listSubscriptions(services: Reader, principal: Principal | undefined, page: Page): Promise<SubscriptionRecord[]> {
  const { workspaceId } = assertCan(principal, 'read');
  const rows = await services.db.webhookSubscription.findMany({
    where: { workspaceId, ...(page.after ? { id: { gt: page.after } } : {}) }, orderBy: { id: 'asc' }, take: page.first + 1,
  });
  return rows.map(toRecord);
}

export async function findSubscription(services: Reader, principal: Principal | undefined, input: { id: string }): Promise<SubscriptionRecord | null> {
  return getSubscription(services.db, assertCan(principal, 'read').workspaceId, input.id);
}

/** The caller's subscriptions with these ids, in their order (null where there is none). */
export async function subscriptionsByIds(services: Reader, principal: Principal | undefined, ids: readonly string[]): Promise<Array<SubscriptionRecord | null>> {
  const { workspaceId } = assertCan(principal, 'read');
  const rows = await services.db.webhookSubscription.findMany({ where: { id: { in: [...ids] }, workspaceId } });
  const byId = new Map(rows.map((r) => [r.id, toRecord(r)]));
  return ids.map((id) => byId.get(id) ?? null);
}

const deliveryWhere = (workspaceId: string, filter: DeliveryFilter | null | undefined): Prisma.OutboundDeliveryWhereInput => ({
  workspaceId,
  ...(filter?.subscriptionId ? { subscriptionId: filter.subscriptionId } : {}),
  ...(filter?.eventId ? { eventId: filter.eventId } : {}),
  ...(filter?.status ? { status: filter.status } : {}),
  ...(filter?.eventType ? { event: { type: filter.eventType } } : {}),
});

/** Newest first: ids sort by creation, so "after" the cursor is a smaller id. */
export async function listDeliveries(
  services: Reader, principal: Principal | undefined, page: Page & { filter?: DeliveryFilter | null },
): Promise<OutboundDelivery[]> {
  const { workspaceId } = assertCan(principal, 'read');
  return services.db.outboundDelivery.findMany({
    where: { ...deliveryWhere(workspaceId, page.filter), ...(page.after ? { id: { lt: page.after } } : {}) },
    orderBy: { id: 'desc' },
    take: page.first + 1,
  });
}

export async function findDelivery(services: Reader, principal: Principal | undefined, input: { id: string }): Promise<OutboundDelivery | null> {
  return services.db.outboundDelivery.findFirst({ where: { id: input.id, workspaceId: assertCan(principal, 'read').workspaceId } });
}

/** Each delivery's attempts, oldest first, in the order of `deliveryIds`: one query for them all. */
export async function attemptsOfDeliveries(services: Reader, principal: Principal | undefined, deliveryIds: readonly string[]): Promise<DeliveryAttempt[][]> {
  const { workspaceId } = assertCan(principal, 'read');
  const rows = await services.db.deliveryAttempt.findMany({
    where: { deliveryId: { in: [...deliveryIds] }, delivery: { workspaceId } }, orderBy: [{ deliveryId: 'asc' }, { number: 'asc' }],
  });
  const byDelivery = Map.groupBy(rows, (a) => a.deliveryId);
  return deliveryIds.map((id) => byDelivery.get(id) ?? []);
}

const matches = (filter: DeliveryFilter | null | undefined, delivery: OutboundDelivery, eventType: string) =>
  (!filter?.subscriptionId || delivery.subscriptionId === filter.subscriptionId) && (!filter?.eventId || delivery.eventId === filter.eventId)
  && (!filter?.status || delivery.status === filter.status) && (!filter?.eventType || eventType === filter.eventType);

/** Each named delivery's attempt of the number beside it, by delivery (one query). */
async function attemptsNamed(db: Services['db'], ids: string[], numbers: number[]): Promise<Map<string, DeliveryAttempt>> {
  const wanted = new Map(ids.map((id, i) => [id, numbers[i]]));
  const rows = await db.deliveryAttempt.findMany({ where: { deliveryId: { in: ids }, number: { in: [...new Set(numbers)] } } });
  return new Map(rows.filter((a) => wanted.get(a.deliveryId) === a.number).map((a) => [a.deliveryId, a]));
}

/**
 * The deliveryUpdated stream of the caller's workspace, filtered: each message's deliveries (and the
 * attempt it names) read once, in one query, however many subscriptions the message reaches
 * (lookupOnce). A creation message names all the deliveries of one commit. A lost LISTEN connection
 * ends the stream with an error once it is back (LiveGap): a dashboard reloads, then subscribes again.
 */
export function watchDeliveries(
  services: Pick<Services, 'db' | 'realtime'>, principal: Principal | undefined, { filter }: { filter?: DeliveryFilter | null },
): AsyncIterableIterator<{ deliveryUpdated: DeliveryUpdateRecord }> {
  // Checked before the stream exists, so a refusal is an ordinary GraphQL error.
  const { workspaceId } = assertCan(principal, 'read');
  const { db } = services;
  return services.realtime.streamEach<DeliveryUpdatedMessage, { deliveryUpdated: DeliveryUpdateRecord }>('delivery.updated', workspaceId, async (msg) => {
    const ids = 'deliveryIds' in msg ? msg.deliveryIds : [msg.deliveryId];
    const numbers = 'deliveryIds' in msg ? msg.attempts : msg.attempt === undefined ? undefined : [msg.attempt];
    const found = await lookupOnce(msg, 'deliveries', () =>
      db.outboundDelivery.findMany({ where: { id: { in: ids }, workspaceId }, include: { event: { select: { type: true } } }, orderBy: { id: 'asc' } }));
    const shown = found.filter(({ event, ...delivery }) => matches(filter, delivery, event.type));
    // The attempts a message names, all of them in one query, once the message matched at all.
    const attempts = numbers && shown.length > 0 ? await lookupOnce(msg, 'attempts', () => attemptsNamed(db, ids, numbers)) : undefined;
    const recordedAt = new Date(msg.at);
    return shown.map(({ event: _event, ...delivery }) => ({ deliveryUpdated: { delivery, attempt: attempts?.get(delivery.id) ?? null, recordedAt } }));
  }, { gaps: true });
}
