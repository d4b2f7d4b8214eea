import type { JobWithMetadata, PgBoss, Queue, WorkOptions } from 'pg-boss';
import type { z } from 'zod';
import type { Services } from '../services.ts';

/**
 * The job as fetched: its attempt (id and retry count, to settle it early with pg-boss's
 * complete()), and, for a dead letter queue's handler (`work.includeMetadata`), what the job that
 * failed left behind.
 */
export type FetchedJob = Pick<JobWithMetadata, 'id' | 'retryCount'> & Partial<Pick<JobWithMetadata, 'sourceOutput' | 'sourceRetryCount'>>;

/**
 * A job is defined once: its queue name, payload schema, queue policy and handler (STYLE: Jobs).
 * The payload is validated when queued and again when run.
 */
export interface JobDefinition<S extends z.ZodType> {
  name: string;
  payload: S;
  queue: Omit<Queue, 'name'>;
  /** Worker options (batch size, concurrency, metadata) beyond the defaults. */
  work?: Pick<WorkOptions, 'batchSize' | 'localConcurrency' | 'burstWhenBatchFull' | 'includeMetadata'>;
  /** Cron expression for jobs that run on a schedule. */
  schedule?: string;
  handler: (data: z.infer<S>, services: Services, job: FetchedJob) => Promise<void>;
  /** Handles a fetched batch at once (one transaction for many jobs); else `handler` per job. */
  handleBatch?: (items: Array<{ data: z.infer<S>; job: FetchedJob }>, services: Services) => Promise<void>;
}

export function defineJob<S extends z.ZodType>(def: JobDefinition<S>): JobDefinition<S> {
  return def;
}

/** Queues a job; pass `db` (pg-boss's adapter over a transaction) to commit it with other rows. */
export async function sendJob<S extends z.ZodType>(
  boss: PgBoss,
  job: JobDefinition<S>,
  data: z.infer<S>,
  options: Parameters<PgBoss['send']>[2] = {},
): Promise<string | null> {
  return boss.send(job.name, job.payload.parse(data) as object, options);
}
