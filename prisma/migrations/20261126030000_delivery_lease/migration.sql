-- CreateTable (UNLOGGED: leases are worthless after a crash; they expire anyway)
CREATE UNLOGGED TABLE "delivery_lease" (
    "delivery_id" TEXT NOT NULL,
    "subscription_id" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "delivery_lease_pkey" PRIMARY KEY ("delivery_id")
);

-- CreateIndex
CREATE INDEX "delivery_lease_subscription_id_expires_at_idx" ON "delivery_lease"("subscription_id", "expires_at");
