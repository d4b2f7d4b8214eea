// OAuth2 client credentials on outbound calls (SPEC §7) with a real token endpoint and a real
// receiver that checks the bearer token, both on 127.0.0.1: the ping and attempts carry the token,
// it is reused, renewed before it expires (the cache's clock is moved, not waited for), fetched
// once for concurrent attempts, renewed once on a 401, failures are AUTH attempts kept 30 s, the
// answer is capped at 64 KiB, both client authentication methods, changed credentials, and the
// secret is never returned nor stored in plain text.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { oauth2Tokens } from '../../src/outbound/oauth2.ts';
import { DeliveryClient } from '../../src/platform/http-client.ts';
import { gate, startReceiver, type Receiver } from '../support/receiver.ts';
import { gql, gqlOk, startTestService, type TestService } from '../support/service.ts';
import { until } from '../support/wait.ts';

const CREATE = `mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { secret subscription { id status statusReason } } }`;
const UPDATE = `mutation($i: UpdateWebhookSubscriptionInput!) { updateWebhookSubscription(input: $i) { subscription { id status oauth2 { tokenUrl clientId scope audience authMethod } } } }`;
const TEST_EVENT = 'mutation($i: SendTestEventInput!) { sendTestEvent(input: $i) { delivery { id } } }';
const ATTEMPTS = 'query($id: ID!) { delivery(id: $id) { status attempts { number outcome statusCode errorClass errorReason responseBody } } }';

interface TokenRequest {
  headers: http.IncomingHttpHeaders;
  form: URLSearchParams;
}
interface TokenAnswer {
  status: number;
  body: string;
  until?: Promise<unknown>;
}
interface TokenEndpoint {
  url: string;
  requests: TokenRequest[];
  /** Tokens handed out so far, in order. */
  issued: string[];
  /** How to answer the next requests; by default a fresh token valid for an hour. */
  answer: (n: number, token: string) => TokenAnswer;
  close: () => Promise<void>;
}

/** A real token endpoint (RFC 6749 §4.4): records each request and hands out `<prefix>-<n>`. */
async function startTokenEndpoint(): Promise<TokenEndpoint> {
  const prefix = randomBytes(4).toString('hex');
  const endpoint: TokenEndpoint = {
    url: '', requests: [], issued: [],
    answer: (_n, token) => ({ status: 200, body: JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 3600 }) }),
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      endpoint.requests.push({ headers: req.headers, form: new URLSearchParams(body) });
      const n = endpoint.requests.length;
      const token = `${prefix}-${n}`;
      const a = endpoint.answer(n, token);
      if (a.status === 200) endpoint.issued.push(token);
      const send = () => res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body);
      if (a.until) void a.until.then(send);
      else send();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/token`;
  return endpoint;
}

/** The receiver accepts only the tokens in `valid` (by default: every token the endpoint issued). */
function checkBearer(receiver: Receiver, valid: (token: string) => boolean): void {
  receiver.respond((r) => {
    const token = /^Bearer (.+)$/.exec(String(r.headers.authorization ?? ''))?.[1];
    return token !== undefined && valid(token) ? { status: 200, body: 'ok' } : { status: 401, body: 'bad token' };
  });
}

const bearerOf = (receiver: Receiver) => receiver.received.map((r) => r.headers.authorization);

describe('OAuth2 client credentials on outbound calls', () => {
  let svc: TestService;
  const closers: Array<() => Promise<void>> = [];
  before(async () => {
    // Failed attempts are retried an hour later: no retry runs during a test.
    svc = await startTestService({ ALLOW_PRIVATE_TARGETS: 'true', ALLOW_INSECURE_TARGETS: 'true', DELIVERY_RETRY_SCHEDULE: '1h' });
  });
  after(async () => {
    for (const close of closers) await close();
    await svc.stop();
  });
  afterEach(() => {
    oauth2Tokens(svc.services).now = Date.now;
  });

  /** A token endpoint and a receiver that accepts the endpoint's tokens, closed after the suite. */
  const parties = async () => {
    const endpoint = await startTokenEndpoint();
    const receiver = await startReceiver();
    closers.push(endpoint.close, receiver.close);
    checkBearer(receiver, (t) => endpoint.issued.includes(t));
    return { endpoint, receiver };
  };
  const subscribe = async (receiver: Receiver, oauth2: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const data = await gqlOk<{ createWebhookSubscription: { secret: string; subscription: { id: string; status: string; statusReason: string | null } } }>(
      svc.url, svc.adminKey, CREATE, { i: { url: `${receiver.url}/hook`, events: ['*'], oauth2, ...extra } });
    return data.createWebhookSubscription.subscription;
  };
  const credentials = (endpoint: TokenEndpoint, more: Record<string, unknown> = {}) =>
    ({ tokenUrl: endpoint.url, clientId: 'gateway', clientSecret: `s3cret-${randomBytes(6).toString('hex')}`, ...more });
  /** One test event to the subscription, and its first attempt once recorded. */
  const deliver = async (subscriptionId: string) => {
    const { sendTestEvent } = await gqlOk<{ sendTestEvent: { delivery: { id: string } } }>(svc.url, svc.adminKey, TEST_EVENT, { i: { subscriptionId, type: 'session.finished' } });
    return until(async () => (await gqlOk(svc.url, svc.adminKey, ATTEMPTS, { id: sendTestEvent.delivery.id })).delivery.attempts[0] as
      { outcome: string; statusCode: number | null; errorClass: string | null; errorReason: string | null; responseBody: string | null } | undefined, 'the first attempt');
  };
  /** Stops the token cache's clock; the function returned sets it `ms` after the moment it stopped. */
  const stopClock = () => {
    const at = Date.now();
    const set = (ms: number) => {
      oauth2Tokens(svc.services).now = () => at + ms;
    };
    set(0);
    return set;
  };

  it('sends the bearer token on the ping and every attempt, fetched once with grant_type, scope and audience', async () => {
    const { endpoint, receiver } = await parties();
    const sub = await subscribe(receiver, credentials(endpoint, { scope: 'events:write audit', audience: 'https://api.example' }));
    assert.equal(sub.status, 'ACTIVE', sub.statusReason ?? '');
    for (let i = 0; i < 2; i++) assert.equal((await deliver(sub.id)).outcome, 'SUCCEEDED');
    assert.equal(endpoint.requests.length, 1, 'one token for the ping and both attempts');
    assert.deepEqual(bearerOf(receiver), Array(3).fill(`Bearer ${endpoint.issued[0]}`));
    const { form, headers } = endpoint.requests[0]!;
    assert.equal(headers['content-type'], 'application/x-www-form-urlencoded');
    assert.deepEqual(Object.fromEntries(form), { grant_type: 'client_credentials', scope: 'events:write audit', audience: 'https://api.example' });
  });

  it('client_secret_basic form-encodes the id and secret before base64 (RFC 6749 §2.3.1)', async () => {
    const { endpoint, receiver } = await parties();
    await subscribe(receiver, credentials(endpoint, { clientId: 'app:1', clientSecret: 'p:a%s+s w/rd' }));
    // Encoded by hand: ':' %3A, '%' %25, '+' %2B, ' ' '+', '/' %2F.
    assert.equal(endpoint.requests[0]!.headers.authorization, `Basic ${Buffer.from('app%3A1:p%3Aa%25s%2Bs+w%2Frd').toString('base64')}`);
    assert.equal(endpoint.requests[0]!.form.get('client_secret'), null, 'the secret is not also in the form');
  });

  it('client_secret_post sends the id and secret as form parameters, without a Basic header', async () => {
    const { endpoint, receiver } = await parties();
    const sub = await subscribe(receiver, credentials(endpoint, { clientId: 'app:1', clientSecret: 'p:a%s+s', authMethod: 'CLIENT_SECRET_POST' }));
    assert.equal(sub.status, 'ACTIVE');
    const { form, headers } = endpoint.requests[0]!;
    assert.equal(headers.authorization, undefined);
    assert.deepEqual(Object.fromEntries(form), { grant_type: 'client_credentials', client_id: 'app:1', client_secret: 'p:a%s+s' });
  });

  it('renews a token 30 s before it expires: expires_in below 60 s counts as 60, a missing one as 300', async () => {
    const clockAt = stopClock();
    const short = await parties();
    short.endpoint.answer = (_n, token) => ({ status: 200, body: JSON.stringify({ access_token: token, token_type: 'bearer', expires_in: 5 }) });
    const missing = await parties();
    missing.endpoint.answer = (_n, token) => ({ status: 200, body: JSON.stringify({ access_token: token }) });
    const a = await subscribe(short.receiver, credentials(short.endpoint));
    const b = await subscribe(missing.receiver, credentials(missing.endpoint));
    // Clamped to 60 s: still good 29 s on, renewed at 31 s (30 s before it expires).
    clockAt(29_000);
    await deliver(a.id);
    assert.equal(short.endpoint.requests.length, 1);
    clockAt(31_000);
    await deliver(a.id);
    assert.equal(short.endpoint.requests.length, 2);
    assert.equal(short.receiver.received.at(-1)!.headers.authorization, `Bearer ${short.endpoint.issued[1]}`);
    // 300 s when the endpoint does not say: 269 s on the same token, 271 s a new one.
    clockAt(269_000);
    await deliver(b.id);
    assert.equal(missing.endpoint.requests.length, 1);
    clockAt(271_000);
    await deliver(b.id);
    assert.equal(missing.endpoint.requests.length, 2);
  });

  it('concurrent attempts share one token request, and a 401 renews the token once for all of them', async () => {
    const { endpoint, receiver } = await parties();
    const sub = await subscribe(receiver, credentials(endpoint));
    const [first] = endpoint.issued;
    // Three attempts in flight at once, all holding the first token; the receiver then refuses it.
    const allThree = gate();
    receiver.received.length = 0;
    receiver.respond((r, n) => {
      if (n === 3) allThree.open();
      if (r.headers.authorization === `Bearer ${first}`) return { status: 401, body: 'revoked', until: allThree.opened };
      return { status: endpoint.issued.at(-1) === /^Bearer (.+)$/.exec(String(r.headers.authorization))?.[1] ? 200 : 401, body: '' };
    });
    const attempts = await Promise.all([deliver(sub.id), deliver(sub.id), deliver(sub.id)]);
    assert.deepEqual(attempts.map((a) => a.outcome), ['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    // The first refusal drops the token and asks for one; the other two find it no longer cached
    // and wait for that same request instead of asking again.
    assert.equal(endpoint.requests.length, 2, 'the ping\'s token and one renewal');
    assert.deepEqual(bearerOf(receiver).slice(3), Array(3).fill(`Bearer ${endpoint.issued[1]}`));
  });

  it('concurrent token requests for one subscription make one request to the endpoint (single flight)', async () => {
    const clockAt = stopClock();
    const { endpoint, receiver } = await parties();
    const sub = await subscribe(receiver, credentials(endpoint));
    const held = gate();
    endpoint.answer = (_n, token) => ({ status: 200, body: JSON.stringify({ access_token: token, expires_in: 3600 }), until: held.opened });
    const { oauth2 } = (await svc.services.pool.query('SELECT oauth2 FROM webhook_subscription WHERE id = $1', [sub.id])).rows[0];
    clockAt(3600_000); // the ping's token has expired
    const tokens = oauth2Tokens(svc.services);
    const asked = Array.from({ length: 5 }, () => tokens.get(svc.services, { id: sub.id, oauth2, timeoutMs: 2000 }));
    await until(() => endpoint.requests.length >= 2, 'the renewal to reach the endpoint');
    held.open();
    const answers = await Promise.all(asked);
    assert.deepEqual(answers, Array(5).fill({ token: endpoint.issued[1] }));
    assert.equal(endpoint.requests.length, 2);
  });

  it('a 401 fetches a new token once and sends again; a receiver that refuses it too fails the attempt as HTTP_401', async () => {
    const { endpoint, receiver } = await parties();
    const sub = await subscribe(receiver, credentials(endpoint));
    checkBearer(receiver, (t) => t !== endpoint.issued[0]); // the ping's token is revoked
    assert.equal((await deliver(sub.id)).outcome, 'SUCCEEDED');
    assert.equal(endpoint.requests.length, 2);
    assert.deepEqual(bearerOf(receiver).slice(1), [`Bearer ${endpoint.issued[0]}`, `Bearer ${endpoint.issued[1]}`]);
    checkBearer(receiver, () => false);
    const failed = await deliver(sub.id);
    assert.equal(failed.errorClass, 'HTTP_401');
    assert.equal(endpoint.requests.length, 3, 'one renewal, not a loop');
    assert.equal(receiver.received.length, 5);
  });

  it('a failing token endpoint makes AUTH attempts with its error, without asking it again for 30 s', async () => {
    const clockAt = stopClock();
    const { endpoint, receiver } = await parties();
    const input = credentials(endpoint);
    const sub = await subscribe(receiver, input);
    // The endpoint now refuses the client, and echoes the secret (it must not reach the attempt).
    endpoint.answer = () => ({ status: 401, body: JSON.stringify({ error: 'invalid_client', error_description: `client secret ${input.clientSecret} is revoked` }) });
    clockAt(3600_000);
    const failed = await deliver(sub.id);
    assert.equal(failed.errorClass, 'AUTH');
    assert.equal(failed.statusCode, null);
    assert.equal(failed.errorReason, 'token endpoint: answered 401: invalid_client: client secret •••• is revoked');
    assert.equal(receiver.received.length, 1, 'nothing is sent to the receiver without a token (only the ping was)');
    assert.equal(endpoint.requests.length, 2);
    clockAt(3600_000 + 29_000);
    assert.equal((await deliver(sub.id)).errorClass, 'AUTH');
    assert.equal(endpoint.requests.length, 2, 'the failure is kept 30 s');
    clockAt(3600_000 + 31_000);
    endpoint.answer = (_n, token) => ({ status: 200, body: JSON.stringify({ access_token: token }) });
    assert.equal((await deliver(sub.id)).outcome, 'SUCCEEDED');
    assert.equal(endpoint.requests.length, 3);
  });

  it('a ping without a token leaves the subscription PENDING_VERIFICATION with the endpoint\'s error; answers over 64 KiB are refused', async () => {
    const { endpoint, receiver } = await parties();
    endpoint.answer = () => ({ status: 400, body: JSON.stringify({ error: 'invalid_scope' }) });
    const refused = await subscribe(receiver, credentials(endpoint, { scope: 'everything' }));
    assert.equal(refused.status, 'PENDING_VERIFICATION');
    assert.match(refused.statusReason!, /AUTH \(token endpoint: answered 400: invalid_scope\)/);
    endpoint.answer = (_n, token) => ({ status: 200, body: JSON.stringify({ access_token: token, padding: 'x'.repeat(64 * 1024) }) });
    const large = await subscribe(receiver, credentials(endpoint));
    assert.equal(large.status, 'PENDING_VERIFICATION');
    assert.match(large.statusReason!, /more than 64 KiB/);
    endpoint.answer = (_n, token) => ({ status: 200, body: JSON.stringify({ access_token: token, padding: 'x'.repeat(60 * 1024) }) });
    assert.equal((await subscribe(receiver, credentials(endpoint))).status, 'ACTIVE', 'an answer under the cap is read whole');
    assert.equal(receiver.received.length, 1, 'only the last ping reached the receiver');
  });

  it('the token request has the subscription\'s timeout: an endpoint that does not answer makes an AUTH attempt', async () => {
    const { endpoint, receiver } = await parties();
    const sub = await subscribe(receiver, credentials(endpoint), { timeoutMs: 300 });
    const never = gate();
    closers.push(async () => never.open());
    endpoint.answer = () => ({ status: 500, body: '', until: never.opened });
    const clockAt = stopClock();
    clockAt(3600_000);
    const failed = await deliver(sub.id);
    assert.equal(failed.errorClass, 'AUTH');
    assert.equal(failed.errorReason, 'token endpoint: TIMEOUT');
  });

  it('changed credentials are used at once: the token of the old ones is not sent again', async () => {
    const { endpoint, receiver } = await parties();
    const sub = await subscribe(receiver, credentials(endpoint, { clientSecret: 'first-secret' }));
    const secretSeen = (i: number) => Buffer.from(String(endpoint.requests[i]!.headers.authorization).slice(6), 'base64').toString().split(':')[1];
    // Nothing tells the cache about the update: the credentials' hash no longer matches its entry,
    // which is also how another replica notices.
    await gqlOk(svc.url, svc.adminKey, UPDATE, { i: { id: sub.id, oauth2: credentials(endpoint, { clientSecret: 'second-secret' }) } });
    await deliver(sub.id);
    assert.equal(endpoint.requests.length, 2);
    assert.equal(secretSeen(1), 'second-secret');
    assert.equal(receiver.received.at(-1)!.headers.authorization, `Bearer ${endpoint.issued[1]}`);
    // A new scope, the secret sent back masked: the stored secret is kept, and a token asked for the new scope.
    const updated = await gqlOk(svc.url, svc.adminKey, UPDATE, { i: { id: sub.id, oauth2: { tokenUrl: endpoint.url, clientId: 'gateway', clientSecret: '••••', scope: 'more' } } });
    assert.equal(updated.updateWebhookSubscription.subscription.oauth2.scope, 'more');
    await deliver(sub.id);
    assert.equal(endpoint.requests.length, 3);
    assert.equal(secretSeen(2), 'second-secret');
    assert.equal(endpoint.requests[2]!.form.get('scope'), 'more');
    // The stored secret is never sent to a token URL it was not given for.
    const moved = await gql(svc.url, svc.adminKey, UPDATE, { i: { id: sub.id, oauth2: { tokenUrl: `${endpoint.url}/elsewhere`, clientId: 'gateway', clientSecret: '••••' } } });
    assert.equal(moved.errors?.[0]?.extensions?.field, 'oauth2.clientSecret');
  });

  it('changed credentials drop the old token on another replica too, with no message between them', async () => {
    const { endpoint, receiver } = await parties();
    const replica = await startTestService({
      DATABASE_URL: svc.databaseUrl, MASTER_KEY: svc.services.config.masterKey!.toString('base64'), ALLOW_PRIVATE_TARGETS: 'true', ALLOW_INSECURE_TARGETS: 'true',
    });
    try {
      const sub = await subscribe(receiver, credentials(endpoint, { clientSecret: 'old-secret' }));
      const verify = (url: string) => gqlOk(url, svc.adminKey, 'mutation($i: VerifyWebhookSubscriptionInput!) { verifyWebhookSubscription(input: $i) { subscription { status } } }', { i: { id: sub.id } });
      await verify(replica.url); // the replica pings with a token of its own, kept under the old credentials
      assert.equal(endpoint.requests.length, 2);
      await gqlOk(svc.url, svc.adminKey, UPDATE, { i: { id: sub.id, oauth2: credentials(endpoint, { clientSecret: 'new-secret' }) } });
      await verify(replica.url);
      assert.equal(endpoint.requests.length, 3, 'the replica asked for a token with the new credentials');
      assert.match(Buffer.from(String(endpoint.requests[2]!.headers.authorization).slice(6), 'base64').toString(), /:new-secret$/);
      assert.equal(receiver.received.at(-1)!.headers.authorization, `Bearer ${endpoint.issued[2]}`);
    } finally {
      await replica.stop();
    }
  });

  it('shows the token URL and client id, never the secret, which is stored encrypted; null removes oauth2', async () => {
    const { endpoint, receiver } = await parties();
    const input = credentials(endpoint, { clientId: 'console-client', audience: 'aud' });
    const sub = await subscribe(receiver, input);
    const shown = await gqlOk(svc.url, svc.adminKey, 'query($id: ID!) { webhookSubscription(id: $id) { oauth2 { tokenUrl clientId scope audience authMethod } } }', { id: sub.id });
    assert.deepEqual(shown.webhookSubscription.oauth2, { tokenUrl: endpoint.url, clientId: 'console-client', scope: null, audience: 'aud', authMethod: 'CLIENT_SECRET_BASIC' });
    assert.equal(JSON.stringify(shown).includes(input.clientSecret), false);
    const { rows: [row] } = await svc.services.pool.query<{ oauth2: string }>('SELECT oauth2::text FROM webhook_subscription WHERE id = $1', [sub.id]);
    assert.ok(row!.oauth2.includes('console-client'));
    assert.equal(row!.oauth2.includes(input.clientSecret), false, 'the secret is not stored in plain text');
    assert.match(JSON.parse(row!.oauth2).clientSecret, /^v1\./);
    const removed = await gqlOk(svc.url, svc.adminKey, UPDATE, { i: { id: sub.id, oauth2: null } });
    assert.equal(removed.updateWebhookSubscription.subscription.oauth2, null);
    receiver.respond(() => ({ status: 200 }));
    await deliver(sub.id);
    assert.equal(receiver.received.at(-1)!.headers.authorization, undefined);
  });

  it('refuses a custom Authorization header beside oauth2, at create and at update, naming the field', async () => {
    const { endpoint, receiver } = await parties();
    const authorization = [{ name: 'Authorization', value: 'Bearer static', secret: true }];
    const expectRefused = async (query: string, i: Record<string, unknown>, field: string) => {
      const r = await gql(svc.url, svc.adminKey, query, { i });
      assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(r.errors));
      assert.equal(r.errors?.[0]?.extensions?.field, field);
    };
    await expectRefused(CREATE, { url: `${receiver.url}/hook`, events: ['*'], headers: authorization, oauth2: credentials(endpoint) }, 'headers.0.name');
    const withHeader = await gqlOk(svc.url, svc.adminKey, CREATE, { i: { url: `${receiver.url}/hook`, events: ['*'], headers: authorization } });
    await expectRefused(UPDATE, { id: withHeader.createWebhookSubscription.subscription.id, oauth2: credentials(endpoint) }, 'oauth2');
    const withOAuth2 = await subscribe(receiver, credentials(endpoint));
    await expectRefused(UPDATE, { id: withOAuth2.id, headers: authorization }, 'headers.0.name');
    // The token URL passes the target checks: not the gateway itself, not another scheme.
    await expectRefused(CREATE, { url: `${receiver.url}/hook`, events: ['*'], oauth2: credentials(endpoint, { tokenUrl: `${svc.url}/oauth/token` }) }, 'oauth2.tokenUrl');
    await expectRefused(CREATE, { url: `${receiver.url}/hook`, events: ['*'], oauth2: credentials(endpoint, { tokenUrl: 'file:///etc/passwd' }) }, 'oauth2.tokenUrl');
  });

  it('the token request goes through the guarded delivery client: a private token endpoint is refused at connect time', async () => {
    const endpoint = await startTokenEndpoint();
    closers.push(endpoint.close);
    const client = new DeliveryClient({ allowInsecure: true, allowPrivate: false });
    try {
      const answer = await client.postForm(endpoint.url, new URLSearchParams({ grant_type: 'client_credentials' }), {}, 2000, 1024);
      assert.equal(answer.errorClass, 'TARGET_REFUSED');
      assert.equal(endpoint.requests.length, 0);
    } finally {
      await client.close();
    }
  });
});
