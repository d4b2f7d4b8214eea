import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { WorkspaceRecord } from '../../workspaces/workspaces.ts';
import type { ApiKeyRecord } from '../../auth/api-keys.ts';
import type { ConsoleLinkRecord } from '../../auth/console-links.ts';
import type { AuditEntryRecord } from '../../audit/audit-entry.ts';
import type { ViewerRecord, GraphQLContext } from '../../graphql/context.ts';
import type { TriggerRecord } from '../../inbound/triggers.ts';
import type { InboundDelivery as InboundDeliveryRow, Session as SessionRow, OutboundDelivery as OutboundDeliveryRow, DeliveryAttempt as DeliveryAttemptRow } from '../prisma/client.ts';
import type { EventRecord } from '../../events/event-record.ts';
import type { SubscriptionRecord } from '../../outbound/subscriptions.ts';
import type { DeliveryUpdateRecord } from '../../outbound/deliveries.ts';
import type { SecretInfo } from '../../secrets/rotation.ts';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** A 64-bit integer, as a string of decimal digits (GraphQL's Int is 32-bit). */
  BigInt: { input: bigint; output: number | bigint | string; }
  /** ISO-8601 date-time with milliseconds, always UTC. */
  DateTime: { input: Date; output: Date; }
  /** Any JSON value. */
  JSON: { input: unknown; output: unknown; }
};

export type AgentInputMapping = {
  __typename?: 'AgentInputMapping';
  defaultValue?: Maybe<Scalars['JSON']['output']>;
  name: Scalars['String']['output'];
  path: Scalars['String']['output'];
  required: Scalars['Boolean']['output'];
  type: AgentInputType;
};

export type AgentInputMappingInput = {
  defaultValue?: InputMaybe<Scalars['JSON']['input']>;
  name: Scalars['String']['input'];
  path: Scalars['String']['input'];
  required?: Scalars['Boolean']['input'];
  type?: AgentInputType;
};

export type AgentInputType =
  | 'ARRAY'
  | 'BOOLEAN'
  | 'NUMBER'
  | 'OBJECT'
  | 'STRING';

export type ApiKey = Node & {
  __typename?: 'ApiKey';
  /** The console link a session was made from; null for API keys. */
  consoleLinkId?: Maybe<Scalars['ID']['output']>;
  createdAt: Scalars['DateTime']['output'];
  /** A console session's fixed end (12 hours after its link was exchanged); null for API keys. */
  expiresAt?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  kind: ApiKeyKind;
  lastUsedAt?: Maybe<Scalars['DateTime']['output']>;
  name: Scalars['String']['output'];
  /** The key's first characters, to recognise it; never enough to use it. */
  prefix: Scalars['String']['output'];
  revokedAt?: Maybe<Scalars['DateTime']['output']>;
  role: ApiKeyRole;
};

export type ApiKeyConnection = {
  __typename?: 'ApiKeyConnection';
  edges: Array<ApiKeyEdge>;
  pageInfo: PageInfo;
};

export type ApiKeyEdge = {
  __typename?: 'ApiKeyEdge';
  cursor: Scalars['String']['output'];
  node: ApiKey;
};

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

export type ApplyTriggerYamlInput = {
  /** The signing secret for a new trigger, in place of the file's secretFrom (read only by the CLI). */
  secret?: InputMaybe<Scalars['String']['input']>;
  /** A `kind: Trigger` document (see examples/). */
  yaml: Scalars['String']['input'];
};

export type ApplyTriggerYamlPayload = {
  __typename?: 'ApplyTriggerYamlPayload';
  /** False when the file matched the stored trigger exactly (nothing was written). */
  changed: Scalars['Boolean']['output'];
  created: Scalars['Boolean']['output'];
  /** The secret, when the trigger was created by this call; shown only here. */
  secret?: Maybe<Scalars['String']['output']>;
  trigger: Trigger;
};

export type AttemptOutcome =
  | 'FAILED'
  | 'SUCCEEDED';

export type AuditDirection =
  | 'INBOUND'
  | 'OUTBOUND';

/** One row of webhook_audit (SPEC §9). */
export type AuditEntry = Node & {
  __typename?: 'AuditEntry';
  attempt?: Maybe<Scalars['Int']['output']>;
  deliveryId?: Maybe<Scalars['ID']['output']>;
  direction: AuditDirection;
  durationMs?: Maybe<Scalars['Int']['output']>;
  errorClass?: Maybe<Scalars['String']['output']>;
  eventType?: Maybe<Scalars['String']['output']>;
  hash: Scalars['String']['output'];
  headersSha256: Scalars['String']['output'];
  /** aud_...; ids sort like the log: by occurredAt, then by the order rows were appended. */
  id: Scalars['ID']['output'];
  occurredAt: Scalars['DateTime']['output'];
  outcome: Scalars['String']['output'];
  payloadSha256: Scalars['String']['output'];
  /** The row's place in its workspace's chain (1, 2, ...). */
  seq: Scalars['BigInt']['output'];
  sourceIp?: Maybe<Scalars['String']['output']>;
  statusCode?: Maybe<Scalars['Int']['output']>;
  subscriptionId?: Maybe<Scalars['ID']['output']>;
  triggerId?: Maybe<Scalars['ID']['output']>;
};

export type AuditEntryConnection = {
  __typename?: 'AuditEntryConnection';
  edges: Array<AuditEntryEdge>;
  pageInfo: PageInfo;
};

export type AuditEntryEdge = {
  __typename?: 'AuditEntryEdge';
  cursor: Scalars['String']['output'];
  node: AuditEntry;
};

export type AuditFilter = {
  /** An inbound (ind_...) or outbound (dlv_...) delivery. */
  deliveryId?: InputMaybe<Scalars['ID']['input']>;
  direction?: InputMaybe<AuditDirection>;
  eventType?: InputMaybe<Scalars['String']['input']>;
  /** Entries that occurred at or after this time. */
  occurredAfter?: InputMaybe<Scalars['DateTime']['input']>;
  /** Entries that occurred before this time. */
  occurredBefore?: InputMaybe<Scalars['DateTime']['input']>;
  outcome?: InputMaybe<Scalars['String']['input']>;
  subscriptionId?: InputMaybe<Scalars['ID']['input']>;
  triggerId?: InputMaybe<Scalars['ID']['input']>;
};

export type AuditHead = {
  __typename?: 'AuditHead';
  hash: Scalars['String']['output'];
  /** When the row happened: pass it as `from` to go on after a call that stopped at its limit. */
  occurredAt: Scalars['DateTime']['output'];
  seq: Scalars['BigInt']['output'];
};

/** A point of a workspace's audit chain: a row's seq and hash. */
export type AuditHeadInput = {
  hash: Scalars['String']['input'];
  seq: Scalars['BigInt']['input'];
};

/** What a UI shows of an X.509 certificate (never a key). */
export type CertificateSummary = {
  __typename?: 'CertificateSummary';
  /** SHA-256 of the DER certificate: 64 lower-case hex digits. */
  fingerprintSha256: Scalars['String']['output'];
  issuer: Scalars['String']['output'];
  notAfter: Scalars['DateTime']['output'];
  notBefore: Scalars['DateTime']['output'];
  /** RFC 4514 subject DN, most specific first, e.g. "CN=gateway,O=Acme". */
  subject: Scalars['String']['output'];
};

/**
 * mTLS on a trigger: requests without a client certificate that chains to the gateway's
 * TLS_CLIENT_CA_FILE, is valid now and matches the pins are refused 403 CLIENT_CERTIFICATE_REQUIRED.
 */
export type ClientCertificateRequirement = {
  __typename?: 'ClientCertificateRequirement';
  /** SHA-256 fingerprint the certificate must have: 64 lower-case hex digits. */
  fingerprintSha256?: Maybe<Scalars['String']['output']>;
  required: Scalars['Boolean']['output'];
  /** RFC 4514 subject DN the certificate must have, in the canonical form it is compared in. */
  subject?: Maybe<Scalars['String']['output']>;
  /** The CAs this gateway accepts client certificates from (TLS_CLIENT_CA_FILE); empty when it has none. */
  trustedAuthorities: Array<CertificateSummary>;
};

/** SPEC §5 mTLS. `required: false` is the same as no requirement (pins are refused with it). */
export type ClientCertificateRequirementInput = {
  /** 64 hex digits, any case, colons optional; stored as 64 lower-case digits. */
  fingerprintSha256?: InputMaybe<Scalars['String']['input']>;
  required?: Scalars['Boolean']['input'];
  /** Exact RFC 4514 subject DN, as `openssl x509 -noout -subject -nameopt RFC2253` prints it; stored normalised. */
  subject?: InputMaybe<Scalars['String']['input']>;
};

export type ConsoleLink = Node & {
  __typename?: 'ConsoleLink';
  createdAt: Scalars['DateTime']['output'];
  expiresAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  revokedAt?: Maybe<Scalars['DateTime']['output']>;
  role: ApiKeyRole;
  status: ConsoleLinkStatus;
  usedAt?: Maybe<Scalars['DateTime']['output']>;
};

export type ConsoleLinkConnection = {
  __typename?: 'ConsoleLinkConnection';
  edges: Array<ConsoleLinkEdge>;
  pageInfo: PageInfo;
};

export type ConsoleLinkEdge = {
  __typename?: 'ConsoleLinkEdge';
  cursor: Scalars['String']['output'];
  node: ConsoleLink;
};

export type ConsoleLinkStatus =
  | 'EXPIRED'
  | 'REVOKED'
  | 'UNUSED'
  | 'USED';

export type CreateApiKeyInput = {
  name: Scalars['String']['input'];
  role: ApiKeyRole;
};

export type CreateApiKeyPayload = {
  __typename?: 'CreateApiKeyPayload';
  apiKey: ApiKey;
  /** The key itself, shown only in this response. */
  key: Scalars['String']['output'];
};

export type CreateConsoleLinkInput = {
  /** ADMIN or VIEWER; never above the caller's. */
  role?: ApiKeyRole;
  /** How long the link can be exchanged: 1 to 1440 minutes. */
  ttlMinutes?: Scalars['Int']['input'];
};

export type CreateConsoleLinkPayload = {
  __typename?: 'CreateConsoleLinkPayload';
  expiresAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  /** PUBLIC_URL/console/#link=<token>: shown only here. */
  url: Scalars['String']['output'];
};

export type CreateTriggerInput = {
  /** Which agent the session runs. */
  agent: Scalars['String']['input'];
  /** Require a client certificate (mTLS); absent = not required. */
  clientCertificate?: InputMaybe<ClientCertificateRequirementInput>;
  enabled?: Scalars['Boolean']['input'];
  /** JSONPath; the trigger fires only when it matches. */
  filter?: InputMaybe<Scalars['String']['input']>;
  /** Only for HMAC_SHA256. */
  hmac?: InputMaybe<HmacSchemeInput>;
  inputs: Array<AgentInputMappingInput>;
  /** CIDRs; absent or empty = any address. */
  ipAllowlist?: InputMaybe<Array<Scalars['String']['input']>>;
  name: Scalars['String']['input'];
  rateLimitPerSecond?: InputMaybe<Scalars['Int']['input']>;
  /** Bring your own (e.g. a GitHub or Stripe secret); else generated. */
  secret?: InputMaybe<Scalars['String']['input']>;
  signatureScheme?: SignatureScheme;
  toleranceSeconds?: Scalars['Int']['input'];
};

export type CreateTriggerPayload = {
  __typename?: 'CreateTriggerPayload';
  /** Shown only in this response. */
  secret: Scalars['String']['output'];
  trigger: Trigger;
};

export type CreateWebhookSubscriptionInput = {
  description?: InputMaybe<Scalars['String']['input']>;
  /** "*", "tool.*", "session.finished", ... */
  events: Array<Scalars['String']['input']>;
  filter?: InputMaybe<Scalars['String']['input']>;
  headers?: InputMaybe<Array<HttpHeaderInput>>;
  maxConcurrency?: InputMaybe<Scalars['Int']['input']>;
  /** Every ping and attempt carries `Authorization: Bearer <token>` from this token endpoint (no custom Authorization header beside it). */
  oauth2?: InputMaybe<OAuth2ClientCredentialsInput>;
  rateLimitPerSecond?: InputMaybe<Scalars['Int']['input']>;
  /** Else generated (whsec_...). */
  secret?: InputMaybe<Scalars['String']['input']>;
  timeoutMs?: Scalars['Int']['input'];
  /** mTLS: a client certificate and key to present, CA certificates to trust for this receiver. */
  tls?: InputMaybe<SubscriptionTlsInput>;
  url: Scalars['String']['input'];
};

export type CreateWebhookSubscriptionPayload = {
  __typename?: 'CreateWebhookSubscriptionPayload';
  /** Shown only in this response. */
  secret: Scalars['String']['output'];
  subscription: WebhookSubscription;
};

export type DeleteTriggerInput = {
  id: Scalars['ID']['input'];
};

export type DeleteTriggerPayload = {
  __typename?: 'DeleteTriggerPayload';
  deletedTriggerId: Scalars['ID']['output'];
};

export type DeleteWebhookSubscriptionInput = {
  id: Scalars['ID']['input'];
};

export type DeleteWebhookSubscriptionPayload = {
  __typename?: 'DeleteWebhookSubscriptionPayload';
  deletedSubscriptionId: Scalars['ID']['output'];
};

/** One HTTP attempt of a delivery. */
export type DeliveryAttempt = {
  __typename?: 'DeliveryAttempt';
  durationMs: Scalars['Int']['output'];
  /** TIMEOUT, CONNECTION_REFUSED, TARGET_REFUSED, DNS, TLS, NETWORK, HTTP_<status>, AUTH (no OAuth2 token could be had: the reason is in errorReason), or INTERNAL (the request could not be built, e.g. a secret header that no longer decrypts). */
  errorClass?: Maybe<Scalars['String']['output']>;
  /** Why, when no HTTP answer came: which TLS check failed (unknown CA, expired, hostname mismatch, handshake refused), which name did not resolve, for AUTH the token endpoint's error (never a secret or a token), ... */
  errorReason?: Maybe<Scalars['String']['output']>;
  number: Scalars['Int']['output'];
  outcome: AttemptOutcome;
  /** The first 4 KiB of the response body. */
  responseBody?: Maybe<Scalars['String']['output']>;
  startedAt: Scalars['DateTime']['output'];
  statusCode?: Maybe<Scalars['Int']['output']>;
};

export type DeliveryFilter = {
  eventId?: InputMaybe<Scalars['ID']['input']>;
  eventType?: InputMaybe<Scalars['String']['input']>;
  status?: InputMaybe<DeliveryStatus>;
  subscriptionId?: InputMaybe<Scalars['ID']['input']>;
};

export type DeliveryStats = {
  __typename?: 'DeliveryStats';
  bucket: DeliveryStatsBucket;
  /** Oldest first. */
  points: Array<DeliveryStatsPoint>;
  /** since, rounded down to its bucket: the first point's start. */
  since: Scalars['DateTime']['output'];
  subscriptionId: Scalars['ID']['output'];
};

export type DeliveryStatsBucket =
  | 'FIFTEEN_MINUTES'
  | 'FIVE_MINUTES'
  | 'HOUR'
  | 'MINUTE';

export type DeliveryStatsPoint = {
  __typename?: 'DeliveryStatsPoint';
  /** Attempts that did not (an error status, a timeout, a refused connection...). */
  failed: Scalars['Int']['output'];
  /**
   * Attempt latency (ms) percentiles, interpolated within the duration histogram's buckets (bounds 5,
   * 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000 ms); null without attempts.
   */
  p50Ms?: Maybe<Scalars['Int']['output']>;
  p95Ms?: Maybe<Scalars['Int']['output']>;
  start: Scalars['DateTime']['output'];
  /** Attempts that got a 2xx. */
  succeeded: Scalars['Int']['output'];
};

export type DeliveryStatus =
  /** Its subscription was disabled before it succeeded; replayEvents sends it again. */
  | 'CANCELLED'
  /** Every scheduled attempt failed. */
  | 'FAILED'
  /** Waiting for its next attempt (see nextAttemptAt). */
  | 'PENDING'
  | 'SUCCEEDED';

/** A delivery changed state, with the attempt that changed it when there was one. */
export type DeliveryUpdate = {
  __typename?: 'DeliveryUpdate';
  attempt?: Maybe<DeliveryAttempt>;
  delivery: OutboundDelivery;
  /** When the gateway wrote the change (just before its commit): how late a live view is, measured. */
  recordedAt: Scalars['DateTime']['output'];
};

export type DisableWebhookSubscriptionInput = {
  id: Scalars['ID']['input'];
  reason?: InputMaybe<Scalars['String']['input']>;
};

export type DisableWebhookSubscriptionPayload = {
  __typename?: 'DisableWebhookSubscriptionPayload';
  subscription: WebhookSubscription;
};

export type EnableWebhookSubscriptionInput = {
  id: Scalars['ID']['input'];
};

export type EnableWebhookSubscriptionPayload = {
  __typename?: 'EnableWebhookSubscriptionPayload';
  subscription: WebhookSubscription;
};

/** An agent lifecycle event: the envelope sent to subscribers, byte for byte on every attempt. */
export type Event = Node & {
  __typename?: 'Event';
  /** The exact JSON bytes subscribers receive. */
  body: Scalars['String']['output'];
  data: Scalars['JSON']['output'];
  id: Scalars['ID']['output'];
  idempotencyKey?: Maybe<Scalars['String']['output']>;
  timestamp: Scalars['DateTime']['output'];
  type: Scalars['String']['output'];
};

export type EventTypeInfo = {
  __typename?: 'EventTypeInfo';
  description: Scalars['String']['output'];
  /** JSON Schema (draft 2020-12) of the event's data. */
  schema: Scalars['JSON']['output'];
  type: Scalars['String']['output'];
};

export type HmacScheme = {
  __typename?: 'HmacScheme';
  encoding: SignatureEncoding;
  header: Scalars['String']['output'];
  idHeader?: Maybe<Scalars['String']['output']>;
  prefix?: Maybe<Scalars['String']['output']>;
};

export type HmacSchemeInput = {
  encoding?: SignatureEncoding;
  header: Scalars['String']['input'];
  idHeader?: InputMaybe<Scalars['String']['input']>;
  prefix?: InputMaybe<Scalars['String']['input']>;
};

export type HttpHeader = {
  __typename?: 'HttpHeader';
  name: Scalars['String']['output'];
  /** Encrypted at rest and masked here (credentials such as Authorization or API keys). */
  secret: Scalars['Boolean']['output'];
  /** A secret header's value is never shown again, to any role: always "••••". */
  value: Scalars['String']['output'];
};

export type HttpHeaderInput = {
  name: Scalars['String']['input'];
  /** Encrypt the value at rest and never show it again (ignored by testTrigger). */
  secret?: Scalars['Boolean']['input'];
  /** For a secret header on update, "" or "••••" keeps the stored value of that name. */
  value: Scalars['String']['input'];
};

/** A request received on a trigger's URL. */
export type InboundDelivery = Node & {
  __typename?: 'InboundDelivery';
  contentType?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  mappedInputs?: Maybe<Scalars['JSON']['output']>;
  messageId?: Maybe<Scalars['String']['output']>;
  outcome: InboundOutcome;
  payloadBytes: Scalars['Int']['output'];
  payloadSha256: Scalars['String']['output'];
  receivedAt: Scalars['DateTime']['output'];
  refusalCode?: Maybe<Scalars['String']['output']>;
  refusalReason?: Maybe<Scalars['String']['output']>;
  session?: Maybe<Session>;
  sourceIp?: Maybe<Scalars['String']['output']>;
  statusCode: Scalars['Int']['output'];
  trigger?: Maybe<Trigger>;
  triggerId: Scalars['ID']['output'];
};

export type InboundDeliveryConnection = {
  __typename?: 'InboundDeliveryConnection';
  edges: Array<InboundDeliveryEdge>;
  pageInfo: PageInfo;
};

export type InboundDeliveryEdge = {
  __typename?: 'InboundDeliveryEdge';
  cursor: Scalars['String']['output'];
  node: InboundDelivery;
};

export type InboundDeliveryFilter = {
  messageId?: InputMaybe<Scalars['String']['input']>;
  outcome?: InputMaybe<InboundOutcome>;
  receivedAfter?: InputMaybe<Scalars['DateTime']['input']>;
  receivedBefore?: InputMaybe<Scalars['DateTime']['input']>;
  refusalCode?: InputMaybe<Scalars['String']['input']>;
  triggerId?: InputMaybe<Scalars['ID']['input']>;
};

export type InboundOutcome =
  | 'ACCEPTED'
  /** Verified, but the trigger's filter did not match, or a sender handshake (GitHub ping, Slack challenge). */
  | 'IGNORED'
  | 'REFUSED'
  /** A message id accepted before: answered with the first response. */
  | 'REPLAYED';

export type Mutation = {
  __typename?: 'Mutation';
  applyTriggerYaml: ApplyTriggerYamlPayload;
  createApiKey: CreateApiKeyPayload;
  /** A one-time sign-in link to the console (ADMIN only); its token is exchanged by POST /v1/console/session. */
  createConsoleLink: CreateConsoleLinkPayload;
  createTrigger: CreateTriggerPayload;
  createWebhookSubscription: CreateWebhookSubscriptionPayload;
  deleteTrigger: DeleteTriggerPayload;
  deleteWebhookSubscription: DeleteWebhookSubscriptionPayload;
  /** Stops deliveries at once: pending ones are CANCELLED. */
  disableWebhookSubscription: DisableWebhookSubscriptionPayload;
  /** Pings the (perhaps changed) URL: ACTIVE on a 2xx, else PENDING_VERIFICATION with the reason. */
  enableWebhookSubscription: EnableWebhookSubscriptionPayload;
  publishEvent: PublishEventPayload;
  /** Several events in one call: answered per event, the valid ones published; a repeated idempotencyKey yields one event. */
  publishEvents: PublishEventsPayload;
  /** Queues one more attempt of the same delivery (same webhook-id) now, whatever its state. */
  redeliver: RedeliverPayload;
  /** Queues again this subscription's CANCELLED and FAILED deliveries of events since a time (after re-enabling). */
  replayEvents: ReplayEventsPayload;
  revokeApiKey: RevokeApiKeyPayload;
  /** Revokes an unused link, and ends the sessions it made (their live sockets close). */
  revokeConsoleLink: RevokeConsoleLinkPayload;
  /** Ends an old secret's overlap now. The current secret cannot be revoked: rotate it. */
  revokeSecret: RevokeSecretPayload;
  /** A new secret; the previous one stays valid for overlapHours (inbound accepts either). */
  rotateTriggerSecret: RotateTriggerSecretPayload;
  /** A new secret; until the overlap ends deliveries carry a signature for each (v1,<new> v1,<old>). */
  rotateWebhookSubscriptionSecret: RotateWebhookSubscriptionSecretPayload;
  /** Delivers a sample of any catalogue event to one subscription. */
  sendTestEvent: SendTestEventPayload;
  /** Dry run of POST /hooks/{id}: every check's outcome and the mapped inputs; writes nothing. */
  testTrigger: TestTriggerPayload;
  updateTrigger: UpdateTriggerPayload;
  updateWebhookSubscription: UpdateWebhookSubscriptionPayload;
  /** ADMIN: the caller's workspace settings (retention). */
  updateWorkspaceSettings: UpdateWorkspaceSettingsPayload;
  /** Checks the workspace's audit chain (ADMIN or VIEWER): every link, keyed hash and checkpoint (SPEC §9). */
  verifyAuditChain: VerifyAuditChainPayload;
  /** Pings the endpoint again: a 2xx makes the subscription ACTIVE. */
  verifyWebhookSubscription: VerifyWebhookSubscriptionPayload;
};


export type MutationApplyTriggerYamlArgs = {
  input: ApplyTriggerYamlInput;
};


export type MutationCreateApiKeyArgs = {
  input: CreateApiKeyInput;
};


export type MutationCreateConsoleLinkArgs = {
  input: CreateConsoleLinkInput;
};


export type MutationCreateTriggerArgs = {
  input: CreateTriggerInput;
};


export type MutationCreateWebhookSubscriptionArgs = {
  input: CreateWebhookSubscriptionInput;
};


export type MutationDeleteTriggerArgs = {
  input: DeleteTriggerInput;
};


export type MutationDeleteWebhookSubscriptionArgs = {
  input: DeleteWebhookSubscriptionInput;
};


export type MutationDisableWebhookSubscriptionArgs = {
  input: DisableWebhookSubscriptionInput;
};


export type MutationEnableWebhookSubscriptionArgs = {
  input: EnableWebhookSubscriptionInput;
};


export type MutationPublishEventArgs = {
  input: PublishEventInput;
};


export type MutationPublishEventsArgs = {
  input: PublishEventsInput;
};


export type MutationRedeliverArgs = {
  input: RedeliverInput;
};


export type MutationReplayEventsArgs = {
  input: ReplayEventsInput;
};


export type MutationRevokeApiKeyArgs = {
  input: RevokeApiKeyInput;
};


export type MutationRevokeConsoleLinkArgs = {
  input: RevokeConsoleLinkInput;
};


export type MutationRevokeSecretArgs = {
  input: RevokeSecretInput;
};


export type MutationRotateTriggerSecretArgs = {
  input: RotateTriggerSecretInput;
};


export type MutationRotateWebhookSubscriptionSecretArgs = {
  input: RotateWebhookSubscriptionSecretInput;
};


export type MutationSendTestEventArgs = {
  input: SendTestEventInput;
};


export type MutationTestTriggerArgs = {
  input: TestTriggerInput;
};


export type MutationUpdateTriggerArgs = {
  input: UpdateTriggerInput;
};


export type MutationUpdateWebhookSubscriptionArgs = {
  input: UpdateWebhookSubscriptionInput;
};


export type MutationUpdateWorkspaceSettingsArgs = {
  input: UpdateWorkspaceSettingsInput;
};


export type MutationVerifyAuditChainArgs = {
  input: VerifyAuditChainInput;
};


export type MutationVerifyWebhookSubscriptionArgs = {
  input: VerifyWebhookSubscriptionInput;
};

export type Node = {
  id: Scalars['ID']['output'];
};

/** How the gateway authenticates to the token endpoint (RFC 6749 §2.3.1). */
export type OAuth2ClientAuthMethod =
  /** HTTP Basic with the form-encoded client id and secret (the default). */
  | 'CLIENT_SECRET_BASIC'
  /** client_id and client_secret in the form body. */
  | 'CLIENT_SECRET_POST';

export type OAuth2ClientCredentials = {
  __typename?: 'OAuth2ClientCredentials';
  audience?: Maybe<Scalars['String']['output']>;
  authMethod: OAuth2ClientAuthMethod;
  clientId: Scalars['String']['output'];
  scope?: Maybe<Scalars['String']['output']>;
  tokenUrl: Scalars['String']['output'];
};

/** OAuth2 client credentials grant (RFC 6749 §4.4). The client secret is encrypted at rest and never returned. */
export type OAuth2ClientCredentialsInput = {
  /** Sent as the `audience` form parameter (Auth0, Okta and others). */
  audience?: InputMaybe<Scalars['String']['input']>;
  authMethod?: InputMaybe<OAuth2ClientAuthMethod>;
  clientId: Scalars['String']['input'];
  /** On update, an empty value or "••••" keeps the stored one. */
  clientSecret: Scalars['String']['input'];
  /** Sent as the `scope` form parameter. */
  scope?: InputMaybe<Scalars['String']['input']>;
  /** Passes the same target checks as the subscription's URL. */
  tokenUrl: Scalars['String']['input'];
};

/** One event on its way to one subscription. */
export type OutboundDelivery = Node & {
  __typename?: 'OutboundDelivery';
  attemptCount: Scalars['Int']['output'];
  attempts: Array<DeliveryAttempt>;
  createdAt: Scalars['DateTime']['output'];
  event: Event;
  id: Scalars['ID']['output'];
  lastAttemptAt?: Maybe<Scalars['DateTime']['output']>;
  nextAttemptAt?: Maybe<Scalars['DateTime']['output']>;
  status: DeliveryStatus;
  subscription?: Maybe<WebhookSubscription>;
};

export type OutboundDeliveryConnection = {
  __typename?: 'OutboundDeliveryConnection';
  edges: Array<OutboundDeliveryEdge>;
  pageInfo: PageInfo;
};

export type OutboundDeliveryEdge = {
  __typename?: 'OutboundDeliveryEdge';
  cursor: Scalars['String']['output'];
  node: OutboundDelivery;
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
  hasPreviousPage: Scalars['Boolean']['output'];
  startCursor?: Maybe<Scalars['String']['output']>;
};

/** Why one event of a batch was not published. */
export type PublishEventError = {
  __typename?: 'PublishEventError';
  code: Scalars['String']['output'];
  /** The field at fault, from the batch: events.<index>.<field>. */
  field?: Maybe<Scalars['String']['output']>;
  message: Scalars['String']['output'];
};

export type PublishEventInput = {
  data: Scalars['JSON']['input'];
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  type: Scalars['String']['input'];
};

export type PublishEventPayload = {
  __typename?: 'PublishEventPayload';
  event: Event;
};

/** One event of a batch, in the order given: its event, or its error. */
export type PublishEventResult = {
  __typename?: 'PublishEventResult';
  error?: Maybe<PublishEventError>;
  event?: Maybe<Event>;
  index: Scalars['Int']['output'];
};

export type PublishEventsInput = {
  /** 1 to 500 events, each checked and published on its own. */
  events: Array<PublishEventInput>;
};

export type PublishEventsPayload = {
  __typename?: 'PublishEventsPayload';
  results: Array<PublishEventResult>;
};

export type Query = {
  __typename?: 'Query';
  /** At most 100 per page. */
  apiKeys: ApiKeyConnection;
  /** webhook_audit rows, newest first (by occurredAt, then append order). At most 100 per page. */
  auditLog: AuditEntryConnection;
  /**
   * The workspace's console links, oldest first (ADMIN only). At most 100 per page. Unless
   * includeInactive, only links that still open something: unused and unexpired, or used with a live session.
   */
  consoleLinks: ConsoleLinkConnection;
  /** Outbound deliveries, newest first. */
  deliveries: OutboundDeliveryConnection;
  delivery?: Maybe<OutboundDelivery>;
  /**
   * Attempts per subscription since `since` (at most 7 days back), from the charts' per-minute
   * rollups: the console's overview. Subscriptions without attempts in the window are left out.
   */
  deliveryOverview: Array<SubscriptionDeliveryCounts>;
  /**
   * A subscription's attempts per bucket of time since `since` (at most 7 days back), from per-minute
   * rollups the delivery worker writes with each batch of attempts: counts by outcome and latency
   * percentiles. Every bucket from since to now is listed, empty ones included (at most 1500).
   */
  deliveryStats: DeliveryStats;
  /** Every event type subscribers can receive, with the JSON Schema of its data. */
  eventCatalog: Array<EventTypeInfo>;
  /** Requests received on triggers, newest first. */
  inboundDeliveries: InboundDeliveryConnection;
  me: Viewer;
  /** Any object of the caller's workspace by its id; null when there is none (or it is another workspace's). */
  node?: Maybe<Node>;
  /** Sessions, newest first. */
  sessions: SessionConnection;
  trigger?: Maybe<Trigger>;
  triggers: TriggerConnection;
  webhookSubscription?: Maybe<WebhookSubscription>;
  webhookSubscriptions: WebhookSubscriptionConnection;
};


export type QueryApiKeysArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: Scalars['Int']['input'];
  includeRevoked?: Scalars['Boolean']['input'];
};


export type QueryAuditLogArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<AuditFilter>;
  first?: Scalars['Int']['input'];
};


export type QueryConsoleLinksArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: Scalars['Int']['input'];
  includeInactive?: Scalars['Boolean']['input'];
};


export type QueryDeliveriesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<DeliveryFilter>;
  first?: Scalars['Int']['input'];
};


export type QueryDeliveryArgs = {
  id: Scalars['ID']['input'];
};


export type QueryDeliveryOverviewArgs = {
  since: Scalars['DateTime']['input'];
};


export type QueryDeliveryStatsArgs = {
  bucket?: DeliveryStatsBucket;
  since: Scalars['DateTime']['input'];
  subscriptionId: Scalars['ID']['input'];
};


export type QueryInboundDeliveriesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<InboundDeliveryFilter>;
  first?: Scalars['Int']['input'];
};


export type QueryNodeArgs = {
  id: Scalars['ID']['input'];
};


export type QuerySessionsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<SessionFilter>;
  first?: Scalars['Int']['input'];
};


export type QueryTriggerArgs = {
  id: Scalars['ID']['input'];
};


export type QueryTriggersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: Scalars['Int']['input'];
};


export type QueryWebhookSubscriptionArgs = {
  id: Scalars['ID']['input'];
};


export type QueryWebhookSubscriptionsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: Scalars['Int']['input'];
};

export type RedeliverInput = {
  deliveryId: Scalars['ID']['input'];
};

export type RedeliverPayload = {
  __typename?: 'RedeliverPayload';
  delivery: OutboundDelivery;
};

export type ReplayEventsInput = {
  since: Scalars['DateTime']['input'];
  subscriptionId: Scalars['ID']['input'];
};

export type ReplayEventsPayload = {
  __typename?: 'ReplayEventsPayload';
  /** How many deliveries were queued again. */
  replayed: Scalars['Int']['output'];
  subscription: WebhookSubscription;
};

export type RevokeApiKeyInput = {
  id: Scalars['ID']['input'];
};

export type RevokeApiKeyPayload = {
  __typename?: 'RevokeApiKeyPayload';
  apiKey: ApiKey;
};

export type RevokeConsoleLinkInput = {
  id: Scalars['ID']['input'];
};

export type RevokeConsoleLinkPayload = {
  __typename?: 'RevokeConsoleLinkPayload';
  id: Scalars['ID']['output'];
  revokedAt: Scalars['DateTime']['output'];
};

export type RevokeSecretInput = {
  /** An old secret of a trigger or subscription (from its secrets list). */
  secretId: Scalars['ID']['input'];
};

export type RevokeSecretPayload = {
  __typename?: 'RevokeSecretPayload';
  secret: SigningSecret;
};

export type RotateTriggerSecretInput = {
  /** How long the previous secret stays valid; 0 ends it at once. */
  overlapHours?: Scalars['Int']['input'];
  /** Resync: the secret the sender holds (GitHub's, Stripe's...), checked for the trigger's scheme; else one is generated. */
  secret?: InputMaybe<Scalars['String']['input']>;
  triggerId: Scalars['ID']['input'];
};

export type RotateTriggerSecretPayload = {
  __typename?: 'RotateTriggerSecretPayload';
  previousSecretExpiresAt?: Maybe<Scalars['DateTime']['output']>;
  /** The new secret, shown only here. */
  secret: Scalars['String']['output'];
  trigger: Trigger;
};

export type RotateWebhookSubscriptionSecretInput = {
  overlapHours?: Scalars['Int']['input'];
  /** Resync: the secret the receiver expects (whsec_ + base64 of 24 to 64 bytes); else one is generated. */
  secret?: InputMaybe<Scalars['String']['input']>;
  subscriptionId: Scalars['ID']['input'];
};

export type RotateWebhookSubscriptionSecretPayload = {
  __typename?: 'RotateWebhookSubscriptionSecretPayload';
  previousSecretExpiresAt?: Maybe<Scalars['DateTime']['output']>;
  secret: Scalars['String']['output'];
  subscription: WebhookSubscription;
};

export type SendTestEventInput = {
  subscriptionId: Scalars['ID']['input'];
  type: Scalars['String']['input'];
};

export type SendTestEventPayload = {
  __typename?: 'SendTestEventPayload';
  delivery: OutboundDelivery;
};

/** One agent run, started by an inbound webhook. */
export type Session = Node & {
  __typename?: 'Session';
  agent: Scalars['String']['output'];
  archivedAt?: Maybe<Scalars['DateTime']['output']>;
  createdAt: Scalars['DateTime']['output'];
  error?: Maybe<Scalars['JSON']['output']>;
  /** The events published about this session (session.created, ...finished), oldest first, at most 50. */
  events: Array<Event>;
  finishedAt?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  inputs: Scalars['JSON']['output'];
  output?: Maybe<Scalars['JSON']['output']>;
  startedAt?: Maybe<Scalars['DateTime']['output']>;
  status: SessionStatus;
  trigger?: Maybe<Trigger>;
};

export type SessionConnection = {
  __typename?: 'SessionConnection';
  edges: Array<SessionEdge>;
  pageInfo: PageInfo;
};

export type SessionEdge = {
  __typename?: 'SessionEdge';
  cursor: Scalars['String']['output'];
  node: Session;
};

export type SessionFilter = {
  agent?: InputMaybe<Scalars['String']['input']>;
  status?: InputMaybe<SessionStatus>;
  triggerId?: InputMaybe<Scalars['ID']['input']>;
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

/** A signing secret's metadata; its value is shown only when created or rotated. */
export type SigningSecret = {
  __typename?: 'SigningSecret';
  createdAt: Scalars['DateTime']['output'];
  current: Scalars['Boolean']['output'];
  /** Null for the current secret; an old one stays valid until then (rotation overlap). */
  expiresAt?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
};

export type Subscription = {
  __typename?: 'Subscription';
  auditAppended: AuditEntry;
  deliveryUpdated: DeliveryUpdate;
  inboundReceived: InboundDelivery;
};


export type SubscriptionAuditAppendedArgs = {
  filter?: InputMaybe<AuditFilter>;
};


export type SubscriptionDeliveryUpdatedArgs = {
  filter?: InputMaybe<DeliveryFilter>;
};


export type SubscriptionInboundReceivedArgs = {
  triggerId?: InputMaybe<Scalars['ID']['input']>;
};

export type SubscriptionDeliveryCounts = {
  __typename?: 'SubscriptionDeliveryCounts';
  failed: Scalars['Int']['output'];
  /** Null when it was deleted since. */
  subscription?: Maybe<WebhookSubscription>;
  subscriptionId: Scalars['ID']['output'];
  succeeded: Scalars['Int']['output'];
};

export type SubscriptionStatus =
  | 'ACTIVE'
  | 'DISABLED'
  /** Created or changed, and not yet answered a webhook.ping with 2xx: receives no events. */
  | 'PENDING_VERIFICATION';

/** What a subscription presents to its receiver and trusts for it (SPEC §7), without secrets. */
export type SubscriptionTls = {
  __typename?: 'SubscriptionTls';
  /** Trusted for this receiver in addition to the system's CAs. */
  caCertificates: Array<CertificateSummary>;
  /** Presented on every ping and attempt (the first certificate of the chain given); null when none. */
  clientCertificate?: Maybe<CertificateSummary>;
};

/** PEM. The key is encrypted at rest and never returned. On update: a field left out stays, null (or "") removes it. */
export type SubscriptionTlsInput = {
  /** One or more CA certificates trusted for this receiver in addition to the system's. */
  caCertificatesPem?: InputMaybe<Scalars['String']['input']>;
  /** The certificate presented to the receiver, optionally followed by its intermediates. */
  clientCertificatePem?: InputMaybe<Scalars['String']['input']>;
  /** Its private key, unencrypted PEM (PKCS#8, PKCS#1 or SEC1). */
  clientKeyPem?: InputMaybe<Scalars['String']['input']>;
};

export type TestTriggerInput = {
  /** The raw body exactly as the sender would send it. */
  body: Scalars['String']['input'];
  /** PEM; checked against the trigger's client certificate requirement (CA, validity, pins) when given. */
  clientCertificatePem?: InputMaybe<Scalars['String']['input']>;
  headers: Array<HttpHeaderInput>;
  /** Checked against the IP allowlist when given. */
  sourceIp?: InputMaybe<Scalars['String']['input']>;
  triggerId: Scalars['ID']['input'];
};

export type TestTriggerPayload = {
  __typename?: 'TestTriggerPayload';
  checks: Array<TriggerCheck>;
  /** The refusal code, when it would refuse. */
  code?: Maybe<Scalars['String']['output']>;
  ignored: Scalars['Boolean']['output'];
  mappedInputs?: Maybe<Scalars['JSON']['output']>;
  message?: Maybe<Scalars['String']['output']>;
  messageId?: Maybe<Scalars['String']['output']>;
  /** The status the real endpoint would answer. */
  status: Scalars['Int']['output'];
};

/** An inbound webhook endpoint: external systems POST to its url to start an agent session. */
export type Trigger = Node & {
  __typename?: 'Trigger';
  agent: Scalars['String']['output'];
  /** Null: no client certificate is required (mTLS). */
  clientCertificate?: Maybe<ClientCertificateRequirement>;
  createdAt: Scalars['DateTime']['output'];
  enabled: Scalars['Boolean']['output'];
  filter?: Maybe<Scalars['String']['output']>;
  hmac?: Maybe<HmacScheme>;
  id: Scalars['ID']['output'];
  inputs: Array<AgentInputMapping>;
  ipAllowlist: Array<Scalars['String']['output']>;
  name: Scalars['String']['output'];
  rateLimitPerSecond?: Maybe<Scalars['Int']['output']>;
  /** Valid secrets, newest first: the current one and any still inside a rotation overlap. */
  secrets: Array<SigningSecret>;
  signatureScheme: SignatureScheme;
  toleranceSeconds: Scalars['Int']['output'];
  updatedAt: Scalars['DateTime']['output'];
  /** POST here: PUBLIC_URL/hooks/{id}. */
  url: Scalars['String']['output'];
};

export type TriggerCheck = {
  __typename?: 'TriggerCheck';
  detail: Scalars['String']['output'];
  /** contentType, ipAllowlist, clientCertificate, loop, signature, replay, body, filter or mapping. */
  name: Scalars['String']['output'];
  passed: Scalars['Boolean']['output'];
};

export type TriggerConnection = {
  __typename?: 'TriggerConnection';
  edges: Array<TriggerEdge>;
  pageInfo: PageInfo;
};

export type TriggerEdge = {
  __typename?: 'TriggerEdge';
  cursor: Scalars['String']['output'];
  node: Trigger;
};

/** Fields left out stay as they are; null clears an optional one. */
export type UpdateTriggerInput = {
  agent?: InputMaybe<Scalars['String']['input']>;
  /** Replaces the requirement; null or {required: false} removes it. */
  clientCertificate?: InputMaybe<ClientCertificateRequirementInput>;
  enabled?: InputMaybe<Scalars['Boolean']['input']>;
  filter?: InputMaybe<Scalars['String']['input']>;
  hmac?: InputMaybe<HmacSchemeInput>;
  id: Scalars['ID']['input'];
  inputs?: InputMaybe<Array<AgentInputMappingInput>>;
  ipAllowlist?: InputMaybe<Array<Scalars['String']['input']>>;
  name?: InputMaybe<Scalars['String']['input']>;
  rateLimitPerSecond?: InputMaybe<Scalars['Int']['input']>;
  signatureScheme?: InputMaybe<SignatureScheme>;
  toleranceSeconds?: InputMaybe<Scalars['Int']['input']>;
};

export type UpdateTriggerPayload = {
  __typename?: 'UpdateTriggerPayload';
  trigger: Trigger;
};

/** Fields left out stay as they are; null clears an optional one. A new url is verified again. */
export type UpdateWebhookSubscriptionInput = {
  description?: InputMaybe<Scalars['String']['input']>;
  events?: InputMaybe<Array<Scalars['String']['input']>>;
  filter?: InputMaybe<Scalars['String']['input']>;
  headers?: InputMaybe<Array<HttpHeaderInput>>;
  id: Scalars['ID']['input'];
  maxConcurrency?: InputMaybe<Scalars['Int']['input']>;
  /** Replaces the OAuth2 credentials; null removes them. */
  oauth2?: InputMaybe<OAuth2ClientCredentialsInput>;
  rateLimitPerSecond?: InputMaybe<Scalars['Int']['input']>;
  timeoutMs?: InputMaybe<Scalars['Int']['input']>;
  /** Changed settings are verified again with a ping; null removes all of them. */
  tls?: InputMaybe<SubscriptionTlsInput>;
  url?: InputMaybe<Scalars['String']['input']>;
};

export type UpdateWebhookSubscriptionPayload = {
  __typename?: 'UpdateWebhookSubscriptionPayload';
  subscription: WebhookSubscription;
};

export type UpdateWorkspaceSettingsInput = {
  /**
   * Days rows are kept: a whole number from the replay window in days (REPLAY_WINDOW_HOURS / 24,
   * rounded up; 7 by default) to 3650. null returns to the gateway's RETENTION_DAYS; omitted leaves it.
   */
  retentionDays?: InputMaybe<Scalars['Int']['input']>;
};

export type UpdateWorkspaceSettingsPayload = {
  __typename?: 'UpdateWorkspaceSettingsPayload';
  workspace: Workspace;
};

/**
 * What to verify: rows from the first at or after `from` to the last at or before `to` (absent: from
 * the oldest kept row to the chain's head), and a head kept from an earlier verification, which the
 * chain must still hold (the newest rows removed and the head rewritten show there).
 */
export type VerifyAuditChainInput = {
  expectedHead?: InputMaybe<AuditHeadInput>;
  from?: InputMaybe<Scalars['DateTime']['input']>;
  to?: InputMaybe<Scalars['DateTime']['input']>;
};

export type VerifyAuditChainPayload = {
  __typename?: 'VerifyAuditChainPayload';
  /** Rows checked by this call (at most 1,000,000). */
  checked: Scalars['Int']['output'];
  firstBrokenEntry?: Maybe<AuditEntry>;
  /** The newest row checked; keep it and pass it back as expectedHead. */
  head?: Maybe<AuditHead>;
  ok: Scalars['Boolean']['output'];
  /** Why the chain is broken, or why the call stopped before the end. */
  reason?: Maybe<Scalars['String']['output']>;
};

export type VerifyWebhookSubscriptionInput = {
  id: Scalars['ID']['input'];
};

export type VerifyWebhookSubscriptionPayload = {
  __typename?: 'VerifyWebhookSubscriptionPayload';
  subscription: WebhookSubscription;
};

/** The caller: the API key in the Authorization header and its workspace. */
export type Viewer = {
  __typename?: 'Viewer';
  apiKey: ApiKey;
  role: ApiKeyRole;
  workspace: Workspace;
};

/** A downstream URL that receives signed events (Standard Webhooks). */
export type WebhookSubscription = Node & {
  __typename?: 'WebhookSubscription';
  createdAt: Scalars['DateTime']['output'];
  description?: Maybe<Scalars['String']['output']>;
  disabledAt?: Maybe<Scalars['DateTime']['output']>;
  /** Event types, "*", or prefixes such as "tool.*". */
  events: Array<Scalars['String']['output']>;
  filter?: Maybe<Scalars['String']['output']>;
  headers: Array<HttpHeader>;
  id: Scalars['ID']['output'];
  lastSuccessAt?: Maybe<Scalars['DateTime']['output']>;
  maxConcurrency?: Maybe<Scalars['Int']['output']>;
  /** The OAuth2 client credentials the gateway gets its bearer tokens with; the client secret is never shown. */
  oauth2?: Maybe<OAuth2ClientCredentials>;
  rateLimitPerSecond?: Maybe<Scalars['Int']['output']>;
  /** Valid secrets, newest first: every delivery is signed with each of them. */
  secrets: Array<SigningSecret>;
  status: SubscriptionStatus;
  /** Why it is not ACTIVE (the failed ping's answer, or why it was disabled). */
  statusReason?: Maybe<Scalars['String']['output']>;
  timeoutMs: Scalars['Int']['output'];
  /** mTLS: the client certificate presented to the receiver and the CAs trusted for it; null when none. The key is never shown. */
  tls?: Maybe<SubscriptionTls>;
  updatedAt: Scalars['DateTime']['output'];
  /** Query string values are masked ("••••") except for ADMIN keys. */
  url: Scalars['String']['output'];
};

export type WebhookSubscriptionConnection = {
  __typename?: 'WebhookSubscriptionConnection';
  edges: Array<WebhookSubscriptionEdge>;
  pageInfo: PageInfo;
};

export type WebhookSubscriptionEdge = {
  __typename?: 'WebhookSubscriptionEdge';
  cursor: Scalars['String']['output'];
  node: WebhookSubscription;
};

export type Workspace = Node & {
  __typename?: 'Workspace';
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  /**
   * Days this workspace's inbound deliveries, events, outbound deliveries (with their attempts) and
   * sessions are kept before the retention job removes them (SPEC §14): its own setting, else the
   * gateway's RETENTION_DAYS, never less than the replay window.
   */
  retentionDays: Scalars['Int']['output'];
  /** The workspace's own retention setting; null when it follows RETENTION_DAYS. */
  retentionDaysOverride?: Maybe<Scalars['Int']['output']>;
};

export type WithIndex<TObject> = TObject & Record<string, any>;
export type ResolversObject<TObject> = WithIndex<TObject>;

export type ResolverTypeWrapper<T> = Promise<T> | T;


export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;




/** Mapping of interface types */
export type ResolversInterfaceTypes<_RefType extends Record<string, unknown>> = ResolversObject<{
  Node:
    | ( ApiKeyRecord )
    | ( AuditEntryRecord )
    | ( ConsoleLinkRecord )
    | ( EventRecord )
    | ( InboundDeliveryRow )
    | ( OutboundDeliveryRow )
    | ( SessionRow )
    | ( TriggerRecord )
    | ( SubscriptionRecord )
    | ( WorkspaceRecord )
  ;
}>;

/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  AgentInputMapping: ResolverTypeWrapper<AgentInputMapping>;
  AgentInputMappingInput: AgentInputMappingInput;
  AgentInputType: AgentInputType;
  ApiKey: ResolverTypeWrapper<ApiKeyRecord>;
  ApiKeyConnection: ResolverTypeWrapper<Omit<ApiKeyConnection, 'edges'> & { edges: Array<ResolversTypes['ApiKeyEdge']> }>;
  ApiKeyEdge: ResolverTypeWrapper<Omit<ApiKeyEdge, 'node'> & { node: ResolversTypes['ApiKey'] }>;
  ApiKeyKind: ApiKeyKind;
  ApiKeyRole: ApiKeyRole;
  ApplyTriggerYamlInput: ApplyTriggerYamlInput;
  ApplyTriggerYamlPayload: ResolverTypeWrapper<Omit<ApplyTriggerYamlPayload, 'trigger'> & { trigger: ResolversTypes['Trigger'] }>;
  AttemptOutcome: AttemptOutcome;
  AuditDirection: AuditDirection;
  AuditEntry: ResolverTypeWrapper<AuditEntryRecord>;
  AuditEntryConnection: ResolverTypeWrapper<Omit<AuditEntryConnection, 'edges'> & { edges: Array<ResolversTypes['AuditEntryEdge']> }>;
  AuditEntryEdge: ResolverTypeWrapper<Omit<AuditEntryEdge, 'node'> & { node: ResolversTypes['AuditEntry'] }>;
  AuditFilter: AuditFilter;
  AuditHead: ResolverTypeWrapper<AuditHead>;
  AuditHeadInput: AuditHeadInput;
  BigInt: ResolverTypeWrapper<Scalars['BigInt']['output']>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  CertificateSummary: ResolverTypeWrapper<CertificateSummary>;
  ClientCertificateRequirement: ResolverTypeWrapper<ClientCertificateRequirement>;
  ClientCertificateRequirementInput: ClientCertificateRequirementInput;
  ConsoleLink: ResolverTypeWrapper<ConsoleLinkRecord>;
  ConsoleLinkConnection: ResolverTypeWrapper<Omit<ConsoleLinkConnection, 'edges'> & { edges: Array<ResolversTypes['ConsoleLinkEdge']> }>;
  ConsoleLinkEdge: ResolverTypeWrapper<Omit<ConsoleLinkEdge, 'node'> & { node: ResolversTypes['ConsoleLink'] }>;
  ConsoleLinkStatus: ConsoleLinkStatus;
  CreateApiKeyInput: CreateApiKeyInput;
  CreateApiKeyPayload: ResolverTypeWrapper<Omit<CreateApiKeyPayload, 'apiKey'> & { apiKey: ResolversTypes['ApiKey'] }>;
  CreateConsoleLinkInput: CreateConsoleLinkInput;
  CreateConsoleLinkPayload: ResolverTypeWrapper<CreateConsoleLinkPayload>;
  CreateTriggerInput: CreateTriggerInput;
  CreateTriggerPayload: ResolverTypeWrapper<Omit<CreateTriggerPayload, 'trigger'> & { trigger: ResolversTypes['Trigger'] }>;
  CreateWebhookSubscriptionInput: CreateWebhookSubscriptionInput;
  CreateWebhookSubscriptionPayload: ResolverTypeWrapper<Omit<CreateWebhookSubscriptionPayload, 'subscription'> & { subscription: ResolversTypes['WebhookSubscription'] }>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  DeleteTriggerInput: DeleteTriggerInput;
  DeleteTriggerPayload: ResolverTypeWrapper<DeleteTriggerPayload>;
  DeleteWebhookSubscriptionInput: DeleteWebhookSubscriptionInput;
  DeleteWebhookSubscriptionPayload: ResolverTypeWrapper<DeleteWebhookSubscriptionPayload>;
  DeliveryAttempt: ResolverTypeWrapper<DeliveryAttemptRow>;
  DeliveryFilter: DeliveryFilter;
  DeliveryStats: ResolverTypeWrapper<DeliveryStats>;
  DeliveryStatsBucket: DeliveryStatsBucket;
  DeliveryStatsPoint: ResolverTypeWrapper<DeliveryStatsPoint>;
  DeliveryStatus: DeliveryStatus;
  DeliveryUpdate: ResolverTypeWrapper<DeliveryUpdateRecord>;
  DisableWebhookSubscriptionInput: DisableWebhookSubscriptionInput;
  DisableWebhookSubscriptionPayload: ResolverTypeWrapper<Omit<DisableWebhookSubscriptionPayload, 'subscription'> & { subscription: ResolversTypes['WebhookSubscription'] }>;
  EnableWebhookSubscriptionInput: EnableWebhookSubscriptionInput;
  EnableWebhookSubscriptionPayload: ResolverTypeWrapper<Omit<EnableWebhookSubscriptionPayload, 'subscription'> & { subscription: ResolversTypes['WebhookSubscription'] }>;
  Event: ResolverTypeWrapper<EventRecord>;
  EventTypeInfo: ResolverTypeWrapper<EventTypeInfo>;
  HmacScheme: ResolverTypeWrapper<HmacScheme>;
  HmacSchemeInput: HmacSchemeInput;
  HttpHeader: ResolverTypeWrapper<HttpHeader>;
  HttpHeaderInput: HttpHeaderInput;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  InboundDelivery: ResolverTypeWrapper<InboundDeliveryRow>;
  InboundDeliveryConnection: ResolverTypeWrapper<Omit<InboundDeliveryConnection, 'edges'> & { edges: Array<ResolversTypes['InboundDeliveryEdge']> }>;
  InboundDeliveryEdge: ResolverTypeWrapper<Omit<InboundDeliveryEdge, 'node'> & { node: ResolversTypes['InboundDelivery'] }>;
  InboundDeliveryFilter: InboundDeliveryFilter;
  InboundOutcome: InboundOutcome;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  JSON: ResolverTypeWrapper<Scalars['JSON']['output']>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Node: ResolverTypeWrapper<ResolversInterfaceTypes<ResolversTypes>['Node']>;
  OAuth2ClientAuthMethod: OAuth2ClientAuthMethod;
  OAuth2ClientCredentials: ResolverTypeWrapper<OAuth2ClientCredentials>;
  OAuth2ClientCredentialsInput: OAuth2ClientCredentialsInput;
  OutboundDelivery: ResolverTypeWrapper<OutboundDeliveryRow>;
  OutboundDeliveryConnection: ResolverTypeWrapper<Omit<OutboundDeliveryConnection, 'edges'> & { edges: Array<ResolversTypes['OutboundDeliveryEdge']> }>;
  OutboundDeliveryEdge: ResolverTypeWrapper<Omit<OutboundDeliveryEdge, 'node'> & { node: ResolversTypes['OutboundDelivery'] }>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  PublishEventError: ResolverTypeWrapper<PublishEventError>;
  PublishEventInput: PublishEventInput;
  PublishEventPayload: ResolverTypeWrapper<Omit<PublishEventPayload, 'event'> & { event: ResolversTypes['Event'] }>;
  PublishEventResult: ResolverTypeWrapper<Omit<PublishEventResult, 'event'> & { event?: Maybe<ResolversTypes['Event']> }>;
  PublishEventsInput: PublishEventsInput;
  PublishEventsPayload: ResolverTypeWrapper<Omit<PublishEventsPayload, 'results'> & { results: Array<ResolversTypes['PublishEventResult']> }>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  RedeliverInput: RedeliverInput;
  RedeliverPayload: ResolverTypeWrapper<Omit<RedeliverPayload, 'delivery'> & { delivery: ResolversTypes['OutboundDelivery'] }>;
  ReplayEventsInput: ReplayEventsInput;
  ReplayEventsPayload: ResolverTypeWrapper<Omit<ReplayEventsPayload, 'subscription'> & { subscription: ResolversTypes['WebhookSubscription'] }>;
  RevokeApiKeyInput: RevokeApiKeyInput;
  RevokeApiKeyPayload: ResolverTypeWrapper<Omit<RevokeApiKeyPayload, 'apiKey'> & { apiKey: ResolversTypes['ApiKey'] }>;
  RevokeConsoleLinkInput: RevokeConsoleLinkInput;
  RevokeConsoleLinkPayload: ResolverTypeWrapper<RevokeConsoleLinkPayload>;
  RevokeSecretInput: RevokeSecretInput;
  RevokeSecretPayload: ResolverTypeWrapper<Omit<RevokeSecretPayload, 'secret'> & { secret: ResolversTypes['SigningSecret'] }>;
  RotateTriggerSecretInput: RotateTriggerSecretInput;
  RotateTriggerSecretPayload: ResolverTypeWrapper<Omit<RotateTriggerSecretPayload, 'trigger'> & { trigger: ResolversTypes['Trigger'] }>;
  RotateWebhookSubscriptionSecretInput: RotateWebhookSubscriptionSecretInput;
  RotateWebhookSubscriptionSecretPayload: ResolverTypeWrapper<Omit<RotateWebhookSubscriptionSecretPayload, 'subscription'> & { subscription: ResolversTypes['WebhookSubscription'] }>;
  SendTestEventInput: SendTestEventInput;
  SendTestEventPayload: ResolverTypeWrapper<Omit<SendTestEventPayload, 'delivery'> & { delivery: ResolversTypes['OutboundDelivery'] }>;
  Session: ResolverTypeWrapper<SessionRow>;
  SessionConnection: ResolverTypeWrapper<Omit<SessionConnection, 'edges'> & { edges: Array<ResolversTypes['SessionEdge']> }>;
  SessionEdge: ResolverTypeWrapper<Omit<SessionEdge, 'node'> & { node: ResolversTypes['Session'] }>;
  SessionFilter: SessionFilter;
  SessionStatus: SessionStatus;
  SignatureEncoding: SignatureEncoding;
  SignatureScheme: SignatureScheme;
  SigningSecret: ResolverTypeWrapper<SecretInfo>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  SubscriptionDeliveryCounts: ResolverTypeWrapper<Omit<SubscriptionDeliveryCounts, 'subscription'> & { subscription?: Maybe<ResolversTypes['WebhookSubscription']> }>;
  SubscriptionStatus: SubscriptionStatus;
  SubscriptionTls: ResolverTypeWrapper<SubscriptionTls>;
  SubscriptionTlsInput: SubscriptionTlsInput;
  TestTriggerInput: TestTriggerInput;
  TestTriggerPayload: ResolverTypeWrapper<TestTriggerPayload>;
  Trigger: ResolverTypeWrapper<TriggerRecord>;
  TriggerCheck: ResolverTypeWrapper<TriggerCheck>;
  TriggerConnection: ResolverTypeWrapper<Omit<TriggerConnection, 'edges'> & { edges: Array<ResolversTypes['TriggerEdge']> }>;
  TriggerEdge: ResolverTypeWrapper<Omit<TriggerEdge, 'node'> & { node: ResolversTypes['Trigger'] }>;
  UpdateTriggerInput: UpdateTriggerInput;
  UpdateTriggerPayload: ResolverTypeWrapper<Omit<UpdateTriggerPayload, 'trigger'> & { trigger: ResolversTypes['Trigger'] }>;
  UpdateWebhookSubscriptionInput: UpdateWebhookSubscriptionInput;
  UpdateWebhookSubscriptionPayload: ResolverTypeWrapper<Omit<UpdateWebhookSubscriptionPayload, 'subscription'> & { subscription: ResolversTypes['WebhookSubscription'] }>;
  UpdateWorkspaceSettingsInput: UpdateWorkspaceSettingsInput;
  UpdateWorkspaceSettingsPayload: ResolverTypeWrapper<Omit<UpdateWorkspaceSettingsPayload, 'workspace'> & { workspace: ResolversTypes['Workspace'] }>;
  VerifyAuditChainInput: VerifyAuditChainInput;
  VerifyAuditChainPayload: ResolverTypeWrapper<Omit<VerifyAuditChainPayload, 'firstBrokenEntry'> & { firstBrokenEntry?: Maybe<ResolversTypes['AuditEntry']> }>;
  VerifyWebhookSubscriptionInput: VerifyWebhookSubscriptionInput;
  VerifyWebhookSubscriptionPayload: ResolverTypeWrapper<Omit<VerifyWebhookSubscriptionPayload, 'subscription'> & { subscription: ResolversTypes['WebhookSubscription'] }>;
  Viewer: ResolverTypeWrapper<ViewerRecord>;
  WebhookSubscription: ResolverTypeWrapper<SubscriptionRecord>;
  WebhookSubscriptionConnection: ResolverTypeWrapper<Omit<WebhookSubscriptionConnection, 'edges'> & { edges: Array<ResolversTypes['WebhookSubscriptionEdge']> }>;
  WebhookSubscriptionEdge: ResolverTypeWrapper<Omit<WebhookSubscriptionEdge, 'node'> & { node: ResolversTypes['WebhookSubscription'] }>;
  Workspace: ResolverTypeWrapper<WorkspaceRecord>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  AgentInputMapping: AgentInputMapping;
  AgentInputMappingInput: AgentInputMappingInput;
  ApiKey: ApiKeyRecord;
  ApiKeyConnection: Omit<ApiKeyConnection, 'edges'> & { edges: Array<ResolversParentTypes['ApiKeyEdge']> };
  ApiKeyEdge: Omit<ApiKeyEdge, 'node'> & { node: ResolversParentTypes['ApiKey'] };
  ApplyTriggerYamlInput: ApplyTriggerYamlInput;
  ApplyTriggerYamlPayload: Omit<ApplyTriggerYamlPayload, 'trigger'> & { trigger: ResolversParentTypes['Trigger'] };
  AuditEntry: AuditEntryRecord;
  AuditEntryConnection: Omit<AuditEntryConnection, 'edges'> & { edges: Array<ResolversParentTypes['AuditEntryEdge']> };
  AuditEntryEdge: Omit<AuditEntryEdge, 'node'> & { node: ResolversParentTypes['AuditEntry'] };
  AuditFilter: AuditFilter;
  AuditHead: AuditHead;
  AuditHeadInput: AuditHeadInput;
  BigInt: Scalars['BigInt']['output'];
  Boolean: Scalars['Boolean']['output'];
  CertificateSummary: CertificateSummary;
  ClientCertificateRequirement: ClientCertificateRequirement;
  ClientCertificateRequirementInput: ClientCertificateRequirementInput;
  ConsoleLink: ConsoleLinkRecord;
  ConsoleLinkConnection: Omit<ConsoleLinkConnection, 'edges'> & { edges: Array<ResolversParentTypes['ConsoleLinkEdge']> };
  ConsoleLinkEdge: Omit<ConsoleLinkEdge, 'node'> & { node: ResolversParentTypes['ConsoleLink'] };
  CreateApiKeyInput: CreateApiKeyInput;
  CreateApiKeyPayload: Omit<CreateApiKeyPayload, 'apiKey'> & { apiKey: ResolversParentTypes['ApiKey'] };
  CreateConsoleLinkInput: CreateConsoleLinkInput;
  CreateConsoleLinkPayload: CreateConsoleLinkPayload;
  CreateTriggerInput: CreateTriggerInput;
  CreateTriggerPayload: Omit<CreateTriggerPayload, 'trigger'> & { trigger: ResolversParentTypes['Trigger'] };
  CreateWebhookSubscriptionInput: CreateWebhookSubscriptionInput;
  CreateWebhookSubscriptionPayload: Omit<CreateWebhookSubscriptionPayload, 'subscription'> & { subscription: ResolversParentTypes['WebhookSubscription'] };
  DateTime: Scalars['DateTime']['output'];
  DeleteTriggerInput: DeleteTriggerInput;
  DeleteTriggerPayload: DeleteTriggerPayload;
  DeleteWebhookSubscriptionInput: DeleteWebhookSubscriptionInput;
  DeleteWebhookSubscriptionPayload: DeleteWebhookSubscriptionPayload;
  DeliveryAttempt: DeliveryAttemptRow;
  DeliveryFilter: DeliveryFilter;
  DeliveryStats: DeliveryStats;
  DeliveryStatsPoint: DeliveryStatsPoint;
  DeliveryUpdate: DeliveryUpdateRecord;
  DisableWebhookSubscriptionInput: DisableWebhookSubscriptionInput;
  DisableWebhookSubscriptionPayload: Omit<DisableWebhookSubscriptionPayload, 'subscription'> & { subscription: ResolversParentTypes['WebhookSubscription'] };
  EnableWebhookSubscriptionInput: EnableWebhookSubscriptionInput;
  EnableWebhookSubscriptionPayload: Omit<EnableWebhookSubscriptionPayload, 'subscription'> & { subscription: ResolversParentTypes['WebhookSubscription'] };
  Event: EventRecord;
  EventTypeInfo: EventTypeInfo;
  HmacScheme: HmacScheme;
  HmacSchemeInput: HmacSchemeInput;
  HttpHeader: HttpHeader;
  HttpHeaderInput: HttpHeaderInput;
  ID: Scalars['ID']['output'];
  InboundDelivery: InboundDeliveryRow;
  InboundDeliveryConnection: Omit<InboundDeliveryConnection, 'edges'> & { edges: Array<ResolversParentTypes['InboundDeliveryEdge']> };
  InboundDeliveryEdge: Omit<InboundDeliveryEdge, 'node'> & { node: ResolversParentTypes['InboundDelivery'] };
  InboundDeliveryFilter: InboundDeliveryFilter;
  Int: Scalars['Int']['output'];
  JSON: Scalars['JSON']['output'];
  Mutation: Record<PropertyKey, never>;
  Node: ResolversInterfaceTypes<ResolversParentTypes>['Node'];
  OAuth2ClientCredentials: OAuth2ClientCredentials;
  OAuth2ClientCredentialsInput: OAuth2ClientCredentialsInput;
  OutboundDelivery: OutboundDeliveryRow;
  OutboundDeliveryConnection: Omit<OutboundDeliveryConnection, 'edges'> & { edges: Array<ResolversParentTypes['OutboundDeliveryEdge']> };
  OutboundDeliveryEdge: Omit<OutboundDeliveryEdge, 'node'> & { node: ResolversParentTypes['OutboundDelivery'] };
  PageInfo: PageInfo;
  PublishEventError: PublishEventError;
  PublishEventInput: PublishEventInput;
  PublishEventPayload: Omit<PublishEventPayload, 'event'> & { event: ResolversParentTypes['Event'] };
  PublishEventResult: Omit<PublishEventResult, 'event'> & { event?: Maybe<ResolversParentTypes['Event']> };
  PublishEventsInput: PublishEventsInput;
  PublishEventsPayload: Omit<PublishEventsPayload, 'results'> & { results: Array<ResolversParentTypes['PublishEventResult']> };
  Query: Record<PropertyKey, never>;
  RedeliverInput: RedeliverInput;
  RedeliverPayload: Omit<RedeliverPayload, 'delivery'> & { delivery: ResolversParentTypes['OutboundDelivery'] };
  ReplayEventsInput: ReplayEventsInput;
  ReplayEventsPayload: Omit<ReplayEventsPayload, 'subscription'> & { subscription: ResolversParentTypes['WebhookSubscription'] };
  RevokeApiKeyInput: RevokeApiKeyInput;
  RevokeApiKeyPayload: Omit<RevokeApiKeyPayload, 'apiKey'> & { apiKey: ResolversParentTypes['ApiKey'] };
  RevokeConsoleLinkInput: RevokeConsoleLinkInput;
  RevokeConsoleLinkPayload: RevokeConsoleLinkPayload;
  RevokeSecretInput: RevokeSecretInput;
  RevokeSecretPayload: Omit<RevokeSecretPayload, 'secret'> & { secret: ResolversParentTypes['SigningSecret'] };
  RotateTriggerSecretInput: RotateTriggerSecretInput;
  RotateTriggerSecretPayload: Omit<RotateTriggerSecretPayload, 'trigger'> & { trigger: ResolversParentTypes['Trigger'] };
  RotateWebhookSubscriptionSecretInput: RotateWebhookSubscriptionSecretInput;
  RotateWebhookSubscriptionSecretPayload: Omit<RotateWebhookSubscriptionSecretPayload, 'subscription'> & { subscription: ResolversParentTypes['WebhookSubscription'] };
  SendTestEventInput: SendTestEventInput;
  SendTestEventPayload: Omit<SendTestEventPayload, 'delivery'> & { delivery: ResolversParentTypes['OutboundDelivery'] };
  Session: SessionRow;
  SessionConnection: Omit<SessionConnection, 'edges'> & { edges: Array<ResolversParentTypes['SessionEdge']> };
  SessionEdge: Omit<SessionEdge, 'node'> & { node: ResolversParentTypes['Session'] };
  SessionFilter: SessionFilter;
  SigningSecret: SecretInfo;
  String: Scalars['String']['output'];
  Subscription: Record<PropertyKey, never>;
  SubscriptionDeliveryCounts: Omit<SubscriptionDeliveryCounts, 'subscription'> & { subscription?: Maybe<ResolversParentTypes['WebhookSubscription']> };
  SubscriptionTls: SubscriptionTls;
  SubscriptionTlsInput: SubscriptionTlsInput;
  TestTriggerInput: TestTriggerInput;
  TestTriggerPayload: TestTriggerPayload;
  Trigger: TriggerRecord;
  TriggerCheck: TriggerCheck;
  TriggerConnection: Omit<TriggerConnection, 'edges'> & { edges: Array<ResolversParentTypes['TriggerEdge']> };
  TriggerEdge: Omit<TriggerEdge, 'node'> & { node: ResolversParentTypes['Trigger'] };
  UpdateTriggerInput: UpdateTriggerInput;
  UpdateTriggerPayload: Omit<UpdateTriggerPayload, 'trigger'> & { trigger: ResolversParentTypes['Trigger'] };
  UpdateWebhookSubscriptionInput: UpdateWebhookSubscriptionInput;
  UpdateWebhookSubscriptionPayload: Omit<UpdateWebhookSubscriptionPayload, 'subscription'> & { subscription: ResolversParentTypes['WebhookSubscription'] };
  UpdateWorkspaceSettingsInput: UpdateWorkspaceSettingsInput;
  UpdateWorkspaceSettingsPayload: Omit<UpdateWorkspaceSettingsPayload, 'workspace'> & { workspace: ResolversParentTypes['Workspace'] };
  VerifyAuditChainInput: VerifyAuditChainInput;
  VerifyAuditChainPayload: Omit<VerifyAuditChainPayload, 'firstBrokenEntry'> & { firstBrokenEntry?: Maybe<ResolversParentTypes['AuditEntry']> };
  VerifyWebhookSubscriptionInput: VerifyWebhookSubscriptionInput;
  VerifyWebhookSubscriptionPayload: Omit<VerifyWebhookSubscriptionPayload, 'subscription'> & { subscription: ResolversParentTypes['WebhookSubscription'] };
  Viewer: ViewerRecord;
  WebhookSubscription: SubscriptionRecord;
  WebhookSubscriptionConnection: Omit<WebhookSubscriptionConnection, 'edges'> & { edges: Array<ResolversParentTypes['WebhookSubscriptionEdge']> };
  WebhookSubscriptionEdge: Omit<WebhookSubscriptionEdge, 'node'> & { node: ResolversParentTypes['WebhookSubscription'] };
  Workspace: WorkspaceRecord;
}>;

export type AgentInputMappingResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['AgentInputMapping'] = ResolversParentTypes['AgentInputMapping']> = ResolversObject<{
  defaultValue?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  path?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  required?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  type?: Resolver<ResolversTypes['AgentInputType'], ParentType, ContextType>;
}>;

export type ApiKeyResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ApiKey'] = ResolversParentTypes['ApiKey']> = ResolversObject<{
  consoleLinkId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  expiresAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['ApiKeyKind'], ParentType, ContextType>;
  lastUsedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  prefix?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  revokedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  role?: Resolver<ResolversTypes['ApiKeyRole'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
}>;

export type ApiKeyConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ApiKeyConnection'] = ResolversParentTypes['ApiKeyConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['ApiKeyEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
}>;

export type ApiKeyEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ApiKeyEdge'] = ResolversParentTypes['ApiKeyEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['ApiKey'], ParentType, ContextType>;
}>;

export type ApplyTriggerYamlPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ApplyTriggerYamlPayload'] = ResolversParentTypes['ApplyTriggerYamlPayload']> = ResolversObject<{
  changed?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  created?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  secret?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  trigger?: Resolver<ResolversTypes['Trigger'], ParentType, ContextType>;
}>;

export type AuditEntryResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['AuditEntry'] = ResolversParentTypes['AuditEntry']> = ResolversObject<{
  attempt?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  deliveryId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  direction?: Resolver<ResolversTypes['AuditDirection'], ParentType, ContextType>;
  durationMs?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  errorClass?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  eventType?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hash?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  headersSha256?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  occurredAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  outcome?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  payloadSha256?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  seq?: Resolver<ResolversTypes['BigInt'], ParentType, ContextType>;
  sourceIp?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  statusCode?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  subscriptionId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  triggerId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
}>;

export type AuditEntryConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['AuditEntryConnection'] = ResolversParentTypes['AuditEntryConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['AuditEntryEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
}>;

export type AuditEntryEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['AuditEntryEdge'] = ResolversParentTypes['AuditEntryEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['AuditEntry'], ParentType, ContextType>;
}>;

export type AuditHeadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['AuditHead'] = ResolversParentTypes['AuditHead']> = ResolversObject<{
  hash?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  occurredAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  seq?: Resolver<ResolversTypes['BigInt'], ParentType, ContextType>;
}>;

export interface BigIntScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['BigInt'], any> {
  name: 'BigInt';
}

export type CertificateSummaryResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['CertificateSummary'] = ResolversParentTypes['CertificateSummary']> = ResolversObject<{
  fingerprintSha256?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  issuer?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  notAfter?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  notBefore?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  subject?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type ClientCertificateRequirementResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ClientCertificateRequirement'] = ResolversParentTypes['ClientCertificateRequirement']> = ResolversObject<{
  fingerprintSha256?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  required?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  subject?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  trustedAuthorities?: Resolver<Array<ResolversTypes['CertificateSummary']>, ParentType, ContextType>;
}>;

export type ConsoleLinkResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ConsoleLink'] = ResolversParentTypes['ConsoleLink']> = ResolversObject<{
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  expiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  revokedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  role?: Resolver<ResolversTypes['ApiKeyRole'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['ConsoleLinkStatus'], ParentType, ContextType>;
  usedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
}>;

export type ConsoleLinkConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ConsoleLinkConnection'] = ResolversParentTypes['ConsoleLinkConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['ConsoleLinkEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
}>;

export type ConsoleLinkEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ConsoleLinkEdge'] = ResolversParentTypes['ConsoleLinkEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['ConsoleLink'], ParentType, ContextType>;
}>;

export type CreateApiKeyPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['CreateApiKeyPayload'] = ResolversParentTypes['CreateApiKeyPayload']> = ResolversObject<{
  apiKey?: Resolver<ResolversTypes['ApiKey'], ParentType, ContextType>;
  key?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type CreateConsoleLinkPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['CreateConsoleLinkPayload'] = ResolversParentTypes['CreateConsoleLinkPayload']> = ResolversObject<{
  expiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  url?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type CreateTriggerPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['CreateTriggerPayload'] = ResolversParentTypes['CreateTriggerPayload']> = ResolversObject<{
  secret?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  trigger?: Resolver<ResolversTypes['Trigger'], ParentType, ContextType>;
}>;

export type CreateWebhookSubscriptionPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['CreateWebhookSubscriptionPayload'] = ResolversParentTypes['CreateWebhookSubscriptionPayload']> = ResolversObject<{
  secret?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  subscription?: Resolver<ResolversTypes['WebhookSubscription'], ParentType, ContextType>;
}>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type DeleteTriggerPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['DeleteTriggerPayload'] = ResolversParentTypes['DeleteTriggerPayload']> = ResolversObject<{
  deletedTriggerId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type DeleteWebhookSubscriptionPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['DeleteWebhookSubscriptionPayload'] = ResolversParentTypes['DeleteWebhookSubscriptionPayload']> = ResolversObject<{
  deletedSubscriptionId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type DeliveryAttemptResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['DeliveryAttempt'] = ResolversParentTypes['DeliveryAttempt']> = ResolversObject<{
  durationMs?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  errorClass?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  errorReason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  number?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  outcome?: Resolver<ResolversTypes['AttemptOutcome'], ParentType, ContextType>;
  responseBody?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  startedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  statusCode?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
}>;

export type DeliveryStatsResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['DeliveryStats'] = ResolversParentTypes['DeliveryStats']> = ResolversObject<{
  bucket?: Resolver<ResolversTypes['DeliveryStatsBucket'], ParentType, ContextType>;
  points?: Resolver<Array<ResolversTypes['DeliveryStatsPoint']>, ParentType, ContextType>;
  since?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  subscriptionId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type DeliveryStatsPointResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['DeliveryStatsPoint'] = ResolversParentTypes['DeliveryStatsPoint']> = ResolversObject<{
  failed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  p50Ms?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  p95Ms?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  start?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  succeeded?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type DeliveryUpdateResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['DeliveryUpdate'] = ResolversParentTypes['DeliveryUpdate']> = ResolversObject<{
  attempt?: Resolver<Maybe<ResolversTypes['DeliveryAttempt']>, ParentType, ContextType>;
  delivery?: Resolver<ResolversTypes['OutboundDelivery'], ParentType, ContextType>;
  recordedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
}>;

export type DisableWebhookSubscriptionPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['DisableWebhookSubscriptionPayload'] = ResolversParentTypes['DisableWebhookSubscriptionPayload']> = ResolversObject<{
  subscription?: Resolver<ResolversTypes['WebhookSubscription'], ParentType, ContextType>;
}>;

export type EnableWebhookSubscriptionPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['EnableWebhookSubscriptionPayload'] = ResolversParentTypes['EnableWebhookSubscriptionPayload']> = ResolversObject<{
  subscription?: Resolver<ResolversTypes['WebhookSubscription'], ParentType, ContextType>;
}>;

export type EventResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Event'] = ResolversParentTypes['Event']> = ResolversObject<{
  body?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  data?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  idempotencyKey?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  timestamp?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  type?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
}>;

export type EventTypeInfoResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['EventTypeInfo'] = ResolversParentTypes['EventTypeInfo']> = ResolversObject<{
  description?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  schema?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  type?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type HmacSchemeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['HmacScheme'] = ResolversParentTypes['HmacScheme']> = ResolversObject<{
  encoding?: Resolver<ResolversTypes['SignatureEncoding'], ParentType, ContextType>;
  header?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  idHeader?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  prefix?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type HttpHeaderResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['HttpHeader'] = ResolversParentTypes['HttpHeader']> = ResolversObject<{
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  secret?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  value?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type InboundDeliveryResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['InboundDelivery'] = ResolversParentTypes['InboundDelivery']> = ResolversObject<{
  contentType?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  mappedInputs?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  messageId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  outcome?: Resolver<ResolversTypes['InboundOutcome'], ParentType, ContextType>;
  payloadBytes?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  payloadSha256?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  receivedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  refusalCode?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  refusalReason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  session?: Resolver<Maybe<ResolversTypes['Session']>, ParentType, ContextType>;
  sourceIp?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  statusCode?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  trigger?: Resolver<Maybe<ResolversTypes['Trigger']>, ParentType, ContextType>;
  triggerId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
}>;

export type InboundDeliveryConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['InboundDeliveryConnection'] = ResolversParentTypes['InboundDeliveryConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['InboundDeliveryEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
}>;

export type InboundDeliveryEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['InboundDeliveryEdge'] = ResolversParentTypes['InboundDeliveryEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['InboundDelivery'], ParentType, ContextType>;
}>;

export interface JsonScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSON'], any> {
  name: 'JSON';
}

export type MutationResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  applyTriggerYaml?: Resolver<ResolversTypes['ApplyTriggerYamlPayload'], ParentType, ContextType, RequireFields<MutationApplyTriggerYamlArgs, 'input'>>;
  createApiKey?: Resolver<ResolversTypes['CreateApiKeyPayload'], ParentType, ContextType, RequireFields<MutationCreateApiKeyArgs, 'input'>>;
  createConsoleLink?: Resolver<ResolversTypes['CreateConsoleLinkPayload'], ParentType, ContextType, RequireFields<MutationCreateConsoleLinkArgs, 'input'>>;
  createTrigger?: Resolver<ResolversTypes['CreateTriggerPayload'], ParentType, ContextType, RequireFields<MutationCreateTriggerArgs, 'input'>>;
  createWebhookSubscription?: Resolver<ResolversTypes['CreateWebhookSubscriptionPayload'], ParentType, ContextType, RequireFields<MutationCreateWebhookSubscriptionArgs, 'input'>>;
  deleteTrigger?: Resolver<ResolversTypes['DeleteTriggerPayload'], ParentType, ContextType, RequireFields<MutationDeleteTriggerArgs, 'input'>>;
  deleteWebhookSubscription?: Resolver<ResolversTypes['DeleteWebhookSubscriptionPayload'], ParentType, ContextType, RequireFields<MutationDeleteWebhookSubscriptionArgs, 'input'>>;
  disableWebhookSubscription?: Resolver<ResolversTypes['DisableWebhookSubscriptionPayload'], ParentType, ContextType, RequireFields<MutationDisableWebhookSubscriptionArgs, 'input'>>;
  enableWebhookSubscription?: Resolver<ResolversTypes['EnableWebhookSubscriptionPayload'], ParentType, ContextType, RequireFields<MutationEnableWebhookSubscriptionArgs, 'input'>>;
  publishEvent?: Resolver<ResolversTypes['PublishEventPayload'], ParentType, ContextType, RequireFields<MutationPublishEventArgs, 'input'>>;
  publishEvents?: Resolver<ResolversTypes['PublishEventsPayload'], ParentType, ContextType, RequireFields<MutationPublishEventsArgs, 'input'>>;
  redeliver?: Resolver<ResolversTypes['RedeliverPayload'], ParentType, ContextType, RequireFields<MutationRedeliverArgs, 'input'>>;
  replayEvents?: Resolver<ResolversTypes['ReplayEventsPayload'], ParentType, ContextType, RequireFields<MutationReplayEventsArgs, 'input'>>;
  revokeApiKey?: Resolver<ResolversTypes['RevokeApiKeyPayload'], ParentType, ContextType, RequireFields<MutationRevokeApiKeyArgs, 'input'>>;
  revokeConsoleLink?: Resolver<ResolversTypes['RevokeConsoleLinkPayload'], ParentType, ContextType, RequireFields<MutationRevokeConsoleLinkArgs, 'input'>>;
  revokeSecret?: Resolver<ResolversTypes['RevokeSecretPayload'], ParentType, ContextType, RequireFields<MutationRevokeSecretArgs, 'input'>>;
  rotateTriggerSecret?: Resolver<ResolversTypes['RotateTriggerSecretPayload'], ParentType, ContextType, RequireFields<MutationRotateTriggerSecretArgs, 'input'>>;
  rotateWebhookSubscriptionSecret?: Resolver<ResolversTypes['RotateWebhookSubscriptionSecretPayload'], ParentType, ContextType, RequireFields<MutationRotateWebhookSubscriptionSecretArgs, 'input'>>;
  sendTestEvent?: Resolver<ResolversTypes['SendTestEventPayload'], ParentType, ContextType, RequireFields<MutationSendTestEventArgs, 'input'>>;
  testTrigger?: Resolver<ResolversTypes['TestTriggerPayload'], ParentType, ContextType, RequireFields<MutationTestTriggerArgs, 'input'>>;
  updateTrigger?: Resolver<ResolversTypes['UpdateTriggerPayload'], ParentType, ContextType, RequireFields<MutationUpdateTriggerArgs, 'input'>>;
  updateWebhookSubscription?: Resolver<ResolversTypes['UpdateWebhookSubscriptionPayload'], ParentType, ContextType, RequireFields<MutationUpdateWebhookSubscriptionArgs, 'input'>>;
  updateWorkspaceSettings?: Resolver<ResolversTypes['UpdateWorkspaceSettingsPayload'], ParentType, ContextType, RequireFields<MutationUpdateWorkspaceSettingsArgs, 'input'>>;
  verifyAuditChain?: Resolver<ResolversTypes['VerifyAuditChainPayload'], ParentType, ContextType, RequireFields<MutationVerifyAuditChainArgs, 'input'>>;
  verifyWebhookSubscription?: Resolver<ResolversTypes['VerifyWebhookSubscriptionPayload'], ParentType, ContextType, RequireFields<MutationVerifyWebhookSubscriptionArgs, 'input'>>;
}>;

export type NodeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Node'] = ResolversParentTypes['Node']> = ResolversObject<{
  __resolveType: TypeResolveFn<'ApiKey' | 'AuditEntry' | 'ConsoleLink' | 'Event' | 'InboundDelivery' | 'OutboundDelivery' | 'Session' | 'Trigger' | 'WebhookSubscription' | 'Workspace', ParentType, ContextType>;
}>;

export type OAuth2ClientCredentialsResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['OAuth2ClientCredentials'] = ResolversParentTypes['OAuth2ClientCredentials']> = ResolversObject<{
  audience?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  authMethod?: Resolver<ResolversTypes['OAuth2ClientAuthMethod'], ParentType, ContextType>;
  clientId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  scope?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  tokenUrl?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type OutboundDeliveryResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['OutboundDelivery'] = ResolversParentTypes['OutboundDelivery']> = ResolversObject<{
  attemptCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  attempts?: Resolver<Array<ResolversTypes['DeliveryAttempt']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  event?: Resolver<ResolversTypes['Event'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  lastAttemptAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  nextAttemptAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['DeliveryStatus'], ParentType, ContextType>;
  subscription?: Resolver<Maybe<ResolversTypes['WebhookSubscription']>, ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
}>;

export type OutboundDeliveryConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['OutboundDeliveryConnection'] = ResolversParentTypes['OutboundDeliveryConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['OutboundDeliveryEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
}>;

export type OutboundDeliveryEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['OutboundDeliveryEdge'] = ResolversParentTypes['OutboundDeliveryEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['OutboundDelivery'], ParentType, ContextType>;
}>;

export type PageInfoResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = ResolversObject<{
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  hasPreviousPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  startCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type PublishEventErrorResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['PublishEventError'] = ResolversParentTypes['PublishEventError']> = ResolversObject<{
  code?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  field?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type PublishEventPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['PublishEventPayload'] = ResolversParentTypes['PublishEventPayload']> = ResolversObject<{
  event?: Resolver<ResolversTypes['Event'], ParentType, ContextType>;
}>;

export type PublishEventResultResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['PublishEventResult'] = ResolversParentTypes['PublishEventResult']> = ResolversObject<{
  error?: Resolver<Maybe<ResolversTypes['PublishEventError']>, ParentType, ContextType>;
  event?: Resolver<Maybe<ResolversTypes['Event']>, ParentType, ContextType>;
  index?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type PublishEventsPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['PublishEventsPayload'] = ResolversParentTypes['PublishEventsPayload']> = ResolversObject<{
  results?: Resolver<Array<ResolversTypes['PublishEventResult']>, ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  apiKeys?: Resolver<ResolversTypes['ApiKeyConnection'], ParentType, ContextType, RequireFields<QueryApiKeysArgs, 'first' | 'includeRevoked'>>;
  auditLog?: Resolver<ResolversTypes['AuditEntryConnection'], ParentType, ContextType, RequireFields<QueryAuditLogArgs, 'first'>>;
  consoleLinks?: Resolver<ResolversTypes['ConsoleLinkConnection'], ParentType, ContextType, RequireFields<QueryConsoleLinksArgs, 'first' | 'includeInactive'>>;
  deliveries?: Resolver<ResolversTypes['OutboundDeliveryConnection'], ParentType, ContextType, RequireFields<QueryDeliveriesArgs, 'first'>>;
  delivery?: Resolver<Maybe<ResolversTypes['OutboundDelivery']>, ParentType, ContextType, RequireFields<QueryDeliveryArgs, 'id'>>;
  deliveryOverview?: Resolver<Array<ResolversTypes['SubscriptionDeliveryCounts']>, ParentType, ContextType, RequireFields<QueryDeliveryOverviewArgs, 'since'>>;
  deliveryStats?: Resolver<ResolversTypes['DeliveryStats'], ParentType, ContextType, RequireFields<QueryDeliveryStatsArgs, 'bucket' | 'since' | 'subscriptionId'>>;
  eventCatalog?: Resolver<Array<ResolversTypes['EventTypeInfo']>, ParentType, ContextType>;
  inboundDeliveries?: Resolver<ResolversTypes['InboundDeliveryConnection'], ParentType, ContextType, RequireFields<QueryInboundDeliveriesArgs, 'first'>>;
  me?: Resolver<ResolversTypes['Viewer'], ParentType, ContextType>;
  node?: Resolver<Maybe<ResolversTypes['Node']>, ParentType, ContextType, RequireFields<QueryNodeArgs, 'id'>>;
  sessions?: Resolver<ResolversTypes['SessionConnection'], ParentType, ContextType, RequireFields<QuerySessionsArgs, 'first'>>;
  trigger?: Resolver<Maybe<ResolversTypes['Trigger']>, ParentType, ContextType, RequireFields<QueryTriggerArgs, 'id'>>;
  triggers?: Resolver<ResolversTypes['TriggerConnection'], ParentType, ContextType, RequireFields<QueryTriggersArgs, 'first'>>;
  webhookSubscription?: Resolver<Maybe<ResolversTypes['WebhookSubscription']>, ParentType, ContextType, RequireFields<QueryWebhookSubscriptionArgs, 'id'>>;
  webhookSubscriptions?: Resolver<ResolversTypes['WebhookSubscriptionConnection'], ParentType, ContextType, RequireFields<QueryWebhookSubscriptionsArgs, 'first'>>;
}>;

export type RedeliverPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['RedeliverPayload'] = ResolversParentTypes['RedeliverPayload']> = ResolversObject<{
  delivery?: Resolver<ResolversTypes['OutboundDelivery'], ParentType, ContextType>;
}>;

export type ReplayEventsPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ReplayEventsPayload'] = ResolversParentTypes['ReplayEventsPayload']> = ResolversObject<{
  replayed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  subscription?: Resolver<ResolversTypes['WebhookSubscription'], ParentType, ContextType>;
}>;

export type RevokeApiKeyPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['RevokeApiKeyPayload'] = ResolversParentTypes['RevokeApiKeyPayload']> = ResolversObject<{
  apiKey?: Resolver<ResolversTypes['ApiKey'], ParentType, ContextType>;
}>;

export type RevokeConsoleLinkPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['RevokeConsoleLinkPayload'] = ResolversParentTypes['RevokeConsoleLinkPayload']> = ResolversObject<{
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  revokedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
}>;

export type RevokeSecretPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['RevokeSecretPayload'] = ResolversParentTypes['RevokeSecretPayload']> = ResolversObject<{
  secret?: Resolver<ResolversTypes['SigningSecret'], ParentType, ContextType>;
}>;

export type RotateTriggerSecretPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['RotateTriggerSecretPayload'] = ResolversParentTypes['RotateTriggerSecretPayload']> = ResolversObject<{
  previousSecretExpiresAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  secret?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  trigger?: Resolver<ResolversTypes['Trigger'], ParentType, ContextType>;
}>;

export type RotateWebhookSubscriptionSecretPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['RotateWebhookSubscriptionSecretPayload'] = ResolversParentTypes['RotateWebhookSubscriptionSecretPayload']> = ResolversObject<{
  previousSecretExpiresAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  secret?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  subscription?: Resolver<ResolversTypes['WebhookSubscription'], ParentType, ContextType>;
}>;

export type SendTestEventPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['SendTestEventPayload'] = ResolversParentTypes['SendTestEventPayload']> = ResolversObject<{
  delivery?: Resolver<ResolversTypes['OutboundDelivery'], ParentType, ContextType>;
}>;

export type SessionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Session'] = ResolversParentTypes['Session']> = ResolversObject<{
  agent?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  archivedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  error?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  events?: Resolver<Array<ResolversTypes['Event']>, ParentType, ContextType>;
  finishedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  inputs?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  output?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  startedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['SessionStatus'], ParentType, ContextType>;
  trigger?: Resolver<Maybe<ResolversTypes['Trigger']>, ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
}>;

export type SessionConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['SessionConnection'] = ResolversParentTypes['SessionConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['SessionEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
}>;

export type SessionEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['SessionEdge'] = ResolversParentTypes['SessionEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Session'], ParentType, ContextType>;
}>;

export type SigningSecretResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['SigningSecret'] = ResolversParentTypes['SigningSecret']> = ResolversObject<{
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  current?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  expiresAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type SubscriptionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = ResolversObject<{
  auditAppended?: SubscriptionResolver<ResolversTypes['AuditEntry'], "auditAppended", ParentType, ContextType, Partial<SubscriptionAuditAppendedArgs>>;
  deliveryUpdated?: SubscriptionResolver<ResolversTypes['DeliveryUpdate'], "deliveryUpdated", ParentType, ContextType, Partial<SubscriptionDeliveryUpdatedArgs>>;
  inboundReceived?: SubscriptionResolver<ResolversTypes['InboundDelivery'], "inboundReceived", ParentType, ContextType, Partial<SubscriptionInboundReceivedArgs>>;
}>;

export type SubscriptionDeliveryCountsResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['SubscriptionDeliveryCounts'] = ResolversParentTypes['SubscriptionDeliveryCounts']> = ResolversObject<{
  failed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  subscription?: Resolver<Maybe<ResolversTypes['WebhookSubscription']>, ParentType, ContextType>;
  subscriptionId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  succeeded?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type SubscriptionTlsResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['SubscriptionTls'] = ResolversParentTypes['SubscriptionTls']> = ResolversObject<{
  caCertificates?: Resolver<Array<ResolversTypes['CertificateSummary']>, ParentType, ContextType>;
  clientCertificate?: Resolver<Maybe<ResolversTypes['CertificateSummary']>, ParentType, ContextType>;
}>;

export type TestTriggerPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['TestTriggerPayload'] = ResolversParentTypes['TestTriggerPayload']> = ResolversObject<{
  checks?: Resolver<Array<ResolversTypes['TriggerCheck']>, ParentType, ContextType>;
  code?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  ignored?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  mappedInputs?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  message?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  messageId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type TriggerResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Trigger'] = ResolversParentTypes['Trigger']> = ResolversObject<{
  agent?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  clientCertificate?: Resolver<Maybe<ResolversTypes['ClientCertificateRequirement']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  enabled?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  filter?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hmac?: Resolver<Maybe<ResolversTypes['HmacScheme']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  inputs?: Resolver<Array<ResolversTypes['AgentInputMapping']>, ParentType, ContextType>;
  ipAllowlist?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  rateLimitPerSecond?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  secrets?: Resolver<Array<ResolversTypes['SigningSecret']>, ParentType, ContextType>;
  signatureScheme?: Resolver<ResolversTypes['SignatureScheme'], ParentType, ContextType>;
  toleranceSeconds?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  url?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
}>;

export type TriggerCheckResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['TriggerCheck'] = ResolversParentTypes['TriggerCheck']> = ResolversObject<{
  detail?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  passed?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type TriggerConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['TriggerConnection'] = ResolversParentTypes['TriggerConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['TriggerEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
}>;

export type TriggerEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['TriggerEdge'] = ResolversParentTypes['TriggerEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Trigger'], ParentType, ContextType>;
}>;

export type UpdateTriggerPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['UpdateTriggerPayload'] = ResolversParentTypes['UpdateTriggerPayload']> = ResolversObject<{
  trigger?: Resolver<ResolversTypes['Trigger'], ParentType, ContextType>;
}>;

export type UpdateWebhookSubscriptionPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['UpdateWebhookSubscriptionPayload'] = ResolversParentTypes['UpdateWebhookSubscriptionPayload']> = ResolversObject<{
  subscription?: Resolver<ResolversTypes['WebhookSubscription'], ParentType, ContextType>;
}>;

export type UpdateWorkspaceSettingsPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['UpdateWorkspaceSettingsPayload'] = ResolversParentTypes['UpdateWorkspaceSettingsPayload']> = ResolversObject<{
  workspace?: Resolver<ResolversTypes['Workspace'], ParentType, ContextType>;
}>;

export type VerifyAuditChainPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['VerifyAuditChainPayload'] = ResolversParentTypes['VerifyAuditChainPayload']> = ResolversObject<{
  checked?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  firstBrokenEntry?: Resolver<Maybe<ResolversTypes['AuditEntry']>, ParentType, ContextType>;
  head?: Resolver<Maybe<ResolversTypes['AuditHead']>, ParentType, ContextType>;
  ok?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  reason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type VerifyWebhookSubscriptionPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['VerifyWebhookSubscriptionPayload'] = ResolversParentTypes['VerifyWebhookSubscriptionPayload']> = ResolversObject<{
  subscription?: Resolver<ResolversTypes['WebhookSubscription'], ParentType, ContextType>;
}>;

export type ViewerResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Viewer'] = ResolversParentTypes['Viewer']> = ResolversObject<{
  apiKey?: Resolver<ResolversTypes['ApiKey'], ParentType, ContextType>;
  role?: Resolver<ResolversTypes['ApiKeyRole'], ParentType, ContextType>;
  workspace?: Resolver<ResolversTypes['Workspace'], ParentType, ContextType>;
}>;

export type WebhookSubscriptionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['WebhookSubscription'] = ResolversParentTypes['WebhookSubscription']> = ResolversObject<{
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  description?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  disabledAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  events?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  filter?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  headers?: Resolver<Array<ResolversTypes['HttpHeader']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  lastSuccessAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  maxConcurrency?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  oauth2?: Resolver<Maybe<ResolversTypes['OAuth2ClientCredentials']>, ParentType, ContextType>;
  rateLimitPerSecond?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  secrets?: Resolver<Array<ResolversTypes['SigningSecret']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['SubscriptionStatus'], ParentType, ContextType>;
  statusReason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  timeoutMs?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  tls?: Resolver<Maybe<ResolversTypes['SubscriptionTls']>, ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  url?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
}>;

export type WebhookSubscriptionConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['WebhookSubscriptionConnection'] = ResolversParentTypes['WebhookSubscriptionConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['WebhookSubscriptionEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
}>;

export type WebhookSubscriptionEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['WebhookSubscriptionEdge'] = ResolversParentTypes['WebhookSubscriptionEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['WebhookSubscription'], ParentType, ContextType>;
}>;

export type WorkspaceResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Workspace'] = ResolversParentTypes['Workspace']> = ResolversObject<{
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  retentionDays?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  retentionDaysOverride?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
}>;

export type Resolvers<ContextType = GraphQLContext> = ResolversObject<{
  AgentInputMapping?: AgentInputMappingResolvers<ContextType>;
  ApiKey?: ApiKeyResolvers<ContextType>;
  ApiKeyConnection?: ApiKeyConnectionResolvers<ContextType>;
  ApiKeyEdge?: ApiKeyEdgeResolvers<ContextType>;
  ApplyTriggerYamlPayload?: ApplyTriggerYamlPayloadResolvers<ContextType>;
  AuditEntry?: AuditEntryResolvers<ContextType>;
  AuditEntryConnection?: AuditEntryConnectionResolvers<ContextType>;
  AuditEntryEdge?: AuditEntryEdgeResolvers<ContextType>;
  AuditHead?: AuditHeadResolvers<ContextType>;
  BigInt?: GraphQLScalarType;
  CertificateSummary?: CertificateSummaryResolvers<ContextType>;
  ClientCertificateRequirement?: ClientCertificateRequirementResolvers<ContextType>;
  ConsoleLink?: ConsoleLinkResolvers<ContextType>;
  ConsoleLinkConnection?: ConsoleLinkConnectionResolvers<ContextType>;
  ConsoleLinkEdge?: ConsoleLinkEdgeResolvers<ContextType>;
  CreateApiKeyPayload?: CreateApiKeyPayloadResolvers<ContextType>;
  CreateConsoleLinkPayload?: CreateConsoleLinkPayloadResolvers<ContextType>;
  CreateTriggerPayload?: CreateTriggerPayloadResolvers<ContextType>;
  CreateWebhookSubscriptionPayload?: CreateWebhookSubscriptionPayloadResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  DeleteTriggerPayload?: DeleteTriggerPayloadResolvers<ContextType>;
  DeleteWebhookSubscriptionPayload?: DeleteWebhookSubscriptionPayloadResolvers<ContextType>;
  DeliveryAttempt?: DeliveryAttemptResolvers<ContextType>;
  DeliveryStats?: DeliveryStatsResolvers<ContextType>;
  DeliveryStatsPoint?: DeliveryStatsPointResolvers<ContextType>;
  DeliveryUpdate?: DeliveryUpdateResolvers<ContextType>;
  DisableWebhookSubscriptionPayload?: DisableWebhookSubscriptionPayloadResolvers<ContextType>;
  EnableWebhookSubscriptionPayload?: EnableWebhookSubscriptionPayloadResolvers<ContextType>;
  Event?: EventResolvers<ContextType>;
  EventTypeInfo?: EventTypeInfoResolvers<ContextType>;
  HmacScheme?: HmacSchemeResolvers<ContextType>;
  HttpHeader?: HttpHeaderResolvers<ContextType>;
  InboundDelivery?: InboundDeliveryResolvers<ContextType>;
  InboundDeliveryConnection?: InboundDeliveryConnectionResolvers<ContextType>;
  InboundDeliveryEdge?: InboundDeliveryEdgeResolvers<ContextType>;
  JSON?: GraphQLScalarType;
  Mutation?: MutationResolvers<ContextType>;
  Node?: NodeResolvers<ContextType>;
  OAuth2ClientCredentials?: OAuth2ClientCredentialsResolvers<ContextType>;
  OutboundDelivery?: OutboundDeliveryResolvers<ContextType>;
  OutboundDeliveryConnection?: OutboundDeliveryConnectionResolvers<ContextType>;
  OutboundDeliveryEdge?: OutboundDeliveryEdgeResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  PublishEventError?: PublishEventErrorResolvers<ContextType>;
  PublishEventPayload?: PublishEventPayloadResolvers<ContextType>;
  PublishEventResult?: PublishEventResultResolvers<ContextType>;
  PublishEventsPayload?: PublishEventsPayloadResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  RedeliverPayload?: RedeliverPayloadResolvers<ContextType>;
  ReplayEventsPayload?: ReplayEventsPayloadResolvers<ContextType>;
  RevokeApiKeyPayload?: RevokeApiKeyPayloadResolvers<ContextType>;
  RevokeConsoleLinkPayload?: RevokeConsoleLinkPayloadResolvers<ContextType>;
  RevokeSecretPayload?: RevokeSecretPayloadResolvers<ContextType>;
  RotateTriggerSecretPayload?: RotateTriggerSecretPayloadResolvers<ContextType>;
  RotateWebhookSubscriptionSecretPayload?: RotateWebhookSubscriptionSecretPayloadResolvers<ContextType>;
  SendTestEventPayload?: SendTestEventPayloadResolvers<ContextType>;
  Session?: SessionResolvers<ContextType>;
  SessionConnection?: SessionConnectionResolvers<ContextType>;
  SessionEdge?: SessionEdgeResolvers<ContextType>;
  SigningSecret?: SigningSecretResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  SubscriptionDeliveryCounts?: SubscriptionDeliveryCountsResolvers<ContextType>;
  SubscriptionTls?: SubscriptionTlsResolvers<ContextType>;
  TestTriggerPayload?: TestTriggerPayloadResolvers<ContextType>;
  Trigger?: TriggerResolvers<ContextType>;
  TriggerCheck?: TriggerCheckResolvers<ContextType>;
  TriggerConnection?: TriggerConnectionResolvers<ContextType>;
  TriggerEdge?: TriggerEdgeResolvers<ContextType>;
  UpdateTriggerPayload?: UpdateTriggerPayloadResolvers<ContextType>;
  UpdateWebhookSubscriptionPayload?: UpdateWebhookSubscriptionPayloadResolvers<ContextType>;
  UpdateWorkspaceSettingsPayload?: UpdateWorkspaceSettingsPayloadResolvers<ContextType>;
  VerifyAuditChainPayload?: VerifyAuditChainPayloadResolvers<ContextType>;
  VerifyWebhookSubscriptionPayload?: VerifyWebhookSubscriptionPayloadResolvers<ContextType>;
  Viewer?: ViewerResolvers<ContextType>;
  WebhookSubscription?: WebhookSubscriptionResolvers<ContextType>;
  WebhookSubscriptionConnection?: WebhookSubscriptionConnectionResolvers<ContextType>;
  WebhookSubscriptionEdge?: WebhookSubscriptionEdgeResolvers<ContextType>;
  Workspace?: WorkspaceResolvers<ContextType>;
}>;

