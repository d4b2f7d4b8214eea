// Read models of outbound webhooks (SPEC §7, §12): subscriptions, deliveries with their filters, a
// delivery's attempts, and the live deliveryUpdated stream. Lists return a page and one row more
// (for hasNextPage), after the cursor's id; the `...ByIds` reads serve a whole page's children in
// one query each (src/graphql/loaders.ts).
import DataLoader from 'dataloader';
import { type Principal, assertCan } from '../auth/principal.ts';
import type { DeliveryAttempt, DeliveryStatus, OutboundDelivery, Prisma } from '../generated/prisma/client.ts';
import { lookupOnce } from '../platform/realtime.ts';
import type { Services } from '../platform/services.ts';
import { type DeliveryUpdateRecord, type DeliveryUpdatedMessage, deliveryColumns } from './deliveries.ts';
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

/**
 * The deliveries of delivery.updated messages (each of its message's workspace only), each with its
 * event's type and the attempt its message names, in one statement for every message that arrived
 * in the same turn of the event loop (a worker's commit announces a batch of attempts): one round
 * trip, and the updates leave together (one write per socket).
 */
const DELIVERY_UPDATES = {
  name: 'delivery-updates',
  text: `SELECT q.n AS "messageIndex", ${deliveryColumns('d')}, e.type AS "eventType",
      a.id AS "attemptId", a.number AS "attemptNumber", a.started_at AS "startedAt", a.duration_ms AS "durationMs", a.outcome,
      a.status_code AS "statusCode", a.error_class AS "errorClass", a.response_body AS "responseBody", a.error_reason AS "errorReason"
    FROM unnest($1::text[], $2::int[], $3::int[], $4::text[]) AS q(id, attempt, n, workspace_id)
    JOIN outbound_delivery d ON d.id = q.id AND d.workspace_id = q.workspace_id
    JOIN event e ON e.id = d.event_id
    LEFT JOIN delivery_attempt a ON a.delivery_id = d.id AND a.number = q.attempt
    ORDER BY q.n, d.id`,
};

type DeliveryUpdateRow = OutboundDelivery & { messageIndex: number; eventType: string; attemptId: number | null; attemptNumber: number | null }
  & Pick<DeliveryAttempt, 'startedAt' | 'durationMs' | 'outcome' | 'statusCode' | 'errorClass' | 'responseBody' | 'errorReason'>;
type DeliveryUpdateRead = { delivery: OutboundDelivery; eventType: string; attempt: DeliveryAttempt | null };

/** A message to read, and the workspace it was announced in. */
type UpdateKey = { workspaceId: string; msg: DeliveryUpdatedMessage };

/** The turn's delivery.updated reads of a pool, batched by dataloader; nothing cached: lookupOnce reads each message once. */
const updateLoaders = new WeakMap<object, DataLoader<UpdateKey, DeliveryUpdateRead[]>>();

function readDeliveryUpdates(services: Pick<Services, 'pool'>, workspaceId: string, msg: DeliveryUpdatedMessage): Promise<DeliveryUpdateRead[]> {
  let loader = updateLoaders.get(services.pool);
  if (!loader) updateLoaders.set(services.pool, (loader = new DataLoader((keys) => readBatch(services, keys), { cache: false })));
  return loader.load({ workspaceId, msg });
}

async function readBatch(services: Pick<Services, 'pool'>, keys: readonly UpdateKey[]): Promise<DeliveryUpdateRead[][]> {
  const [ids, attempts, indexes, workspaces]: [string[], Array<number | null>, number[], string[]] = [[], [], [], []];
  keys.forEach(({ workspaceId, msg }, n) => {
    // A commit's attempts name each delivery's attempt number beside it; a creation names none.
    const named = 'deliveryIds' in msg ? msg.deliveryIds.map((id, j) => [id, msg.attempts?.[j]] as const) : [[msg.deliveryId, msg.attempt] as const];
    for (const [id, attempt] of named) {
      ids.push(id);
      attempts.push(attempt ?? null);
      indexes.push(n);
      workspaces.push(workspaceId);
    }
  });
  const { rows } = await services.pool.query<DeliveryUpdateRow>({ ...DELIVERY_UPDATES, values: [ids, attempts, indexes, workspaces] });
  const found = keys.map((): DeliveryUpdateRead[] => []);
  for (const { messageIndex, eventType, attemptId, attemptNumber, startedAt, durationMs, outcome, statusCode, errorClass, responseBody, errorReason, ...delivery } of rows) {
    const attempt: DeliveryAttempt | null = attemptId === null || attemptNumber === null ? null : {
      id: BigInt(attemptId), deliveryId: delivery.id, number: attemptNumber, startedAt, durationMs, outcome, statusCode, errorClass, responseBody, errorReason,
    };
    found[messageIndex]!.push({ delivery, eventType, attempt });
  }
  return found;
}

/**
 * The deliveryUpdated stream of the caller's workspace, filtered: each message's deliveries (and the
 * attempt it names) read once, however many subscriptions the message reaches (lookupOnce), in one
 * statement with the other messages of its turn (readDeliveryUpdates). A creation message names all
 * the deliveries of one commit. A lost LISTEN connection ends the stream with an error once it is
 * back (LiveGap): a dashboard reloads, then subscribes again.
 */
export function watchDeliveries(
  services: Pick<Services, 'pool' | 'realtime'>, principal: Principal | undefined, { filter }: { filter?: DeliveryFilter | null },
): AsyncIterableIterator<{ deliveryUpdated: DeliveryUpdateRecord }> {
  // Checked before the stream exists, so a refusal is an ordinary GraphQL error.
  const { workspaceId } = assertCan(principal, 'read');
  return services.realtime.streamEach<DeliveryUpdatedMessage, { deliveryUpdated: DeliveryUpdateRecord }>('delivery.updated', workspaceId, async (msg) => {
    const found = await lookupOnce(msg, 'deliveries', () => readDeliveryUpdates(services, workspaceId, msg));
    const recordedAt = new Date(msg.at);
    return found.filter(({ delivery, eventType }) => matches(filter, delivery, eventType))
      .map(({ delivery, attempt }) => ({ deliveryUpdated: { delivery, attempt, recordedAt } }));
  }, { gaps: true });
}
