// Webhook subscriptions (SPEC §7, §12): an HTTPS URL, an event checklist and a signing secret.
// Creating one pings it with `webhook.ping` (2 s): a 2xx makes it ACTIVE, anything else leaves it
// PENDING_VERIFICATION with the reason. Only ACTIVE subscriptions receive events, so enabling one
// pings it too: its URL may have changed, or stopped answering, while it was disabled. Disabling
// cancels its pending deliveries. Each use case checks the caller's rights itself (ADMIN keys
// manage); the reads are in queries.ts.
import type pg from 'pg';
import { z } from 'zod';
import { auditWriter } from '../audit/append.ts';
import { type ApiKeyRole, type Principal, assertCan } from '../auth/principal.ts';
import { EVENT_TYPES } from '../events/catalog.ts';
import { insertEvents } from '../events/outbox.ts';
import { Prisma } from '../generated/prisma/client.ts';
import { sha256Hex } from '../platform/crypto/sha256.ts';
import { withTransaction } from '../platform/db/pool.ts';
import type { DbOrTx } from '../platform/db/prisma.ts';
import { badInput, notFound, parseInput } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { jsonPathSchema } from '../platform/jsonpath.ts';
import { notify } from '../platform/realtime.ts';
import type { Services } from '../platform/services.ts';
import type { SendResult } from '../platform/http-client.ts';
import { TargetRefused, checkTargetUrl } from '../platform/target-guard.ts';
import { generateSecret } from '../secrets/secret-format.ts';
import { activeSecrets, addSecret } from '../secrets/secret-store.ts';
import { type StoredOAuth2, oauth2Input, sealOAuth2, sendWithToken } from './oauth2.ts';
import { outboundAuditRow } from './outbound-audit.ts';
import { deliveryHeaders } from './sign-delivery.ts';
import { SECRET_MASK, type StoredHeader, headerInput, openHeaders, sealHeaders } from './subscription-headers.ts';
import { NO_TLS, type StoredCertificate, type StoredTls, openTls, sealTls, tlsInput } from './subscription-tls.ts';

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
  oauth2: oauth2Input.nullish(),
  tls: tlsInput.nullish(),
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
  /** As stored: clientSecret is a cipher envelope (oauth2.ts). */
  oauth2: StoredOAuth2 | null;
  status: 'PENDING_VERIFICATION' | 'ACTIVE' | 'DISABLED';
  statusReason: string | null;
  disabledAt: Date | null;
  lastSuccessAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** mTLS settings as stored: the key is a cipher envelope (subscription-tls.ts opens and shows them). */
  tls: StoredTls;
}

type Row = Prisma.WebhookSubscriptionGetPayload<object>;
export const toRecord = (r: Row): SubscriptionRecord => ({
  id: r.id, workspaceId: r.workspaceId, url: r.url, description: r.description, events: r.events ?? [],
  headers: r.headers as unknown as StoredHeader[], filter: r.filter, rateLimitPerSecond: r.rateLimitPerSecond,
  maxConcurrency: r.maxConcurrency, timeoutMs: r.timeoutMs, oauth2: r.oauth2 as unknown as StoredOAuth2 | null, status: r.status, statusReason: r.statusReason,
  disabledAt: r.disabledAt, lastSuccessAt: r.lastSuccessAt, createdAt: r.createdAt, updatedAt: r.updatedAt,
  tls: {
    clientCert: r.tlsClientCert, clientKey: r.tlsClientKey, caCerts: r.tlsCaCerts,
    certificates: r.tlsCertificates as unknown as StoredCertificate[], identity: r.tlsIdentity,
  },
});

const tlsColumns = (t: StoredTls) => ({
  tlsClientCert: t.clientCert, tlsClientKey: t.clientKey, tlsCaCerts: t.caCerts,
  tlsCertificates: t.certificates as unknown as Prisma.InputJsonValue, tlsIdentity: t.identity,
});

/** What pinging a subscription takes: its secrets, the one delivery client and its target policy. */
export type PingServices = Pick<Services, 'db' | 'pool' | 'chainKeys' | 'cipher' | 'deliveryClient' | 'config' | 'deploymentId' | 'ownAddresses' | 'log'>;

async function guardUrl(url: string, services: PingServices, field = 'url'): Promise<string> {
  const policy = { allowInsecure: services.config.allowInsecureTargets, allowPrivate: services.config.allowPrivateTargets, dnsServers: services.config.outboundDnsServers };
  try {
    return (await checkTargetUrl(url, policy, services.ownAddresses)).toString();
  } catch (err) {
    if (err instanceof TargetRefused) throw badInput(field, err.message);
    throw err;
  }
}

/** OAuth2 credentials to store (the token URL passes the same guard as the URL), or none. */
async function oauth2Setting(services: PingServices, id: string, input: z.infer<typeof oauth2Input> | null | undefined, current: StoredOAuth2 | null): Promise<StoredOAuth2 | null> {
  if (!input) return null;
  const tokenUrl = await guardUrl(input.tokenUrl, services, 'oauth2.tokenUrl');
  return sealOAuth2(services.cipher, id, { ...input, tokenUrl }, current);
}

/** OAuth2 sends its own Authorization header (SPEC §7): a custom one beside it is refused, naming what the caller gave. */
function refuseAuthorizationBeside(headers: Array<{ name: string }>, headersGiven: boolean, hasOAuth2: boolean): void {
  const i = headers.findIndex((h) => h.name.toLowerCase() === 'authorization');
  if (i < 0 || !hasOAuth2) return;
  if (headersGiven) throw badInput(`headers.${i}.name`, 'an Authorization header cannot be set beside oauth2, which sends its own bearer token');
  throw badInput('oauth2', 'the subscription sends a custom Authorization header: remove it (headers) in the same update to use oauth2');
}

export function secretProblem(secret: string): string | undefined {
  const key = secret.startsWith('whsec_') ? secret.slice(6) : '';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || Buffer.from(key, 'base64').length < 24 || Buffer.from(key, 'base64').length > 64) {
    return 'must be whsec_ followed by 24 to 64 bytes of base64';
  }
  return undefined;
}

/** SPEC §9: every ping has its audit row, like every attempt (no delivery: a ping is about none). */
async function auditPing(
  services: PingServices, sub: SubscriptionRecord,
  ping: { headers: Record<string, string>; body: string; startedAt: Date; result: SendResult },
): Promise<void> {
  const row = outboundAuditRow({
    workspaceId: sub.workspaceId, subscriptionId: sub.id, deliveryId: null, eventType: 'webhook.ping', headers: ping.headers,
    payloadSha256: sha256Hex(ping.body), startedAt: ping.startedAt, attempt: null, result: ping.result,
  });
  const audit = auditWriter(services);
  await audit.retrying([sub.workspaceId], () => withTransaction(services.pool, (client) => audit.append(client, sub.workspaceId, [row])));
}

/**
 * Sends a signed webhook.ping; the outcome decides ACTIVE or PENDING_VERIFICATION. It applies only
 * if, meanwhile, the subscription was neither disabled nor moved to another URL.
 */
async function ping(services: PingServices, sub: SubscriptionRecord): Promise<SubscriptionRecord> {
  const { db, cipher } = services;
  const secrets = (await activeSecrets(db, cipher, { kind: 'subscription', id: sub.id })).map((s) => s.secret);
  const id = newId('event');
  const body = JSON.stringify({ id, type: 'webhook.ping', timestamp: new Date().toISOString(), workspaceId: sub.workspaceId, data: { subscriptionId: sub.id } });
  // A ping is about no session: it is the first hop.
  const headers = deliveryHeaders(id, body, secrets, openHeaders(cipher, sub.id, sub.headers), { deploymentId: services.deploymentId, hops: 1 });
  const tls = sub.tls.identity ? { identity: sub.tls.identity, material: async () => openTls(cipher, sub.id, sub.tls) } : null;
  const timeoutMs = Math.min(PING_TIMEOUT_MS, sub.timeoutMs);
  const startedAt = new Date();
  const result = await sendWithToken(services, { ...sub, timeoutMs }, (auth, left) =>
    services.deliveryClient.post({ url: sub.url, owner: sub.id, tls }, body, { ...headers, ...auth }, left));
  const ok = result.errorClass === null;
  await auditPing(services, sub, { headers, body, startedAt, result });
  const answer = result.statusCode !== null ? `answered ${result.statusCode}` : `${result.errorClass}${result.errorReason ? ` (${result.errorReason})` : ''}`;
  const reason = ok ? null : `webhook.ping: ${answer}; answer 2xx, then call verifyWebhookSubscription`;
  await db.webhookSubscription.updateMany({
    where: { id: sub.id, url: sub.url, tlsIdentity: sub.tls.identity, status: { not: 'DISABLED' } },
    data: ok ? { status: 'ACTIVE', statusReason: null, lastSuccessAt: new Date(), failingSince: null } : { status: 'PENDING_VERIFICATION', statusReason: reason },
  });
  return mustGetSubscription(db, sub.workspaceId, sub.id);
}

export async function createSubscription(
  services: PingServices, principal: Principal | undefined, input: Record<string, unknown> & { secret?: string | null },
): Promise<{ subscription: SubscriptionRecord; secret: string }> {
  const { workspaceId } = assertCan(principal, 'manage');
  const s = parseInput(settings, input);
  const url = await guardUrl(s.url, services);
  const secret = input.secret ?? generateSecret('whsec');
  const problem = input.secret != null ? secretProblem(input.secret) : undefined;
  if (problem) throw badInput('secret', problem);
  const id = newId('subscription');
  const headers = sealHeaders(services.cipher, id, s.headers ?? [], []);
  refuseAuthorizationBeside(headers, true, Boolean(s.oauth2));
  const oauth2 = await oauth2Setting(services, id, s.oauth2, null);
  const tls = sealTls(services.cipher, id, s.tls ?? null, NO_TLS);
  const row = await services.db.$transaction(async (tx) => {
    const created = await tx.webhookSubscription.create({
      data: {
        id, workspaceId, url, description: s.description ?? null, events: s.events,
        headers: headers as unknown as Prisma.InputJsonValue, filter: s.filter ?? null, rateLimitPerSecond: s.rateLimitPerSecond ?? null,
        maxConcurrency: s.maxConcurrency ?? null, timeoutMs: s.timeoutMs, oauth2: (oauth2 as unknown as Prisma.InputJsonObject | null) ?? Prisma.DbNull,
        ...tlsColumns(tls),
      },
    });
    await addSecret(tx, services.cipher, { kind: 'subscription', id: created.id }, secret);
    return created;
  });
  return { subscription: await ping(services, toRecord(row)), secret };
}

/** Query strings of subscription URLs often carry tokens: only ADMIN keys see their values. */
export function urlShownTo(role: ApiKeyRole | undefined, raw: string): string {
  const url = new URL(raw);
  const query = url.search.slice(1);
  if (role === 'ADMIN' || (query === '' && url.hash === '')) return raw;
  const masked = query.split('&').map((part) => (part.includes('=') ? `${part.slice(0, part.indexOf('='))}=${SECRET_MASK}` : SECRET_MASK)).join('&');
  return `${url.origin}${url.pathname}${query === '' ? '' : `?${masked}`}${url.hash === '' ? '' : `#${SECRET_MASK}`}`;
}

/** A subscription of the workspace, for callers that checked the workspace's rights already. */
export async function getSubscription(db: DbOrTx, workspaceId: string, id: string): Promise<SubscriptionRecord | null> {
  const row = await db.webhookSubscription.findFirst({ where: { id, workspaceId } });
  return row ? toRecord(row) : null;
}

export async function mustGetSubscription(db: DbOrTx, workspaceId: string, id: string): Promise<SubscriptionRecord> {
  const sub = await getSubscription(db, workspaceId, id);
  if (!sub) throw notFound('webhook subscription', id);
  return sub;
}

/**
 * Partial update; a new URL, or new TLS settings (another client certificate, other CAs), is
 * checked again and pinged before it receives events.
 */
export async function updateSubscription(
  services: PingServices, principal: Principal | undefined, input: { id: string } & Record<string, unknown>,
): Promise<SubscriptionRecord> {
  const { workspaceId } = assertCan(principal, 'manage');
  const { id, ...patch } = input;
  const current = await mustGetSubscription(services.db, workspaceId, id);
  const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  const s = parseInput(settings.partial(), defined) as Partial<z.infer<typeof settings>>;
  const data: Prisma.WebhookSubscriptionUpdateInput = {};
  if ('url' in defined) data.url = await guardUrl(s.url!, services);
  if ('description' in defined) data.description = s.description ?? null;
  if ('events' in defined) data.events = s.events!;
  if ('headers' in defined) data.headers = sealHeaders(services.cipher, id, s.headers ?? [], current.headers) as unknown as Prisma.InputJsonValue;
  if ('filter' in defined) data.filter = s.filter ?? null;
  if ('rateLimitPerSecond' in defined) data.rateLimitPerSecond = s.rateLimitPerSecond ?? null;
  if ('maxConcurrency' in defined) data.maxConcurrency = s.maxConcurrency ?? null;
  if ('timeoutMs' in defined) data.timeoutMs = s.timeoutMs!;
  const oauth2 = 'oauth2' in defined ? await oauth2Setting(services, id, s.oauth2, current.oauth2) : current.oauth2;
  if ('oauth2' in defined) data.oauth2 = (oauth2 as unknown as Prisma.InputJsonObject | null) ?? Prisma.DbNull;
  refuseAuthorizationBeside('headers' in defined ? (s.headers ?? []) : current.headers, 'headers' in defined, oauth2 !== null);
  const tls = 'tls' in defined ? sealTls(services.cipher, id, s.tls ?? null, current.tls) : current.tls;
  if ('tls' in defined) Object.assign(data, tlsColumns(tls));
  const urlChanged = data.url !== undefined && data.url !== current.url;
  const tlsChanged = tls.identity !== current.tls.identity;
  if ((urlChanged || tlsChanged) && current.status === 'ACTIVE') {
    Object.assign(data, { status: 'PENDING_VERIFICATION', statusReason: `${urlChanged ? 'URL' : 'TLS settings'} changed: verifying` });
  }
  const updated = toRecord(await services.db.webhookSubscription.update({ where: { id }, data }));
  return (urlChanged || tlsChanged) && current.status !== 'DISABLED' ? ping(services, updated) : updated;
}

/** Deletes the subscription with its deliveries and secrets; returns it as it was. */
export async function deleteSubscription(services: Pick<Services, 'db'>, principal: Principal | undefined, input: { id: string }): Promise<SubscriptionRecord> {
  const { workspaceId } = assertCan(principal, 'manage');
  return services.db.$transaction(async (tx) => {
    const current = await mustGetSubscription(tx, workspaceId, input.id);
    await tx.webhookSubscription.delete({ where: { id: input.id } });
    return current;
  });
}

/**
 * DISABLED -> verified again: ACTIVE only once the URL (perhaps changed while disabled) answers a
 * ping, else PENDING_VERIFICATION with the reason. The failure window starts afresh; cancelled
 * deliveries stay so until replayEvents.
 */
export async function enableSubscription(services: PingServices, principal: Principal | undefined, input: { id: string }): Promise<SubscriptionRecord> {
  const { workspaceId } = assertCan(principal, 'manage');
  const current = await mustGetSubscription(services.db, workspaceId, input.id);
  const { count } = await services.db.webhookSubscription.updateMany({
    where: { id: input.id, status: 'DISABLED' },
    data: { status: 'PENDING_VERIFICATION', statusReason: 'enabled: verifying the URL', disabledAt: null, failingSince: null },
  });
  return count === 0 ? current : ping(services, await mustGetSubscription(services.db, workspaceId, input.id));
}

/** Pings again (verifyWebhookSubscription). A DISABLED subscription must be enabled instead. */
export async function verifySubscription(services: PingServices, principal: Principal | undefined, input: { id: string }): Promise<SubscriptionRecord> {
  const { workspaceId } = assertCan(principal, 'manage');
  const current = await mustGetSubscription(services.db, workspaceId, input.id);
  if (current.status === 'DISABLED') throw badInput('id', 'the subscription is DISABLED; enable it first');
  return ping(services, current);
}

/** disableWebhookSubscription: stops deliveries at once (markDisabled). */
export async function disableSubscription(
  services: Pick<Services, 'db' | 'pool' | 'boss'>, principal: Principal | undefined, input: { id: string; reason?: string | null },
): Promise<SubscriptionRecord> {
  const { workspaceId } = assertCan(principal, 'manage');
  await withTransaction(services.pool, async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM webhook_subscription WHERE id = $1 AND workspace_id = $2', [input.id, workspaceId]);
    if (!rowCount) throw notFound('webhook subscription', input.id);
    // The pending deliveries first, then the subscription (in markDisabled): the order in which a
    // worker recording their attempts locks them. The other order deadlocked with a worker
    // recording a failure of this subscription (seen once in a full test run).
    await client.query(`SELECT 1 FROM outbound_delivery WHERE subscription_id = $1 AND status = 'PENDING' ORDER BY id FOR NO KEY UPDATE`, [input.id]);
    await markDisabled(client, services.boss, workspaceId, input.id, input.reason?.trim() || 'disabled by an administrator');
  });
  return mustGetSubscription(services.db, workspaceId, input.id);
}

/**
 * DISABLED, with the reason, in the caller's transaction (an administrator's disable, or the
 * worker's after a 410 or too long a failure window); its pending deliveries are CANCELLED
 * (replayEvents sends them again after it is enabled); a `subscription.disabled` event goes to the
 * workspace's other subscribers. False when it was DISABLED already.
 */
export async function markDisabled(client: pg.PoolClient, boss: Services['boss'], workspaceId: string, subscriptionId: string, reason: string): Promise<boolean> {
  const { rowCount } = await client.query(
    `UPDATE webhook_subscription SET status = 'DISABLED', status_reason = $2, disabled_at = now(), updated_at = now()
     WHERE id = $1 AND status <> 'DISABLED'`,
    [subscriptionId, reason],
  );
  if (!rowCount) return false;
  const { rows: cancelled } = await client.query<{ id: string }>(
    `UPDATE outbound_delivery SET status = 'CANCELLED', next_attempt_at = NULL, updated_at = now()
     WHERE subscription_id = $1 AND status = 'PENDING' RETURNING id`,
    [subscriptionId],
  );
  await insertEvents(client, boss, [{ workspaceId, type: 'subscription.disabled', data: { subscriptionId, reason } }]);
  await notify(client, cancelled.map((c) => ({ topic: 'delivery.updated', workspaceId, data: { deliveryId: c.id, at: Date.now() } })));
  return true;
}
