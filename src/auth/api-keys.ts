// API keys (SPEC §4): random, shown once, stored as SHA-256. A key is "whk_" + 32 random bytes
// (base64url); the stored prefix lets a user recognise a key in a list without it being usable.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/prisma.ts';
import { DomainError, badInput, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { type ApiKeyRole, type Principal, ROLES } from './principal.ts';

export const KEY_PREFIX = 'whk_';

export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

export interface ApiKeyRecord {
  id: string;
  workspaceId: string;
  name: string;
  role: ApiKeyRole;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const PUBLIC_FIELDS = {
  id: true, workspaceId: true, name: true, role: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true,
} as const;

export async function createApiKey(
  db: Db,
  workspaceId: string,
  input: { name: string; role: string },
): Promise<{ apiKey: ApiKeyRecord; key: string }> {
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

export async function listApiKeys(db: Db, workspaceId: string, opts: { includeRevoked: boolean }): Promise<ApiKeyRecord[]> {
  return db.apiKey.findMany({
    where: { workspaceId, ...(opts.includeRevoked ? {} : { revokedAt: null }) },
    orderBy: { id: 'asc' },
    select: PUBLIC_FIELDS,
  });
}

export async function getApiKey(db: Db, workspaceId: string, id: string): Promise<ApiKeyRecord | null> {
  return db.apiKey.findFirst({ where: { id, workspaceId }, select: PUBLIC_FIELDS });
}

export async function revokeApiKey(db: Db, principal: Principal, id: string): Promise<ApiKeyRecord> {
  const existing = await getApiKey(db, principal.workspaceId, id);
  if (!existing) throw notFound('API key', id);
  if (existing.id === principal.keyId) {
    throw new DomainError('BAD_USER_INPUT', 'id: a key cannot revoke itself; use another ADMIN key', 'id');
  }
  if (existing.revokedAt) return existing;
  return db.apiKey.update({ where: { id }, data: { revokedAt: new Date() }, select: PUBLIC_FIELDS });
}

/** The principal a bearer token stands for, or undefined for a missing, unknown or revoked key. */
export async function authenticate(db: Db, token: string | undefined): Promise<Principal | undefined> {
  if (!token || !token.startsWith(KEY_PREFIX) || token.length > 200) return undefined;
  const row = await db.apiKey.findUnique({
    where: { hash: hashKey(token) },
    select: { id: true, workspaceId: true, role: true, revokedAt: true },
  });
  if (!row || row.revokedAt) return undefined;
  return { workspaceId: row.workspaceId, keyId: row.id, role: row.role };
}

/** "Bearer <key>" from an Authorization header (or graphql-ws connectionParams.authorization). */
export function bearerToken(header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
