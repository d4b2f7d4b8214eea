// Lifecycle events move the session they name (SPEC §6): session.finished records status, output
// and error; session.archived archives it. The runtime publishes them; the gateway keeps the
// session row in step in the same transaction as the event.
import type pg from 'pg';
import { badInput } from '../errors.ts';

export async function applySessionEvent(client: pg.PoolClient, workspaceId: string, type: string, data: Record<string, unknown>): Promise<void> {
  if (type !== 'session.finished' && type !== 'session.archived') return;
  const sessionId = String(data.sessionId);
  const { rowCount } =
    type === 'session.finished'
      ? await client.query(
          `UPDATE session SET status = $3::"SessionStatus", output = $4, error = $5, finished_at = now(),
                  started_at = coalesce(started_at, created_at)
           WHERE id = $1 AND workspace_id = $2`,
          [sessionId, workspaceId, data.status, data.output === undefined ? null : JSON.stringify(data.output), data.error === undefined ? null : JSON.stringify(data.error)],
        )
      : await client.query('UPDATE session SET archived_at = now() WHERE id = $1 AND workspace_id = $2', [sessionId, workspaceId]);
  if (rowCount === 0) throw badInput('data.sessionId', `session ${sessionId} not found`);
}
