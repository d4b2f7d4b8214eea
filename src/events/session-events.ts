// Lifecycle events move the session they name (SPEC §6): session.finished records status, output
// and error; session.archived archives it. The runtime publishes them; the gateway keeps the
// session row in step in the same transaction as the event, so this is part of publishing them
// (publish.ts), not a step the agent domain takes afterwards: whatever path publishes the event,
// the session moves with it or the event is refused. A finished session stays as it finished: a
// second session.finished for it is refused (CONFLICT, naming data.sessionId) and, the transaction
// rolling back, stores no event either. Repeating the first publish with its idempotencyKey still
// answers that first event.
import type pg from 'pg';
import { DomainError, badInput } from '../platform/errors.ts';

/** The event types that move their session. */
const MOVES_SESSION = new Set(['session.finished', 'session.archived']);

/**
 * Moves the sessions the events name, in session order (a stable sort: one session's events keep
 * theirs), so two flushes written side by side that move the same sessions wait for each other
 * rather than deadlock. Events of other types move nothing.
 */
export async function applySessionEvents(client: pg.PoolClient, events: ReadonlyArray<{ workspaceId: string; type: string; data: unknown }>): Promise<void> {
  const key = (e: { workspaceId: string; data: unknown }) => `${e.workspaceId} ${String((e.data as { sessionId?: unknown }).sessionId)}`;
  const moving = events.filter((e) => MOVES_SESSION.has(e.type)).map((e) => ({ e, key: key(e) }));
  moving.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const { e } of moving) await moveSession(client, e.workspaceId, e.type, e.data as Record<string, unknown>);
}

async function moveSession(client: pg.PoolClient, workspaceId: string, type: string, data: Record<string, unknown>): Promise<void> {
  const sessionId = String(data.sessionId);
  const { rowCount } =
    type === 'session.finished'
      ? await client.query(
          `UPDATE session SET status = $3::"SessionStatus", output = $4, error = $5, finished_at = now(),
                  started_at = coalesce(started_at, created_at)
           WHERE id = $1 AND workspace_id = $2 AND status IN ('PENDING', 'RUNNING')`,
          [sessionId, workspaceId, data.status, data.output === undefined ? null : JSON.stringify(data.output), data.error === undefined ? null : JSON.stringify(data.error)],
        )
      : await client.query('UPDATE session SET archived_at = now() WHERE id = $1 AND workspace_id = $2', [sessionId, workspaceId]);
  if (rowCount !== 0) return;
  // Only on the refusing path: which of the two reasons it is.
  const { rows } = await client.query<{ status: string }>('SELECT status FROM session WHERE id = $1 AND workspace_id = $2', [sessionId, workspaceId]);
  if (!rows[0]) throw badInput('data.sessionId', `session ${sessionId} not found`);
  throw new DomainError('CONFLICT', `data.sessionId: session ${sessionId} already finished (${rows[0].status}); a finished session does not change`, 'data.sessionId');
}
