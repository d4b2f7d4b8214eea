-- The sweeper (src/outbound/delivery-sweeper.ts) looks for PENDING deliveries whose next attempt is
-- overdue. Partial: only PENDING rows are in it, so it stays as small as the backlog. The price is
-- that an attempt's update of its delivery (status and next_attempt_at change) no longer stays on
-- its page (HOT): the sweeper must find lost deliveries without reading the whole table.
CREATE INDEX "outbound_delivery_pending_next_attempt_at_idx" ON "outbound_delivery"("next_attempt_at") WHERE "status" = 'PENDING';

-- Deliveries waiting for a maxConcurrency slot, parked per subscription without a job: a recorded
-- attempt that frees a slot queues the next one. UNLOGGED like delivery_lease: after a crash the
-- sweeper finds the deliveries PENDING without a job and queues them again.
CREATE UNLOGGED TABLE "delivery_wait" (
    "delivery_id" TEXT NOT NULL,
    "subscription_id" TEXT NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "delivery_wait_pkey" PRIMARY KEY ("delivery_id")
);

CREATE INDEX "delivery_wait_subscription_id_due_at_idx" ON "delivery_wait"("subscription_id", "due_at");
