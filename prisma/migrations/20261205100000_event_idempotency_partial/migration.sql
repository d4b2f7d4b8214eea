-- Most events carry no idempotency key (every session.created of /hooks, most publishes): a unique
-- index over (workspace_id, idempotency_key) still took an entry for each of them. Partial, it holds
-- only keyed events, and every lookup by key (idempotency_key = $n implies IS NOT NULL) still uses it.
DROP INDEX "event_workspace_id_idempotency_key_key";
CREATE UNIQUE INDEX "event_workspace_id_idempotency_key_key" ON "event"("workspace_id", "idempotency_key") WHERE "idempotency_key" IS NOT NULL;
