-- CreateEnum
CREATE TYPE "ApiKeyRole" AS ENUM ('ADMIN', 'VIEWER', 'PUBLISHER');
CREATE TYPE "SignatureScheme" AS ENUM ('STANDARD_WEBHOOKS', 'GITHUB', 'STRIPE', 'SLACK', 'HMAC_SHA256');
CREATE TYPE "SignatureEncoding" AS ENUM ('HEX', 'BASE64');
CREATE TYPE "InboundOutcome" AS ENUM ('ACCEPTED', 'IGNORED', 'REPLAYED', 'REFUSED');
CREATE TYPE "SessionStatus" AS ENUM ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');
CREATE TYPE "SubscriptionStatus" AS ENUM ('PENDING_VERIFICATION', 'ACTIVE', 'DISABLED');
CREATE TYPE "DeliveryStatus" AS ENUM ('PENDING', 'SUCCEEDED', 'FAILED', 'CANCELLED');
CREATE TYPE "AttemptOutcome" AS ENUM ('SUCCEEDED', 'FAILED');
CREATE TYPE "AuditDirection" AS ENUM ('INBOUND', 'OUTBOUND');

-- CreateTable
CREATE TABLE "workspace" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "workspace_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "api_key" (
    "id" TEXT NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" "ApiKeyRole" NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    CONSTRAINT "api_key_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "trigger" (
    "id" TEXT NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "agent" TEXT NOT NULL,
    "inputs" JSONB NOT NULL DEFAULT '[]',
    "filter" TEXT,
    "signature_scheme" "SignatureScheme" NOT NULL DEFAULT 'STANDARD_WEBHOOKS',
    "tolerance_seconds" INTEGER NOT NULL DEFAULT 300,
    "ip_allowlist" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "rate_limit_per_second" INTEGER,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "hmac_header" TEXT,
    "hmac_encoding" "SignatureEncoding",
    "hmac_prefix" TEXT,
    "hmac_id_header" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "trigger_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "trigger_secret" (
    "id" TEXT NOT NULL,
    "trigger_id" TEXT NOT NULL,
    "ciphertext" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    CONSTRAINT "trigger_secret_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "inbound_delivery" (
    "id" TEXT NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "trigger_id" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "outcome" "InboundOutcome" NOT NULL,
    "status_code" INTEGER NOT NULL,
    "refusal_code" TEXT,
    "refusal_reason" TEXT,
    "message_id" TEXT,
    "source_ip" TEXT,
    "content_type" TEXT,
    "payload_sha256" TEXT NOT NULL,
    "payload_bytes" INTEGER NOT NULL,
    "mapped_inputs" JSONB,
    "session_id" TEXT,
    CONSTRAINT "inbound_delivery_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "inbound_message" (
    "trigger_id" TEXT NOT NULL,
    "message_id" TEXT NOT NULL,
    "delivery_id" TEXT NOT NULL,
    "session_id" TEXT,
    "accepted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "inbound_message_pkey" PRIMARY KEY ("trigger_id","message_id")
);

CREATE TABLE "session" (
    "id" TEXT NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "agent" TEXT NOT NULL,
    "trigger_id" TEXT,
    "inputs" JSONB NOT NULL DEFAULT '{}',
    "status" "SessionStatus" NOT NULL DEFAULT 'PENDING',
    "output" JSONB,
    "error" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "archived_at" TIMESTAMPTZ(3),
    CONSTRAINT "session_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "event" (
    "id" TEXT NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "idempotency_key" TEXT,
    "session_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "event_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "webhook_subscription" (
    "id" TEXT NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "description" TEXT,
    "events" TEXT[],
    "filter" TEXT,
    "headers" JSONB NOT NULL DEFAULT '[]',
    "rate_limit_per_second" INTEGER,
    "max_concurrency" INTEGER,
    "timeout_ms" INTEGER NOT NULL DEFAULT 2000,
    "status" "SubscriptionStatus" NOT NULL DEFAULT 'PENDING_VERIFICATION',
    "status_reason" TEXT,
    "disabled_at" TIMESTAMPTZ(3),
    "last_success_at" TIMESTAMPTZ(3),
    "failing_since" TIMESTAMPTZ(3),
    "tls_client_cert" TEXT,
    "tls_client_key" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "webhook_subscription_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "subscription_secret" (
    "id" TEXT NOT NULL,
    "subscription_id" TEXT NOT NULL,
    "ciphertext" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    CONSTRAINT "subscription_secret_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "outbound_delivery" (
    "id" TEXT NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "subscription_id" TEXT NOT NULL,
    "status" "DeliveryStatus" NOT NULL DEFAULT 'PENDING',
    "attempt_count" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3),
    "last_attempt_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "outbound_delivery_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "delivery_attempt" (
    "id" BIGSERIAL NOT NULL,
    "delivery_id" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    "outcome" "AttemptOutcome" NOT NULL,
    "status_code" INTEGER,
    "error_class" TEXT,
    "response_body" TEXT,
    CONSTRAINT "delivery_attempt_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "webhook_audit" (
    "id" BIGSERIAL NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "direction" "AuditDirection" NOT NULL,
    "trigger_id" TEXT,
    "subscription_id" TEXT,
    "delivery_id" TEXT,
    "event_type" TEXT,
    "headers_sha256" TEXT NOT NULL,
    "payload_sha256" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "duration_ms" INTEGER,
    "attempt" INTEGER,
    "status_code" INTEGER,
    "outcome" TEXT NOT NULL,
    "error_class" TEXT,
    "source_ip" TEXT,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    CONSTRAINT "webhook_audit_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "audit_chain" (
    "workspace_id" TEXT NOT NULL,
    "last_seq" BIGINT NOT NULL DEFAULT 0,
    "last_hash" TEXT NOT NULL,
    "checkpoint_seq" BIGINT NOT NULL DEFAULT 0,
    "checkpoint_hash" TEXT NOT NULL,
    "checkpoint_at" TIMESTAMPTZ(3),
    CONSTRAINT "audit_chain_pkey" PRIMARY KEY ("workspace_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_key_hash_key" ON "api_key"("hash");
CREATE INDEX "api_key_workspace_id_id_idx" ON "api_key"("workspace_id", "id");
CREATE UNIQUE INDEX "trigger_workspace_id_name_key" ON "trigger"("workspace_id", "name");
CREATE INDEX "trigger_workspace_id_id_idx" ON "trigger"("workspace_id", "id");
CREATE INDEX "trigger_secret_trigger_id_created_at_idx" ON "trigger_secret"("trigger_id", "created_at");
CREATE INDEX "trigger_secret_expires_at_idx" ON "trigger_secret"("expires_at");
CREATE INDEX "inbound_delivery_workspace_id_received_at_idx" ON "inbound_delivery"("workspace_id", "received_at");
CREATE INDEX "inbound_delivery_trigger_id_received_at_idx" ON "inbound_delivery"("trigger_id", "received_at");
CREATE INDEX "inbound_message_accepted_at_idx" ON "inbound_message"("accepted_at");
CREATE INDEX "session_workspace_id_created_at_idx" ON "session"("workspace_id", "created_at");
CREATE INDEX "session_trigger_id_idx" ON "session"("trigger_id");
CREATE UNIQUE INDEX "event_workspace_id_idempotency_key_key" ON "event"("workspace_id", "idempotency_key");
CREATE INDEX "event_workspace_id_created_at_idx" ON "event"("workspace_id", "created_at");
CREATE INDEX "event_workspace_id_type_created_at_idx" ON "event"("workspace_id", "type", "created_at");
CREATE INDEX "webhook_subscription_workspace_id_id_idx" ON "webhook_subscription"("workspace_id", "id");
CREATE INDEX "webhook_subscription_workspace_id_status_idx" ON "webhook_subscription"("workspace_id", "status");
CREATE INDEX "subscription_secret_subscription_id_created_at_idx" ON "subscription_secret"("subscription_id", "created_at");
CREATE INDEX "subscription_secret_expires_at_idx" ON "subscription_secret"("expires_at");
CREATE UNIQUE INDEX "outbound_delivery_event_id_subscription_id_key" ON "outbound_delivery"("event_id", "subscription_id");
CREATE INDEX "outbound_delivery_workspace_id_created_at_idx" ON "outbound_delivery"("workspace_id", "created_at");
CREATE INDEX "outbound_delivery_subscription_id_status_idx" ON "outbound_delivery"("subscription_id", "status");
CREATE UNIQUE INDEX "delivery_attempt_delivery_id_number_key" ON "delivery_attempt"("delivery_id", "number");
CREATE UNIQUE INDEX "webhook_audit_workspace_id_seq_key" ON "webhook_audit"("workspace_id", "seq");
CREATE INDEX "webhook_audit_workspace_id_occurred_at_idx" ON "webhook_audit"("workspace_id", "occurred_at");
CREATE INDEX "webhook_audit_delivery_id_idx" ON "webhook_audit"("delivery_id");

-- AddForeignKey
ALTER TABLE "api_key" ADD CONSTRAINT "api_key_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "trigger" ADD CONSTRAINT "trigger_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "trigger_secret" ADD CONSTRAINT "trigger_secret_trigger_id_fkey" FOREIGN KEY ("trigger_id") REFERENCES "trigger"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "inbound_delivery" ADD CONSTRAINT "inbound_delivery_trigger_id_fkey" FOREIGN KEY ("trigger_id") REFERENCES "trigger"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "inbound_delivery" ADD CONSTRAINT "inbound_delivery_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "session"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "inbound_message" ADD CONSTRAINT "inbound_message_trigger_id_fkey" FOREIGN KEY ("trigger_id") REFERENCES "trigger"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "session" ADD CONSTRAINT "session_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "event" ADD CONSTRAINT "event_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "webhook_subscription" ADD CONSTRAINT "webhook_subscription_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "subscription_secret" ADD CONSTRAINT "subscription_secret_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "webhook_subscription"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "outbound_delivery" ADD CONSTRAINT "outbound_delivery_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "event"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "outbound_delivery" ADD CONSTRAINT "outbound_delivery_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "webhook_subscription"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "delivery_attempt" ADD CONSTRAINT "delivery_attempt_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "outbound_delivery"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- webhook_audit is append-only for the application (SPEC §9). Retention sets
-- webhook.audit_maintenance = 'on' for its own transaction (SET LOCAL) to remove old rows.
CREATE FUNCTION "webhook_audit_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('webhook.audit_maintenance', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'webhook_audit is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER "webhook_audit_append_only"
  BEFORE UPDATE OR DELETE ON "webhook_audit"
  FOR EACH ROW EXECUTE FUNCTION "webhook_audit_append_only"();
CREATE TRIGGER "webhook_audit_no_truncate"
  BEFORE TRUNCATE ON "webhook_audit"
  FOR EACH STATEMENT EXECUTE FUNCTION "webhook_audit_append_only"();
