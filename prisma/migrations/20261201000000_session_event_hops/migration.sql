-- Webhook loops between deployments (SPEC §15): a session keeps the hop count of the /hooks request
-- that started it (`webhook-gateway-hops`, 0 when absent), and an event the hop count of the session
-- it is about, so each delivery of the event says one hop more and a loop through several
-- deployments ends at the limit. A constant default: adding the columns rewrites no row.
ALTER TABLE "session" ADD COLUMN "hops" SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE "event" ADD COLUMN "hops" SMALLINT NOT NULL DEFAULT 0;
