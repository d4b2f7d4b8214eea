/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query ConsoleMe {\n    me { role workspace { id name } apiKey { id kind expiresAt } }\n  }\n": typeof types.ConsoleMeDocument,
    "\n  mutation ConsoleSignOut($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }\n": typeof types.ConsoleSignOutDocument,
    "\n  query ConsoleApiKeys {\n    apiKeys(first: 100) { edges { node { id name role kind prefix createdAt lastUsedAt expiresAt consoleLinkId } } }\n    consoleLinks(first: 50) { edges { node { id role status createdAt expiresAt usedAt revokedAt } } }\n  }\n": typeof types.ConsoleApiKeysDocument,
    "mutation ConsoleCreateApiKey($name: String!, $role: ApiKeyRole!) { createApiKey(input: { name: $name, role: $role }) { key apiKey { id } } }": typeof types.ConsoleCreateApiKeyDocument,
    "mutation ConsoleRevokeApiKey($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }": typeof types.ConsoleRevokeApiKeyDocument,
    "mutation ConsoleCreateLink($role: ApiKeyRole!, $ttl: Int!) { createConsoleLink(input: { role: $role, ttlMinutes: $ttl }) { id url expiresAt } }": typeof types.ConsoleCreateLinkDocument,
    "mutation ConsoleRevokeLink($id: ID!) { revokeConsoleLink(input: { id: $id }) { id revokedAt } }": typeof types.ConsoleRevokeLinkDocument,
    "\n  query ConsoleAuditLog($filter: AuditFilter, $after: String) {\n    auditLog(filter: $filter, first: 50, after: $after) {\n      edges { node { id seq direction triggerId subscriptionId deliveryId eventType occurredAt durationMs attempt statusCode outcome errorClass sourceIp } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.ConsoleAuditLogDocument,
    "\n  mutation ConsoleVerifyAuditChain($input: VerifyAuditChainInput!) {\n    verifyAuditChain(input: $input) { ok checked reason head { seq hash occurredAt } firstBrokenEntry { id seq occurredAt } }\n  }\n": typeof types.ConsoleVerifyAuditChainDocument,
    "\n  query ConsoleDeliveries($filter: DeliveryFilter) {\n    deliveries(filter: $filter, first: 50) { edges { node { id status attemptCount createdAt lastAttemptAt nextAttemptAt event { id type } subscription { id url } } } }\n    webhookSubscriptions(first: 100) { edges { node { id url } } }\n    eventCatalog { type }\n  }\n": typeof types.ConsoleDeliveriesDocument,
    "\n  subscription ConsoleDeliveryUpdated($filter: DeliveryFilter) {\n    deliveryUpdated(filter: $filter) {\n      recordedAt\n      delivery { id status attemptCount createdAt lastAttemptAt nextAttemptAt event { id type } subscription { id url } }\n      attempt { number }\n    }\n  }\n": typeof types.ConsoleDeliveryUpdatedDocument,
    "\n  query ConsoleDelivery($id: ID!) {\n    delivery(id: $id) {\n      id status attemptCount createdAt lastAttemptAt nextAttemptAt\n      event { id type body }\n      subscription { id url }\n      attempts { number startedAt durationMs outcome statusCode errorClass errorReason responseBody }\n    }\n  }\n": typeof types.ConsoleDeliveryDocument,
    "mutation ConsoleRedeliver($id: ID!) { redeliver(input: { deliveryId: $id }) { delivery { id status } } }": typeof types.ConsoleRedeliverDocument,
    "\n  query ConsoleDeliveryStats($id: ID!, $since: DateTime!, $bucket: DeliveryStatsBucket!) {\n    deliveryStats(subscriptionId: $id, since: $since, bucket: $bucket) { bucket points { start succeeded failed p50Ms p95Ms } }\n  }\n": typeof types.ConsoleDeliveryStatsDocument,
    "query ConsoleEventCatalog { eventCatalog { type description schema } }": typeof types.ConsoleEventCatalogDocument,
    "\n  query ConsoleInboundRequest($id: ID!) {\n    node(id: $id) {\n      ... on InboundDelivery {\n        id receivedAt outcome statusCode refusalCode refusalReason messageId sourceIp contentType payloadBytes payloadSha256 mappedInputs\n        trigger { id name }\n        session { id agent status inputs output error createdAt startedAt finishedAt events { id type timestamp } }\n      }\n    }\n  }\n": typeof types.ConsoleInboundRequestDocument,
    "\n  query ConsoleOverview($since: DateTime!) {\n    deliveryOverview(since: $since) { subscriptionId succeeded failed subscription { id url status statusReason } }\n    webhookSubscriptions(first: 100) { edges { node { id url status statusReason } } }\n    inboundDeliveries(filter: { outcome: REFUSED, receivedAfter: $since }, first: 100) {\n      edges { node { id refusalCode receivedAt trigger { id name } } }\n    }\n  }\n": typeof types.ConsoleOverviewDocument,
    "\n  query ConsoleSubscriptions { webhookSubscriptions(first: 100) { edges { node { id url events status statusReason lastSuccessAt } } } }\n": typeof types.ConsoleSubscriptionsDocument,
    "\n  query ConsoleSubscription($id: ID!) {\n    webhookSubscription(id: $id) {\n      id url description events filter rateLimitPerSecond maxConcurrency timeoutMs status statusReason disabledAt lastSuccessAt createdAt\n      headers { name value secret }\n      secrets { id createdAt expiresAt current }\n    }\n    eventCatalog { type }\n  }\n": typeof types.ConsoleSubscriptionDocument,
    "query ConsoleEventTypes { eventCatalog { type description } }": typeof types.ConsoleEventTypesDocument,
    "\n  mutation ConsoleCreateSubscription($input: CreateWebhookSubscriptionInput!) {\n    createWebhookSubscription(input: $input) { secret subscription { id status statusReason } }\n  }\n": typeof types.ConsoleCreateSubscriptionDocument,
    "mutation ConsoleVerifySubscription($id: ID!) { verifyWebhookSubscription(input: { id: $id }) { subscription { id status statusReason } } }": typeof types.ConsoleVerifySubscriptionDocument,
    "mutation ConsoleEnableSubscription($id: ID!) { enableWebhookSubscription(input: { id: $id }) { subscription { id status } } }": typeof types.ConsoleEnableSubscriptionDocument,
    "mutation ConsoleDisableSubscription($id: ID!) { disableWebhookSubscription(input: { id: $id }) { subscription { id status } } }": typeof types.ConsoleDisableSubscriptionDocument,
    "mutation ConsoleDeleteSubscription($id: ID!) { deleteWebhookSubscription(input: { id: $id }) { deletedSubscriptionId } }": typeof types.ConsoleDeleteSubscriptionDocument,
    "\n  mutation ConsoleRotateSubscriptionSecret($id: ID!, $overlapHours: Int!) {\n    rotateWebhookSubscriptionSecret(input: { subscriptionId: $id, overlapHours: $overlapHours }) { secret previousSecretExpiresAt }\n  }\n": typeof types.ConsoleRotateSubscriptionSecretDocument,
    "\n  mutation ConsoleReplayEvents($id: ID!, $since: DateTime!) { replayEvents(input: { subscriptionId: $id, since: $since }) { replayed subscription { id status } } }\n": typeof types.ConsoleReplayEventsDocument,
    "mutation ConsoleSendTestEvent($id: ID!, $type: String!) { sendTestEvent(input: { subscriptionId: $id, type: $type }) { delivery { id } } }": typeof types.ConsoleSendTestEventDocument,
    "\n  query ConsoleTestDelivery($id: ID!) { delivery(id: $id) { id status attempts { number statusCode outcome errorClass durationMs responseBody } } }\n": typeof types.ConsoleTestDeliveryDocument,
    "\n  mutation ConsoleTestTrigger($input: TestTriggerInput!) {\n    testTrigger(input: $input) { status code message ignored messageId mappedInputs checks { name passed detail } }\n  }\n": typeof types.ConsoleTestTriggerDocument,
    "\n  query ConsoleTriggers { triggers(first: 100) { edges { node { id name agent url signatureScheme enabled createdAt } } } }\n": typeof types.ConsoleTriggersDocument,
    "\n  query ConsoleTrigger($id: ID!) {\n    trigger(id: $id) {\n      id name agent url filter signatureScheme toleranceSeconds ipAllowlist rateLimitPerSecond enabled createdAt updatedAt\n      clientCertificate { required subject fingerprintSha256 }\n      inputs { name path type required }\n      hmac { header encoding prefix idHeader }\n      secrets { id createdAt expiresAt current }\n    }\n  }\n": typeof types.ConsoleTriggerDocument,
    "\n  mutation ConsoleCreateTrigger($input: CreateTriggerInput!) {\n    createTrigger(input: $input) { secret trigger { id name url signatureScheme hmac { header encoding prefix } } }\n  }\n": typeof types.ConsoleCreateTriggerDocument,
    "\n  mutation ConsoleUpdateTrigger($input: UpdateTriggerInput!) { updateTrigger(input: $input) { trigger { id enabled } } }\n": typeof types.ConsoleUpdateTriggerDocument,
    "\n  mutation ConsoleDeleteTrigger($id: ID!) { deleteTrigger(input: { id: $id }) { deletedTriggerId } }\n": typeof types.ConsoleDeleteTriggerDocument,
    "\n  mutation ConsoleRotateTriggerSecret($id: ID!, $overlapHours: Int!, $secret: String) {\n    rotateTriggerSecret(input: { triggerId: $id, overlapHours: $overlapHours, secret: $secret }) { secret previousSecretExpiresAt }\n  }\n": typeof types.ConsoleRotateTriggerSecretDocument,
    "\n  query ConsoleTriggerRequests($id: ID!) {\n    inboundDeliveries(filter: { triggerId: $id }, first: 20) {\n      edges { node { id receivedAt outcome statusCode refusalCode refusalReason sourceIp messageId mappedInputs } }\n    }\n  }\n": typeof types.ConsoleTriggerRequestsDocument,
    "\n  subscription ConsoleInboundReceived($id: ID) {\n    inboundReceived(triggerId: $id) { id receivedAt outcome statusCode refusalCode refusalReason sourceIp messageId mappedInputs }\n  }\n": typeof types.ConsoleInboundReceivedDocument,
};
const documents: Documents = {
    "\n  query ConsoleMe {\n    me { role workspace { id name } apiKey { id kind expiresAt } }\n  }\n": types.ConsoleMeDocument,
    "\n  mutation ConsoleSignOut($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }\n": types.ConsoleSignOutDocument,
    "\n  query ConsoleApiKeys {\n    apiKeys(first: 100) { edges { node { id name role kind prefix createdAt lastUsedAt expiresAt consoleLinkId } } }\n    consoleLinks(first: 50) { edges { node { id role status createdAt expiresAt usedAt revokedAt } } }\n  }\n": types.ConsoleApiKeysDocument,
    "mutation ConsoleCreateApiKey($name: String!, $role: ApiKeyRole!) { createApiKey(input: { name: $name, role: $role }) { key apiKey { id } } }": types.ConsoleCreateApiKeyDocument,
    "mutation ConsoleRevokeApiKey($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }": types.ConsoleRevokeApiKeyDocument,
    "mutation ConsoleCreateLink($role: ApiKeyRole!, $ttl: Int!) { createConsoleLink(input: { role: $role, ttlMinutes: $ttl }) { id url expiresAt } }": types.ConsoleCreateLinkDocument,
    "mutation ConsoleRevokeLink($id: ID!) { revokeConsoleLink(input: { id: $id }) { id revokedAt } }": types.ConsoleRevokeLinkDocument,
    "\n  query ConsoleAuditLog($filter: AuditFilter, $after: String) {\n    auditLog(filter: $filter, first: 50, after: $after) {\n      edges { node { id seq direction triggerId subscriptionId deliveryId eventType occurredAt durationMs attempt statusCode outcome errorClass sourceIp } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.ConsoleAuditLogDocument,
    "\n  mutation ConsoleVerifyAuditChain($input: VerifyAuditChainInput!) {\n    verifyAuditChain(input: $input) { ok checked reason head { seq hash occurredAt } firstBrokenEntry { id seq occurredAt } }\n  }\n": types.ConsoleVerifyAuditChainDocument,
    "\n  query ConsoleDeliveries($filter: DeliveryFilter) {\n    deliveries(filter: $filter, first: 50) { edges { node { id status attemptCount createdAt lastAttemptAt nextAttemptAt event { id type } subscription { id url } } } }\n    webhookSubscriptions(first: 100) { edges { node { id url } } }\n    eventCatalog { type }\n  }\n": types.ConsoleDeliveriesDocument,
    "\n  subscription ConsoleDeliveryUpdated($filter: DeliveryFilter) {\n    deliveryUpdated(filter: $filter) {\n      recordedAt\n      delivery { id status attemptCount createdAt lastAttemptAt nextAttemptAt event { id type } subscription { id url } }\n      attempt { number }\n    }\n  }\n": types.ConsoleDeliveryUpdatedDocument,
    "\n  query ConsoleDelivery($id: ID!) {\n    delivery(id: $id) {\n      id status attemptCount createdAt lastAttemptAt nextAttemptAt\n      event { id type body }\n      subscription { id url }\n      attempts { number startedAt durationMs outcome statusCode errorClass errorReason responseBody }\n    }\n  }\n": types.ConsoleDeliveryDocument,
    "mutation ConsoleRedeliver($id: ID!) { redeliver(input: { deliveryId: $id }) { delivery { id status } } }": types.ConsoleRedeliverDocument,
    "\n  query ConsoleDeliveryStats($id: ID!, $since: DateTime!, $bucket: DeliveryStatsBucket!) {\n    deliveryStats(subscriptionId: $id, since: $since, bucket: $bucket) { bucket points { start succeeded failed p50Ms p95Ms } }\n  }\n": types.ConsoleDeliveryStatsDocument,
    "query ConsoleEventCatalog { eventCatalog { type description schema } }": types.ConsoleEventCatalogDocument,
    "\n  query ConsoleInboundRequest($id: ID!) {\n    node(id: $id) {\n      ... on InboundDelivery {\n        id receivedAt outcome statusCode refusalCode refusalReason messageId sourceIp contentType payloadBytes payloadSha256 mappedInputs\n        trigger { id name }\n        session { id agent status inputs output error createdAt startedAt finishedAt events { id type timestamp } }\n      }\n    }\n  }\n": types.ConsoleInboundRequestDocument,
    "\n  query ConsoleOverview($since: DateTime!) {\n    deliveryOverview(since: $since) { subscriptionId succeeded failed subscription { id url status statusReason } }\n    webhookSubscriptions(first: 100) { edges { node { id url status statusReason } } }\n    inboundDeliveries(filter: { outcome: REFUSED, receivedAfter: $since }, first: 100) {\n      edges { node { id refusalCode receivedAt trigger { id name } } }\n    }\n  }\n": types.ConsoleOverviewDocument,
    "\n  query ConsoleSubscriptions { webhookSubscriptions(first: 100) { edges { node { id url events status statusReason lastSuccessAt } } } }\n": types.ConsoleSubscriptionsDocument,
    "\n  query ConsoleSubscription($id: ID!) {\n    webhookSubscription(id: $id) {\n      id url description events filter rateLimitPerSecond maxConcurrency timeoutMs status statusReason disabledAt lastSuccessAt createdAt\n      headers { name value secret }\n      secrets { id createdAt expiresAt current }\n    }\n    eventCatalog { type }\n  }\n": types.ConsoleSubscriptionDocument,
    "query ConsoleEventTypes { eventCatalog { type description } }": types.ConsoleEventTypesDocument,
    "\n  mutation ConsoleCreateSubscription($input: CreateWebhookSubscriptionInput!) {\n    createWebhookSubscription(input: $input) { secret subscription { id status statusReason } }\n  }\n": types.ConsoleCreateSubscriptionDocument,
    "mutation ConsoleVerifySubscription($id: ID!) { verifyWebhookSubscription(input: { id: $id }) { subscription { id status statusReason } } }": types.ConsoleVerifySubscriptionDocument,
    "mutation ConsoleEnableSubscription($id: ID!) { enableWebhookSubscription(input: { id: $id }) { subscription { id status } } }": types.ConsoleEnableSubscriptionDocument,
    "mutation ConsoleDisableSubscription($id: ID!) { disableWebhookSubscription(input: { id: $id }) { subscription { id status } } }": types.ConsoleDisableSubscriptionDocument,
    "mutation ConsoleDeleteSubscription($id: ID!) { deleteWebhookSubscription(input: { id: $id }) { deletedSubscriptionId } }": types.ConsoleDeleteSubscriptionDocument,
    "\n  mutation ConsoleRotateSubscriptionSecret($id: ID!, $overlapHours: Int!) {\n    rotateWebhookSubscriptionSecret(input: { subscriptionId: $id, overlapHours: $overlapHours }) { secret previousSecretExpiresAt }\n  }\n": types.ConsoleRotateSubscriptionSecretDocument,
    "\n  mutation ConsoleReplayEvents($id: ID!, $since: DateTime!) { replayEvents(input: { subscriptionId: $id, since: $since }) { replayed subscription { id status } } }\n": types.ConsoleReplayEventsDocument,
    "mutation ConsoleSendTestEvent($id: ID!, $type: String!) { sendTestEvent(input: { subscriptionId: $id, type: $type }) { delivery { id } } }": types.ConsoleSendTestEventDocument,
    "\n  query ConsoleTestDelivery($id: ID!) { delivery(id: $id) { id status attempts { number statusCode outcome errorClass durationMs responseBody } } }\n": types.ConsoleTestDeliveryDocument,
    "\n  mutation ConsoleTestTrigger($input: TestTriggerInput!) {\n    testTrigger(input: $input) { status code message ignored messageId mappedInputs checks { name passed detail } }\n  }\n": types.ConsoleTestTriggerDocument,
    "\n  query ConsoleTriggers { triggers(first: 100) { edges { node { id name agent url signatureScheme enabled createdAt } } } }\n": types.ConsoleTriggersDocument,
    "\n  query ConsoleTrigger($id: ID!) {\n    trigger(id: $id) {\n      id name agent url filter signatureScheme toleranceSeconds ipAllowlist rateLimitPerSecond enabled createdAt updatedAt\n      clientCertificate { required subject fingerprintSha256 }\n      inputs { name path type required }\n      hmac { header encoding prefix idHeader }\n      secrets { id createdAt expiresAt current }\n    }\n  }\n": types.ConsoleTriggerDocument,
    "\n  mutation ConsoleCreateTrigger($input: CreateTriggerInput!) {\n    createTrigger(input: $input) { secret trigger { id name url signatureScheme hmac { header encoding prefix } } }\n  }\n": types.ConsoleCreateTriggerDocument,
    "\n  mutation ConsoleUpdateTrigger($input: UpdateTriggerInput!) { updateTrigger(input: $input) { trigger { id enabled } } }\n": types.ConsoleUpdateTriggerDocument,
    "\n  mutation ConsoleDeleteTrigger($id: ID!) { deleteTrigger(input: { id: $id }) { deletedTriggerId } }\n": types.ConsoleDeleteTriggerDocument,
    "\n  mutation ConsoleRotateTriggerSecret($id: ID!, $overlapHours: Int!, $secret: String) {\n    rotateTriggerSecret(input: { triggerId: $id, overlapHours: $overlapHours, secret: $secret }) { secret previousSecretExpiresAt }\n  }\n": types.ConsoleRotateTriggerSecretDocument,
    "\n  query ConsoleTriggerRequests($id: ID!) {\n    inboundDeliveries(filter: { triggerId: $id }, first: 20) {\n      edges { node { id receivedAt outcome statusCode refusalCode refusalReason sourceIp messageId mappedInputs } }\n    }\n  }\n": types.ConsoleTriggerRequestsDocument,
    "\n  subscription ConsoleInboundReceived($id: ID) {\n    inboundReceived(triggerId: $id) { id receivedAt outcome statusCode refusalCode refusalReason sourceIp messageId mappedInputs }\n  }\n": types.ConsoleInboundReceivedDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleMe {\n    me { role workspace { id name } apiKey { id kind expiresAt } }\n  }\n"): typeof import('./graphql').ConsoleMeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleSignOut($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }\n"): typeof import('./graphql').ConsoleSignOutDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleApiKeys {\n    apiKeys(first: 100) { edges { node { id name role kind prefix createdAt lastUsedAt expiresAt consoleLinkId } } }\n    consoleLinks(first: 50) { edges { node { id role status createdAt expiresAt usedAt revokedAt } } }\n  }\n"): typeof import('./graphql').ConsoleApiKeysDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleCreateApiKey($name: String!, $role: ApiKeyRole!) { createApiKey(input: { name: $name, role: $role }) { key apiKey { id } } }"): typeof import('./graphql').ConsoleCreateApiKeyDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleRevokeApiKey($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }"): typeof import('./graphql').ConsoleRevokeApiKeyDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleCreateLink($role: ApiKeyRole!, $ttl: Int!) { createConsoleLink(input: { role: $role, ttlMinutes: $ttl }) { id url expiresAt } }"): typeof import('./graphql').ConsoleCreateLinkDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleRevokeLink($id: ID!) { revokeConsoleLink(input: { id: $id }) { id revokedAt } }"): typeof import('./graphql').ConsoleRevokeLinkDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleAuditLog($filter: AuditFilter, $after: String) {\n    auditLog(filter: $filter, first: 50, after: $after) {\n      edges { node { id seq direction triggerId subscriptionId deliveryId eventType occurredAt durationMs attempt statusCode outcome errorClass sourceIp } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): typeof import('./graphql').ConsoleAuditLogDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleVerifyAuditChain($input: VerifyAuditChainInput!) {\n    verifyAuditChain(input: $input) { ok checked reason head { seq hash occurredAt } firstBrokenEntry { id seq occurredAt } }\n  }\n"): typeof import('./graphql').ConsoleVerifyAuditChainDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleDeliveries($filter: DeliveryFilter) {\n    deliveries(filter: $filter, first: 50) { edges { node { id status attemptCount createdAt lastAttemptAt nextAttemptAt event { id type } subscription { id url } } } }\n    webhookSubscriptions(first: 100) { edges { node { id url } } }\n    eventCatalog { type }\n  }\n"): typeof import('./graphql').ConsoleDeliveriesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ConsoleDeliveryUpdated($filter: DeliveryFilter) {\n    deliveryUpdated(filter: $filter) {\n      recordedAt\n      delivery { id status attemptCount createdAt lastAttemptAt nextAttemptAt event { id type } subscription { id url } }\n      attempt { number }\n    }\n  }\n"): typeof import('./graphql').ConsoleDeliveryUpdatedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleDelivery($id: ID!) {\n    delivery(id: $id) {\n      id status attemptCount createdAt lastAttemptAt nextAttemptAt\n      event { id type body }\n      subscription { id url }\n      attempts { number startedAt durationMs outcome statusCode errorClass errorReason responseBody }\n    }\n  }\n"): typeof import('./graphql').ConsoleDeliveryDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleRedeliver($id: ID!) { redeliver(input: { deliveryId: $id }) { delivery { id status } } }"): typeof import('./graphql').ConsoleRedeliverDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleDeliveryStats($id: ID!, $since: DateTime!, $bucket: DeliveryStatsBucket!) {\n    deliveryStats(subscriptionId: $id, since: $since, bucket: $bucket) { bucket points { start succeeded failed p50Ms p95Ms } }\n  }\n"): typeof import('./graphql').ConsoleDeliveryStatsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ConsoleEventCatalog { eventCatalog { type description schema } }"): typeof import('./graphql').ConsoleEventCatalogDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleInboundRequest($id: ID!) {\n    node(id: $id) {\n      ... on InboundDelivery {\n        id receivedAt outcome statusCode refusalCode refusalReason messageId sourceIp contentType payloadBytes payloadSha256 mappedInputs\n        trigger { id name }\n        session { id agent status inputs output error createdAt startedAt finishedAt events { id type timestamp } }\n      }\n    }\n  }\n"): typeof import('./graphql').ConsoleInboundRequestDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleOverview($since: DateTime!) {\n    deliveryOverview(since: $since) { subscriptionId succeeded failed subscription { id url status statusReason } }\n    webhookSubscriptions(first: 100) { edges { node { id url status statusReason } } }\n    inboundDeliveries(filter: { outcome: REFUSED, receivedAfter: $since }, first: 100) {\n      edges { node { id refusalCode receivedAt trigger { id name } } }\n    }\n  }\n"): typeof import('./graphql').ConsoleOverviewDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleSubscriptions { webhookSubscriptions(first: 100) { edges { node { id url events status statusReason lastSuccessAt } } } }\n"): typeof import('./graphql').ConsoleSubscriptionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleSubscription($id: ID!) {\n    webhookSubscription(id: $id) {\n      id url description events filter rateLimitPerSecond maxConcurrency timeoutMs status statusReason disabledAt lastSuccessAt createdAt\n      headers { name value secret }\n      secrets { id createdAt expiresAt current }\n    }\n    eventCatalog { type }\n  }\n"): typeof import('./graphql').ConsoleSubscriptionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ConsoleEventTypes { eventCatalog { type description } }"): typeof import('./graphql').ConsoleEventTypesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleCreateSubscription($input: CreateWebhookSubscriptionInput!) {\n    createWebhookSubscription(input: $input) { secret subscription { id status statusReason } }\n  }\n"): typeof import('./graphql').ConsoleCreateSubscriptionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleVerifySubscription($id: ID!) { verifyWebhookSubscription(input: { id: $id }) { subscription { id status statusReason } } }"): typeof import('./graphql').ConsoleVerifySubscriptionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleEnableSubscription($id: ID!) { enableWebhookSubscription(input: { id: $id }) { subscription { id status } } }"): typeof import('./graphql').ConsoleEnableSubscriptionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleDisableSubscription($id: ID!) { disableWebhookSubscription(input: { id: $id }) { subscription { id status } } }"): typeof import('./graphql').ConsoleDisableSubscriptionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleDeleteSubscription($id: ID!) { deleteWebhookSubscription(input: { id: $id }) { deletedSubscriptionId } }"): typeof import('./graphql').ConsoleDeleteSubscriptionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleRotateSubscriptionSecret($id: ID!, $overlapHours: Int!) {\n    rotateWebhookSubscriptionSecret(input: { subscriptionId: $id, overlapHours: $overlapHours }) { secret previousSecretExpiresAt }\n  }\n"): typeof import('./graphql').ConsoleRotateSubscriptionSecretDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleReplayEvents($id: ID!, $since: DateTime!) { replayEvents(input: { subscriptionId: $id, since: $since }) { replayed subscription { id status } } }\n"): typeof import('./graphql').ConsoleReplayEventsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ConsoleSendTestEvent($id: ID!, $type: String!) { sendTestEvent(input: { subscriptionId: $id, type: $type }) { delivery { id } } }"): typeof import('./graphql').ConsoleSendTestEventDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleTestDelivery($id: ID!) { delivery(id: $id) { id status attempts { number statusCode outcome errorClass durationMs responseBody } } }\n"): typeof import('./graphql').ConsoleTestDeliveryDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleTestTrigger($input: TestTriggerInput!) {\n    testTrigger(input: $input) { status code message ignored messageId mappedInputs checks { name passed detail } }\n  }\n"): typeof import('./graphql').ConsoleTestTriggerDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleTriggers { triggers(first: 100) { edges { node { id name agent url signatureScheme enabled createdAt } } } }\n"): typeof import('./graphql').ConsoleTriggersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleTrigger($id: ID!) {\n    trigger(id: $id) {\n      id name agent url filter signatureScheme toleranceSeconds ipAllowlist rateLimitPerSecond enabled createdAt updatedAt\n      clientCertificate { required subject fingerprintSha256 }\n      inputs { name path type required }\n      hmac { header encoding prefix idHeader }\n      secrets { id createdAt expiresAt current }\n    }\n  }\n"): typeof import('./graphql').ConsoleTriggerDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleCreateTrigger($input: CreateTriggerInput!) {\n    createTrigger(input: $input) { secret trigger { id name url signatureScheme hmac { header encoding prefix } } }\n  }\n"): typeof import('./graphql').ConsoleCreateTriggerDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleUpdateTrigger($input: UpdateTriggerInput!) { updateTrigger(input: $input) { trigger { id enabled } } }\n"): typeof import('./graphql').ConsoleUpdateTriggerDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleDeleteTrigger($id: ID!) { deleteTrigger(input: { id: $id }) { deletedTriggerId } }\n"): typeof import('./graphql').ConsoleDeleteTriggerDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleRotateTriggerSecret($id: ID!, $overlapHours: Int!, $secret: String) {\n    rotateTriggerSecret(input: { triggerId: $id, overlapHours: $overlapHours, secret: $secret }) { secret previousSecretExpiresAt }\n  }\n"): typeof import('./graphql').ConsoleRotateTriggerSecretDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleTriggerRequests($id: ID!) {\n    inboundDeliveries(filter: { triggerId: $id }, first: 20) {\n      edges { node { id receivedAt outcome statusCode refusalCode refusalReason sourceIp messageId mappedInputs } }\n    }\n  }\n"): typeof import('./graphql').ConsoleTriggerRequestsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ConsoleInboundReceived($id: ID) {\n    inboundReceived(triggerId: $id) { id receivedAt outcome statusCode refusalCode refusalReason sourceIp messageId mappedInputs }\n  }\n"): typeof import('./graphql').ConsoleInboundReceivedDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
