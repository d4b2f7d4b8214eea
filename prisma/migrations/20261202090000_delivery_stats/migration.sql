-- SPEC §13: per-minute rollups of delivery attempts, per subscription and outcome, written by the
-- delivery worker in the statement that records a batch of attempts (src/outbound/delivery-stats.ts).
-- `latency` counts the attempts per duration bucket (LATENCY_BOUNDS_MS, the last one unbounded),
-- so p50/p95 are read from it without reading attempts. No foreign key: a subscription deleted
-- while its attempts were in flight must not fail their recording; its rows go with retention.
CREATE TABLE "delivery_stat_minute" (
    "subscription_id" TEXT NOT NULL,
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "outcome" "AttemptOutcome" NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL,
    "duration_ms_sum" BIGINT NOT NULL,
    "latency" INTEGER[],
    CONSTRAINT "delivery_stat_minute_pkey" PRIMARY KEY ("subscription_id", "minute", "outcome")
);
CREATE INDEX "delivery_stat_minute_workspace_id_minute_idx" ON "delivery_stat_minute"("workspace_id", "minute");
