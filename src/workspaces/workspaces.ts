// Workspaces (SPEC §4): everything belongs to one. They are made by the operator (first start, the
// CLI), never through the API, which shows a key its own workspace only.
import type { Db, DbOrTx } from '../platform/db/prisma.ts';
import { issueApiKey } from '../auth/api-keys.ts';
import { type Principal, assertCan } from '../auth/principal.ts';
import { getCaller } from '../auth/queries.ts';
import { badInput, notFound } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import type { Services } from '../platform/services.ts';
import { GENESIS_HASH } from '../audit/append.ts';

export interface WorkspaceRecord {
  id: string;
  name: string;
  createdAt: Date;
  /** The workspace's own retention in days; null follows RETENTION_DAYS (settings.ts). */
  retentionDays: number | null;
}

export const DEFAULT_WORKSPACE_NAME = 'default';

/** A new workspace and its first ADMIN key (the only time that key is shown). */
export async function createWorkspace(db: Db, name: string): Promise<{ workspace: WorkspaceRecord; adminKey: string }> {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 100) throw badInput('name', 'must be 1 to 100 characters');
  return db.$transaction(async (tx) => {
    const workspace = await tx.workspace.create({ data: { id: newId('workspace'), name: trimmed } });
    await tx.auditChain.create({ data: { workspaceId: workspace.id, lastHash: GENESIS_HASH } });
    const { key } = await issueApiKey(tx, workspace.id, { name: 'admin', role: 'ADMIN' });
    return { workspace, adminKey: key };
  });
}

export async function getWorkspace(db: DbOrTx, id: string): Promise<WorkspaceRecord | null> {
  return db.workspace.findUnique({ where: { id } });
}

/** The first `take` workspaces, oldest first. */
export async function listWorkspaces(db: DbOrTx, take: number): Promise<WorkspaceRecord[]> {
  return db.workspace.findMany({ orderBy: { id: 'asc' }, take });
}

/** A workspace by id (node(id:)): only the caller's own; null for any other. */
export async function findWorkspace(services: Pick<Services, 'db'>, principal: Principal | undefined, input: { id: string }): Promise<WorkspaceRecord | null> {
  return input.id === assertCan(principal, 'read').workspaceId ? getWorkspace(services.db, input.id) : null;
}

/** The caller's own workspace (me.workspace). */
export async function getCallerWorkspace(services: Pick<Services, 'db'>, principal: Principal | undefined): Promise<WorkspaceRecord> {
  const { workspaceId } = getCaller(principal);
  const workspace = await getWorkspace(services.db, workspaceId);
  if (!workspace) throw notFound('workspace', workspaceId);
  return workspace;
}
