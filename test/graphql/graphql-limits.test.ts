// GraphQL's static limits (SPEC §11, §15): a depth rule linear in the document, a cost limit in
// which aliases and page sizes count, introspection off unless asked for. The hostile documents
// are sent to a gateway child process with a client timeout: a rule that spins blocks that
// process's event loop, and the test must fail, not hang the suite.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/platform/config.ts';
import { createTestDatabase, dropTestDatabase } from '../support/db.ts';
import { type GatewayOnDatabase, startGatewayOnDatabase } from '../support/process.ts';
import { gql, startTestService, wsClient } from '../support/service.ts';

const CLIENT_TIMEOUT_MS = 20_000;

/** F0 selects one field; each next fragment spreads the previous one twice: 2^n paths. */
function doublingFragments(n: number): string {
  let doc = `query Doubling { ...F${n} } fragment F0 on Query { me { role } } `;
  for (let i = 1; i <= n; i++) doc += `fragment F${i} on Query { ...F${i - 1} ...F${i - 1} } `;
  return doc;
}

/** Each fragment spreads the next: flat to parse, as deep as the chain is long to follow. */
function fragmentChain(n: number): string {
  let doc = '{ ...F0 } ';
  for (let i = 0; i < n; i++) doc += `fragment F${i} on Query { ${i + 1 < n ? `...F${i + 1}` : 'me { role }'} } `;
  return doc;
}

/** `levels` selections or list values inside one another. */
const nested = (levels: number, shape: 'field' | 'inline fragment' | 'list') =>
  shape === 'field' ? `{ ${'me { '.repeat(levels)}role${' }'.repeat(levels)} }`
    : shape === 'inline fragment' ? `{ ${'... on Query { '.repeat(levels)}me { role }${' }'.repeat(levels)} }`
      : `{ node(id: ${'['.repeat(levels)}"x"${']'.repeat(levels)}) { id } }`;

const aliased = (count: number, field: string) => `{ ${Array.from({ length: count }, (_, i) => `a${i}: ${field}`).join(' ')} }`;

const DASHBOARD = '{ deliveries(first: 100) { edges { node { event { type } subscription { url } attempts { statusCode } } } } }';

async function post(url: string, key: string, query: string) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
  });
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> } };
}

/** One operation over graphql-ws: its errors (or data), or a rejection when the timeout passes. */
async function overWs(url: string, key: string, query: string): Promise<{ data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> }> {
  const client = wsClient(url, key);
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer over graphql-ws within ${CLIENT_TIMEOUT_MS} ms`)), CLIENT_TIMEOUT_MS);
      let result: any;
      client.subscribe({ query }, {
        next: (r) => (result = r),
        error: (errors) => { clearTimeout(timer); resolve(Array.isArray(errors) ? { errors } : { errors: [{ message: String((errors as any)?.reason ?? errors) }] }); },
        complete: () => { clearTimeout(timer); resolve(result); },
      });
    });
  } finally {
    await client.dispose();
  }
}

describe('GraphQL limits on a gateway process (DATABASE_URL, default settings)', () => {
  let databaseUrl: string;
  let gw: GatewayOnDatabase;
  before(async () => {
    databaseUrl = await createTestDatabase();
    gw = await startGatewayOnDatabase(databaseUrl);
  });
  after(async () => {
    await gw?.stop();
    await dropTestDatabase(databaseUrl);
  });

  it('refuses 24 fragments that each spread the previous one twice with a validation error, over HTTP', async () => {
    const r = await post(gw.url, gw.adminKey, doublingFragments(24));
    assert.equal(r.status, 400);
    assert.equal(r.body.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(r.body.errors![0]!.message, /^query cost \S+ exceeds the limit of 1500/);
    // The process is free for the next request.
    assert.equal((await post(gw.url, gw.adminKey, '{ me { role } }')).body.data.me.role, 'ADMIN');
  });

  it('refuses the same document over graphql-ws', async () => {
    const r = await overWs(gw.url, gw.adminKey, doublingFragments(24));
    assert.equal(r.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(r.errors![0]!.message, /query cost \S+ exceeds the limit of 1500/);
  });

  // The parser and validation recurse once per level: nested a few thousand levels deep, a document
  // overflowed the stack in validation, which Apollo answered 500 and graphql-ws with a closed socket.
  it('refuses a document nested more than 256 levels deep, fragments followed, with 400 before parsing it, never 500, over HTTP POST and GET and graphql-ws', async () => {
    // A fragment named like a keyword is still a fragment.
    const documents = [fragmentChain(257), fragmentChain(20_000), fragmentChain(20_000).replaceAll('F10000', 'query')];
    for (const shape of ['field', 'inline fragment', 'list'] as const) {
      for (let levels = 300; levels <= 9_000; levels += levels < 2_000 ? 100 : 500) documents.push(nested(levels, shape));
      documents.push(nested(20_000, shape));
    }
    for (const doc of documents) {
      const r = await post(gw.url, gw.adminKey, doc);
      assert.equal(r.status, 400, `${doc.slice(0, 40)}… (${doc.length} characters): ${JSON.stringify(r.body.errors)}`);
      assert.equal(r.body.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED', doc.slice(0, 40));
      assert.match(r.body.errors![0]!.message, /nested more than 256 levels deep/);
    }
    const get = await fetch(`${gw.url}/graphql?${new URLSearchParams({ query: nested(1_000, 'list') })}`, {
      headers: { authorization: `Bearer ${gw.adminKey}` },
      signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
    });
    assert.equal(get.status, 400);
    assert.match(((await get.json()) as any).errors[0].message, /nested more than 256 levels deep/);
    for (const doc of [fragmentChain(20_000), nested(5_000, 'inline fragment')]) {
      const ws = await overWs(gw.url, gw.adminKey, doc);
      assert.equal(ws.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED', JSON.stringify(ws.errors));
      assert.match(ws.errors![0]!.message, /nested more than 256 levels deep/);
    }
    // Within the limit, deep nesting is the depth rule's to judge, and fragments are followed.
    const within = await post(gw.url, gw.adminKey, nested(250, 'inline fragment'));
    assert.equal(within.status, 200, JSON.stringify(within.body.errors));
    assert.equal(within.body.data.me.role, 'ADMIN');
    assert.equal((await post(gw.url, gw.adminKey, fragmentChain(200))).body.data.me.role, 'ADMIN');
  });

  it('refuses 2,000 aliased fields, naming the cost and the limit, over HTTP and graphql-ws', async () => {
    for (const field of ['__typename', 'me { role }']) {
      const http = await post(gw.url, gw.adminKey, aliased(2000, field));
      assert.equal(http.status, 400);
      assert.equal(http.body.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
      assert.match(http.body.errors![0]!.message, /^query cost (2000|4000) exceeds the limit of 1500/);
      const ws = await overWs(gw.url, gw.adminKey, aliased(2000, field));
      assert.equal(ws.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
      assert.match(ws.errors![0]!.message, /^query cost (2000|4000) exceeds the limit of 1500/);
    }
  });

  it('counts a page size given by a variable as the largest page, whatever its value or default', async () => {
    const page = 'deliveries(first: $n) { edges { node { id status } } }'; // 1 + 1 + 100 x 3 = 302
    const fivePages = `query($n: Int = 1) { ${['a', 'b', 'c', 'd', 'e'].map((a) => `${a}: ${page}`).join(' ')} }`;
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${gw.adminKey}` },
      body: JSON.stringify({ query: fivePages, variables: { n: 1 } }),
      signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
    });
    const body = (await res.json()) as any;
    assert.equal(body.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(body.errors[0].message, /^query cost 1510 exceeds the limit of 1500/);
    const one = await post(gw.url, gw.adminKey, `query($n: Int = 1) { ${page} }`);
    assert.equal(one.status, 200, JSON.stringify(one.body.errors));
    assert.deepEqual(one.body, { data: { deliveries: { edges: [] } } }, 'one such page is within the limit');
  });

  it('accepts a dashboard query: 100 deliveries with their event, subscription and attempts', async () => {
    const r = await post(gw.url, gw.adminKey, DASHBOARD);
    assert.equal(r.status, 200, JSON.stringify(r.body.errors));
    assert.deepEqual(r.body.data, { deliveries: { edges: [] } });
    const ws = await overWs(gw.url, gw.adminKey, DASHBOARD);
    assert.deepEqual(ws, { data: { deliveries: { edges: [] } } });
  });

  it('refuses introspection by default with DATABASE_URL, over HTTP and graphql-ws', async () => {
    const http = await post(gw.url, gw.adminKey, '{ __schema { queryType { name } } }');
    assert.equal(http.status, 400);
    assert.equal(http.body.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(http.body.errors![0]!.message, /introspection/i);
    const ws = await overWs(gw.url, gw.adminKey, '{ __type(name: "Trigger") { name } }');
    assert.equal(ws.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(ws.errors![0]!.message, /introspection/i);
    // __typename is not introspection of the schema: clients rely on it.
    assert.equal((await post(gw.url, gw.adminKey, '{ __typename }')).body.data.__typename, 'Query');
  });
});

describe('GRAPHQL_INTROSPECTION', () => {
  it('answers introspection over HTTP and graphql-ws when set to true', async () => {
    const svc = await startTestService({ GRAPHQL_INTROSPECTION: 'true' });
    try {
      const http = await gql(svc.url, svc.adminKey, '{ __schema { queryType { name } } }');
      assert.deepEqual(http.data, { __schema: { queryType: { name: 'Query' } } });
      const ws = await overWs(svc.url, svc.adminKey, '{ __type(name: "Trigger") { name } }');
      assert.deepEqual(ws, { data: { __type: { name: 'Trigger' } } });
    } finally {
      await svc.stop();
    }
  });

  it('defaults to on in embedded mode (no DATABASE_URL) and off with DATABASE_URL', () => {
    assert.equal(loadConfig({}, []).graphqlIntrospection, true);
    const external = { DATABASE_URL: 'postgres://localhost/x', MASTER_KEY: Buffer.alloc(32, 1).toString('base64') };
    assert.equal(loadConfig(external, []).graphqlIntrospection, false);
    assert.equal(loadConfig({ ...external, GRAPHQL_INTROSPECTION: 'true' }, []).graphqlIntrospection, true);
    assert.equal(loadConfig({ GRAPHQL_INTROSPECTION: 'false' }, []).graphqlIntrospection, false);
  });
});
