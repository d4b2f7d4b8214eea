// How a key is checked and recorded: lastUsedAt is kept with at most one write per key per minute,
// and /v1/events checks the key before it reads the body.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { gql, gqlOk, openLiveSocket, startTestService, type TestService, within } from '../support/service.ts';

describe('API key use', () => {
  let svc: TestService;
  let db: pg.Client;
  before(async () => {
    svc = await startTestService({ INBOUND_MAX_BODY_BYTES: '2048' });
    db = new pg.Client({ connectionString: svc.databaseUrl });
    await db.connect();
  });
  after(async () => {
    await db.end();
    await svc.stop();
  });

  const createKey = async (name: string, role: string) => {
    const r = await gql(svc.url, svc.adminKey, 'mutation($n: String!, $r: ApiKeyRole!) { createApiKey(input: {name: $n, role: $r}) { key apiKey { id lastUsedAt } } }', { n: name, r: role });
    return { id: r.data!.createApiKey.apiKey.id as string, key: r.data!.createApiKey.key as string, lastUsedAt: r.data!.createApiKey.apiKey.lastUsedAt };
  };
  /** The row's last_used_at, and its xmin: a new xmin means the row was written again. */
  const row = async (id: string) =>
    (await db.query<{ last_used_at: Date | null; xmin: string }>('SELECT last_used_at, xmin::text FROM api_key WHERE id = $1', [id])).rows[0]!;

  it('sets lastUsedAt on use and writes it at most once a minute, from the uses that read the key from the database (HTTP, graphql-ws, /v1/events)', async () => {
    const viewer = await createKey('used', 'VIEWER');
    assert.equal(viewer.lastUsedAt, null);
    assert.equal((await gql(svc.url, viewer.key, '{ me { role } }')).data!.me.role, 'VIEWER');
    const first = await row(viewer.id);
    assert.ok(first.last_used_at, 'lastUsedAt set by the first use');
    const listed = await gql(svc.url, svc.adminKey, '{ apiKeys(first: 100) { edges { node { id lastUsedAt } } } }');
    assert.equal(listed.data!.apiKeys.edges.find((e: any) => e.node.id === viewer.id).node.lastUsedAt, first.last_used_at.toISOString());

    await Promise.all(Array.from({ length: 10 }, () => gql(svc.url, viewer.key, '{ me { role } }')));
    const live = await openLiveSocket(svc.url, viewer.key, 'subscription { auditAppended { id } }');
    await live.client.dispose();
    const again = await row(viewer.id);
    assert.equal(again.xmin, first.xmin, 'uses within the minute wrote the row again');
    assert.deepEqual(again.last_used_at, first.last_used_at);

    await db.query("UPDATE api_key SET last_used_at = now() - interval '2 minutes' WHERE id = $1", [viewer.id]);
    const backdated = await row(viewer.id);
    // Uses are served from the key cache for up to 5 s (SPEC §15); the first one read from the
    // database after that stamps it.
    await within((async () => {
      while (!((await row(viewer.id)).last_used_at! > backdated.last_used_at!)) {
        assert.equal((await gqlOk(svc.url, viewer.key, '{ me { role } }')).me.role, 'VIEWER');
        await new Promise((r) => setTimeout(r, 100));
      }
    })(), 15_000, 'a use a minute later stamping it again');

    const publisher = await createKey('publisher', 'PUBLISHER');
    const res = await fetch(`${svc.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${publisher.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'session.started', data: { sessionId: 'ses_x', agent: 'a' } }),
    });
    await res.arrayBuffer();
    assert.ok((await row(publisher.id)).last_used_at, 'a publish is a use');
  });
});

describe('/v1/events checks the key before the body', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ INBOUND_MAX_BODY_BYTES: '2048', EVENTS_MAX_BODY_BYTES: '2048' });
  });
  after(() => svc.stop());

  const send = async (key: string | undefined, body: string) => {
    const res = await fetch(`${svc.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body,
    });
    return { status: res.status, body: (await res.json()) as { error: { code: string } } };
  };

  it('answers 401 to a bad key whatever the body: malformed, over the limit, or missing', async () => {
    for (const key of [undefined, 'whk_unknownunknownunknownunknownunknown123']) {
      for (const body of ['{"type": ', 'x'.repeat(64 * 1024), '']) {
        const r = await send(key, body);
        assert.equal(r.status, 401, `key ${key}, body of ${body.length} bytes`);
        assert.equal(r.body.error.code, 'UNAUTHENTICATED');
      }
    }
  });

  it('still answers 400 and 413 to a good key', async () => {
    assert.equal((await send(svc.adminKey, '{"type": ')).status, 400);
    const big = await send(svc.adminKey, JSON.stringify({ type: 'x', data: 'y'.repeat(4096) }));
    assert.equal(big.status, 413);
    assert.equal(big.body.error.code, 'PAYLOAD_TOO_LARGE');
  });
});
