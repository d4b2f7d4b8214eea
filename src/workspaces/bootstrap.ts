// First start (SPEC §3): a default workspace and an ADMIN key, printed once and written to
// <dataDir>/admin-key (0600). Later starts find a workspace and create nothing.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { issueConsoleLink } from '../auth/console-links.ts';
import type { Db } from '../platform/db/prisma.ts';
import { DEFAULT_WORKSPACE_NAME, createWorkspace } from './workspaces.ts';

const BOOTSTRAP_LOCK = 7_261_126_002;

export interface Bootstrap {
  workspaceId: string;
  adminKey: string;
  keyFile: string;
  /** A one-time ADMIN console link's token (SPEC §13), printed with the key. */
  consoleLinkToken: string;
}

/** Long enough to open the printed link after reading the start-up output; a new one: the CLI. */
export const FIRST_LINK_TTL_MINUTES = 60;

export async function bootstrapDefaultWorkspace(pool: pg.Pool, db: Db, dataDir: string): Promise<Bootstrap | undefined> {
  const client = await pool.connect();
  try {
    // Two processes starting together must not both create a default workspace.
    await client.query('SELECT pg_advisory_lock($1)', [BOOTSTRAP_LOCK]);
    if ((await db.workspace.count()) > 0) return undefined;
    const { workspace, adminKey } = await createWorkspace(db, DEFAULT_WORKSPACE_NAME);
    await mkdir(dataDir, { recursive: true, mode: 0o755 });
    const keyFile = path.join(dataDir, 'admin-key');
    await writeFile(keyFile, `${adminKey}\n`, { mode: 0o600 });
    await chmod(keyFile, 0o600); // writeFile's mode applies only when it creates the file
    const { token } = await issueConsoleLink(db, workspace.id, { role: 'ADMIN', ttlMinutes: FIRST_LINK_TTL_MINUTES });
    return { workspaceId: workspace.id, adminKey, keyFile, consoleLinkToken: token };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [BOOTSTRAP_LOCK]).catch(() => {});
    client.release();
  }
}
