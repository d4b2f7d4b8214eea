// Console links and sessions (SPEC §12, §13, §15) through the public surface: createConsoleLink and
// revokeConsoleLink over GraphQL, the one-time exchange at POST /v1/console/session, the session as a
// bearer token on GraphQL and graphql-ws, and its revocation closing open sockets.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { CHANNEL } from '../../src/platform/realtime.ts';
import { gql, gqlOk, openLiveSocket, startTestService, type TestService, untilLive, within } from '../support/service.ts';

const CREATE_LINK = 'mutation($role: ApiKeyRole, $ttl: Int) { createConsoleLink(input: {role: $role, ttlMinutes: $ttl}) { id url expiresAt } }';
const REVOKE_LINK = 'mutation($id: ID!) { revokeConsoleLink(input: {id: $id}) { id revokedAt } }';
const AUDIT = 'subscription { auditAppended { id } }';
const WAIT_MS = 15_000;

interface Session { token: string; sessionId: string; role: string; expiresAt: string; workspace: { id: string; name: string } }

async function revokedClosures(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^webhook_gateway_graphql_ws_closed_total\{reason="revoked"\} (\d+)$/m.exec(text)?.[1] ?? 0);
}

const tokenOf = (url: string) => /#link=(wcl_[\w-]+)$/.exec(url)![1]!;

async function exchange(svc: TestService, token: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${svc.url}/v1/console/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
  return { status: res.status, body: await res.json() };
}

async function createLink(svc: TestService, key: string, role = 'VIEWER', ttl = 60): Promise<{ id: string; url: string; token: string; expiresAt: string }> {
  const { createConsoleLink } = await gqlOk(svc.url, key, CREATE_LINK, { role, ttl });
  return { ...createConsoleLink, token: tokenOf(createConsoleLink.url) };
}

async function signIn(svc: TestService, role = 'VIEWER'): Promise<{ link: { id: string }; session: Session }> {
  const link = await createLink(svc, svc.adminKey, role);
  const r = await exchange(svc, link.token);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { link, session: r.body as Session };
}

describe('console links and sessions', () => {
  let svc: TestService;
  let db: pg.Client;
  before(async () => {
    svc = await startTestService({ PUBLIC_URL: 'https://gateway.example.com' });
    db = new pg.Client({ connectionString: svc.databaseUrl });
    await db.connect();
  });
  after(async () => {
    await db.end();
    await svc.stop();
  });

  it('createConsoleLink makes a csl_ link on PUBLIC_URL/console with the token in the fragment, stored hashed, VIEWER by default', async () => {
    const { createConsoleLink: link } = await gqlOk(svc.url, svc.adminKey, 'mutation { createConsoleLink(input: {}) { id url expiresAt } }');
    assert.match(link.id, /^csl_\w{26}$/);
    assert.match(link.url, /^https:\/\/gateway\.example\.com\/console\/#link=wcl_[\w-]{43}$/);
    const minutes = (Date.parse(link.expiresAt) - Date.now()) / 60_000;
    assert.ok(minutes > 58 && minutes <= 60, `expires in ${minutes} minutes`);
    const node = await gqlOk(svc.url, svc.adminKey, 'query($id: ID!) { node(id: $id) { __typename ... on ConsoleLink { id role status } } }', { id: link.id });
    assert.deepEqual(node.node, { __typename: 'ConsoleLink', id: link.id, role: 'VIEWER', status: 'UNUSED' });
    const token = tokenOf(link.url);
    const row = (await db.query('SELECT role, hash FROM console_link WHERE id = $1', [link.id])).rows[0];
    assert.equal(row.role, 'VIEWER');
    assert.equal(row.hash, createHash('sha256').update(token).digest('hex'));
    const anywhere = await db.query("SELECT 1 FROM console_link WHERE row_to_json(console_link)::text LIKE '%' || $1 || '%'", [token]);
    assert.equal(anywhere.rowCount, 0, 'the token itself is stored');
  });

  it('refuses a PUBLISHER link naming role, a ttlMinutes outside 1-1440 naming ttlMinutes, and any caller but an ADMIN', async () => {
    const publisher = await gql(svc.url, svc.adminKey, CREATE_LINK, { role: 'PUBLISHER', ttl: 60 });
    assert.equal(publisher.errors![0]!.extensions!.code, 'BAD_USER_INPUT');
    assert.equal(publisher.errors![0]!.extensions!.field, 'role');
    for (const ttl of [0, 1441, -5]) {
      const r = await gql(svc.url, svc.adminKey, CREATE_LINK, { role: 'VIEWER', ttl });
      assert.equal(r.errors![0]!.extensions!.field, 'ttlMinutes', `ttl ${ttl}`);
    }
    for (const role of ['VIEWER', 'PUBLISHER']) {
      const { createApiKey } = await gqlOk(svc.url, svc.adminKey, 'mutation($r: ApiKeyRole!) { createApiKey(input: {name: "k", role: $r}) { key } }', { r: role });
      const r = await gql(svc.url, createApiKey.key, CREATE_LINK, { role: 'VIEWER', ttl: 60 });
      assert.equal(r.errors![0]!.extensions!.code, 'FORBIDDEN', role);
    }
    const viewerSession = (await signIn(svc, 'VIEWER')).session;
    const bySession = await gql(svc.url, viewerSession.token, CREATE_LINK, { role: 'VIEWER', ttl: 60 });
    assert.equal(bySession.errors![0]!.extensions!.code, 'FORBIDDEN');
  });

  it('exchanges a link once for a 12-hour session of its workspace and role that works as a bearer token', async () => {
    const link = await createLink(svc, svc.adminKey, 'ADMIN');
    const first = await exchange(svc, link.token);
    assert.equal(first.status, 201);
    const session = first.body as Session;
    assert.match(session.token, /^wcs_/);
    assert.equal(session.role, 'ADMIN');
    assert.deepEqual(session.workspace, { id: svc.workspaceId, name: 'default' });
    const hours = (Date.parse(session.expiresAt) - Date.now()) / 3_600_000;
    assert.ok(hours > 11.9 && hours <= 12, `lasts ${hours} hours`);

    const me = await gqlOk(svc.url, session.token, '{ me { role workspace { name } apiKey { id kind consoleLinkId expiresAt } } }');
    assert.deepEqual(me.me, {
      role: 'ADMIN', workspace: { name: 'default' },
      apiKey: { id: session.sessionId, kind: 'CONSOLE_SESSION', consoleLinkId: link.id, expiresAt: session.expiresAt },
    });
    // An ADMIN session does what an ADMIN key does.
    await gqlOk(svc.url, session.token, 'mutation { createTrigger(input: {name: "by-console", agent: "a", inputs: []}) { trigger { id } } }');

    const again = await exchange(svc, link.token);
    assert.equal(again.status, 410);
    assert.equal(again.body.error.code, 'CONSOLE_LINK_USED');

    const stored = (await db.query('SELECT hash FROM api_key WHERE id = $1', [session.sessionId])).rows[0];
    assert.equal(stored.hash, createHash('sha256').update(session.token).digest('hex'));
  });

  it('lets exactly one of several concurrent exchanges of the same link win', async () => {
    const link = await createLink(svc, svc.adminKey);
    const results = await Promise.all(Array.from({ length: 6 }, () => exchange(svc, link.token)));
    assert.deepEqual(results.map((r) => r.status).sort(), [201, 410, 410, 410, 410, 410]);
    const sessions = await db.query('SELECT id FROM api_key WHERE console_link_id = $1', [link.id]);
    assert.equal(sessions.rowCount, 1);
  });

  it('refuses unknown, revoked and expired links with their own codes, and a body without a token', async () => {
    const unknown = await exchange(svc, 'wcl_not-a-real-token');
    assert.deepEqual([unknown.status, unknown.body.error.code], [404, 'CONSOLE_LINK_NOT_FOUND']);

    const revoked = await createLink(svc, svc.adminKey);
    const r = await gqlOk(svc.url, svc.adminKey, REVOKE_LINK, { id: revoked.id });
    assert.equal(r.revokeConsoleLink.id, revoked.id);
    assert.ok(r.revokeConsoleLink.revokedAt);
    const refusedRevoked = await exchange(svc, revoked.token);
    assert.deepEqual([refusedRevoked.status, refusedRevoked.body.error.code], [410, 'CONSOLE_LINK_REVOKED']);

    const expired = await createLink(svc, svc.adminKey, 'VIEWER', 1);
    await db.query("UPDATE console_link SET expires_at = now() - interval '1 second' WHERE id = $1", [expired.id]);
    const refusedExpired = await exchange(svc, expired.token);
    assert.deepEqual([refusedExpired.status, refusedExpired.body.error.code], [410, 'CONSOLE_LINK_EXPIRED']);

    const noToken = await fetch(`${svc.url}/v1/console/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(noToken.status, 400);
    assert.equal(((await noToken.json()) as any).error.field, 'token');

    const links = await gqlOk(svc.url, svc.adminKey, '{ consoleLinks(first: 100, includeInactive: true) { edges { node { id status } } } }');
    const status = new Map(links.consoleLinks.edges.map((e: any) => [e.node.id, e.node.status]));
    assert.equal(status.get(revoked.id), 'REVOKED');
    assert.equal(status.get(expired.id), 'EXPIRED');
    // By default only links that still open something.
    const fresh = await createLink(svc, svc.adminKey);
    const active = await gqlOk(svc.url, svc.adminKey, '{ consoleLinks(first: 100) { edges { node { id status } } } }');
    const activeIds = active.consoleLinks.edges.map((e: any) => e.node.id);
    assert.ok(activeIds.includes(fresh.id));
    assert.ok(!activeIds.includes(revoked.id) && !activeIds.includes(expired.id));
  });

  it('lists sessions beside API keys; a VIEWER session reads but may not change the workspace', async () => {
    const { session } = await signIn(svc, 'VIEWER');
    const keys = await gqlOk(svc.url, svc.adminKey, '{ apiKeys(first: 100) { edges { node { id kind role prefix } } } }');
    const listed = keys.apiKeys.edges.map((e: any) => e.node).find((k: any) => k.id === session.sessionId);
    assert.deepEqual(listed, { id: session.sessionId, kind: 'CONSOLE_SESSION', role: 'VIEWER', prefix: session.token.slice(0, 12) });
    await gqlOk(svc.url, session.token, '{ triggers { edges { node { id } } } }');
    const refused = await gql(svc.url, session.token, 'mutation { createTrigger(input: {name: "viewer-made", agent: "a", inputs: []}) { trigger { id } } }');
    assert.equal(refused.errors![0]!.extensions!.code, 'FORBIDDEN');
  });

  it('refuses an expired session like a revoked key, and drops it from the list of live keys', async () => {
    const { session } = await signIn(svc, 'VIEWER');
    await db.query("UPDATE api_key SET expires_at = now() - interval '1 second' WHERE id = $1", [session.sessionId]);
    const r = await gql(svc.url, session.token, '{ me { role } }');
    assert.equal(r.errors![0]!.extensions!.code, 'UNAUTHENTICATED');
    const keys = await gqlOk(svc.url, svc.adminKey, '{ apiKeys(first: 100) { edges { node { id } } } }');
    assert.ok(!keys.apiKeys.edges.some((e: any) => e.node.id === session.sessionId));
  });

  it('closes a session\'s open sockets once it expires (the sockets\' periodic key check)', async () => {
    const { session } = await signIn(svc, 'VIEWER');
    const socket = await openLiveSocket(svc.url, session.token, AUDIT);
    try {
      await db.query("UPDATE api_key SET expires_at = now() - interval '1 second' WHERE id = $1", [session.sessionId]);
      assert.deepEqual(await within(socket.closed, WAIT_MS, 'the expired session\'s socket closed'), { code: 4403, reason: 'Forbidden: API key revoked' });
    } finally {
      await socket.client.dispose();
    }
  });

  it('revokeConsoleLink on a used link ends its session and closes the session\'s sockets before it answers', async () => {
    const { link, session } = await signIn(svc, 'VIEWER');
    const other = await signIn(svc, 'VIEWER');
    const doomed = await openLiveSocket(svc.url, session.token, AUDIT);
    const control = await openLiveSocket(svc.url, other.session.token, AUDIT);
    try {
      let probes = 0;
      await untilLive([doomed, control], () =>
        db.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify({ topic: 'audit.appended', workspaceId: svc.workspaceId, data: { id: `aud_probe_${probes++}` } })]));
      const before = await revokedClosures(svc.url);
      await gqlOk(svc.url, svc.adminKey, REVOKE_LINK, { id: link.id });
      // Counted when the close is sent: before the mutation answered.
      assert.equal(await revokedClosures(svc.url), before + 1);
      assert.deepEqual(await within(doomed.closed, WAIT_MS, 'the session\'s socket closed'), { code: 4403, reason: 'Forbidden: API key revoked' });
      const refused = await gql(svc.url, session.token, '{ me { role } }');
      assert.equal(refused.errors![0]!.extensions!.code, 'UNAUTHENTICATED');
      assert.equal((await gql(svc.url, other.session.token, '{ me { role } }')).data!.me.role, 'VIEWER');
    } finally {
      await Promise.all([doomed.client.dispose(), control.client.dispose()]);
    }
  });

  it('revoking the session itself (revokeApiKey) closes its sockets; a session may revoke itself to sign out', async () => {
    const a = await signIn(svc, 'VIEWER');
    const socket = await openLiveSocket(svc.url, a.session.token, AUDIT);
    try {
      await gqlOk(svc.url, svc.adminKey, 'mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { revokedAt } } }', { id: a.session.sessionId });
      assert.deepEqual(await within(socket.closed, WAIT_MS, 'socket closed'), { code: 4403, reason: 'Forbidden: API key revoked' });
    } finally {
      await socket.client.dispose();
    }
    const b = await signIn(svc, 'VIEWER');
    await gqlOk(svc.url, b.session.token, 'mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { revokedAt } } }', { id: b.session.sessionId });
    assert.equal((await gql(svc.url, b.session.token, '{ me { role } }')).errors![0]!.extensions!.code, 'UNAUTHENTICATED');
    // A VIEWER session still may not revoke anyone else.
    const c = await signIn(svc, 'VIEWER');
    const refused = await gql(svc.url, c.session.token, 'mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { id } } }', { id: a.session.sessionId });
    assert.equal(refused.errors![0]!.extensions!.code, 'FORBIDDEN');
  });
});
