// Revoking an API key ends what it has open (SPEC §15): its graphql-ws sockets close with 4403
// before revokeApiKey answers on the replica that revoked it, and when the NOTIFY arrives on the
// others; an operation sent on such a socket is refused whatever the timing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { CHANNEL } from '../../src/platform/realtime.ts';
import { gql, openLiveSocket, startTestService, type TestService, untilLive, within } from '../support/service.ts';

const AUDIT = 'subscription { auditAppended { id } }';
const WAIT_MS = 15_000;

async function createKey(svc: TestService, name: string, role: string): Promise<{ id: string; key: string }> {
  const r = await gql(svc.url, svc.adminKey, 'mutation($n: String!, $r: ApiKeyRole!) { createApiKey(input: {name: $n, role: $r}) { key apiKey { id } } }', { n: name, r: role });
  return { id: r.data!.createApiKey.apiKey.id, key: r.data!.createApiKey.key };
}

async function revokedClosures(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^webhook_gateway_graphql_ws_closed_total\{reason="revoked"\} (\d+)$/m.exec(text)?.[1] ?? 0);
}

describe('revoking an API key with open graphql-ws sockets', () => {
  let a: TestService;
  let b: TestService;
  let db: pg.Client;
  before(async () => {
    a = await startTestService();
    b = await startTestService({ DATABASE_URL: a.databaseUrl });
    db = new pg.Client({ connectionString: a.databaseUrl });
    await db.connect();
  });
  after(async () => {
    await db.end();
    await b.stop();
    await a.stop();
  });

  it('closes the key\'s sockets on both replicas with 4403; another key\'s socket keeps receiving', async () => {
    const doomed = await createKey(a, 'doomed', 'VIEWER');
    const other = await createKey(a, 'other', 'VIEWER');
    const onA = await openLiveSocket(a.url, doomed.key, AUDIT);
    const onB = await openLiveSocket(b.url, doomed.key, AUDIT);
    const control = await openLiveSocket(b.url, other.key, AUDIT);
    try {
      let probes = 0;
      await untilLive([onA, onB, control], () =>
        db.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify({ topic: 'audit.appended', workspaceId: a.workspaceId, data: { id: `aud_probe_${probes++}` } })]));
      const before = await revokedClosures(a.url);
      const r = await gql(a.url, a.adminKey, 'mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { revokedAt } } }', { id: doomed.id });
      assert.ok(r.data!.revokeApiKey.apiKey.revokedAt);
      // Counted when the close is sent: on the revoking replica, before the mutation answered.
      assert.equal(await revokedClosures(a.url), before + 1);

      assert.deepEqual(await within(onA.closed, WAIT_MS, 'socket on the revoking replica closed'), { code: 4403, reason: 'Forbidden: API key revoked' });
      assert.deepEqual(await within(onB.closed, WAIT_MS, 'socket on the other replica closed'), { code: 4403, reason: 'Forbidden: API key revoked' });

      await db.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify({ topic: 'audit.appended', workspaceId: a.workspaceId, data: { id: 'aud_control' } })]);
      await within(control.until((got) => got.some((m) => m.data?.auditAppended?.id === 'aud_control')), WAIT_MS, 'the other key\'s socket received');
    } finally {
      await Promise.all([onA.client.dispose(), onB.client.dispose(), control.client.dispose()]);
    }
  });

  it('refuses a mutation sent on a socket whose key was revoked without a notification reaching it', async () => {
    const admin = await createKey(a, 'admin-2', 'ADMIN');
    const live = await openLiveSocket(a.url, admin.key, AUDIT);
    try {
      // As if another replica revoked it and the NOTIFY were lost: the socket is still open.
      await db.query('UPDATE api_key SET revoked_at = now() WHERE id = $1', [admin.id]);
      const outcome = await within(new Promise<unknown>((resolve) => {
        live.client.subscribe(
          { query: 'mutation { createApiKey(input: {name: "made-after-revocation", role: ADMIN}) { key } }' },
          { next: (r) => resolve(r), error: (e) => resolve(e), complete: () => {} },
        );
      }), WAIT_MS, 'an answer to the mutation');
      const errors = Array.isArray(outcome) ? outcome : undefined;
      assert.ok(errors || (outcome as { code?: number }).code === 4403, `refused, got ${JSON.stringify(outcome)}`);
      if (errors) assert.equal(errors[0].extensions?.code, 'UNAUTHENTICATED');
      assert.deepEqual(await within(live.closed, WAIT_MS, 'socket closed'), { code: 4403, reason: 'Forbidden: API key revoked' });
      const made = await db.query('SELECT 1 FROM api_key WHERE name = $1', ['made-after-revocation']);
      assert.equal(made.rowCount, 0, 'the revoked key created a key');
    } finally {
      await live.client.dispose();
    }
  });

  it('reads a key from the database once, then from the process\'s cache; revoked on one replica, it is refused there at once and on the other when the NOTIFY arrives', async () => {
    const key = await createKey(a, 'cached', 'VIEWER');
    const ask = (svc: TestService) => gql(svc.url, key.key, '{ me { workspace { id } } }');
    const before = await keyLookups(a.url);
    for (let i = 0; i < 5; i++) assert.equal((await ask(a)).status, 200);
    const after = await keyLookups(a.url);
    assert.deepEqual([after.miss - before.miss, after.hit - before.hit], [1, 4], 'one query, then memory');
    assert.equal((await ask(b)).status, 200, 'cached on the other replica too');

    await gql(a.url, a.adminKey, 'mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { id } } }', { id: key.id });
    assert.equal((await ask(a)).status, 401, 'refused on the revoking replica as soon as the revocation answered');
    await within((async () => {
      while ((await ask(b)).status !== 401) await new Promise((r) => setTimeout(r, 20));
    })(), WAIT_MS, 'the other replica refusing the key');
  });
});

async function keyLookups(url: string): Promise<{ hit: number; miss: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const count = (result: string) => Number(new RegExp(`^webhook_gateway_key_lookups_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  return { hit: count('hit'), miss: count('miss') };
}
