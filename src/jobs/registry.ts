// Every job the service runs, in one explicit list (STYLE: Jobs).
import type { PgBoss } from 'pg-boss';
import type { z } from 'zod';
import { agentRun } from '../agent/agent-run-job.ts';
import { inboundMaintenance } from '../inbound/maintenance-job.ts';
import { deliverEvent } from '../outbound/delivery-job.ts';
import { sweepDeliveries } from '../outbound/delivery-sweeper.ts';
import { purgeExpiredSecrets } from '../secrets/purge-expired-secrets.ts';
import type { Services } from '../server/context.ts';
import type { JobDefinition } from './job.ts';

export const JOBS: JobDefinition<z.ZodType>[] = [agentRun, deliverEvent, sweepDeliveries, inboundMaintenance, purgeExpiredSecrets];

/** Creates every queue (idempotent). API processes need the queues to send to. */
export async function ensureQueues(boss: PgBoss): Promise<void> {
  const existing = new Set((await boss.getQueues()).map((q) => q.name));
  for (const job of JOBS) {
    if (!existing.has(job.name)) await boss.createQueue(job.name, job.queue);
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
