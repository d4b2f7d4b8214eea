-- The keyed audit chain and append-only by database roles (SPEC §9).

-- Rows from here on are chained with HMAC-SHA256 under a key derived from MASTER_KEY in the gateway;
-- each names its key's version. 0 marks the rows chained with plain SHA-256 before this migration.
-- No default from now on: a gateway of an older version, which writes no version, cannot append
-- unkeyed rows behind the keyed ones.
ALTER TABLE "webhook_audit" ADD COLUMN "key_version" SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE "webhook_audit" ALTER COLUMN "key_version" DROP DEFAULT;

-- Checkpoints sit apart from the chain heads: the service role may move a head (it appends), and
-- has no right at all on this table. BOUNDARY: the last row of the SHA-256 chain, sealed once by the
-- keyed MAC; RETENTION: the last row retention removed. `mac` is null until the owner's path seals it.
CREATE TYPE "AuditCheckpointKind" AS ENUM ('BOUNDARY', 'RETENTION');
CREATE TABLE "audit_checkpoint" (
    "workspace_id" TEXT NOT NULL,
    "kind" "AuditCheckpointKind" NOT NULL,
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "key_version" SMALLINT,
    "mac" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "audit_checkpoint_pkey" PRIMARY KEY ("workspace_id", "kind")
);
INSERT INTO "audit_checkpoint" ("workspace_id", "kind", "seq", "hash")
SELECT "workspace_id", 'BOUNDARY', "last_seq", "last_hash" FROM "audit_chain" WHERE "last_seq" > 0;
INSERT INTO "audit_checkpoint" ("workspace_id", "kind", "seq", "hash")
SELECT "workspace_id", 'RETENTION', "checkpoint_seq", "checkpoint_hash" FROM "audit_chain" WHERE "checkpoint_seq" > 0;
ALTER TABLE "audit_chain" DROP COLUMN "checkpoint_seq", DROP COLUMN "checkpoint_hash", DROP COLUMN "checkpoint_at";

-- The service role reads checkpoints to verify the chain through this function only (it runs with
-- the owner's rights), and can write none.
CREATE FUNCTION "audit_checkpoints"(workspace TEXT)
RETURNS TABLE ("kind" "AuditCheckpointKind", "seq" BIGINT, "hash" TEXT, "key_version" SMALLINT, "mac" TEXT)
LANGUAGE sql STABLE SECURITY DEFINER AS $$
  SELECT c."kind", c."seq", c."hash", c."key_version", c."mac" FROM "audit_checkpoint" c WHERE c."workspace_id" = workspace
$$;
DO $$ BEGIN
  -- A SECURITY DEFINER function resolves names in the tables' own schema only, never in one a caller made.
  EXECUTE format('ALTER FUNCTION "audit_checkpoints"(TEXT) SET search_path = %I, pg_temp', current_schema());
END $$;

-- The writer's optimistic check failed: another replica, or a transaction that rolled back, moved
-- the head away from what the writer held. The writer reloads the head and tries again.
CREATE FUNCTION "audit_head_moved"(workspace TEXT) RETURNS BIGINT LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit chain head of workspace % moved', workspace USING ERRCODE = 'GWA01';
END;
$$;

-- Retention's maintenance switch works for the table's owner (or a superuser) only: any session can
-- set a custom setting, so the switch alone would let the service role remove rows.
CREATE OR REPLACE FUNCTION "webhook_audit_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('webhook.audit_maintenance', true) = 'on'
     AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'webhook_audit is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
