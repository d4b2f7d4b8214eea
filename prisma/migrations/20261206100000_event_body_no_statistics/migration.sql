-- No statistics on the envelope: nothing filters or joins on it, and sampling ~1 KB of text per row
-- was half of what an ANALYZE of `event` cost (85 against 155-175 ms at 44,000 rows), which the
-- gateway now runs after every burst (platform/jobs/queue-statistics.ts).
ALTER TABLE "event" ALTER COLUMN "body" SET STATISTICS 0;
