// One port: GraphQL over HTTP and graphql-ws on /graphql, /healthz, /readyz, /metrics (SPEC §3, §11).
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { refuseConnections } from '../support/db.ts';
import { gql, gqlOk, startTestService, type TestService, wsClient } from '../support/service.ts';
import { until } from '../support/wait.ts';

describe('HTTP surface', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ GRAPHQL_MAX_DEPTH: '5', GRAPHQL_MAX_BODY_BYTES: '4096', INBOUND_MAX_BODY_BYTES: '2048', EVENTS_MAX_BODY_BYTES: '2048' });
  });
  after(() => svc.stop());

  it('/healthz answers while the process runs', async () => {
    const res = await fetch(`${svc.url}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  it('/readyz checks the database and pg-boss', async () => {
    const res = await fetch(`${svc.url}/readyz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok', checks: { database: 'ok', queue: 'ok' } });
  });

  it('/metrics serves Prometheus text with request and queue metrics', async () => {
    await fetch(`${svc.url}/healthz`);
    const res = await fetch(`${svc.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    assert.match(text, /^# TYPE webhook_gateway_http_requests_total counter$/m);
    assert.match(text, /^webhook_gateway_http_requests_total\{route="\/healthz",status="200"\} \d+$/m);
    assert.match(text, /^webhook_gateway_queue_depth\{queue="secrets-purge-expired"\} \d+$/m);
    assert.match(text, /^# TYPE webhook_gateway_attempt_duration_seconds histogram$/m);
    assert.match(text, /^webhook_gateway_process_cpu_seconds_total /m);
  });

  it('answers 401 UNAUTHENTICATED without a key, with a malformed one and with an unknown one', async () => {
    for (const key of [undefined, 'nonsense', 'whk_unknownunknownunknownunknownunknown123']) {
      const r = await gql(svc.url, key, '{ me { role } }');
      assert.equal(r.status, 401, `key ${key}`);
      assert.equal(r.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    }
    const basic = await fetch(`${svc.url}/graphql`, { method: 'POST', headers: { authorization: `Basic ${svc.adminKey}`, 'content-type': 'application/json' }, body: '{"query":"{ me { role } }"}' });
    assert.equal(basic.status, 401);
    assert.equal(basic.headers.get('www-authenticate'), 'Bearer');
  });

  it('refuses a graphql-ws connection without a valid key (4403)', async () => {
    for (const key of [undefined, 'whk_wrong']) {
      const client = wsClient(svc.url, key);
      try {
        const err: any = await new Promise((resolve) =>
          client.subscribe({ query: 'subscription { auditAppended { id } }' }, { next: () => resolve('next'), error: resolve, complete: () => resolve('complete') }),
        );
        assert.equal(err?.code, 4403, `key ${key}`);
      } finally {
        await client.dispose();
      }
    }
  });

  it('refuses a query deeper than GRAPHQL_MAX_DEPTH before running it', async () => {
    // Depth 4, through a fragment: within the limit.
    const atLimit = await gqlOk(svc.url, svc.adminKey, '{ apiKeys { edges { node { ...K } } } } fragment K on ApiKey { id }');
    assert.ok(atLimit.apiKeys.edges.length > 0);
    assert.ok(atLimit.apiKeys.edges.every((e: any) => /^key_/.test(e.node.id)));
    const refused = await gql(svc.url, svc.adminKey, '{ deliveries { edges { node { subscription { secrets { id } } } } } }');
    assert.equal(refused.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(refused.errors![0]!.message, /depth exceeds the limit of 5/);
    const viaFragment = await gql(svc.url, svc.adminKey, '{ ...F } fragment F on Query { deliveries { edges { node { ...S } } } } fragment S on OutboundDelivery { subscription { secrets { id } } }');
    assert.match(viaFragment.errors?.[0]?.message ?? '', /depth exceeds/);
  });

  it('caps page size at 100 and names the argument', async () => {
    const r = await gql(svc.url, svc.adminKey, '{ apiKeys(first: 101) { edges { cursor } } }');
    assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(r.errors?.[0]?.extensions?.field, 'first');
    const zero = await gql(svc.url, svc.adminKey, '{ apiKeys(first: 0) { edges { cursor } } }');
    assert.equal(zero.errors?.[0]?.extensions?.field, 'first');
    const badCursor = await gql(svc.url, svc.adminKey, '{ apiKeys(after: "zzz") { edges { cursor } } }');
    assert.equal(badCursor.errors?.[0]?.extensions?.field, 'after');
  });

  it('paginates API keys with Relay cursors', async () => {
    for (const n of [1, 2, 3]) {
      await gqlOk(svc.url, svc.adminKey, 'mutation($n: String!) { createApiKey(input: {name: $n, role: VIEWER}) { key } }', { n: `page-${n}` });
    }
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const r: any = await gqlOk(svc.url, svc.adminKey, 'query($after: String) { apiKeys(first: 2, after: $after) { edges { node { name } } pageInfo { hasNextPage endCursor } } }', { after });
      seen.push(...r.apiKeys.edges.map((e: any) => e.node.name));
      if (!r.apiKeys.pageInfo.hasNextPage) break;
      after = r.apiKeys.pageInfo.endCursor;
    }
    assert.deepEqual(seen, ['admin', 'page-1', 'page-2', 'page-3']);
  });

  it('names the field of a bad mutation input', async () => {
    const r = await gql(svc.url, svc.adminKey, 'mutation { createApiKey(input: {name: "   ", role: VIEWER}) { key } }');
    assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(r.errors?.[0]?.extensions?.field, 'name');
    const badEnum = await gql(svc.url, svc.adminKey, 'mutation { createApiKey(input: {name: "x", role: ROOT}) { key } }');
    assert.equal(badEnum.status, 400);
    assert.match(badEnum.errors?.[0]?.message ?? '', /ROOT/);
  });

  it('refuses a request body over GRAPHQL_MAX_BODY_BYTES with 413', async () => {
    const res = await fetch(`${svc.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${svc.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ me { role } } # ${'x'.repeat(5000)}` }),
    });
    assert.equal(res.status, 413);
    assert.equal(((await res.json()) as any).error.code, 'PAYLOAD_TOO_LARGE');
  });

  it('answers a plain route\'s errors as {"error":{"code","message"}} with its code\'s status: 401 with WWW-Authenticate, 403, 400 naming the field, 413 naming the limit that applied', async () => {
    const viewerKey = (await gqlOk(svc.url, svc.adminKey, 'mutation { createApiKey(input: {name: "viewer", role: VIEWER}) { key } }')).createApiKey.key;
    const publish = async (key: string | undefined, body: string) => {
      const res = await fetch(`${svc.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body,
      });
      return { status: res.status, authenticate: res.headers.get('www-authenticate'), body: (await res.json()) as any };
    };
    const anonymous = await publish(undefined, '{}');
    assert.deepEqual([anonymous.status, anonymous.authenticate, anonymous.body.error.code], [401, 'Bearer', 'UNAUTHENTICATED']);
    const viewer = await publish(viewerKey, '{}');
    assert.deepEqual(viewer, { status: 403, authenticate: null, body: { error: { code: 'FORBIDDEN', message: 'a VIEWER key may not publish events' } } });
    const badType = await publish(svc.adminKey, '{"type": 1}');
    assert.deepEqual(badType, { status: 400, authenticate: null, body: { error: { code: 'BAD_USER_INPUT', message: 'type: required string', field: 'type' } } });
    const tooBig = await publish(svc.adminKey, JSON.stringify({ type: 'x', data: 'y'.repeat(3000) }));
    assert.deepEqual(tooBig.body, { error: { code: 'PAYLOAD_TOO_LARGE', message: 'request body exceeds 2048 bytes' } });
    const graphqlTooBig = await fetch(`${svc.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${svc.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ me { role } } # ${'x'.repeat(5000)}` }),
    });
    assert.deepEqual(await graphqlTooBig.json(), { error: { code: 'PAYLOAD_TOO_LARGE', message: 'request body exceeds 4096 bytes' } });
  });

  it('serves /v1/events and /hooks/{id} as Express matched them: any case, a trailing slash, a query; with a request id, counted under their routes', async () => {
    const publish = (path: string, body: string) => fetch(`${svc.url}${path}`, {
      method: 'POST', headers: { authorization: `Bearer ${svc.adminKey}`, 'content-type': 'application/json' }, body,
    });
    const event = JSON.stringify({ type: 'tool.called', data: { sessionId: 'ses_hot', tool: 't', arguments: {} } });
    for (const path of ['/v1/events', '/V1/Events', '/v1/events/', '/v1/events?x=1']) {
      const res = await publish(path, event);
      assert.equal(res.status, 202, path);
      assert.match(res.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/, path);
      assert.match(((await res.json()) as { id: string }).id, /^evt_/, path);
    }
    // What body-parser refuses keeps its answers: malformed JSON is a 400, and so is a bare string (strict).
    const malformed = await publish('/v1/events', '{"type":');
    assert.deepEqual([malformed.status, ((await malformed.json()) as any).error.code], [400, 'BAD_REQUEST']);
    const bare = await publish('/v1/events', '"tool.called"');
    assert.deepEqual([bare.status, ((await bare.json()) as any).error.code], [400, 'BAD_REQUEST']);
    // GET is not a hot route: Express answers it, as before.
    const get = await fetch(`${svc.url}/v1/events`, { headers: { authorization: `Bearer ${svc.adminKey}` } });
    assert.deepEqual([get.status, ((await get.json()) as any).error.code], [404, 'NOT_FOUND']);
    for (const path of ['/hooks/trg_unknown', '/HOOKS/trg_unknown/', '/hooks/trg_unknown?a=b']) {
      const res = await fetch(`${svc.url}${path}`, { method: 'POST', body: '{}' });
      assert.deepEqual([res.status, ((await res.json()) as any).error.code], [404, 'TRIGGER_NOT_FOUND'], path);
      assert.match(res.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/, path);
    }
    // Left to Express, whose routes call the same handlers: OPTIONS, and a request in absolute form.
    for (const path of ['/hooks/trg_unknown', '/v1/events']) {
      const options = await fetch(`${svc.url}${path}`, { method: 'OPTIONS' });
      assert.deepEqual([options.status, options.headers.get('allow')], [200, 'POST'], path);
    }
    const absolute = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const { hostname, port } = new URL(svc.url);
      const r = http.request({ hostname, port, method: 'POST', path: `http://${hostname}:${port}/hooks/trg_unknown` }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c)).on('end', () => resolve({ status: res.statusCode!, body }));
      });
      r.on('error', reject);
      r.end('{}');
    });
    assert.deepEqual([absolute.status, JSON.parse(absolute.body).error.code], [404, 'TRIGGER_NOT_FOUND']);
    const badEscape = await fetch(`${svc.url}/hooks/%E0%A4%A`, { method: 'POST', body: '{}' });
    assert.deepEqual([badEscape.status, ((await badEscape.json()) as any).error.code], [400, 'BAD_REQUEST']);
    const text = await (await fetch(`${svc.url}/metrics`)).text();
    assert.match(text, /^webhook_gateway_http_requests_total\{route="\/v1\/events",status="202"\} [4-9]$/m);
    assert.match(text, /^webhook_gateway_http_requests_total\{route="\/hooks\/:triggerId",status="404"\} [4-9]$/m);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await fetch(`${svc.url}/nope`);
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: { code: 'NOT_FOUND', message: 'no such route' } });
  });

  it('/readyz answers 503 with Retry-After while the database refuses connections, and recovers', async () => {
    const down = await refuseConnections(svc.databaseUrl);
    try {
      assert.ok(down.terminated.length > 0, 'the service had connections to lose');
      const res = await fetch(`${svc.url}/readyz`);
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '5');
      const body = (await res.json()) as any;
      assert.equal(body.status, 'unavailable');
      assert.equal(body.checks.database, 'unavailable');
      assert.equal((await fetch(`${svc.url}/healthz`)).status, 200, 'the process itself is still healthy');
    } finally {
      await down.restore();
    }
    const ready = await until(async () => {
      const res = await fetch(`${svc.url}/readyz`);
      return res.status === 200 ? res.json() : undefined;
    }, '/readyz to answer 200 again');
    assert.deepEqual(ready, { status: 'ok', checks: { database: 'ok', queue: 'ok' } });
  });
});
