-- OAuth2 client credentials on outbound calls (SPEC §7): one JSON object per subscription,
-- {tokenUrl, clientId, clientSecret, scope, audience, authMethod}, whose clientSecret is an
-- AES-256-GCM envelope (never the secret itself). NULL: the subscription sends no bearer token.
-- Nullable without a default: adding the column rewrites no row.
ALTER TABLE "webhook_subscription" ADD COLUMN "oauth2" JSONB;
