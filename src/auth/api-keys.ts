// API keys (SPEC §4): random, shown once, stored as SHA-256. A key is "whk_" + 32 random bytes
// (base64url); the stored prefix lets a user recognise a key in a list without it being usable.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { sha256Hex } from '../platform/crypto/sha256.ts';
import type { DbOrTx } from '../platform/db/prisma.ts';
import { DomainError, badInput, notFound } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import type { Services } from '../platform/services.ts';
import { type LiveKey, keyCache } from './key-cache.ts';
import { type ApiKeyRole, type Principal, ROLES, assertCan } from './principal.ts';

const KEY_PREFIX = 'whk_';
/** Console sessions (SPEC §13) are keys with an end, made by exchanging a console link. */
export const SESSION_PREFIX = 'wcs_';

export const hashKey = (key: string) => sha256Hex(key);

export interface ApiKeyRecord {
  id: string;
  workspaceId: string;
  name: string;
  role: ApiKeyRole;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  /** Console sessions only: their fixed end and the link that made them. */
  expiresAt: Date | null;
  consoleLinkId: string | null;
}

/** Every column but the hash: what an ApiKeyRecord holds. */
export const PUBLIC_FIELDS = {
  id: true, workspaceId: true, name: true, role: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true,
  expiresAt: true, consoleLinkId: true,
} as const;

/** A new key of the workspace; no rights checked (workspace creation and the CLI issue keys too). */
export async function issueApiKey(db: DbOrTx, workspaceId: string, input: { name: string; role: string }): Promise<{ apiKey: ApiKeyRecord; key: string }> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 100) throw badInput('name', 'must be 1 to 100 characters');
  if (!(ROLES as readonly string[]).includes(input.role)) throw badInput('role', `must be one of ${ROLES.join(', ')}`);
  const key = KEY_PREFIX + randomBytes(32).toString('base64url');
  const apiKey = await db.apiKey.create({
    data: { id: newId('apiKey'), workspaceId, name, role: input.role as ApiKeyRole, prefix: key.slice(0, 12), hash: hashKey(key) },
    select: PUBLIC_FIELDS,
  });
  return { apiKey, key };
}

export async function createApiKey(
  services: Pick<Services, 'db'>, principal: Principal | undefined, input: { name: string; role: string },
): Promise<{ apiKey: ApiKeyRecord; key: string }> {
  const { workspaceId } = assertCan(principal, 'manage');
  return issueApiKey(services.db, workspaceId, input);
}

export async function getApiKey(db: DbOrTx, workspaceId: string, id: string): Promise<ApiKeyRecord | null> {
  return db.apiKey.findFirst({ where: { id, workspaceId }, select: PUBLIC_FIELDS });
}

/**
 * Revokes a key (or a console session) and, before answering, closes what it has open. A console
 * session may revoke itself: that is signing out.
 */
export async function revokeApiKey(
  services: Pick<Services, 'db' | 'pool' | 'realtime'>, principal: Principal | undefined, input: { id: string },
): Promise<ApiKeyRecord> {
  const { workspaceId, keyId } = assertCan(principal, principal?.keyId === input.id ? 'read' : 'manage');
  const existing = await getApiKey(services.db, workspaceId, input.id);
  if (!existing) throw notFound('API key', input.id);
  if (existing.id === keyId && !existing.consoleLinkId) {
    throw new DomainError('BAD_USER_INPUT', 'id: a key cannot revoke itself; use another ADMIN key', 'id');
  }
  // Announced again for a key already revoked: harmless, and it mends a notification once lost.
  const revoked = existing.revokedAt
    ? existing
    : await services.db.apiKey.update({ where: { id: existing.id }, data: { revokedAt: new Date() }, select: PUBLIC_FIELDS });
  await announceRevoked(services, workspaceId, [existing.id]);
  return revoked;
}

/**
 * The one way a revocation takes effect on open sockets: this replica's graphql-ws sockets close
 * at once (a local `apikey.revoked`), the other replicas' on the NOTIFY (SPEC §15).
 */
export async function announceRevoked(services: Pick<Services, 'pool' | 'realtime'>, workspaceId: string, keyIds: string[]): Promise<void> {
  for (const keyId of keyIds) await services.realtime.announce(services.pool, 'apikey.revoked', workspaceId, { keyId });
}

/** A key that may be used: not revoked, and for a console session not past its end. */
const LIVE = 'revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())';

/**
 * Finds a live key and stamps its lastUsedAt in the same statement, at most once a minute per key:
 * the UPDATE re-checks its condition on the locked row, so requests racing past one old stamp write
 * it once, and the minutes between cost no write at all.
 */
async function useKey(pool: pg.Pool, by: 'hash' | 'id', value: string): Promise<LiveKey | undefined> {
  const { rows } = await pool.query<{ id: string; workspace_id: string; role: Principal['role']; expires_at: Date | null }>(
    `WITH k AS (SELECT id, workspace_id, role, expires_at FROM api_key WHERE ${by} = $1 AND ${LIVE}),
     touched AS (
       UPDATE api_key a SET last_used_at = now() FROM k
       WHERE a.id = k.id AND a.revoked_at IS NULL AND (a.last_used_at IS NULL OR a.last_used_at < now() - interval '1 minute'))
     SELECT id, workspace_id, role, expires_at FROM k`,
    [value],
  );
  const row = rows[0];
  return row ? { principal: { workspaceId: row.workspace_id, keyId: row.id, role: row.role }, endsAt: row.expires_at } : undefined;
}

/**
 * The principal a bearer token stands for, or undefined for a missing, unknown, revoked or expired
 * one; from the process's key cache when it holds the key (key-cache.ts says how it stays fresh).
 */
export async function authenticate(services: Pick<Services, 'pool' | 'realtime' | 'metrics'>, token: string | undefined): Promise<Principal | undefined> {
  if (!token || !(token.startsWith(KEY_PREFIX) || token.startsWith(SESSION_PREFIX)) || token.length > 200) return undefined;
  return keyCache(services).get(hashKey(token), (hash) => useKey(services.pool, 'hash', hash));
}

/**
 * The principal again if its key is still valid, read from the database (never the cache): checked
 * by every operation on a long-lived socket, so one that arrives while a revocation closes it is refused.
 */
export async function reauthenticate(pool: pg.Pool, principal: Principal): Promise<Principal | undefined> {
  return (await useKey(pool, 'id', principal.keyId))?.principal;
}

/** Of these key ids, the ones revoked, expired or deleted since they were authenticated. */
export async function revokedAmong(pool: pg.Pool, keyIds: string[]): Promise<Set<string>> {
  if (keyIds.length === 0) return new Set();
  const { rows } = await pool.query<{ id: string }>(`SELECT id FROM api_key WHERE id = ANY($1::text[]) AND ${LIVE}`, [keyIds]);
  const live = new Set(rows.map((r) => r.id));
  return new Set(keyIds.filter((id) => !live.has(id)));
}

/** "Bearer <key>" from an Authorization header (or graphql-ws connectionParams.authorization). */
export function bearerToken(header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
