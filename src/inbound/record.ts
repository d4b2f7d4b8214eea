// Writes what the /hooks route decided. Acceptance is one commit (SPEC §5): the inbound delivery,
// its audit row, the replay memory, the session, the session.created event with its fan-out, and
// the agent-run job. Refusals from 403 on (but 429) and replays write the delivery and audit row.
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { publishInTransaction } from '../agent/publish-service.ts';
import { agentRun } from '../agent/agent-run-job.ts';
import { appendAudit } from '../audit/append.ts';
import type { AuditEntryRecord } from '../audit/audit-entry.ts';
import { withTransaction } from '../db/pool.ts';
import { newId } from '../ids.ts';
import { inTransaction } from '../jobs/in-transaction.ts';
import type { Realtime } from '../realtime/realtime.ts';
import type { TriggerContext } from './trigger-context.ts';

export type InboundOutcome = 'ACCEPTED' | 'IGNORED' | 'REPLAYED' | 'REFUSED';

export interface InboundFacts {
  receivedAt: Date;
  sourceIp: string | undefined;
  contentType: string | undefined;
  headersSha256: string;
  payloadSha256: string;
  payloadBytes: number;
  messageId: string | undefined;
}

export interface InboundRecord {
  deliveryId: string;
  sessionId: string | null;
  ignored: boolean;
}

interface Deps {
  pool: pg.Pool;
  boss: PgBoss;
  realtime: Realtime;
}

async function insertDelivery(
  client: pg.PoolClient, deps: Deps, t: TriggerContext, f: InboundFacts,
  row: { id: string; outcome: InboundOutcome; statusCode: number; refusalCode?: string; refusalReason?: string; mappedInputs?: unknown; sessionId: string | null },
): Promise<void> {
  await client.query(
    `INSERT INTO inbound_delivery (id, workspace_id, trigger_id, received_at, outcome, status_code, refusal_code, refusal_reason,
       message_id, source_ip, content_type, payload_sha256, payload_bytes, mapped_inputs, session_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
    [row.id, t.workspaceId, t.id, f.receivedAt, row.outcome, row.statusCode, row.refusalCode ?? null, row.refusalReason ?? null,
      f.messageId ?? null, f.sourceIp ?? null, f.contentType ?? null, f.payloadSha256, f.payloadBytes,
      row.mappedInputs === undefined ? null : JSON.stringify(row.mappedInputs), row.sessionId],
  );
  const [entry] = await appendAudit(client, t.workspaceId, [{
    workspaceId: t.workspaceId, direction: 'INBOUND', triggerId: t.id, subscriptionId: null, deliveryId: row.id, eventType: null,
    headersSha256: f.headersSha256, payloadSha256: f.payloadSha256, occurredAt: f.receivedAt,
    durationMs: Date.now() - f.receivedAt.getTime(), attempt: null, statusCode: row.statusCode,
    outcome: row.outcome, errorClass: row.refusalCode ?? null, sourceIp: f.sourceIp ?? null,
  }]);
  await deps.realtime.publish(client, 'audit.appended', t.workspaceId, entry! satisfies AuditEntryRecord);
  await deps.realtime.publish(client, 'inbound.received', t.workspaceId, { id: row.id, triggerId: t.id });
}

export function recordRefusal(deps: Deps, t: TriggerContext, f: InboundFacts, refusal: { status: number; code: string; message: string }): Promise<string> {
  const id = newId('inboundDelivery');
  return withTransaction(deps.pool, async (client) => {
    await insertDelivery(client, deps, t, f, { id, outcome: 'REFUSED', statusCode: refusal.status, refusalCode: refusal.code, refusalReason: refusal.message, sessionId: null });
    return id;
  });
}

/** A message id accepted earlier within the replay window: the first answer, to repeat. */
export async function findReplay(db: pg.Pool | pg.PoolClient, t: TriggerContext, messageId: string, windowHours: number): Promise<InboundRecord | undefined> {
  const { rows } = await db.query<{ delivery_id: string; session_id: string | null }>(
    `SELECT delivery_id, session_id FROM inbound_message
     WHERE trigger_id = $1 AND message_id = $2 AND accepted_at > now() - make_interval(hours => $3)`,
    [t.id, messageId, windowHours],
  );
  const r = rows[0];
  return r ? { deliveryId: r.delivery_id, sessionId: r.session_id, ignored: r.session_id === null } : undefined;
}

export function recordReplay(deps: Deps, t: TriggerContext, f: InboundFacts, first: InboundRecord): Promise<void> {
  return withTransaction(deps.pool, (client) =>
    insertDelivery(client, deps, t, f, { id: newId('inboundDelivery'), outcome: 'REPLAYED', statusCode: 202, sessionId: first.sessionId }));
}

/** A sender handshake (GitHub ping, Slack challenge): recorded, no session. */
export function recordHandshake(deps: Deps, t: TriggerContext, f: InboundFacts): Promise<void> {
  return withTransaction(deps.pool, (client) =>
    insertDelivery(client, deps, t, f, { id: newId('inboundDelivery'), outcome: 'IGNORED', statusCode: 200, sessionId: null }));
}

/**
 * Accepts a verified request. Returns the first answer instead when the same message id was
 * accepted concurrently by another request (the replay memory's primary key decides).
 */
export async function accept(
  deps: Deps, t: TriggerContext, f: InboundFacts, mapped: { ignored: true } | { ignored: false; inputs: Record<string, unknown> },
  windowHours: number,
): Promise<InboundRecord & { replayed: boolean }> {
  const deliveryId = newId('inboundDelivery');
  const sessionId = mapped.ignored ? null : newId('session');
  const raced = await withTransaction(deps.pool, async (client) => {
    if (f.messageId !== undefined) {
      // An expired memory of the same id is replaced; a live one means a concurrent duplicate.
      const { rowCount } = await client.query(
        `INSERT INTO inbound_message (trigger_id, message_id, delivery_id, session_id, accepted_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (trigger_id, message_id) DO UPDATE SET delivery_id = EXCLUDED.delivery_id, session_id = EXCLUDED.session_id, accepted_at = EXCLUDED.accepted_at
         WHERE inbound_message.accepted_at <= now() - make_interval(hours => $6)`,
        [t.id, f.messageId, deliveryId, sessionId, f.receivedAt, windowHours],
      );
      if (rowCount === 0) return true;
    }
    if (!mapped.ignored) {
      await client.query(
        `INSERT INTO session (id, workspace_id, agent, trigger_id, inputs, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [sessionId, t.workspaceId, t.agent, t.id, JSON.stringify(mapped.inputs), f.receivedAt],
      );
    }
    await insertDelivery(client, deps, t, f, {
      id: deliveryId, outcome: mapped.ignored ? 'IGNORED' : 'ACCEPTED', statusCode: 202,
      mappedInputs: mapped.ignored ? undefined : mapped.inputs, sessionId,
    });
    if (!mapped.ignored) {
      await publishInTransaction(client, deps.boss, {
        workspaceId: t.workspaceId, type: 'session.created', sessionId,
        data: { sessionId, agent: t.agent, triggerId: t.id, inputs: mapped.inputs },
      });
      await deps.boss.send(agentRun.name, agentRun.payload.parse({ sessionId }), { db: inTransaction(client) });
    }
    return false;
  });
  if (raced) {
    const first = await findReplay(deps.pool, t, f.messageId!, windowHours);
    if (first) {
      await recordReplay(deps, t, f, first);
      return { ...first, replayed: true };
    }
  }
  return { deliveryId, sessionId, ignored: mapped.ignored, replayed: false };
}
