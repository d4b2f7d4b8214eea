-- SPEC §13: one-time console links, and console sessions as API keys with an end (so every path
-- that checks, lists and revokes keys, graphql-ws sockets included, serves sessions too).
CREATE TABLE "console_link" (
    "id" TEXT NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "role" "ApiKeyRole" NOT NULL,
    "hash" TEXT NOT NULL,
    "created_by_key_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    CONSTRAINT "console_link_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "console_link_hash_key" ON "console_link"("hash");
CREATE INDEX "console_link_workspace_id_id_idx" ON "console_link"("workspace_id", "id");
ALTER TABLE "console_link" ADD CONSTRAINT "console_link_workspace_id_fkey"
    FOREIGN KEY ("workspace_id") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "api_key" ADD COLUMN "expires_at" TIMESTAMPTZ(3), ADD COLUMN "console_link_id" TEXT;
CREATE INDEX "api_key_console_link_id_idx" ON "api_key"("console_link_id");
ALTER TABLE "api_key" ADD CONSTRAINT "api_key_console_link_id_fkey"
    FOREIGN KEY ("console_link_id") REFERENCES "console_link"("id") ON DELETE SET NULL ON UPDATE CASCADE;
