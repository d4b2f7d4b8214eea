import type { JobWithMetadata, Queue, WorkOptions } from 'pg-boss';
import { z } from 'zod';
import type { Services } from '../services.ts';

/**
 * The job as fetched: its attempt (id and retry count, to settle it early with pg-boss's
 * complete()), and, for a dead letter queue's handler (`work.includeMetadata`), what the job that
 * failed left behind.
 */
export type FetchedJob = Pick<JobWithMetadata, 'id' | 'retryCount'> & Partial<Pick<JobWithMetadata, 'sourceOutput' | 'sourceRetryCount'>>;

/**
 * A job is defined once: its queue name, payload schema, queue policy and handler (STYLE: Jobs).
 * The worker validates the payload when it runs the job (app/job-registry.ts); producers build it
 * from the same schema (agent-run-job.ts parses it, events/delivery-queue.ts types it).
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

/** A job that runs on a cron schedule with no payload of its own (maintenance, purges, sweeps). */
export function defineScheduledJob(def: {
  name: string;
  schedule: string;
  queue: Omit<Queue, 'name'>;
  run: (services: Services) => Promise<void>;
}): JobDefinition<z.ZodType> {
  return { name: def.name, schedule: def.schedule, queue: def.queue, payload: scheduledPayload, handler: (_data, services) => def.run(services) };
}

const scheduledPayload = z.object({}).loose();
