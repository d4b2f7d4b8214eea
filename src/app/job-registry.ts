// Every job the service runs, in one explicit list (STYLE: Jobs).
import type { PgBoss } from 'pg-boss';
import type { z } from 'zod';
import { agentRun, agentRunFailed } from '../agent/agent-run-job.ts';
import { auditChainVerification, auditRetention } from '../audit/audit-jobs.ts';
import { inboundMaintenance } from '../inbound/maintenance-job.ts';
import { deliverEvent } from '../outbound/delivery-job.ts';
import { sweepDeliveries } from '../outbound/delivery-sweeper.ts';
import { purgeExpiredSecrets } from '../secrets/purge-expired-secrets.ts';
import { retention } from '../workspaces/retention-job.ts';
import type { Services } from '../platform/services.ts';
import type { JobDefinition } from '../platform/jobs/job.ts';

/** A dead letter queue comes before the queues that name it: they refer to it by key. */
export const JOBS: JobDefinition<z.ZodType>[] = [
  agentRunFailed, agentRun, deliverEvent, sweepDeliveries, inboundMaintenance, purgeExpiredSecrets, retention, auditChainVerification, auditRetention,
];

/**
 * Creates every queue (idempotent). API processes need the queues to send to. A queue created by an
 * older version gets the dead letter queue its definition names now.
 */
export async function ensureQueues(boss: PgBoss): Promise<void> {
  const existing = new Map((await boss.getQueues()).map((q) => [q.name, q]));
  for (const job of JOBS) {
    const queue = existing.get(job.name);
    if (!queue) await boss.createQueue(job.name, job.queue);
    else if (job.queue.deadLetter && queue.deadLetter !== job.queue.deadLetter) await boss.updateQueue(job.name, { deadLetter: job.queue.deadLetter });
  }
}

/** Worker role: runs every job's handler and keeps the schedules. Returns the worker ids. */
export async function startWorkers(boss: PgBoss, services: Services): Promise<string[]> {
  const ids: string[] = [];
  for (const job of JOBS) {
    ids.push(
      // NOTIFY wakes workers for new jobs; retries and delayed jobs are found by polling.
      await boss.work(job.name, { pollingIntervalSeconds: 1, notifyPollingIntervalSeconds: 1, ...job.work }, async (batch) => {
        const items = batch.map((fetched) => ({ data: job.payload.parse(fetched.data), job: fetched }));
        if (job.handleBatch) await job.handleBatch(items, services);
        else await Promise.all(items.map((item) => job.handler(item.data, services, item.job)));
      }),
    );
    if (job.schedule) await boss.schedule(job.name, job.schedule, {});
  }
  return ids;
}
