// SPEC §4: a key never sees or touches another workspace's objects, and each role keeps to its
// rights, over HTTP GraphQL and graphql-ws alike.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { notify } from '../../src/platform/realtime.ts';
import { createWorkspace } from '../../src/workspaces/workspaces.ts';
import { gql, gqlOk, openLiveSocket, startTestService, type TestService, untilLive, within, wsClient } from '../support/service.ts';

const ME = '{ me { role workspace { id name } apiKey { id } } }';

describe('workspace isolation and roles', () => {
  let svc: TestService;
  const a: Record<string, string> = {};
  const b: Record<string, string> = {};
  let workspaceB: string;

  before(async () => {
    svc = await startTestService();
    a.ADMIN = svc.adminKey;
    const created = await createWorkspace(svc.services.db, 'second');
    workspaceB = created.workspace.id;
    b.ADMIN = created.adminKey;
    for (const [keys, ws] of [[a, 'A'], [b, 'B']] as const) {
      for (const role of ['VIEWER', 'PUBLISHER'] as const) {
        const r = await gql(svc.url, keys.ADMIN, 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key apiKey { id role } } }', { i: { name: `${ws}-${role}`, role } });
        assert.equal(r.data!.createApiKey.apiKey.role, role);
        keys[role] = r.data!.createApiKey.key;
      }
    }
  });
  after(() => svc.stop());

  it('answers each key with its own workspace', async () => {
    const ra = await gql(svc.url, a.ADMIN, ME);
    const rb = await gql(svc.url, b.ADMIN, ME);
    assert.equal(ra.data!.me.workspace.id, svc.workspaceId);
    assert.equal(rb.data!.me.workspace.id, workspaceB);
    assert.equal(rb.data!.me.workspace.name, 'second');
  });

  it('lists only its own workspace\'s API keys', async () => {
    const ra = await gql(svc.url, a.ADMIN, '{ apiKeys(first: 100) { edges { node { id name } } } }');
    const names = ra.data!.apiKeys.edges.map((e: any) => e.node.name).sort();
    assert.deepEqual(names, ['A-PUBLISHER', 'A-VIEWER', 'admin']);
  });

  it('resolves node(id:) only within the caller\'s workspace: another workspace\'s id is null, like a missing one', async () => {
    const keysB = await gql(svc.url, b.ADMIN, '{ apiKeys(first: 10) { edges { node { id } } } }');
    const keyOfB = keysB.data!.apiKeys.edges[0].node.id as string;
    const fromA = await gql(svc.url, a.ADMIN, 'query($id: ID!) { node(id: $id) { id } }', { id: keyOfB });
    assert.deepEqual(fromA.data, { node: null });
    const wsFromA = await gql(svc.url, a.ADMIN, 'query($id: ID!) { node(id: $id) { id } }', { id: workspaceB });
    assert.deepEqual(wsFromA.data, { node: null });
    const own = await gql(svc.url, b.ADMIN, 'query($id: ID!) { node(id: $id) { id ... on ApiKey { name } } }', { id: keyOfB });
    assert.equal(own.data!.node.id, keyOfB);
    const ownWs = await gql(svc.url, b.ADMIN, 'query($id: ID!) { node(id: $id) { __typename id ... on Workspace { name } } }', { id: workspaceB });
    assert.deepEqual(ownWs.data!.node, { __typename: 'Workspace', id: workspaceB, name: 'second' });
    const garbage = await gql(svc.url, a.ADMIN, '{ node(id: "not-an-id") { id } }');
    assert.deepEqual(garbage.data, { node: null });
  });

  it('cannot revoke another workspace\'s key: NOT_FOUND, and the key keeps working', async () => {
    const meB = await gql(svc.url, b.VIEWER, ME);
    const viewerKeyIdOfB = meB.data!.me.apiKey.id as string;
    const r = await gql(svc.url, a.ADMIN, 'mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { id } } }', { id: viewerKeyIdOfB });
    assert.equal(r.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    assert.equal(r.data, null);
    assert.equal((await gqlOk(svc.url, b.VIEWER, ME)).me.apiKey.id, viewerKeyIdOfB, 'the key still works');
    const { rows } = await svc.services.pool.query('SELECT revoked_at FROM api_key WHERE id = $1', [viewerKeyIdOfB]);
    assert.deepEqual(rows, [{ revoked_at: null }]);
  });

  it('holds VIEWER to reading: no key management, no mutations', async () => {
    const me = await gql(svc.url, a.VIEWER, ME);
    assert.equal(me.data!.me.role, 'VIEWER');
    const create = await gql(svc.url, a.VIEWER, 'mutation { createApiKey(input: {name: "x", role: ADMIN}) { key } }');
    assert.equal(create.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const list = await gql(svc.url, a.VIEWER, '{ apiKeys { edges { node { id } } } }');
    assert.equal(list.errors?.[0]?.extensions?.code, 'FORBIDDEN');
  });

  it('holds PUBLISHER to publishing: it may not read objects or manage keys', async () => {
    const node = await gql(svc.url, a.PUBLISHER, 'query($id: ID!) { node(id: $id) { id } }', { id: svc.workspaceId });
    assert.equal(node.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const create = await gql(svc.url, a.PUBLISHER, 'mutation { createApiKey(input: {name: "x", role: ADMIN}) { key } }');
    assert.equal(create.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const me = await gql(svc.url, a.PUBLISHER, '{ me { role } }');
    assert.deepEqual(me.data, { me: { role: 'PUBLISHER' } });
  });

  it('holds PUBLISHER out of live subscriptions', async () => {
    const client = wsClient(svc.url, a.PUBLISHER);
    try {
      // graphql-ws reports a refused subscription as a result carrying errors, or as an error message.
      const outcome: any = await new Promise((resolve) =>
        client.subscribe({ query: 'subscription { auditAppended { id } }' }, { next: resolve, error: resolve, complete: () => resolve('completed') }),
      );
      const errors = Array.isArray(outcome) ? outcome : outcome?.errors;
      assert.equal(errors?.[0]?.extensions?.code, 'FORBIDDEN');
      assert.equal(outcome?.data ?? null, null);
    } finally {
      await client.dispose();
    }
  });

  it('delivers live audit entries only to subscribers of the same workspace', async () => {
    const query = 'subscription { auditAppended { id seq outcome } }';
    const onA = await openLiveSocket(svc.url, a.VIEWER!, query);
    const onB = await openLiveSocket(svc.url, b.VIEWER!, query);
    try {
      const entry = (workspaceId: string, id: string, seq: number) => ({
        id, workspaceId, seq, direction: 'INBOUND', triggerId: null, subscriptionId: null, deliveryId: null, eventType: null,
        headersSha256: 'h', payloadSha256: 'p', occurredAt: new Date().toISOString(), durationMs: 1, attempt: null, statusCode: 202,
        outcome: 'ACCEPTED', errorClass: null, sourceIp: '127.0.0.1', hash: 'x',
      });
      const publish = (workspaceId: string, id: string, seq: number) =>
        notify(svc.services.pool, [{ topic: 'audit.appended', workspaceId, data: entry(workspaceId, id, seq) }]);
      let probes = 0;
      await untilLive([onA, onB], async () => {
        const n = probes++;
        await publish(svc.workspaceId, `aud_probe_a${n}`, 1000 + n);
        await publish(workspaceB, `aud_probe_b${n}`, 1000 + n);
      });
      await publish(svc.workspaceId, 'aud_for_a', 7);
      // Sent after A's entry, so B's socket has had A's entry (if it were to get it) by the time
      // this one comes out of it: notifications arrive in commit order.
      await publish(workspaceB, 'aud_for_b', 9);
      const ids = (s: typeof onA) => s.received.map((m) => m.data.auditAppended.id as string);
      await within(onA.until(() => ids(onA).includes('aud_for_a')), 15_000, 'A\'s entry on A\'s socket');
      await within(onB.until(() => ids(onB).includes('aud_for_b')), 15_000, 'B\'s entry on B\'s socket');
      assert.deepEqual(onA.received.find((m) => m.data.auditAppended.id === 'aud_for_a').data.auditAppended, { id: 'aud_for_a', seq: '7', outcome: 'ACCEPTED' });
      assert.ok(ids(onB).every((id) => id === 'aud_for_b' || id.startsWith('aud_probe_b')), `workspace B received another workspace's entry: ${ids(onB)}`);
      assert.ok(ids(onA).every((id) => id === 'aud_for_a' || id.startsWith('aud_probe_a')), `workspace A received another workspace's entry: ${ids(onA)}`);
    } finally {
      await Promise.all([onA.client.dispose(), onB.client.dispose()]);
    }
  });

  it('stops a revoked key at once, over HTTP and graphql-ws', async () => {
    const created = await gql(svc.url, a.ADMIN, 'mutation { createApiKey(input: {name: "short-lived", role: VIEWER}) { key apiKey { id } } }');
    const { key, apiKey } = created.data!.createApiKey;
    assert.equal((await gqlOk(svc.url, key, ME)).me.apiKey.id, apiKey.id);
    const revoked = await gql(svc.url, a.ADMIN, 'mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { revokedAt } } }', { id: apiKey.id });
    assert.ok(revoked.data!.revokeApiKey.apiKey.revokedAt);
    const after = await gql(svc.url, key, ME);
    assert.equal(after.status, 401);
    assert.equal(after.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    const listed = await gql(svc.url, a.ADMIN, '{ apiKeys(first: 100) { edges { node { id } } } }');
    assert.ok(!listed.data!.apiKeys.edges.some((e: any) => e.node.id === apiKey.id), 'revoked keys are hidden by default');
    const client = wsClient(svc.url, key);
    try {
      await assert.rejects(
        new Promise((resolve, reject) => client.subscribe({ query: 'subscription { auditAppended { id } }' }, { next: resolve, error: reject, complete: () => resolve(undefined) })),
        (err: any) => err?.code === 4403,
      );
    } finally {
      await client.dispose();
    }
  });

  it('refuses a key revoking itself', async () => {
    const me = await gql(svc.url, a.ADMIN, ME);
    const r = await gql(svc.url, a.ADMIN, 'mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { id } } }', { id: me.data!.me.apiKey.id });
    assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(r.errors?.[0]?.extensions?.field, 'id');
  });
});
