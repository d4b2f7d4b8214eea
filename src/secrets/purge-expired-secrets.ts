// SPEC §8: secrets whose rotation overlap has ended are removed by a scheduled job, so a leaked
// old secret stops verifying even if nobody calls revokeSecret.
import { defineScheduledJob } from '../platform/jobs/job.ts';

export const purgeExpiredSecrets = defineScheduledJob({
  name: 'secrets-purge-expired',
  queue: { retryLimit: 3, expireInSeconds: 60 },
  schedule: '*/5 * * * *',
  run: async ({ pool, log }) => {
    const { rows } = await pool.query<{ triggers: number; subscriptions: number }>(`
      WITH t AS (DELETE FROM trigger_secret WHERE expires_at IS NOT NULL AND expires_at <= now() RETURNING 1),
           s AS (DELETE FROM subscription_secret WHERE expires_at IS NOT NULL AND expires_at <= now() RETURNING 1)
      SELECT (SELECT count(*) FROM t)::int AS triggers, (SELECT count(*) FROM s)::int AS subscriptions`);
    const removed = rows[0]!;
    if (removed.triggers + removed.subscriptions > 0) log.info(removed, 'removed expired secrets');
  },
});
