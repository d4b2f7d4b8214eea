// Read models of the auth side (SPEC §4): the caller itself (`me`) and the workspace's API keys.
import { notFound } from '../platform/errors.ts';
import type { Services } from '../platform/services.ts';
import { type ApiKeyRecord, PUBLIC_FIELDS, getApiKey } from './api-keys.ts';
import { type Principal, assertCan } from './principal.ts';

/** `me`: every key may ask who it is, a PUBLISHER's included. */
export function getCaller(principal: Principal | undefined): Principal {
  return assertCan(principal, principal?.role === 'PUBLISHER' ? 'publish' : 'read');
}

/** The caller's own key (me.apiKey). */
export async function getCallerApiKey(services: Pick<Services, 'db'>, principal: Principal | undefined): Promise<ApiKeyRecord> {
  const { workspaceId, keyId } = getCaller(principal);
  const key = await getApiKey(services.db, workspaceId, keyId);
  if (!key) throw notFound('API key', keyId);
  return key;
}

/** One of the workspace's keys (node(id:)): ADMIN keys see keys; others get null, as for a missing one. */
export async function findApiKey(services: Pick<Services, 'db'>, principal: Principal | undefined, input: { id: string }): Promise<ApiKeyRecord | null> {
  const p = assertCan(principal, 'read');
  return p.role === 'ADMIN' ? getApiKey(services.db, p.workspaceId, input.id) : null;
}

/**
 * The workspace's keys, oldest first, revoked ones only when asked: a page of a Relay connection
 * (`after` is the id the cursor stood for; `first + 1` rows tell whether there is a next page).
 */
export async function listApiKeys(
  services: Pick<Services, 'db'>, principal: Principal | undefined, input: { first: number; after?: string | undefined; includeRevoked: boolean },
): Promise<ApiKeyRecord[]> {
  const { workspaceId } = assertCan(principal, 'manage');
  return services.db.apiKey.findMany({
    where: {
      workspaceId,
      // Not revoked, and for console sessions not expired either: those no longer work.
      ...(input.includeRevoked ? {} : { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] }),
      ...(input.after ? { id: { gt: input.after } } : {}),
    },
    orderBy: { id: 'asc' },
    take: input.first + 1,
    select: PUBLIC_FIELDS,
  });
}
