-- Retention (SPEC §14). A workspace may keep its rows longer or shorter than RETENTION_DAYS; null
-- follows the gateway's default.
ALTER TABLE "workspace" ADD COLUMN "retention_days" INTEGER;

-- inbound_delivery.session_id becomes a plain reference, as event.session_id already is. The
-- foreign key's ON DELETE SET NULL looked up inbound_delivery by session_id for every session the
-- retention job removes, which needs an index on that column; the /hooks insert would pay for it on
-- every request, and no query reads deliveries by session. A replayed request's row can outlive
-- its session by up to the replay window: the API then shows `session: null`, as for a deleted one.
ALTER TABLE "inbound_delivery" DROP CONSTRAINT "inbound_delivery_session_id_fkey";
