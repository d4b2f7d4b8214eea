import { DomainError } from '../platform/errors.ts';

export const ROLES = ['ADMIN', 'VIEWER', 'PUBLISHER'] as const;
export type ApiKeyRole = (typeof ROLES)[number];

/** Who is calling: one API key of one workspace. Every service call is scoped by it. */
export interface Principal {
  workspaceId: string;
  keyId: string;
  role: ApiKeyRole;
}

export type Action = 'read' | 'manage' | 'publish';

// SPEC §4: ADMIN everything; VIEWER read + subscribe; PUBLISHER publish events only.
const RIGHTS: Record<ApiKeyRole, ReadonlySet<Action>> = {
  ADMIN: new Set(['read', 'manage', 'publish']),
  VIEWER: new Set(['read']),
  PUBLISHER: new Set(['publish']),
};

export function can(principal: Principal, action: Action): boolean {
  return RIGHTS[principal.role].has(action);
}

export function assertCan(principal: Principal | undefined, action: Action): Principal {
  if (!principal) throw new DomainError('UNAUTHENTICATED', 'an API key is required (Authorization: Bearer <key>)');
  if (!can(principal, action)) {
    throw new DomainError('FORBIDDEN', `a ${principal.role} key may not ${action === 'manage' ? 'change this workspace' : action === 'read' ? 'read' : 'publish events'}`);
  }
  return principal;
}
