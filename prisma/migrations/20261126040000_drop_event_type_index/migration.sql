-- No query reads events by type and time; every event paid for this index on the hot paths.
DROP INDEX "event_workspace_id_type_created_at_idx";
