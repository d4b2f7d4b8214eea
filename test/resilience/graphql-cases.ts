// Cases for /graphql over HTTP: real operations with valid, wrong and hostile variables; mutated
// query text; deep nesting, wide selections, alias floods, fragment bombs and directive floods;
// huge strings; malformed and non-object JSON, batches, wrong field types, persisted-query
// extensions; several or unknown operations, subscriptions over HTTP, mutations over GET; keys
// valid, wrong, missing or repeated; odd content types; and raw bytes that break HTTP framing.
import { type FuzzCase, type HttpCase, type Rng, rawRequest } from './fuzz-kit.ts';

/** What the cases refer to: objects that exist, so operations reach their resolvers. */
export interface GraphqlWorld {
  adminKey: string;
  viewerKey: string;
  publisherKey: string;
  /** Ids of existing objects (triggers, subscriptions, secrets, events, deliveries). */
  ids: string[];
  /** A URL on the test's own receiver: the only target a subscription may be pointed at here. */
  receiverUrl: string;
}

const LIMIT = 1024 * 1024; // GRAPHQL_MAX_BODY_BYTES's default

const OPERATIONS: Array<{ query: string; variables: (rng: Rng, w: GraphqlWorld) => Record<string, unknown> }> = [
  { query: '{ me { role workspace { id name createdAt } apiKey { id name prefix lastUsedAt } } }', variables: () => ({}) },
  { query: 'query($n: Int!, $a: String) { triggers(first: $n, after: $a) { edges { cursor node { id name url enabled signatureScheme inputs { name path type required defaultValue } secrets { id current expiresAt } hmac { header } } } pageInfo { hasNextPage endCursor } } }',
    variables: (rng) => ({ n: someInt(rng), a: someCursor(rng) }) },
  { query: 'query($id: ID!) { node(id: $id) { id __typename ... on Trigger { name filter } ... on WebhookSubscription { url events status } ... on Event { type body data } ... on OutboundDelivery { status attempts { number outcome responseBody } } } }',
    variables: (rng, w) => ({ id: someId(rng, w) }) },
  { query: 'query($f: InboundDeliveryFilter, $n: Int!, $a: String) { inboundDeliveries(filter: $f, first: $n, after: $a) { edges { node { id outcome statusCode refusalCode refusalReason messageId sourceIp contentType payloadBytes mappedInputs session { id status inputs } trigger { name } } } pageInfo { endCursor } } }',
    variables: (rng, w) => ({ n: someInt(rng), a: someCursor(rng), f: rng.chance(0.5) ? { triggerId: someId(rng, w), outcome: rng.pick(['ACCEPTED', 'REFUSED', 'IGNORED', 'accepted', 1, null]), refusalCode: someString(rng), messageId: someString(rng), receivedAfter: someDate(rng), receivedBefore: someDate(rng) } : someJson(rng, 3) }) },
  { query: 'query($f: SessionFilter, $n: Int!) { sessions(filter: $f, first: $n) { edges { node { id agent status inputs output error createdAt trigger { id } } } } }',
    variables: (rng, w) => ({ n: someInt(rng), f: { triggerId: someId(rng, w), agent: someString(rng), status: rng.pick(['QUEUED', 'RUNNING', 'SUCCEEDED', 'x', 3]) } }) },
  { query: 'query($f: DeliveryFilter, $n: Int!) { deliveries(filter: $f, first: $n) { edges { node { id status attemptCount event { id type } subscription { id } attempts { number statusCode errorClass } } } } }',
    variables: (rng, w) => ({ n: someInt(rng), f: { subscriptionId: someId(rng, w), eventId: someId(rng, w), eventType: someString(rng), status: rng.pick(['PENDING', 'DELIVERED', 'FAILED', '', null]) } }) },
  { query: '{ eventCatalog { type description schema } webhookSubscriptions(first: 100) { edges { node { id url headers { name value } secrets { id } } } } apiKeys(first: 100, includeRevoked: true) { edges { node { id role revokedAt } } } }', variables: () => ({}) },
  { query: '{ __schema { queryType { name } types { name kind fields(includeDeprecated: true) { name args { name type { name kind ofType { name kind ofType { name kind } } } } type { name kind ofType { name } } } inputFields { name } enumValues { name } } directives { name args { name } } } }', variables: () => ({}) },
  { query: 'mutation($i: CreateTriggerInput!) { createTrigger(input: $i) { secret trigger { id url inputs { name } } } }', variables: (rng) => ({ i: triggerInput(rng) }) },
  { query: 'mutation($i: UpdateTriggerInput!) { updateTrigger(input: $i) { trigger { id name filter } } }', variables: (rng, w) => ({ i: { id: someId(rng, w), ...partial(rng, triggerInput(rng)) } }) },
  { query: 'mutation($i: DeleteTriggerInput!) { deleteTrigger(input: $i) { deletedTriggerId } }', variables: (rng, w) => ({ i: { id: someId(rng, w) } }) },
  { query: 'mutation($i: ApplyTriggerYamlInput!) { applyTriggerYaml(input: $i) { created changed secret trigger { id } } }', variables: (rng) => ({ i: { yaml: someYaml(rng), secret: rng.chance(0.3) ? someString(rng) : null } }) },
  { query: 'mutation($i: TestTriggerInput!) { testTrigger(input: $i) { status code message checks { check passed detail } messageId ignored mappedInputs } }',
    variables: (rng, w) => ({ i: { triggerId: someId(rng, w), headers: Array.from({ length: rng.size(30) }, () => ({ name: someString(rng), value: someString(rng) })), body: someString(rng, true), sourceIp: rng.chance(0.5) ? rng.pick(['1.2.3.4', '::1', 'x', '999.1.1.1', '10.0.0.0/8', '']) : null } }) },
  { query: 'mutation($i: PublishEventInput!) { publishEvent(input: $i) { event { id type body } } }',
    variables: (rng) => ({ i: { type: rng.pick(['import.completed', 'tool.called', 'session.finished', 'webhook.ping', 'nope', '', '*', someString(rng)]), data: someJson(rng, 5), idempotencyKey: rng.chance(0.5) ? someString(rng) : null } }) },
  { query: 'mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { secret subscription { id status statusReason } } }', variables: (rng, w) => ({ i: subscriptionInput(rng, w) }) },
  { query: 'mutation($i: UpdateWebhookSubscriptionInput!) { updateWebhookSubscription(input: $i) { subscription { id url } } }', variables: (rng, w) => ({ i: { id: someId(rng, w), ...partial(rng, subscriptionInput(rng, w)) } }) },
  { query: 'mutation($id: ID!, $since: DateTime!, $type: String!) { a: verifyWebhookSubscription(input: {id: $id}) { subscription { status } } b: enableWebhookSubscription(input: {id: $id}) { subscription { status } } c: replayEvents(input: {subscriptionId: $id, since: $since}) { replayed } d: sendTestEvent(input: {subscriptionId: $id, type: $type}) { delivery { id } } }',
    variables: (rng, w) => ({ id: someId(rng, w), since: someDate(rng), type: rng.pick(['import.completed', 'tool.called', 'x', '']) }) },
  { query: 'mutation($id: ID!) { redeliver(input: {deliveryId: $id}) { delivery { id status } } }', variables: (rng, w) => ({ id: someId(rng, w) }) },
  { query: 'mutation($id: ID!, $h: Int!) { rotateTriggerSecret(input: {triggerId: $id, overlapHours: $h}) { secret previousSecretExpiresAt } }', variables: (rng, w) => ({ id: someId(rng, w), h: someInt(rng) }) },
  { query: 'mutation($id: ID!, $h: Int!) { rotateWebhookSubscriptionSecret(input: {subscriptionId: $id, overlapHours: $h}) { secret } }', variables: (rng, w) => ({ id: someId(rng, w), h: someInt(rng) }) },
  { query: 'mutation($id: ID!) { revokeSecret(input: {secretId: $id}) { secret { id current } } }', variables: (rng, w) => ({ id: someId(rng, w) }) },
  { query: 'mutation($n: String!, $r: ApiKeyRole!) { createApiKey(input: {name: $n, role: $r}) { key apiKey { id } } }', variables: (rng) => ({ n: someString(rng), r: rng.pick(['ADMIN', 'VIEWER', 'PUBLISHER', 'ROOT', '', 0]) }) },
  // Revoking the run's own keys would turn the rest of the run into 401s; other ids are fair game.
  { query: 'mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { id revokedAt } } }', variables: (rng, w) => ({ id: rng.chance(0.5) ? `key_${rng.text(26)}` : someId(rng, w) }) },
  { query: 'mutation($d: Int) { updateWorkspaceSettings(input: {retentionDays: $d}) { workspace { id retentionDays retentionDaysOverride } } }', variables: (rng) => ({ d: someInt(rng) }) },
  { query: 'mutation($r: ApiKeyRole!, $t: Int!) { createConsoleLink(input: {role: $r, ttlMinutes: $t}) { id url expiresAt } }', variables: (rng) => ({ r: rng.pick(['ADMIN', 'VIEWER', 'PUBLISHER', 'ROOT', '', 0]), t: someInt(rng) }) },
  { query: 'mutation($id: ID!) { revokeConsoleLink(input: {id: $id}) { id revokedAt } }', variables: (rng, w) => ({ id: rng.chance(0.5) ? `csl_${rng.text(26)}` : someId(rng, w) }) },
  { query: 'mutation($id: ID!, $r: String) { disableWebhookSubscription(input: {id: $id, reason: $r}) { subscription { status } } }', variables: (rng, w) => ({ id: someId(rng, w), r: someString(rng) }) },
];

function someInt(rng: Rng): unknown {
  return rng.chance(0.6) ? rng.int(101) : rng.pick([-1, 0, 2 ** 31, 1e20, 1.5, '10', null, Number.MAX_SAFE_INTEGER]);
}
function someCursor(rng: Rng): unknown {
  return rng.weighted<() => unknown>([
    [4, () => null],
    [2, () => Buffer.from(String(someString(rng))).toString('base64')],
    [1, () => rng.text(rng.size(5000))],
    [1, () => Buffer.from(JSON.stringify(someJson(rng, 2)) ?? '').toString('base64url')],
    [1, () => 'eyJpZCI6IjEnOyBEUk9QIFRBQkxFIHRyaWdnZXI7LS0ifQ'],
  ])();
}
function someId(rng: Rng, w: GraphqlWorld): unknown {
  return rng.weighted<() => unknown>([
    [6, () => rng.pick(w.ids)],
    [2, () => `${rng.pick(['trg', 'sub', 'evt', 'dlv', 'ind', 'ses', 'key', 'wsp', 'aud', 'tsk', 'ssk'])}_${rng.text(26)}`],
    [1, () => rng.text(rng.size(3000))],
    [1, () => rng.pick(['', 123, null, "trg_' OR 1=1 --"])],
  ])();
}
function someDate(rng: Rng): unknown {
  return rng.pick(['2026-01-01T00:00:00Z', '1970-01-01T00:00:00.000Z', '9999-12-31T23:59:59Z', '0000-00-00', 'yesterday', '', 1e15, -1, '2026-13-45T99:99:99Z', '+275760-09-13T00:00:00.000Z', null]);
}
function someString(rng: Rng, big = false): unknown {
  return rng.weighted<() => unknown>([
    [6, () => rng.text(rng.size(40))],
    [2, () => rng.unicode(rng.size(200))],
    [1, () => 'x'.repeat(rng.size(big ? 900_000 : 50_000))],
    [1, () => rng.pick(['', ' ', '\u0000', '$..*', "$[?(@.constructor.constructor('return process')())]", '{{7*7}}', '<script>', '../../etc/passwd', "'; DROP TABLE trigger; --"])],
    [1, () => 42],
    [1, () => null],
  ])();
}
function someJson(rng: Rng, depth: number): unknown {
  switch (depth <= 0 ? rng.int(3) : rng.int(6)) {
    case 0: return someString(rng);
    case 1: return rng.pick([0, -0, 1e308, -1, 0.5, true, false, null]);
    case 2: return rng.int(1000);
    case 3: return Array.from({ length: rng.size(8) }, () => someJson(rng, depth - 1));
    default: return Object.fromEntries(Array.from({ length: rng.size(8) }, () => [rng.chance(0.2) ? rng.pick(['__proto__', 'constructor', '', '$']) : rng.text(rng.size(10) + 1), someJson(rng, depth - 1)]));
  }
}
function somePath(rng: Rng): unknown {
  return rng.weighted<() => unknown>([
    [4, () => rng.pick(['$.a', '$.pull_request.number', '$.items[*].id', '$..id', '$.a.b.c.d', '$', '$[0]', "$['a b']"])],
    [3, () => rng.pick(['$..*', '$..[?(@)]', "$[?(@.constructor.constructor('return process')())]", '$[?(@.a.match(/(a+)+$/))]', '$.a[(@.length-1)]', '$[*][*][*][*][*]', '$..a..b..c..d', '$[0:100000000:1]', '$[-1:]', '$.__proto__', '$[?(@ == @)]'])],
    [2, () => `$${'..a'.repeat(rng.size(500))}`],
    [1, () => `$${'[*]'.repeat(rng.size(1000))}`],
    [1, () => someString(rng)],
  ])();
}
function triggerInput(rng: Rng): Record<string, unknown> {
  return {
    name: someString(rng),
    agent: someString(rng),
    inputs: rng.chance(0.9) ? Array.from({ length: rng.size(60) }, () => ({ name: someString(rng), path: somePath(rng), type: rng.pick(['STRING', 'NUMBER', 'BOOLEAN', 'OBJECT', 'ARRAY', 'DATE', 1]), required: rng.pick([true, false, 'yes']), defaultValue: someJson(rng, 3) })) : someJson(rng, 2),
    filter: rng.chance(0.5) ? somePath(rng) : null,
    signatureScheme: rng.pick(['STANDARD_WEBHOOKS', 'GITHUB', 'STRIPE', 'SLACK', 'HMAC_SHA256', 'NONE', 'md5']),
    secret: rng.chance(0.3) ? someString(rng) : null,
    toleranceSeconds: someInt(rng),
    ipAllowlist: rng.chance(0.3) ? Array.from({ length: rng.size(200) }, () => rng.pick(['10.0.0.0/8', '::/0', '0.0.0.0/0', '1.2.3.4/33', 'x', '', '2001:db8::/129', '::ffff:1.2.3.4/120'])) : null,
    rateLimitPerSecond: rng.chance(0.3) ? someInt(rng) : null,
    enabled: rng.pick([true, false, null]),
    hmac: rng.chance(0.3) ? { header: someString(rng), encoding: rng.pick(['HEX', 'BASE64', 'BASE32']), prefix: someString(rng), idHeader: someString(rng) } : null,
  };
}
function subscriptionInput(rng: Rng, w: GraphqlWorld): Record<string, unknown> {
  // Only the test's receiver, or URLs refused before any connection: no traffic leaves 127.0.0.1.
  const url = rng.weighted<() => unknown>([
    [3, () => `${w.receiverUrl}/${rng.text(rng.size(30))}?${rng.text(rng.size(30))}`],
    [1, () => w.receiverUrl.replace('127.0.0.1', 'localhost')],
    [1, () => w.receiverUrl.replace('127.0.0.1', 'user:pa%40ss@127.0.0.1')],
    [2, () => rng.pick(['file:///etc/passwd', 'gopher://127.0.0.1:70/', 'javascript:alert(1)', 'data:text/plain,x', 'ftp://127.0.0.1/', 'http://', '//127.0.0.1', 'not a url', '', 'http://[::1', 'http://127.0.0.1:99999/'])],
    [1, () => `${w.receiverUrl}/${'a'.repeat(rng.size(100_000))}`],
    [1, () => someString(rng)],
  ])();
  return {
    url,
    events: rng.chance(0.8) ? Array.from({ length: rng.size(50) }, () => rng.pick(['*', 'tool.*', 'session.finished', 'import.completed', '', '**', 'a.b.c.*', '.*'])) : someJson(rng, 1),
    secret: rng.chance(0.3) ? someString(rng) : null,
    headers: rng.chance(0.5) ? Array.from({ length: rng.size(60) }, () => ({ name: rng.pick(['x-a', 'Host', 'Content-Length', 'Transfer-Encoding', 'Authorization', 'webhook-signature', 'x\r\ny', '', 'x y']), value: someString(rng) })) : null,
    filter: rng.chance(0.3) ? somePath(rng) : null,
    rateLimitPerSecond: rng.chance(0.3) ? someInt(rng) : null,
    maxConcurrency: rng.chance(0.3) ? someInt(rng) : null,
    timeoutMs: someInt(rng),
    description: someString(rng),
  };
}
function someYaml(rng: Rng): unknown {
  return rng.weighted<() => unknown>([
    [3, () => `apiVersion: webhooks/v1\nkind: Trigger\nname: ${rng.text(10)}\nagent: a\nsignature:\n  scheme: ${rng.pick(['GITHUB', 'STRIPE', 'X'])}\n  secretFrom: ${rng.pick(['env:HOME', 'env:PATH', 'file:/etc/passwd', 'env:'])}\ninputs:\n  a: { path: ${JSON.stringify(somePath(rng))} }\n`],
    // A billion-laughs alias bomb.
    [2, () => `a: &a [${'x,'.repeat(10)}x]\n${Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`).join('\n')}\n`],
    [1, () => `${'- '.repeat(rng.size(20_000))}x`],
    [1, () => '['.repeat(rng.size(50_000))],
    [1, () => '!!js/function "function(){ return process.exit(1) }"'],
    [1, () => `key: !!binary ${Buffer.from(rng.text(100)).toString('base64')}\n<<: *undefined\n`],
    [1, () => someString(rng)],
  ])();
}
function partial(rng: Rng, input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(() => rng.chance(0.4)));
}

// ---- query text -------------------------------------------------------------------------------

function mutateText(rng: Rng, text: string): string {
  let s = text;
  for (let n = rng.size(8) + 1; n > 0; n--) {
    const at = rng.int(s.length + 1);
    s = rng.weighted<() => string>([
      [3, () => s.slice(0, at) + s.slice(at + 1 + rng.int(5))],
      [3, () => s.slice(0, at) + rng.pick(['{', '}', '(', ')', '[', ']', '$', '@', '"', '"""', '\\u', ':', '!', '...', '#', '\u0000', '\ufeff', rng.unicode(3), ' on ', 'fragment ', '=']) + s.slice(at)],
      [1, () => s.slice(0, at)],
      [1, () => s.slice(0, at) + s.slice(at).replace(/\w+/, rng.text(rng.size(60) + 1))],
    ])();
  }
  return s;
}

function deepSelection(rng: Rng): string {
  const n = rng.size(60_000);
  const field = rng.pick(['me', 'a', '__typename', 'node(id: "x")', 'triggers { edges { node', '... on Query']);
  return `{ ${`${field} { `.repeat(n)}id${' }'.repeat(rng.chance(0.9) ? n : rng.int(n))} }`;
}

function deepArgument(rng: Rng): string {
  const n = rng.size(100_000);
  return `{ node(id: ${'['.repeat(n)}"x"${']'.repeat(n)}) { id } }`;
}

function wideSelection(rng: Rng): string {
  const n = rng.size(60_000);
  const one = rng.pick(['me { role }', '__typename', 'x: me { role }', 'eventCatalog { type }', 'triggers(first: 100) { edges { node { id secrets { id } } } }', 'me { workspace { id } }']);
  return rng.chance(0.5)
    ? `{ ${Array.from({ length: n }, (_, i) => (one.startsWith('x:') ? `a${i}${one.slice(1)}` : one)).join(' ')} }`
    : `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${one.replace(/^x: /, '')}`).join(' ')} }`;
}

function fragmentBomb(rng: Rng): string {
  // Each fragment spreads the next twice: naive traversal visits 2^n selections.
  const n = 10 + rng.int(30);
  const fragments = Array.from({ length: n }, (_, i) => `fragment F${i} on Query { ${i + 1 < n ? `...F${i + 1} ...F${i + 1}` : 'me { role }'} }`);
  const cyclic = rng.chance(0.2) ? ' fragment C on Query { ...C }' : '';
  return `{ ...F0${cyclic ? ' ...C' : ''} } ${fragments.join(' ')}${cyclic}`;
}

function directiveFlood(rng: Rng): string {
  const n = rng.size(40_000);
  const d = rng.pick(['@skip(if: false)', '@include(if: true)', '@skip(if: $v)', '@deprecated', '@nope', '@skip(if: "yes")', '@include']);
  return `query($v: Boolean) { me ${Array(n).fill(d).join(' ')} { role } }`;
}

function queryText(rng: Rng, w: GraphqlWorld): { query: unknown; variables?: unknown; operationName?: unknown } {
  const op = rng.pick(OPERATIONS);
  return rng.weighted<() => { query: unknown; variables?: unknown; operationName?: unknown }>([
    [45, () => ({ query: op.query, variables: op.variables(rng, w) })],
    [10, () => ({ query: mutateText(rng, op.query), variables: op.variables(rng, w) })],
    [4, () => ({ query: deepSelection(rng) })],
    [2, () => ({ query: deepArgument(rng) })],
    [5, () => ({ query: wideSelection(rng) })],
    [2, () => ({ query: fragmentBomb(rng) })],
    [2, () => ({ query: directiveFlood(rng), variables: { v: rng.pick([true, 'x', null]) } })],
    [3, () => ({ query: op.query.replace(/\$(\w+)/, `$$$1`), variables: someJson(rng, 4) })],
    [3, () => ({ query: `${op.query} ${rng.pick(OPERATIONS).query}`, operationName: rng.pick([undefined, null, 'x', '', 7]) })],
    [2, () => ({ query: `query A { me { role } } mutation B { createApiKey(input: {name: "x", role: VIEWER}) { key } } subscription C { auditAppended { id } }`, operationName: rng.pick(['A', 'B', 'C', 'D', null]) })],
    [2, () => ({ query: rng.pick(['subscription { deliveryUpdated { delivery { id } } }', 'subscription { inboundReceived { id } }']) })],
    [3, () => ({ query: `{ node(id: ${JSON.stringify(someString(rng, true) ?? '')}) { id } }` })],
    [2, () => ({ query: `{ node(id: "${rng.pick(['\\u', '\\uD800', '\\x41', '\\', '\n', '\\u{1F600}'])}") { id } } ${'"""'.repeat(rng.int(3))}` })],
    [3, () => ({ query: rng.pick([undefined, null, 123, true, {}, [], { query: '{ me { role } }' }, '', ' ', '#', '{', '{}', 'query', '{ me }', '{ __typename }']), variables: someJson(rng, 2) })],
    [2, () => ({ query: op.query, variables: rng.pick(['{"n":1}', 'null', 1, [], true]), operationName: someJson(rng, 1) })],
  ])();
}

function bodyOf(rng: Rng, w: GraphqlWorld): Buffer {
  return rng.weighted<() => Buffer>([
    [78, () => {
      const b: Record<string, unknown> = queryText(rng, w);
      if (rng.chance(0.05)) b.extensions = rng.pick([{ persistedQuery: { version: 1, sha256Hash: rng.text(64, '0123456789abcdef') } }, { persistedQuery: { version: 2 } }, 'x', { a: someJson(rng, 3) }]);
      return Buffer.from(JSON.stringify(b));
    }],
    [6, () => Buffer.from(JSON.stringify(Array.from({ length: rng.size(200) }, () => queryText(rng, w))))],
    [5, () => Buffer.from(JSON.stringify(queryText(rng, w)).slice(0, rng.int(300)))],
    [3, () => Buffer.from(rng.pick(['null', '1', '"x"', 'true', '[]', '{}', '[[[[]]]]', '{"query":"{ me { role } }"}{"query":1}', '{"query":"{ me { role } }",}', '\ufeff{"query":"{ me { role } }"}']))],
    [2, () => Buffer.from(`{"query":"{ me { role } }","variables":${'{"a":'.repeat(rng.size(100_000))}1${'}'.repeat(rng.size(100_000))}}`)],
    [2, () => rng.bytes(rng.size(3000))],
    [1, () => Buffer.concat([Buffer.from('{"query":"{ node(id: \\"'), rng.bytes(rng.size(200)), Buffer.from('\\") { id } }"}')])],
    [1, () => Buffer.alloc(LIMIT + 1 + rng.size(100_000), 0x20)],
    [2, () => Buffer.alloc(0)],
  ])();
}

export function makeGraphqlCase(rng: Rng, w: GraphqlWorld): FuzzCase {
  const auth = rng.weighted<() => string[] | undefined>([
    [75, () => [`Bearer ${w.adminKey}`]],
    [4, () => [`Bearer ${w.viewerKey}`]],
    [3, () => [`Bearer ${w.publisherKey}`]],
    [4, () => undefined],
    [5, () => [rng.pick(['Bearer', 'Bearer ', `Bearer ${w.adminKey.slice(0, -1)}`, `bearer ${w.adminKey}`, `Basic ${Buffer.from('a:b').toString('base64')}`, `Bearer ${w.adminKey} extra`, 'Bearer \u00ff\u00fe'])]],
    [1, () => [`Bearer whk_${rng.text(rng.size(5000))}`]],
    [2, () => [`Bearer ${w.viewerKey}`, `Bearer ${w.adminKey}`]],
  ])();
  const method = rng.weighted<string>([[90, 'POST'], [6, 'GET'], [4, rng.pick(['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'])]]);
  const contentType = rng.weighted<string | undefined>([[80, 'application/json'], [4, 'application/json; charset=utf-8'], [2, 'application/json; charset=latin1'], [3, 'text/plain'], [3, 'application/graphql'], [2, 'multipart/form-data; boundary=x'], [2, 'application/x-www-form-urlencoded'], [4, undefined]]);
  const headers: Record<string, string | string[]> = {};
  if (auth) headers.authorization = auth.length === 1 ? auth[0]! : auth;
  if (contentType) headers['content-type'] = contentType;
  if (rng.chance(0.3)) headers['apollo-require-preflight'] = 'true';
  if (rng.chance(0.05)) headers['x-apollo-operation-name'] = rng.text(rng.size(100));
  for (let i = rng.size(10); i > 0; i--) headers[`x-${rng.text(rng.size(20) + 1).toLowerCase()}`] = rng.text(rng.size(3000));

  let path = '/graphql';
  let body: Buffer | undefined = bodyOf(rng, w);
  if (method === 'GET' || method === 'HEAD') {
    const q = queryText(rng, w);
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, typeof v === 'string' ? v : JSON.stringify(v));
    path = `/graphql?${params.toString().slice(0, rng.chance(0.9) ? 20_000 : 200_000)}`;
    body = undefined;
  }
  const label = `${method} ${auth ? 'keyed' : 'anonymous'}`;
  const sendable = Object.values(headers).flat().every((v) => /^[\t\x20-\x7e\x80-\xff]*$/.test(v));
  if (!sendable || rng.chance(0.08)) return rawRequest(rng, label, method, path, headers, body ?? Buffer.alloc(0));
  const c: HttpCase = { kind: 'http', label, method, path, headers, body };
  return c;
}
