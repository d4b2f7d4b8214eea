import type { Db } from '../platform/db/prisma.ts';
import { createApiKey } from '../auth/api-keys.ts';
import { badInput } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { GENESIS_HASH } from '../audit/append.ts';

export interface WorkspaceRecord {
  id: string;
  name: string;
  createdAt: Date;
}

export const DEFAULT_WORKSPACE_NAME = 'default';

/** A new workspace and its first ADMIN key (the only time that key is shown). */
export async function createWorkspace(db: Db, name: string): Promise<{ workspace: WorkspaceRecord; adminKey: string }> {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 100) throw badInput('name', 'must be 1 to 100 characters');
  return db.$transaction(async (tx) => {
    const workspace = await tx.workspace.create({ data: { id: newId('workspace'), name: trimmed } });
    await tx.auditChain.create({ data: { workspaceId: workspace.id, lastHash: GENESIS_HASH, checkpointHash: GENESIS_HASH } });
    const { key } = await createApiKey(tx as Db, workspace.id, { name: 'admin', role: 'ADMIN' });
    return { workspace, adminKey: key };
  });
}

export async function getWorkspace(db: Db, id: string): Promise<WorkspaceRecord | null> {
  return db.workspace.findUnique({ where: { id } });
}
