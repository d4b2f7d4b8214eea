/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type AgentInputMappingInput = {
  defaultValue?: unknown;
  name: string;
  path: string;
  required?: boolean;
  type?: AgentInputType;
};

export type AgentInputType =
  | 'ARRAY'
  | 'BOOLEAN'
  | 'NUMBER'
  | 'OBJECT'
  | 'STRING';

export type ApiKeyKind =
  /** A key made with createApiKey, the CLI or on first start. */
  | 'API_KEY'
  /** A console session: made by exchanging a console link, ends after 12 hours. */
  | 'CONSOLE_SESSION';

export type ApiKeyRole =
  /** Everything in the workspace. */
  | 'ADMIN'
  /** Publish events only. */
  | 'PUBLISHER'
  /** Read and subscribe. */
  | 'VIEWER';

export type AttemptOutcome =
  | 'FAILED'
  | 'SUCCEEDED';

export type AuditDirection =
  | 'INBOUND'
  | 'OUTBOUND';

export type AuditFilter = {
  /** An inbound (ind_...) or outbound (dlv_...) delivery. */
  deliveryId?: string | null | undefined;
  direction?: AuditDirection | null | undefined;
  eventType?: string | null | undefined;
  /** Entries that occurred at or after this time. */
  occurredAfter?: string | null | undefined;
  /** Entries that occurred before this time. */
  occurredBefore?: string | null | undefined;
  outcome?: string | null | undefined;
  subscriptionId?: string | null | undefined;
  triggerId?: string | null | undefined;
};

/** A point of a workspace's audit chain: a row's seq and hash. */
export type AuditHeadInput = {
  hash: string;
  seq: unknown;
};

/** SPEC §5 mTLS. `required: false` is the same as no requirement (pins are refused with it). */
export type ClientCertificateRequirementInput = {
  /** 64 hex digits, any case, colons optional; stored as 64 lower-case digits. */
  fingerprintSha256?: string | null | undefined;
  required?: boolean;
  /** Exact RFC 4514 subject DN, as `openssl x509 -noout -subject -nameopt RFC2253` prints it; stored normalised. */
  subject?: string | null | undefined;
};

export type ConsoleLinkStatus =
  | 'EXPIRED'
  | 'REVOKED'
  | 'UNUSED'
  | 'USED';

export type CreateTriggerInput = {
  /** Which agent the session runs. */
  agent: string;
  /** Require a client certificate (mTLS); absent = not required. */
  clientCertificate?: ClientCertificateRequirementInput | null | undefined;
  enabled?: boolean;
  /** JSONPath; the trigger fires only when it matches. */
  filter?: string | null | undefined;
  /** Only for HMAC_SHA256. */
  hmac?: HmacSchemeInput | null | undefined;
  inputs: Array<AgentInputMappingInput>;
  /** CIDRs; absent or empty = any address. */
  ipAllowlist?: Array<string> | null | undefined;
  name: string;
  rateLimitPerSecond?: number | null | undefined;
  /** Bring your own (e.g. a GitHub or Stripe secret); else generated. */
  secret?: string | null | undefined;
  signatureScheme?: SignatureScheme;
  toleranceSeconds?: number;
};

export type CreateWebhookSubscriptionInput = {
  description?: string | null | undefined;
  /** "*", "tool.*", "session.finished", ... */
  events: Array<string>;
  filter?: string | null | undefined;
  headers?: Array<HttpHeaderInput> | null | undefined;
  maxConcurrency?: number | null | undefined;
  /** Every ping and attempt carries `Authorization: Bearer <token>` from this token endpoint (no custom Authorization header beside it). */
  oauth2?: OAuth2ClientCredentialsInput | null | undefined;
  rateLimitPerSecond?: number | null | undefined;
  /** Else generated (whsec_...). */
  secret?: string | null | undefined;
  timeoutMs?: number;
  /** mTLS: a client certificate and key to present, CA certificates to trust for this receiver. */
  tls?: SubscriptionTlsInput | null | undefined;
  url: string;
};

export type DeliveryFilter = {
  eventId?: string | null | undefined;
  eventType?: string | null | undefined;
  status?: DeliveryStatus | null | undefined;
  subscriptionId?: string | null | undefined;
};

export type DeliveryStatsBucket =
  | 'FIFTEEN_MINUTES'
  | 'FIVE_MINUTES'
  | 'HOUR'
  | 'MINUTE';

export type DeliveryStatus =
  /** Its subscription was disabled before it succeeded; replayEvents sends it again. */
  | 'CANCELLED'
  /** Every scheduled attempt failed. */
  | 'FAILED'
  /** Waiting for its next attempt (see nextAttemptAt). */
  | 'PENDING'
  | 'SUCCEEDED';

export type HmacSchemeInput = {
  encoding?: SignatureEncoding;
  header: string;
  idHeader?: string | null | undefined;
  prefix?: string | null | undefined;
};

export type HttpHeaderInput = {
  name: string;
  /** Encrypt the value at rest and never show it again (ignored by testTrigger). */
  secret?: boolean;
  /** For a secret header on update, "" or "••••" keeps the stored value of that name. */
  value: string;
};

export type InboundOutcome =
  | 'ACCEPTED'
  /** Verified, but the trigger's filter did not match, or a sender handshake (GitHub ping, Slack challenge). */
  | 'IGNORED'
  | 'REFUSED'
  /** A message id accepted before: answered with the first response. */
  | 'REPLAYED';

/** How the gateway authenticates to the token endpoint (RFC 6749 §2.3.1). */
export type OAuth2ClientAuthMethod =
  /** HTTP Basic with the form-encoded client id and secret (the default). */
  | 'CLIENT_SECRET_BASIC'
  /** client_id and client_secret in the form body. */
  | 'CLIENT_SECRET_POST';

/** OAuth2 client credentials grant (RFC 6749 §4.4). The client secret is encrypted at rest and never returned. */
export type OAuth2ClientCredentialsInput = {
  /** Sent as the `audience` form parameter (Auth0, Okta and others). */
  audience?: string | null | undefined;
  authMethod?: OAuth2ClientAuthMethod | null | undefined;
  clientId: string;
  /** On update, an empty value or "••••" keeps the stored one. */
  clientSecret: string;
  /** Sent as the `scope` form parameter. */
  scope?: string | null | undefined;
  /** Passes the same target checks as the subscription's URL. */
  tokenUrl: string;
};

export type SessionStatus =
  | 'CANCELLED'
  | 'FAILED'
  | 'PENDING'
  | 'RUNNING'
  | 'SUCCEEDED';

export type SignatureEncoding =
  | 'BASE64'
  | 'HEX';

export type SignatureScheme =
  | 'GITHUB'
  | 'HMAC_SHA256'
  | 'SLACK'
  | 'STANDARD_WEBHOOKS'
  | 'STRIPE';

export type SubscriptionStatus =
  | 'ACTIVE'
  | 'DISABLED'
  /** Created or changed, and not yet answered a webhook.ping with 2xx: receives no events. */
  | 'PENDING_VERIFICATION';

/** PEM. The key is encrypted at rest and never returned. On update: a field left out stays, null (or "") removes it. */
export type SubscriptionTlsInput = {
  /** One or more CA certificates trusted for this receiver in addition to the system's. */
  caCertificatesPem?: string | null | undefined;
  /** The certificate presented to the receiver, optionally followed by its intermediates. */
  clientCertificatePem?: string | null | undefined;
  /** Its private key, unencrypted PEM (PKCS#8, PKCS#1 or SEC1). */
  clientKeyPem?: string | null | undefined;
};

export type TestTriggerInput = {
  /** The raw body exactly as the sender would send it. */
  body: string;
  /** PEM; checked against the trigger's client certificate requirement (CA, validity, pins) when given. */
  clientCertificatePem?: string | null | undefined;
  headers: Array<HttpHeaderInput>;
  /** Checked against the IP allowlist when given. */
  sourceIp?: string | null | undefined;
  triggerId: string;
};

/** Fields left out stay as they are; null clears an optional one. */
export type UpdateTriggerInput = {
  agent?: string | null | undefined;
  /** Replaces the requirement; null or {required: false} removes it. */
  clientCertificate?: ClientCertificateRequirementInput | null | undefined;
  enabled?: boolean | null | undefined;
  filter?: string | null | undefined;
  hmac?: HmacSchemeInput | null | undefined;
  id: string;
  inputs?: Array<AgentInputMappingInput> | null | undefined;
  ipAllowlist?: Array<string> | null | undefined;
  name?: string | null | undefined;
  rateLimitPerSecond?: number | null | undefined;
  signatureScheme?: SignatureScheme | null | undefined;
  toleranceSeconds?: number | null | undefined;
};

/**
 * What to verify: rows from the first at or after `from` to the last at or before `to` (absent: from
 * the oldest kept row to the chain's head), and a head kept from an earlier verification, which the
 * chain must still hold (the newest rows removed and the head rewritten show there).
 */
export type VerifyAuditChainInput = {
  expectedHead?: AuditHeadInput | null | undefined;
  from?: string | null | undefined;
  to?: string | null | undefined;
};

export type ConsoleMeQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleMeQuery = { me: { role: ApiKeyRole, workspace: { id: string, name: string }, apiKey: { id: string, kind: ApiKeyKind, expiresAt: string | null } } };

export type ConsoleSignOutMutationVariables = Exact<{
  id: string;
}>;


export type ConsoleSignOutMutation = { revokeApiKey: { apiKey: { id: string } } };

export type ConsoleApiKeysQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleApiKeysQuery = { apiKeys: { edges: Array<{ node: { id: string, name: string, role: ApiKeyRole, kind: ApiKeyKind, prefix: string, createdAt: string, lastUsedAt: string | null, expiresAt: string | null, consoleLinkId: string | null } }> }, consoleLinks: { edges: Array<{ node: { id: string, role: ApiKeyRole, status: ConsoleLinkStatus, createdAt: string, expiresAt: string, usedAt: string | null, revokedAt: string | null } }> } };

export type ConsoleCreateApiKeyMutationVariables = Exact<{
  name: string;
  role: ApiKeyRole;
}>;


export type ConsoleCreateApiKeyMutation = { createApiKey: { key: string, apiKey: { id: string } } };

export type ConsoleRevokeApiKeyMutationVariables = Exact<{
  id: string;
}>;


export type ConsoleRevokeApiKeyMutation = { revokeApiKey: { apiKey: { id: string } } };

export type ConsoleCreateLinkMutationVariables = Exact<{
  role: ApiKeyRole;
  ttl: number;
}>;


export type ConsoleCreateLinkMutation = { createConsoleLink: { id: string, url: string, expiresAt: string } };

export type ConsoleRevokeLinkMutationVariables = Exact<{
  id: string;
}>;


export type ConsoleRevokeLinkMutation = { revokeConsoleLink: { id: string, revokedAt: string } };

export type ConsoleAuditLogQueryVariables = Exact<{
  filter?: AuditFilter | null | undefined;
  after?: string | null | undefined;
}>;


export type ConsoleAuditLogQuery = { auditLog: { edges: Array<{ node: { id: string, seq: unknown, direction: AuditDirection, triggerId: string | null, subscriptionId: string | null, deliveryId: string | null, eventType: string | null, occurredAt: string, durationMs: number | null, attempt: number | null, statusCode: number | null, outcome: string, errorClass: string | null, sourceIp: string | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ConsoleVerifyAuditChainMutationVariables = Exact<{
  input: VerifyAuditChainInput;
}>;


export type ConsoleVerifyAuditChainMutation = { verifyAuditChain: { ok: boolean, checked: number, reason: string | null, head: { seq: unknown, hash: string, occurredAt: string } | null, firstBrokenEntry: { id: string, seq: unknown, occurredAt: string } | null } };

export type ConsoleDeliveriesQueryVariables = Exact<{
  filter?: DeliveryFilter | null | undefined;
}>;


export type ConsoleDeliveriesQuery = { deliveries: { edges: Array<{ node: { id: string, status: DeliveryStatus, attemptCount: number, createdAt: string, lastAttemptAt: string | null, nextAttemptAt: string | null, event: { id: string, type: string }, subscription: { id: string, url: string } | null } }> }, webhookSubscriptions: { edges: Array<{ node: { id: string, url: string } }> }, eventCatalog: Array<{ type: string }> };

export type ConsoleDeliveryUpdatedSubscriptionVariables = Exact<{
  filter?: DeliveryFilter | null | undefined;
}>;


export type ConsoleDeliveryUpdatedSubscription = { deliveryUpdated: { recordedAt: string, delivery: { id: string, status: DeliveryStatus, attemptCount: number, createdAt: string, lastAttemptAt: string | null, nextAttemptAt: string | null, event: { id: string, type: string }, subscription: { id: string, url: string } | null }, attempt: { number: number } | null } };

export type ConsoleDeliveryQueryVariables = Exact<{
  id: string;
}>;


export type ConsoleDeliveryQuery = { delivery: { id: string, status: DeliveryStatus, attemptCount: number, createdAt: string, lastAttemptAt: string | null, nextAttemptAt: string | null, event: { id: string, type: string, body: string }, subscription: { id: string, url: string } | null, attempts: Array<{ number: number, startedAt: string, durationMs: number, outcome: AttemptOutcome, statusCode: number | null, errorClass: string | null, errorReason: string | null, responseBody: string | null }> } | null };

export type ConsoleRedeliverMutationVariables = Exact<{
  id: string;
}>;


export type ConsoleRedeliverMutation = { redeliver: { delivery: { id: string, status: DeliveryStatus } } };

export type ConsoleDeliveryStatsQueryVariables = Exact<{
  id: string;
  since: string;
  bucket: DeliveryStatsBucket;
}>;


export type ConsoleDeliveryStatsQuery = { deliveryStats: { bucket: DeliveryStatsBucket, points: Array<{ start: string, succeeded: number, failed: number, p50Ms: number | null, p95Ms: number | null }> } };

export type ConsoleEventCatalogQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleEventCatalogQuery = { eventCatalog: Array<{ type: string, description: string, schema: unknown }> };

export type ConsoleInboundRequestQueryVariables = Exact<{
  id: string;
}>;


export type ConsoleInboundRequestQuery = { node:
    | { id: string, receivedAt: string, outcome: InboundOutcome, statusCode: number, refusalCode: string | null, refusalReason: string | null, messageId: string | null, sourceIp: string | null, contentType: string | null, payloadBytes: number, payloadSha256: string, mappedInputs: unknown, trigger: { id: string, name: string } | null, session: { id: string, agent: string, status: SessionStatus, inputs: unknown, output: unknown, error: unknown, createdAt: string, startedAt: string | null, finishedAt: string | null, events: Array<{ id: string, type: string, timestamp: string }> } | null }
    | Record<PropertyKey, never>
   | null };

export type ConsoleOverviewQueryVariables = Exact<{
  since: string;
}>;


export type ConsoleOverviewQuery = { deliveryOverview: Array<{ subscriptionId: string, succeeded: number, failed: number, subscription: { id: string, url: string, status: SubscriptionStatus, statusReason: string | null } | null }>, webhookSubscriptions: { edges: Array<{ node: { id: string, url: string, status: SubscriptionStatus, statusReason: string | null } }> }, inboundDeliveries: { edges: Array<{ node: { id: string, refusalCode: string | null, receivedAt: string, trigger: { id: string, name: string } | null } }> } };

export type ConsoleSubscriptionsQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleSubscriptionsQuery = { webhookSubscriptions: { edges: Array<{ node: { id: string, url: string, events: Array<string>, status: SubscriptionStatus, statusReason: string | null, lastSuccessAt: string | null } }> } };

export type ConsoleSubscriptionQueryVariables = Exact<{
  id: string;
}>;


export type ConsoleSubscriptionQuery = { webhookSubscription: { id: string, url: string, description: string | null, events: Array<string>, filter: string | null, rateLimitPerSecond: number | null, maxConcurrency: number | null, timeoutMs: number, status: SubscriptionStatus, statusReason: string | null, disabledAt: string | null, lastSuccessAt: string | null, createdAt: string, headers: Array<{ name: string, value: string, secret: boolean }>, secrets: Array<{ id: string, createdAt: string, expiresAt: string | null, current: boolean }> } | null, eventCatalog: Array<{ type: string }> };

export type ConsoleEventTypesQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleEventTypesQuery = { eventCatalog: Array<{ type: string, description: string }> };

export type ConsoleCreateSubscriptionMutationVariables = Exact<{
  input: CreateWebhookSubscriptionInput;
}>;


export type ConsoleCreateSubscriptionMutation = { createWebhookSubscription: { secret: string, subscription: { id: string, status: SubscriptionStatus, statusReason: string | null } } };

export type ConsoleVerifySubscriptionMutationVariables = Exact<{
  id: string;
}>;


export type ConsoleVerifySubscriptionMutation = { verifyWebhookSubscription: { subscription: { id: string, status: SubscriptionStatus, statusReason: string | null } } };

export type ConsoleEnableSubscriptionMutationVariables = Exact<{
  id: string;
}>;


export type ConsoleEnableSubscriptionMutation = { enableWebhookSubscription: { subscription: { id: string, status: SubscriptionStatus } } };

export type ConsoleDisableSubscriptionMutationVariables = Exact<{
  id: string;
}>;


export type ConsoleDisableSubscriptionMutation = { disableWebhookSubscription: { subscription: { id: string, status: SubscriptionStatus } } };

export type ConsoleDeleteSubscriptionMutationVariables = Exact<{
  id: string;
}>;


export type ConsoleDeleteSubscriptionMutation = { deleteWebhookSubscription: { deletedSubscriptionId: string } };

export type ConsoleRotateSubscriptionSecretMutationVariables = Exact<{
  id: string;
  overlapHours: number;
}>;


export type ConsoleRotateSubscriptionSecretMutation = { rotateWebhookSubscriptionSecret: { secret: string, previousSecretExpiresAt: string | null } };

export type ConsoleReplayEventsMutationVariables = Exact<{
  id: string;
  since: string;
}>;


export type ConsoleReplayEventsMutation = { replayEvents: { replayed: number, subscription: { id: string, status: SubscriptionStatus } } };

export type ConsoleSendTestEventMutationVariables = Exact<{
  id: string;
  type: string;
}>;


export type ConsoleSendTestEventMutation = { sendTestEvent: { delivery: { id: string } } };

export type ConsoleTestDeliveryQueryVariables = Exact<{
  id: string;
}>;


export type ConsoleTestDeliveryQuery = { delivery: { id: string, status: DeliveryStatus, attempts: Array<{ number: number, statusCode: number | null, outcome: AttemptOutcome, errorClass: string | null, durationMs: number, responseBody: string | null }> } | null };

export type ConsoleTestTriggerMutationVariables = Exact<{
  input: TestTriggerInput;
}>;


export type ConsoleTestTriggerMutation = { testTrigger: { status: number, code: string | null, message: string | null, ignored: boolean, messageId: string | null, mappedInputs: unknown, checks: Array<{ name: string, passed: boolean, detail: string }> } };

export type ConsoleTriggersQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleTriggersQuery = { triggers: { edges: Array<{ node: { id: string, name: string, agent: string, url: string, signatureScheme: SignatureScheme, enabled: boolean, createdAt: string } }> } };

export type ConsoleTriggerQueryVariables = Exact<{
  id: string;
}>;


export type ConsoleTriggerQuery = { trigger: { id: string, name: string, agent: string, url: string, filter: string | null, signatureScheme: SignatureScheme, toleranceSeconds: number, ipAllowlist: Array<string>, rateLimitPerSecond: number | null, enabled: boolean, createdAt: string, updatedAt: string, clientCertificate: { required: boolean, subject: string | null, fingerprintSha256: string | null } | null, inputs: Array<{ name: string, path: string, type: AgentInputType, required: boolean }>, hmac: { header: string, encoding: SignatureEncoding, prefix: string | null, idHeader: string | null } | null, secrets: Array<{ id: string, createdAt: string, expiresAt: string | null, current: boolean }> } | null };

export type ConsoleCreateTriggerMutationVariables = Exact<{
  input: CreateTriggerInput;
}>;


export type ConsoleCreateTriggerMutation = { createTrigger: { secret: string, trigger: { id: string, name: string, url: string, signatureScheme: SignatureScheme, hmac: { header: string, encoding: SignatureEncoding, prefix: string | null } | null } } };

export type ConsoleUpdateTriggerMutationVariables = Exact<{
  input: UpdateTriggerInput;
}>;


export type ConsoleUpdateTriggerMutation = { updateTrigger: { trigger: { id: string, enabled: boolean } } };

export type ConsoleDeleteTriggerMutationVariables = Exact<{
  id: string;
}>;


export type ConsoleDeleteTriggerMutation = { deleteTrigger: { deletedTriggerId: string } };

export type ConsoleRotateTriggerSecretMutationVariables = Exact<{
  id: string;
  overlapHours: number;
  secret?: string | null | undefined;
}>;


export type ConsoleRotateTriggerSecretMutation = { rotateTriggerSecret: { secret: string, previousSecretExpiresAt: string | null } };

export type ConsoleTriggerRequestsQueryVariables = Exact<{
  id: string;
}>;


export type ConsoleTriggerRequestsQuery = { inboundDeliveries: { edges: Array<{ node: { id: string, receivedAt: string, outcome: InboundOutcome, statusCode: number, refusalCode: string | null, refusalReason: string | null, sourceIp: string | null, messageId: string | null, mappedInputs: unknown } }> } };

export type ConsoleInboundReceivedSubscriptionVariables = Exact<{
  id?: string | null | undefined;
}>;


export type ConsoleInboundReceivedSubscription = { inboundReceived: { id: string, receivedAt: string, outcome: InboundOutcome, statusCode: number, refusalCode: string | null, refusalReason: string | null, sourceIp: string | null, messageId: string | null, mappedInputs: unknown } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const ConsoleMeDocument = new TypedDocumentString(`
    query ConsoleMe {
  me {
    role
    workspace {
      id
      name
    }
    apiKey {
      id
      kind
      expiresAt
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleMeQuery, ConsoleMeQueryVariables>;
export const ConsoleSignOutDocument = new TypedDocumentString(`
    mutation ConsoleSignOut($id: ID!) {
  revokeApiKey(input: {id: $id}) {
    apiKey {
      id
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleSignOutMutation, ConsoleSignOutMutationVariables>;
export const ConsoleApiKeysDocument = new TypedDocumentString(`
    query ConsoleApiKeys {
  apiKeys(first: 100) {
    edges {
      node {
        id
        name
        role
        kind
        prefix
        createdAt
        lastUsedAt
        expiresAt
        consoleLinkId
      }
    }
  }
  consoleLinks(first: 50) {
    edges {
      node {
        id
        role
        status
        createdAt
        expiresAt
        usedAt
        revokedAt
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleApiKeysQuery, ConsoleApiKeysQueryVariables>;
export const ConsoleCreateApiKeyDocument = new TypedDocumentString(`
    mutation ConsoleCreateApiKey($name: String!, $role: ApiKeyRole!) {
  createApiKey(input: {name: $name, role: $role}) {
    key
    apiKey {
      id
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleCreateApiKeyMutation, ConsoleCreateApiKeyMutationVariables>;
export const ConsoleRevokeApiKeyDocument = new TypedDocumentString(`
    mutation ConsoleRevokeApiKey($id: ID!) {
  revokeApiKey(input: {id: $id}) {
    apiKey {
      id
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleRevokeApiKeyMutation, ConsoleRevokeApiKeyMutationVariables>;
export const ConsoleCreateLinkDocument = new TypedDocumentString(`
    mutation ConsoleCreateLink($role: ApiKeyRole!, $ttl: Int!) {
  createConsoleLink(input: {role: $role, ttlMinutes: $ttl}) {
    id
    url
    expiresAt
  }
}
    `) as unknown as TypedDocumentString<ConsoleCreateLinkMutation, ConsoleCreateLinkMutationVariables>;
export const ConsoleRevokeLinkDocument = new TypedDocumentString(`
    mutation ConsoleRevokeLink($id: ID!) {
  revokeConsoleLink(input: {id: $id}) {
    id
    revokedAt
  }
}
    `) as unknown as TypedDocumentString<ConsoleRevokeLinkMutation, ConsoleRevokeLinkMutationVariables>;
export const ConsoleAuditLogDocument = new TypedDocumentString(`
    query ConsoleAuditLog($filter: AuditFilter, $after: String) {
  auditLog(filter: $filter, first: 50, after: $after) {
    edges {
      node {
        id
        seq
        direction
        triggerId
        subscriptionId
        deliveryId
        eventType
        occurredAt
        durationMs
        attempt
        statusCode
        outcome
        errorClass
        sourceIp
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleAuditLogQuery, ConsoleAuditLogQueryVariables>;
export const ConsoleVerifyAuditChainDocument = new TypedDocumentString(`
    mutation ConsoleVerifyAuditChain($input: VerifyAuditChainInput!) {
  verifyAuditChain(input: $input) {
    ok
    checked
    reason
    head {
      seq
      hash
      occurredAt
    }
    firstBrokenEntry {
      id
      seq
      occurredAt
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleVerifyAuditChainMutation, ConsoleVerifyAuditChainMutationVariables>;
export const ConsoleDeliveriesDocument = new TypedDocumentString(`
    query ConsoleDeliveries($filter: DeliveryFilter) {
  deliveries(filter: $filter, first: 50) {
    edges {
      node {
        id
        status
        attemptCount
        createdAt
        lastAttemptAt
        nextAttemptAt
        event {
          id
          type
        }
        subscription {
          id
          url
        }
      }
    }
  }
  webhookSubscriptions(first: 100) {
    edges {
      node {
        id
        url
      }
    }
  }
  eventCatalog {
    type
  }
}
    `) as unknown as TypedDocumentString<ConsoleDeliveriesQuery, ConsoleDeliveriesQueryVariables>;
export const ConsoleDeliveryUpdatedDocument = new TypedDocumentString(`
    subscription ConsoleDeliveryUpdated($filter: DeliveryFilter) {
  deliveryUpdated(filter: $filter) {
    recordedAt
    delivery {
      id
      status
      attemptCount
      createdAt
      lastAttemptAt
      nextAttemptAt
      event {
        id
        type
      }
      subscription {
        id
        url
      }
    }
    attempt {
      number
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleDeliveryUpdatedSubscription, ConsoleDeliveryUpdatedSubscriptionVariables>;
export const ConsoleDeliveryDocument = new TypedDocumentString(`
    query ConsoleDelivery($id: ID!) {
  delivery(id: $id) {
    id
    status
    attemptCount
    createdAt
    lastAttemptAt
    nextAttemptAt
    event {
      id
      type
      body
    }
    subscription {
      id
      url
    }
    attempts {
      number
      startedAt
      durationMs
      outcome
      statusCode
      errorClass
      errorReason
      responseBody
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleDeliveryQuery, ConsoleDeliveryQueryVariables>;
export const ConsoleRedeliverDocument = new TypedDocumentString(`
    mutation ConsoleRedeliver($id: ID!) {
  redeliver(input: {deliveryId: $id}) {
    delivery {
      id
      status
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleRedeliverMutation, ConsoleRedeliverMutationVariables>;
export const ConsoleDeliveryStatsDocument = new TypedDocumentString(`
    query ConsoleDeliveryStats($id: ID!, $since: DateTime!, $bucket: DeliveryStatsBucket!) {
  deliveryStats(subscriptionId: $id, since: $since, bucket: $bucket) {
    bucket
    points {
      start
      succeeded
      failed
      p50Ms
      p95Ms
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleDeliveryStatsQuery, ConsoleDeliveryStatsQueryVariables>;
export const ConsoleEventCatalogDocument = new TypedDocumentString(`
    query ConsoleEventCatalog {
  eventCatalog {
    type
    description
    schema
  }
}
    `) as unknown as TypedDocumentString<ConsoleEventCatalogQuery, ConsoleEventCatalogQueryVariables>;
export const ConsoleInboundRequestDocument = new TypedDocumentString(`
    query ConsoleInboundRequest($id: ID!) {
  node(id: $id) {
    ... on InboundDelivery {
      id
      receivedAt
      outcome
      statusCode
      refusalCode
      refusalReason
      messageId
      sourceIp
      contentType
      payloadBytes
      payloadSha256
      mappedInputs
      trigger {
        id
        name
      }
      session {
        id
        agent
        status
        inputs
        output
        error
        createdAt
        startedAt
        finishedAt
        events {
          id
          type
          timestamp
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleInboundRequestQuery, ConsoleInboundRequestQueryVariables>;
export const ConsoleOverviewDocument = new TypedDocumentString(`
    query ConsoleOverview($since: DateTime!) {
  deliveryOverview(since: $since) {
    subscriptionId
    succeeded
    failed
    subscription {
      id
      url
      status
      statusReason
    }
  }
  webhookSubscriptions(first: 100) {
    edges {
      node {
        id
        url
        status
        statusReason
      }
    }
  }
  inboundDeliveries(filter: {outcome: REFUSED, receivedAfter: $since}, first: 100) {
    edges {
      node {
        id
        refusalCode
        receivedAt
        trigger {
          id
          name
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleOverviewQuery, ConsoleOverviewQueryVariables>;
export const ConsoleSubscriptionsDocument = new TypedDocumentString(`
    query ConsoleSubscriptions {
  webhookSubscriptions(first: 100) {
    edges {
      node {
        id
        url
        events
        status
        statusReason
        lastSuccessAt
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleSubscriptionsQuery, ConsoleSubscriptionsQueryVariables>;
export const ConsoleSubscriptionDocument = new TypedDocumentString(`
    query ConsoleSubscription($id: ID!) {
  webhookSubscription(id: $id) {
    id
    url
    description
    events
    filter
    rateLimitPerSecond
    maxConcurrency
    timeoutMs
    status
    statusReason
    disabledAt
    lastSuccessAt
    createdAt
    headers {
      name
      value
      secret
    }
    secrets {
      id
      createdAt
      expiresAt
      current
    }
  }
  eventCatalog {
    type
  }
}
    `) as unknown as TypedDocumentString<ConsoleSubscriptionQuery, ConsoleSubscriptionQueryVariables>;
export const ConsoleEventTypesDocument = new TypedDocumentString(`
    query ConsoleEventTypes {
  eventCatalog {
    type
    description
  }
}
    `) as unknown as TypedDocumentString<ConsoleEventTypesQuery, ConsoleEventTypesQueryVariables>;
export const ConsoleCreateSubscriptionDocument = new TypedDocumentString(`
    mutation ConsoleCreateSubscription($input: CreateWebhookSubscriptionInput!) {
  createWebhookSubscription(input: $input) {
    secret
    subscription {
      id
      status
      statusReason
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleCreateSubscriptionMutation, ConsoleCreateSubscriptionMutationVariables>;
export const ConsoleVerifySubscriptionDocument = new TypedDocumentString(`
    mutation ConsoleVerifySubscription($id: ID!) {
  verifyWebhookSubscription(input: {id: $id}) {
    subscription {
      id
      status
      statusReason
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleVerifySubscriptionMutation, ConsoleVerifySubscriptionMutationVariables>;
export const ConsoleEnableSubscriptionDocument = new TypedDocumentString(`
    mutation ConsoleEnableSubscription($id: ID!) {
  enableWebhookSubscription(input: {id: $id}) {
    subscription {
      id
      status
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleEnableSubscriptionMutation, ConsoleEnableSubscriptionMutationVariables>;
export const ConsoleDisableSubscriptionDocument = new TypedDocumentString(`
    mutation ConsoleDisableSubscription($id: ID!) {
  disableWebhookSubscription(input: {id: $id}) {
    subscription {
      id
      status
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleDisableSubscriptionMutation, ConsoleDisableSubscriptionMutationVariables>;
export const ConsoleDeleteSubscriptionDocument = new TypedDocumentString(`
    mutation ConsoleDeleteSubscription($id: ID!) {
  deleteWebhookSubscription(input: {id: $id}) {
    deletedSubscriptionId
  }
}
    `) as unknown as TypedDocumentString<ConsoleDeleteSubscriptionMutation, ConsoleDeleteSubscriptionMutationVariables>;
export const ConsoleRotateSubscriptionSecretDocument = new TypedDocumentString(`
    mutation ConsoleRotateSubscriptionSecret($id: ID!, $overlapHours: Int!) {
  rotateWebhookSubscriptionSecret(
    input: {subscriptionId: $id, overlapHours: $overlapHours}
  ) {
    secret
    previousSecretExpiresAt
  }
}
    `) as unknown as TypedDocumentString<ConsoleRotateSubscriptionSecretMutation, ConsoleRotateSubscriptionSecretMutationVariables>;
export const ConsoleReplayEventsDocument = new TypedDocumentString(`
    mutation ConsoleReplayEvents($id: ID!, $since: DateTime!) {
  replayEvents(input: {subscriptionId: $id, since: $since}) {
    replayed
    subscription {
      id
      status
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleReplayEventsMutation, ConsoleReplayEventsMutationVariables>;
export const ConsoleSendTestEventDocument = new TypedDocumentString(`
    mutation ConsoleSendTestEvent($id: ID!, $type: String!) {
  sendTestEvent(input: {subscriptionId: $id, type: $type}) {
    delivery {
      id
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleSendTestEventMutation, ConsoleSendTestEventMutationVariables>;
export const ConsoleTestDeliveryDocument = new TypedDocumentString(`
    query ConsoleTestDelivery($id: ID!) {
  delivery(id: $id) {
    id
    status
    attempts {
      number
      statusCode
      outcome
      errorClass
      durationMs
      responseBody
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleTestDeliveryQuery, ConsoleTestDeliveryQueryVariables>;
export const ConsoleTestTriggerDocument = new TypedDocumentString(`
    mutation ConsoleTestTrigger($input: TestTriggerInput!) {
  testTrigger(input: $input) {
    status
    code
    message
    ignored
    messageId
    mappedInputs
    checks {
      name
      passed
      detail
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleTestTriggerMutation, ConsoleTestTriggerMutationVariables>;
export const ConsoleTriggersDocument = new TypedDocumentString(`
    query ConsoleTriggers {
  triggers(first: 100) {
    edges {
      node {
        id
        name
        agent
        url
        signatureScheme
        enabled
        createdAt
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleTriggersQuery, ConsoleTriggersQueryVariables>;
export const ConsoleTriggerDocument = new TypedDocumentString(`
    query ConsoleTrigger($id: ID!) {
  trigger(id: $id) {
    id
    name
    agent
    url
    filter
    signatureScheme
    toleranceSeconds
    ipAllowlist
    rateLimitPerSecond
    enabled
    createdAt
    updatedAt
    clientCertificate {
      required
      subject
      fingerprintSha256
    }
    inputs {
      name
      path
      type
      required
    }
    hmac {
      header
      encoding
      prefix
      idHeader
    }
    secrets {
      id
      createdAt
      expiresAt
      current
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleTriggerQuery, ConsoleTriggerQueryVariables>;
export const ConsoleCreateTriggerDocument = new TypedDocumentString(`
    mutation ConsoleCreateTrigger($input: CreateTriggerInput!) {
  createTrigger(input: $input) {
    secret
    trigger {
      id
      name
      url
      signatureScheme
      hmac {
        header
        encoding
        prefix
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleCreateTriggerMutation, ConsoleCreateTriggerMutationVariables>;
export const ConsoleUpdateTriggerDocument = new TypedDocumentString(`
    mutation ConsoleUpdateTrigger($input: UpdateTriggerInput!) {
  updateTrigger(input: $input) {
    trigger {
      id
      enabled
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleUpdateTriggerMutation, ConsoleUpdateTriggerMutationVariables>;
export const ConsoleDeleteTriggerDocument = new TypedDocumentString(`
    mutation ConsoleDeleteTrigger($id: ID!) {
  deleteTrigger(input: {id: $id}) {
    deletedTriggerId
  }
}
    `) as unknown as TypedDocumentString<ConsoleDeleteTriggerMutation, ConsoleDeleteTriggerMutationVariables>;
export const ConsoleRotateTriggerSecretDocument = new TypedDocumentString(`
    mutation ConsoleRotateTriggerSecret($id: ID!, $overlapHours: Int!, $secret: String) {
  rotateTriggerSecret(
    input: {triggerId: $id, overlapHours: $overlapHours, secret: $secret}
  ) {
    secret
    previousSecretExpiresAt
  }
}
    `) as unknown as TypedDocumentString<ConsoleRotateTriggerSecretMutation, ConsoleRotateTriggerSecretMutationVariables>;
export const ConsoleTriggerRequestsDocument = new TypedDocumentString(`
    query ConsoleTriggerRequests($id: ID!) {
  inboundDeliveries(filter: {triggerId: $id}, first: 20) {
    edges {
      node {
        id
        receivedAt
        outcome
        statusCode
        refusalCode
        refusalReason
        sourceIp
        messageId
        mappedInputs
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleTriggerRequestsQuery, ConsoleTriggerRequestsQueryVariables>;
export const ConsoleInboundReceivedDocument = new TypedDocumentString(`
    subscription ConsoleInboundReceived($id: ID) {
  inboundReceived(triggerId: $id) {
    id
    receivedAt
    outcome
    statusCode
    refusalCode
    refusalReason
    sourceIp
    messageId
    mappedInputs
  }
}
    `) as unknown as TypedDocumentString<ConsoleInboundReceivedSubscription, ConsoleInboundReceivedSubscriptionVariables>;