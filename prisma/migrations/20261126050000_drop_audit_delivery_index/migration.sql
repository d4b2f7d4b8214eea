-- Audit queries filter by workspace, time, trigger, subscription, type and outcome, not by delivery
-- id; every inbound request and outbound attempt paid for this index.
DROP INDEX "webhook_audit_delivery_id_idx";
