-- Inbound mTLS (SPEC §5): a trigger may require a client certificate that chains to
-- TLS_CLIENT_CA_FILE, optionally pinned to an RFC 4514 subject (stored in the canonical form of
-- src/platform/crypto/x509.ts) and/or a SHA-256 fingerprint (64 lower-case hex digits). Constant
-- defaults: adding the columns rewrites no row.
ALTER TABLE "trigger"
    ADD COLUMN "client_certificate_required" BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN "client_certificate_subject" TEXT,
    ADD COLUMN "client_certificate_fingerprint_sha256" TEXT;
