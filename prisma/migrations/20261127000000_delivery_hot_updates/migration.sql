-- Every attempt updates its delivery's status. With status in an index, and the table's pages
-- packed full, no update could stay on its page (HOT): each wrote a new entry into all four of the
-- table's indexes. Deliveries are listed per subscription newest first (ids sort by time), which
-- (subscription_id, id) serves; the status filter is applied on the way. Pages keep 30 % free for
-- the updates of their own rows.
DROP INDEX "outbound_delivery_subscription_id_status_idx";
CREATE INDEX "outbound_delivery_subscription_id_id_idx" ON "outbound_delivery"("subscription_id", "id");
ALTER TABLE "outbound_delivery" SET (fillfactor = 70);
