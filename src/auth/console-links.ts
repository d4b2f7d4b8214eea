// Console links (SPEC §12, §13): a one-time token, carried in a URL fragment, exchanged once for a
// console session. A session is an API key with a fixed end (api-keys.ts), so every path that
// checks, lists and revokes keys (graphql-ws sockets included) serves sessions as well.
import { randomBytes } from 'node:crypto';
import type { DbOrTx } from '../platform/db/prisma.ts';
import { badInput, notFound } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import type { Services } from '../platform/services.ts';
import { type ApiKeyRecord, PUBLIC_FIELDS, SESSION_PREFIX, announceRevoked, hashKey } from './api-keys.ts';
import { type ApiKeyRole, type Principal, assertCan } from './principal.ts';

const LINK_PREFIX = 'wcl_';
/** Fixed, whatever the link's lifetime (SPEC §13): a session is not extended by use. */
export const SESSION_LIFETIME_MS = 12 * 60 * 60 * 1000;
export const LINK_TTL_MINUTES = { min: 1, max: 1440 } as const;

export interface ConsoleLinkRecord {
  id: string;
  workspaceId: string;
  role: ApiKeyRole;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
}

const LINK_FIELDS = { id: true, workspaceId: true, role: true, createdAt: true, expiresAt: true, usedAt: true, revokedAt: true } as const;

/** Where a link's token is read by the console: the fragment never reaches a server or a log. */
export function consoleLinkUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/console/#link=${token}`;
}

/** A new link of the workspace; no rights checked (the CLI and the first start make links too). */
export async function issueConsoleLink(
  db: DbOrTx, workspaceId: string, input: { role: string; ttlMinutes: number; createdByKeyId?: string | undefined },
): Promise<{ link: ConsoleLinkRecord; token: string }> {
  if (input.role !== 'ADMIN' && input.role !== 'VIEWER') throw badInput('role', 'must be ADMIN or VIEWER (a PUBLISHER cannot use the console)');
  if (!Number.isInteger(input.ttlMinutes) || input.ttlMinutes < LINK_TTL_MINUTES.min || input.ttlMinutes > LINK_TTL_MINUTES.max) {
    throw badInput('ttlMinutes', `must be a whole number of minutes from ${LINK_TTL_MINUTES.min} to ${LINK_TTL_MINUTES.max}`);
  }
  const token = LINK_PREFIX + randomBytes(32).toString('base64url');
  const link = await db.consoleLink.create({
    data: {
      id: newId('consoleLink'), workspaceId, role: input.role, hash: hashKey(token), createdByKeyId: input.createdByKeyId ?? null,
      expiresAt: new Date(Date.now() + input.ttlMinutes * 60_000),
    },
    select: LINK_FIELDS,
  });
  return { link, token };
}

/** createConsoleLink: ADMIN only; the link's role is never above the caller's. */
export async function createConsoleLink(
  services: Pick<Services, 'db' | 'config'>, principal: Principal | undefined, input: { role: string; ttlMinutes: number },
): Promise<{ link: ConsoleLinkRecord; url: string }> {
  const caller = assertCan(principal, 'manage');
  const { link, token } = await issueConsoleLink(services.db, caller.workspaceId, { ...input, createdByKeyId: caller.keyId });
  return { link, url: consoleLinkUrl(services.config.publicUrl, token) };
}

/**
 * Revokes a link: unused, it can no longer be exchanged; used, the sessions it made end, and their
 * open sockets close before this returns (the same announcement as a revoked key's).
 */
export async function revokeConsoleLink(
  services: Pick<Services, 'db' | 'pool' | 'realtime'>, principal: Principal | undefined, input: { id: string },
): Promise<ConsoleLinkRecord> {
  const { workspaceId } = assertCan(principal, 'manage');
  const { link, sessionIds } = await services.db.$transaction(async (tx) => {
    const existing = await tx.consoleLink.findFirst({ where: { id: input.id, workspaceId }, select: LINK_FIELDS });
    if (!existing) throw notFound('console link', input.id);
    const link = existing.revokedAt
      ? existing
      : await tx.consoleLink.update({ where: { id: existing.id }, data: { revokedAt: new Date() }, select: LINK_FIELDS });
    const sessions = await tx.apiKey.findMany({ where: { consoleLinkId: link.id }, select: { id: true, revokedAt: true } });
    await tx.apiKey.updateMany({ where: { consoleLinkId: link.id, revokedAt: null }, data: { revokedAt: link.revokedAt! } });
    return { link, sessionIds: sessions.map((s) => s.id) };
  });
  await announceRevoked(services, workspaceId, sessionIds);
  return link;
}

export type LinkRefusal = 'NOT_FOUND' | 'USED' | 'REVOKED' | 'EXPIRED';

export type Exchange =
  | { ok: true; token: string; session: ApiKeyRecord; workspace: { id: string; name: string } }
  | { ok: false; refusal: LinkRefusal };

/**
 * POST /v1/console/session: spends the link and makes its session in one transaction. The UPDATE
 * re-checks `used_at IS NULL` on the locked row, so of two exchanges racing, exactly one wins.
 */
export async function exchangeConsoleLink(services: Pick<Services, 'db'>, linkToken: string): Promise<Exchange> {
  if (!linkToken.startsWith(LINK_PREFIX) || linkToken.length > 200) return { ok: false, refusal: 'NOT_FOUND' };
  const hash = hashKey(linkToken);
  return services.db.$transaction(async (tx) => {
    const now = new Date();
    const spent = await tx.consoleLink.updateMany({ where: { hash, usedAt: null, revokedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
    const link = await tx.consoleLink.findUnique({ where: { hash }, select: { ...LINK_FIELDS, workspace: { select: { id: true, name: true } } } });
    if (spent.count === 0 || !link) return { ok: false, refusal: whyRefused(link, now) };
    const token = SESSION_PREFIX + randomBytes(32).toString('base64url');
    const session = await tx.apiKey.create({
      data: {
        id: newId('apiKey'), workspaceId: link.workspaceId, name: `console session (${link.id})`, role: link.role,
        prefix: token.slice(0, 12), hash: hashKey(token), expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS), consoleLinkId: link.id,
      },
      select: PUBLIC_FIELDS,
    });
    return { ok: true, token, session, workspace: link.workspace };
  });
}

function whyRefused(link: ConsoleLinkRecord | null, now: Date): LinkRefusal {
  if (!link) return 'NOT_FOUND';
  if (link.revokedAt) return 'REVOKED';
  if (link.usedAt) return 'USED';
  return link.expiresAt <= now ? 'EXPIRED' : 'USED';
}

/**
 * The workspace's links, oldest first: a page of a Relay connection (see listApiKeys). Unless
 * asked for all, only those that still open something: unused and unexpired, or used with a
 * session still live.
 */
export async function listConsoleLinks(
  services: Pick<Services, 'db'>, principal: Principal | undefined, input: { first: number; after?: string | undefined; includeInactive: boolean },
): Promise<ConsoleLinkRecord[]> {
  const { workspaceId } = assertCan(principal, 'manage');
  const now = new Date();
  const active = {
    revokedAt: null,
    OR: [
      { usedAt: null, expiresAt: { gt: now } },
      { usedAt: { not: null }, sessions: { some: { revokedAt: null, expiresAt: { gt: now } } } },
    ],
  };
  return services.db.consoleLink.findMany({
    where: { workspaceId, ...(input.includeInactive ? {} : active), ...(input.after ? { id: { gt: input.after } } : {}) },
    orderBy: { id: 'asc' },
    take: input.first + 1,
    select: LINK_FIELDS,
  });
}

/** One of the workspace's links (node(id:)): ADMIN sees links; others get null, as for a missing one. */
export async function findConsoleLink(services: Pick<Services, 'db'>, principal: Principal | undefined, input: { id: string }): Promise<ConsoleLinkRecord | null> {
  const p = assertCan(principal, 'read');
  if (p.role !== 'ADMIN') return null;
  return services.db.consoleLink.findFirst({ where: { id: input.id, workspaceId: p.workspaceId }, select: LINK_FIELDS });
}
