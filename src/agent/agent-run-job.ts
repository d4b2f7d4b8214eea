// The `agent-run` job (SPEC §6): hands an accepted session to the runtime adapter. The gateway does
// not run agents; `echo` (the embedded default) finishes the session with its inputs as output so
// the whole loop works out of the box, and `http` POSTs the job, signed like an outbound webhook.
import type { PgBoss } from 'pg-boss';
import { request } from 'undici';
import { z } from 'zod';
import { withTransaction } from '../platform/db/pool.ts';
import { type JobsCtes, insertJobsCtes } from '../platform/jobs/insert-from-query.ts';
import { type FetchedJob, defineJob } from '../platform/jobs/job.ts';
import type { Services } from '../platform/services.ts';
import { signStandardWebhooks } from '../signing/schemes.ts';
import { planPublish, publishPlanned } from '../events/publish.ts';

// One job per group commit of /hooks (src/inbound/record.ts), naming the sessions it started:
// one job row per batch instead of one per request keeps the acceptance path short.
// The job is written by SQL (agentRunJobCtes), not parsed on its way in: the /hooks writer's batch
// is held under this bound instead (InboundWriter), so every job it queues parses when run.
export const MAX_SESSIONS_PER_RUN_JOB = 1000;
const agentRunPayload = z.object({ sessionIds: z.array(z.string().startsWith('ses_')).min(1).max(MAX_SESSIONS_PER_RUN_JOB) });

/**
 * Where pg-boss moves an agent-run job that has used up its retries (or expired on its last one):
 * the sessions it still holds PENDING are FAILED, with the reason, through a `session.finished`
 * event like any runtime's, so no session waits for ever and subscribers hear of it.
 */
export const agentRunFailed = defineJob({
  name: 'agent-run-failed',
  payload: agentRunPayload,
  queue: { retryLimit: 10, retryDelay: 5, retryBackoff: true, retryDelayMax: 900, expireInSeconds: 60 },
  work: { includeMetadata: true },
  handler: async ({ sessionIds }, services, job) => failSessions(services, sessionIds, givenUpReason(job)),
});

export const agentRun = defineJob({
  name: 'agent-run',
  payload: agentRunPayload,
  // The runtime may be down for a while: retry with backoff for about an hour. A retry hands over
  // only the sessions still PENDING, so one refused session does not repeat its neighbours. After
  // the last try the job goes to agent-run-failed.
  queue: { retryLimit: 10, retryDelay: 5, retryBackoff: true, retryDelayMax: 900, expireInSeconds: 60, notify: true, deadLetter: agentRunFailed.name },
  handler: async ({ sessionIds }, services) => {
    const { rows } = await services.pool.query<{ id: string; workspace_id: string; agent: string; trigger_id: string | null; inputs: Record<string, unknown>; created_at: Date }>(
      `SELECT id, workspace_id, agent, trigger_id, inputs, created_at FROM session WHERE id = ANY($1::text[]) AND status = 'PENDING'`,
      [sessionIds],
    );
    // Deleted sessions, and those already handed over by an earlier try, are not in `rows`.
    const runtime = services.config.agentRuntime;
    const outcomes = await Promise.allSettled(rows.map((session) =>
      runtime.kind === 'echo' ? runEcho(services, session.id, session) : runHttp(services, runtime, session.id, session)));
    const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed.length > 0) throw new Error(`${failed.length} of ${rows.length} sessions were not handed over: ${(failed[0]!.reason as Error).message}`);
  },
});

/** The failed job's last error, as pg-boss kept it: a thrown Error's message, or an expiry's. */
function givenUpReason(job: FetchedJob): string {
  const output = job.sourceOutput as { message?: unknown } | null | undefined;
  const last = typeof output?.message === 'string' ? output.message : 'no error was recorded';
  return `the agent runtime did not take the session after ${(job.sourceRetryCount ?? 0) + 1} tries: ${last}`;
}

async function failSessions(services: Services, sessionIds: string[], reason: string): Promise<void> {
  for (const sessionId of sessionIds) {
    const { rows: [s] } = await services.pool.query<{ workspace_id: string; agent: string; created_at: Date }>(
      `SELECT workspace_id, agent, created_at FROM session WHERE id = $1 AND status = 'PENDING'`, [sessionId]);
    if (!s) continue;
    // Planned (filters evaluated) before the transaction, like every publish.
    const plan = await planPublish(services, {
      workspaceId: s.workspace_id,
      type: 'session.finished',
      data: { sessionId, agent: s.agent, status: 'FAILED', error: { message: reason }, durationMs: Math.max(0, Date.now() - s.created_at.getTime()) },
      idempotencyKey: `session.finished:${sessionId}`,
      sessionId,
    });
    await withTransaction(services.pool, async (client) => {
      // Locked, so a runtime that reports the session at this moment either comes first or finds it FAILED.
      const { rowCount } = await client.query(`SELECT 1 FROM session WHERE id = $1 AND status = 'PENDING' FOR UPDATE`, [sessionId]);
      if (rowCount) await publishPlanned(client, services.boss, plan);
    });
  }
  services.log.warn({ sessions: sessionIds.length }, 'agent-run gave up; its PENDING sessions are FAILED');
}

/**
 * CTEs (insertJobsCtes) queueing one agent-run job naming the sessions `sessions` (a CTE of the
 * caller's statement with their `id`s, at most maxBatch of the /hooks writer) started; none when
 * it started none.
 */
export const agentRunJobCtes = (boss: PgBoss, sessions: string): Promise<JobsCtes> =>
  insertJobsCtes(boss, agentRun.name, 'run_jobs', `SELECT CASE WHEN count(*) = 0 THEN '[]'::json
    ELSE json_build_array(json_build_object('data', json_build_object('sessionIds', json_agg(id ORDER BY id)))) END FROM ${sessions}`);

async function runEcho(services: Services, sessionId: string, s: { workspace_id: string; agent: string; inputs: Record<string, unknown>; created_at: Date }) {
  const plan = await planPublish(services, {
    workspaceId: s.workspace_id,
    type: 'session.finished',
    data: { sessionId, agent: s.agent, status: 'SUCCEEDED', output: s.inputs, durationMs: Math.max(0, Date.now() - s.created_at.getTime()) },
    idempotencyKey: `session.finished:${sessionId}`,
    sessionId,
  });
  await withTransaction(services.pool, (client) => publishPlanned(client, services.boss, plan));
}

async function runHttp(
  services: Services,
  runtime: { url: string; secret: string },
  sessionId: string,
  s: { workspace_id: string; agent: string; trigger_id: string | null; inputs: Record<string, unknown> },
) {
  const body = JSON.stringify({ sessionId, workspaceId: s.workspace_id, agent: s.agent, triggerId: s.trigger_id, inputs: s.inputs });
  const timestamp = Math.floor(Date.now() / 1000);
  const messageId = `run_${sessionId}`;
  const res = await request(runtime.url, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'webhook-gateway/0.1',
      'webhook-id': messageId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signStandardWebhooks(runtime.secret, messageId, timestamp, body),
    },
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  await res.body.dump();
  // A refusal is thrown so pg-boss retries with backoff; the session stays PENDING meanwhile.
  if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`agent runtime answered ${res.statusCode}`);
  await services.pool.query(`UPDATE session SET status = 'RUNNING', started_at = now() WHERE id = $1 AND status = 'PENDING'`, [sessionId]);
}
