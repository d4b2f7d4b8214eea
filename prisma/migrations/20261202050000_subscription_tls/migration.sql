-- Outbound mTLS (SPEC §7): beside the client certificate and its encrypted key (columns from the
-- first migration), the CA certificates a subscription trusts for its receiver, what the API shows
-- of every configured certificate (subject, issuer, fingerprint, validity: read without parsing PEM,
-- and counted by /metrics for those about to expire), and the TLS identity (SHA-256 of certificate
-- and CA set) that names the delivery client's connection pool. An attempt keeps the readable reason
-- of a failure that had no HTTP answer (a TLS handshake refused, a name that does not resolve).
ALTER TABLE "webhook_subscription" ADD COLUMN "tls_ca_certs" TEXT;
ALTER TABLE "webhook_subscription" ADD COLUMN "tls_certificates" JSONB NOT NULL DEFAULT '[]';
ALTER TABLE "webhook_subscription" ADD COLUMN "tls_identity" TEXT;
ALTER TABLE "delivery_attempt" ADD COLUMN "error_reason" TEXT;
