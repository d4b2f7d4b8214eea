-- auditLog and the audit export (SPEC §9) read by (occurred_at, id), the order aud_ ids sort in, from
-- a keyset cursor: each filter needs an index that ends in those two columns, or its last page would
-- walk the whole workspace. The time index gains `id` (same count of indexes as before); trigger,
-- subscription and delivery get one each, partial so that an inbound row pays for the trigger's
-- and an outbound row for the subscription's, never both: an appended row writes two index entries
-- more than before. Direction, event type and outcome filter the walk of one of these instead.
DROP INDEX "webhook_audit_workspace_id_occurred_at_idx";
CREATE INDEX "webhook_audit_workspace_id_occurred_at_id_idx" ON "webhook_audit"("workspace_id", "occurred_at", "id");
CREATE INDEX "webhook_audit_trigger_read_idx" ON "webhook_audit"("workspace_id", "trigger_id", "occurred_at", "id") WHERE "trigger_id" IS NOT NULL;
CREATE INDEX "webhook_audit_subscription_read_idx" ON "webhook_audit"("workspace_id", "subscription_id", "occurred_at", "id") WHERE "subscription_id" IS NOT NULL;
CREATE INDEX "webhook_audit_delivery_read_idx" ON "webhook_audit"("workspace_id", "delivery_id", "occurred_at", "id") WHERE "delivery_id" IS NOT NULL;
