-- audit_checkpoints() runs with the owner's rights: only the service role (granted at start, see
-- src/platform/db/roles.ts) may call it, not every role of the server (functions are PUBLIC by default).
REVOKE EXECUTE ON FUNCTION "audit_checkpoints"(TEXT) FROM PUBLIC;
