// Webhook subscriptions (SPEC §7, §12): an HTTPS URL, an event checklist and a signing secret.
// Creating one pings it with `webhook.ping` (2 s): a 2xx makes it ACTIVE, anything else leaves it
// PENDING_VERIFICATION with the reason. Only ACTIVE subscriptions receive events, so enabling one
// pings it too: its URL may have changed, or stopped answering, while it was disabled.
import { z } from 'zod';
import type { ApiKeyRole } from '../auth/principal.ts';
import type { Db } from '../platform/db/prisma.ts';
import { DomainError, badInput, notFound, parseInput } from '../platform/errors.ts';
import { EVENT_TYPES } from '../events/catalog.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { newId } from '../platform/ids.ts';
import { jsonPathSchema } from '../platform/jsonpath.ts';
import type { SecretCipher } from '../platform/crypto/cipher.ts';
import { generateSecret } from '../secrets/secret-format.ts';
import { activeSecrets, addSecret } from '../secrets/secret-store.ts';
import type { DeliveryClient } from '../platform/http-client.ts';
import { deliveryHeaders } from './sign-delivery.ts';
import { SECRET_MASK, type StoredHeader, headerInput, openHeaders, sealHeaders } from './subscription-headers.ts';
import { type OwnAddresses, TargetRefused, type TargetPolicy, checkTargetUrl } from '../platform/target-guard.ts';

export const PING_TIMEOUT_MS = 2000;

const eventPattern = z.string().refine(
  (p) => p === '*' || (EVENT_TYPES as string[]).includes(p) || (p.endsWith('.*') && EVENT_TYPES.some((t) => t.startsWith(p.slice(0, -1)))),
  { message: `must be "*", an event type (${EVENT_TYPES.join(', ')}) or a prefix such as "tool.*"` },
);

const settings = z.object({
  url: z.string().max(2048),
  description: z.string().max(500).nullish(),
  events: z.array(eventPattern).min(1, 'list at least one event type, or "*"').max(100),
  headers: z.array(headerInput).max(20).nullish(),
  filter: jsonPathSchema.nullish(),
  rateLimitPerSecond: z.number().int().min(1).max(100_000).nullish(),
  maxConcurrency: z.number().int().min(1).max(1000).nullish(),
  timeoutMs: z.number().int().min(100).max(30_000).default(2000),
});

export interface SubscriptionRecord {
  id: string;
  workspaceId: string;
  url: string;
  description: string | null;
  events: string[];
  /** As stored: secret values are cipher envelopes (subscription-headers.ts opens and masks them). */
  headers: StoredHeader[];
  filter: string | null;
  rateLimitPerSecond: number | null;
  maxConcurrency: number | null;
  timeoutMs: number;
  status: 'PENDING_VERIFICATION' | 'ACTIVE' | 'DISABLED';
  statusReason: string | null;
  disabledAt: Date | null;
  lastSuccessAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

type Row = Prisma.WebhookSubscriptionGetPayload<object>;
const toRecord = (r: Row): SubscriptionRecord => ({
  id: r.id, workspaceId: r.workspaceId, url: r.url, description: r.description, events: r.events ?? [],
  headers: r.headers as unknown as StoredHeader[], filter: r.filter, rateLimitPerSecond: r.rateLimitPerSecond,
  maxConcurrency: r.maxConcurrency, timeoutMs: r.timeoutMs, status: r.status, statusReason: r.statusReason,
  disabledAt: r.disabledAt, lastSuccessAt: r.lastSuccessAt, createdAt: r.createdAt, updatedAt: r.updatedAt,
});

export interface OutboundDeps {
  db: Db;
  cipher: SecretCipher;
  client: DeliveryClient;
  policy: TargetPolicy;
  /** Marks pings like deliveries (signing/loop-marker.ts). */
  deploymentId: string;
  own: OwnAddresses;
}

async function guardUrl(url: string, deps: OutboundDeps): Promise<string> {
  try {
    return (await checkTargetUrl(url, deps.policy, deps.own)).toString();
  } catch (err) {
    if (err instanceof TargetRefused) throw badInput('url', err.message);
    throw err;
  }
}

function secretProblem(secret: string): string | undefined {
  const key = secret.startsWith('whsec_') ? secret.slice(6) : '';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || Buffer.from(key, 'base64').length < 24 || Buffer.from(key, 'base64').length > 64) {
    return 'must be whsec_ followed by 24 to 64 bytes of base64';
  }
  return undefined;
}

/**
 * Sends a signed webhook.ping; the outcome decides ACTIVE or PENDING_VERIFICATION. It applies only
 * if, meanwhile, the subscription was neither disabled nor moved to another URL.
 */
export async function ping(deps: OutboundDeps, sub: SubscriptionRecord): Promise<SubscriptionRecord> {
  const secrets = (await activeSecrets(deps.db, deps.cipher, { kind: 'subscription', id: sub.id })).map((s) => s.secret);
  const id = newId('event');
  const body = JSON.stringify({ id, type: 'webhook.ping', timestamp: new Date().toISOString(), workspaceId: sub.workspaceId, data: { subscriptionId: sub.id } });
  // A ping is about no session: it is the first hop.
  const headers = deliveryHeaders(id, body, secrets, openHeaders(deps.cipher, sub.id, sub.headers), { deploymentId: deps.deploymentId, hops: 1 });
  const result = await deps.client.post(sub.url, body, headers, Math.min(PING_TIMEOUT_MS, sub.timeoutMs));
  const ok = result.errorClass === null;
  const reason = ok ? null : `webhook.ping: ${result.statusCode !== null ? `answered ${result.statusCode}` : result.errorClass}; answer 2xx, then call verifyWebhookSubscription`;
  await deps.db.webhookSubscription.updateMany({
    where: { id: sub.id, url: sub.url, status: { not: 'DISABLED' } },
    data: ok ? { status: 'ACTIVE', statusReason: null, lastSuccessAt: new Date(), failingSince: null } : { status: 'PENDING_VERIFICATION', statusReason: reason },
  });
  return mustGetSubscription(deps.db, sub.workspaceId, sub.id);
}

export async function createSubscription(
  deps: OutboundDeps, workspaceId: string, input: Record<string, unknown> & { secret?: string | null },
): Promise<{ subscription: SubscriptionRecord; secret: string }> {
  const s = parseInput(settings, input);
  const url = await guardUrl(s.url, deps);
  const secret = input.secret ?? generateSecret('whsec');
  const problem = input.secret != null ? secretProblem(input.secret) : undefined;
  if (problem) throw badInput('secret', problem);
  const id = newId('subscription');
  const headers = sealHeaders(deps.cipher, id, s.headers ?? [], []);
  const row = await deps.db.$transaction(async (tx) => {
    const created = await tx.webhookSubscription.create({
      data: {
        id, workspaceId, url, description: s.description ?? null, events: s.events,
        headers: headers as unknown as Prisma.InputJsonValue, filter: s.filter ?? null, rateLimitPerSecond: s.rateLimitPerSecond ?? null,
        maxConcurrency: s.maxConcurrency ?? null, timeoutMs: s.timeoutMs,
      },
    });
    await addSecret(tx as Db, deps.cipher, { kind: 'subscription', id: created.id }, secret);
    return created;
  });
  return { subscription: await ping(deps, toRecord(row)), secret };
}

/** Query strings of subscription URLs often carry tokens: only ADMIN keys see their values. */
export function urlShownTo(role: ApiKeyRole | undefined, raw: string): string {
  const url = new URL(raw);
  const query = url.search.slice(1);
  if (role === 'ADMIN' || (query === '' && url.hash === '')) return raw;
  const masked = query.split('&').map((part) => (part.includes('=') ? `${part.slice(0, part.indexOf('='))}=${SECRET_MASK}` : SECRET_MASK)).join('&');
  return `${url.origin}${url.pathname}${query === '' ? '' : `?${masked}`}${url.hash === '' ? '' : `#${SECRET_MASK}`}`;
}

export async function getSubscription(db: Db, workspaceId: string, id: string): Promise<SubscriptionRecord | null> {
  const row = await db.webhookSubscription.findFirst({ where: { id, workspaceId } });
  return row ? toRecord(row) : null;
}

export async function mustGetSubscription(db: Db, workspaceId: string, id: string): Promise<SubscriptionRecord> {
  const sub = await getSubscription(db, workspaceId, id);
  if (!sub) throw notFound('webhook subscription', id);
  return sub;
}

export async function listSubscriptions(db: Db, workspaceId: string, page: { take: number; after?: string }): Promise<SubscriptionRecord[]> {
  const rows = await db.webhookSubscription.findMany({
    where: { workspaceId, ...(page.after ? { id: { gt: page.after } } : {}) }, orderBy: { id: 'asc' }, take: page.take,
  });
  return rows.map(toRecord);
}

/** Partial update; a new URL is checked again and pinged before it receives events. */
export async function updateSubscription(deps: OutboundDeps, workspaceId: string, id: string, patch: Record<string, unknown>): Promise<SubscriptionRecord> {
  const current = await mustGetSubscription(deps.db, workspaceId, id);
  const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  const s = parseInput(settings.partial(), defined) as Partial<z.infer<typeof settings>>;
  const data: Prisma.WebhookSubscriptionUpdateInput = {};
  if ('url' in defined) data.url = await guardUrl(s.url!, deps);
  if ('description' in defined) data.description = s.description ?? null;
  if ('events' in defined) data.events = s.events!;
  if ('headers' in defined) data.headers = sealHeaders(deps.cipher, id, s.headers ?? [], current.headers) as unknown as Prisma.InputJsonValue;
  if ('filter' in defined) data.filter = s.filter ?? null;
  if ('rateLimitPerSecond' in defined) data.rateLimitPerSecond = s.rateLimitPerSecond ?? null;
  if ('maxConcurrency' in defined) data.maxConcurrency = s.maxConcurrency ?? null;
  if ('timeoutMs' in defined) data.timeoutMs = s.timeoutMs!;
  const urlChanged = data.url !== undefined && data.url !== current.url;
  if (urlChanged && current.status === 'ACTIVE') Object.assign(data, { status: 'PENDING_VERIFICATION', statusReason: 'URL changed: verifying' });
  const updated = toRecord(await deps.db.webhookSubscription.update({ where: { id }, data }));
  return urlChanged && current.status !== 'DISABLED' ? ping(deps, updated) : updated;
}

export async function deleteSubscription(db: Db, workspaceId: string, id: string): Promise<SubscriptionRecord> {
  const current = await mustGetSubscription(db, workspaceId, id);
  await db.webhookSubscription.delete({ where: { id } });
  return current;
}

/**
 * DISABLED -> verified again: ACTIVE only once the URL (perhaps changed while disabled) answers a
 * ping, else PENDING_VERIFICATION with the reason. The failure window starts afresh; cancelled
 * deliveries stay so until replayEvents.
 */
export async function enableSubscription(deps: OutboundDeps, workspaceId: string, id: string): Promise<SubscriptionRecord> {
  const current = await mustGetSubscription(deps.db, workspaceId, id);
  const { count } = await deps.db.webhookSubscription.updateMany({
    where: { id, status: 'DISABLED' },
    data: { status: 'PENDING_VERIFICATION', statusReason: 'enabled: verifying the URL', disabledAt: null, failingSince: null },
  });
  return count === 0 ? current : ping(deps, await mustGetSubscription(deps.db, workspaceId, id));
}

/** Pings again (verifyWebhookSubscription). A DISABLED subscription must be enabled instead. */
export async function verifySubscription(deps: OutboundDeps, workspaceId: string, id: string): Promise<SubscriptionRecord> {
  const current = await mustGetSubscription(deps.db, workspaceId, id);
  if (current.status === 'DISABLED') throw new DomainError('BAD_USER_INPUT', 'id: the subscription is DISABLED; enable it first', 'id');
  return ping(deps, current);
}
