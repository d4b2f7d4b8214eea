// Keeps the inbound tables small: rate-limit windows older than a minute, and replay memory past
// the replay window (SPEC §5: 7 days by default).
import { defineScheduledJob } from '../platform/jobs/job.ts';
import { pruneWindows } from '../platform/db/rate-limit.ts';

export const inboundMaintenance = defineScheduledJob({
  name: 'inbound-maintenance',
  queue: { retryLimit: 1, expireInSeconds: 120 },
  schedule: '* * * * *',
  run: async ({ pool, config }) => {
    await pruneWindows(pool);
    await pool.query(`DELETE FROM inbound_message WHERE accepted_at <= now() - make_interval(hours => $1)`, [config.replayWindowHours]);
  },
});
