// Mapping (SPEC §5), acceptance as one commit, the agent runtimes and event publishing (SPEC §6),
// the testTrigger dry run, and the inboundDeliveries / sessions queries.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { verify } from '../../src/signing/schemes.ts';
import { gql, startTestService, type TestService } from '../support/service.ts';
import { github, post, standardWebhooks } from '../support/senders.ts';
import { CREATE_TRIGGER, createTrigger } from '../support/triggers.ts';
import { until as waitFor } from '../support/wait.ts';


const SESSION = 'query($id: ID!) { node(id: $id) { ... on Session { id status inputs output trigger { id } } } }';

describe('mapping and acceptance', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService();
  });
  after(() => svc.stop());

  it('maps typed inputs: nested paths, ARRAY takes all matches, defaults, optional inputs', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, {
      name: 'typed',
      inputs: [
        { name: 'number', path: '$.pull_request.number', type: 'NUMBER' },
        { name: 'draft', path: '$.pull_request.draft', type: 'BOOLEAN' },
        { name: 'head', path: '$.pull_request.head', type: 'OBJECT' },
        { name: 'labels', path: '$.pull_request.labels[*].name', type: 'ARRAY' },
        { name: 'title', path: '$.pull_request.title', required: false, defaultValue: '' },
        { name: 'missingOptional', path: '$.nope', required: false },
        { name: 'reviewers', path: '$.reviewers[*]', type: 'ARRAY', required: false, defaultValue: [] },
      ],
    });
    const body = JSON.stringify({ pull_request: { number: 7, draft: false, head: { ref: 'feat', sha: 'abc' }, labels: [{ name: 'bug' }, { name: 'p1' }] } });
    const r = await post(t.url, standardWebhooks(t.secret, body));
    assert.equal(r.status, 202, JSON.stringify(r.json));
    const s = (await gql(svc.url, svc.adminKey, SESSION, { id: r.json.sessionId })).data!.node;
    assert.deepEqual(s.inputs, { number: 7, draft: false, head: { ref: 'feat', sha: 'abc' }, labels: ['bug', 'p1'], title: '', reviewers: [] });
  });

  it('refuses with 400 naming the input: missing required, several matches for a scalar, no coercion', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'strict', inputs: [{ name: 'id', path: '$.items[*].id', type: 'STRING' }] });
    const cases: Array<[unknown, string]> = [
      [{ items: [] }, 'input "id": $.items[*].id matched nothing'],
      [{ items: [{ id: 'a' }, { id: 'b' }] }, 'input "id": $.items[*].id matched 2 values; type STRING takes exactly one (use ARRAY for all)'],
      [{ items: [{ id: 5 }] }, 'input "id": expected STRING, got NUMBER at $.items[*].id'],
    ];
    for (const [payload, message] of cases) {
      const r = await post(t.url, standardWebhooks(t.secret, JSON.stringify(payload)));
      assert.equal(r.status, 400);
      assert.deepEqual(r.json.error, { code: 'MAPPING_FAILED', message });
    }
  });

  it('a filter that does not match answers 202 ignored and starts no session', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'filtered', signatureScheme: 'GITHUB', secret: 'gh-secret-123', filter: "$[?(@.action == 'opened')]", inputs: [{ name: 'a', path: '$.action' }] });
    const ignored = await post(t.url, github('gh-secret-123', '{"action":"closed"}'));
    assert.equal(ignored.status, 202);
    assert.match(ignored.json.deliveryId, /^ind_/);
    assert.equal(ignored.json.ignored, true);
    assert.equal(ignored.json.sessionId, undefined);
    const fired = await post(t.url, github('gh-secret-123', '{"action":"opened"}'));
    assert.match(fired.json.sessionId, /^ses_/);
    const { rows } = await svc.services.pool.query('SELECT count(*)::int AS n FROM session WHERE trigger_id = $1', [t.id]);
    assert.equal(rows[0].n, 1);
  });

  it('refuses at save time JSONPath that reaches for process, require or constructors; nothing is stored', async () => {
    const before = (await svc.services.pool.query('SELECT count(*)::int AS n FROM trigger')).rows[0].n;
    const attacks: Array<[string, Record<string, unknown>]> = [
      ['filter', { filter: "$[?(@.constructor.constructor('return process')().exit())]" }],
      ['filter', { filter: "$[?(process.mainModule.require('child_process').execSync('touch /tmp/pwned'))]" }],
      ['inputs.0.path', { inputs: [{ name: 'x', path: "$[?(require('fs').writeFileSync('/tmp/pwned','x'))]" }] }],
      ['inputs.0.path', { inputs: [{ name: 'x', path: "$..[?(@['__proto__'])]" }] }],
      ['inputs.0.path', { inputs: [{ name: 'x', path: '$[?(globalThis.fetch)]' }] }],
      ['filter', { filter: '$[?(' }],
    ];
    for (const [field, input] of attacks) {
      const r = await gql(svc.url, svc.adminKey, CREATE_TRIGGER, { input: { name: `evil-${field}`, agent: 'a', inputs: [], ...input } });
      assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(input));
      assert.equal(r.errors?.[0]?.extensions?.field, field);
      assert.match(r.errors![0]!.message, /invalid JSONPath/);
    }
    assert.equal((await svc.services.pool.query('SELECT count(*)::int AS n FROM trigger')).rows[0].n, before);
  });

  it('commits the delivery, audit row, session, session.created event and agent-run job together; echo finishes the session', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'one-commit', agent: 'triage', inputs: [{ name: 'issue', path: '$.issue', type: 'NUMBER' }] });
    const r = await post(t.url, standardWebhooks(t.secret, '{"issue":12}'));
    assert.equal(r.status, 202);
    const { deliveryId, sessionId } = r.json;
    const q = async (sql: string, params: unknown[]) => (await svc.services.pool.query(sql, params)).rows;
    const [delivery] = await q('SELECT outcome, status_code, session_id, mapped_inputs, payload_sha256 FROM inbound_delivery WHERE id = $1', [deliveryId]);
    assert.deepEqual({ ...delivery, payload_sha256: undefined }, { outcome: 'ACCEPTED', status_code: 202, session_id: sessionId, mapped_inputs: { issue: 12 }, payload_sha256: undefined });
    const audit = await q(`SELECT direction, outcome, status_code, trigger_id FROM webhook_audit WHERE delivery_id = $1`, [deliveryId]);
    assert.deepEqual(audit, [{ direction: 'INBOUND', outcome: 'ACCEPTED', status_code: 202, trigger_id: t.id }]);
    const events = await q(`SELECT type, body FROM event WHERE session_id = $1 ORDER BY created_at`, [sessionId]);
    assert.equal(events[0].type, 'session.created');
    const envelope = JSON.parse(events[0].body);
    assert.deepEqual(envelope.data, { sessionId, agent: 'triage', triggerId: t.id, inputs: { issue: 12 } });
    assert.equal(envelope.workspaceId, svc.workspaceId);
    assert.match(envelope.id, /^evt_/);
    const jobs = await q(`SELECT name FROM pgboss.job WHERE name = 'agent-run' AND data->'sessionIds' ? $1`, [sessionId]);
    assert.equal(jobs.length, 1);
    // The echo runtime finishes the session with its inputs as output, through session.finished.
    const done = await waitFor(async () => {
      const s = (await gql(svc.url, svc.adminKey, SESSION, { id: sessionId })).data!.node;
      return s.status === 'SUCCEEDED' ? s : undefined;
    }, 'the echo runtime');
    assert.deepEqual(done.output, { issue: 12 });
    const finished = await q(`SELECT body FROM event WHERE session_id = $1 AND type = 'session.finished'`, [sessionId]);
    assert.equal(finished.length, 1);
    assert.equal(JSON.parse(finished[0].body).data.status, 'SUCCEEDED');
  });

  it('writes nothing when the commit fails: no half-accepted request', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'rollback', inputs: [{ name: 'v', path: '$.v' }] });
    // Make the session insert fail inside the acceptance transaction.
    await svc.services.pool.query(`ALTER TABLE session ADD CONSTRAINT session_no_boom CHECK (inputs->>'v' <> 'boom')`);
    try {
      const before = (await svc.services.pool.query('SELECT (SELECT count(*) FROM inbound_delivery)::int d, (SELECT count(*) FROM webhook_audit)::int a, (SELECT count(*) FROM event)::int e')).rows[0];
      const r = await post(t.url, standardWebhooks(t.secret, '{"v":"boom"}', { id: 'msg_boom' }));
      assert.equal(r.status, 500);
      const after = (await svc.services.pool.query('SELECT (SELECT count(*) FROM inbound_delivery)::int d, (SELECT count(*) FROM webhook_audit)::int a, (SELECT count(*) FROM event)::int e')).rows[0];
      assert.deepEqual(after, before);
      const memory = await svc.services.pool.query(`SELECT 1 FROM inbound_message WHERE message_id = 'msg_boom'`);
      assert.equal(memory.rowCount, 0, 'a failed acceptance is not remembered as a replay');
    } finally {
      await svc.services.pool.query('ALTER TABLE session DROP CONSTRAINT session_no_boom');
    }
  });

  it('testTrigger reports each check and the mapped inputs, and writes nothing', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'dry', inputs: [{ name: 'n', path: '$.n', type: 'NUMBER' }] });
    const TEST = 'mutation($i: TestTriggerInput!) { testTrigger(input: $i) { status code message ignored mappedInputs messageId checks { name passed detail } } }';
    const headersOf = (h: Record<string, string>) => Object.entries(h).map(([name, value]) => ({ name, value }));
    const before = (await svc.services.pool.query('SELECT (SELECT count(*) FROM inbound_delivery)::int d, (SELECT count(*) FROM webhook_audit)::int a, (SELECT count(*) FROM session)::int s')).rows[0];

    const good = standardWebhooks(t.secret, '{"n": 3}');
    const ok = (await gql(svc.url, svc.adminKey, TEST, { i: { triggerId: t.id, headers: headersOf(good.headers), body: good.body } })).data!.testTrigger;
    assert.equal(ok.status, 202);
    assert.deepEqual(ok.mappedInputs, { n: 3 });
    assert.deepEqual(ok.checks.map((c: any) => [c.name, c.passed]), [['contentType', true], ['ipAllowlist', true], ['clientCertificate', true], ['loop', true], ['signature', true], ['replay', true], ['body', true], ['mapping', true]]);

    const reencoded = (await gql(svc.url, svc.adminKey, TEST, { i: { triggerId: t.id, headers: headersOf(good.headers), body: '{"n":3}' } })).data!.testTrigger;
    assert.equal(reencoded.status, 401);
    assert.equal(reencoded.code, 'INVALID_SIGNATURE');
    assert.match(reencoded.checks.find((c: any) => c.name === 'signature').detail, /computed over different bytes/);

    const stale = standardWebhooks(t.secret, '{"n": 3}', { ts: Math.floor(Date.now() / 1000) - 412 });
    const old = (await gql(svc.url, svc.adminKey, TEST, { i: { triggerId: t.id, headers: headersOf(stale.headers), body: stale.body } })).data!.testTrigger;
    assert.equal(old.code, 'TIMESTAMP_OUT_OF_WINDOW');
    assert.match(old.message, /^timestamp 41[23] s old/);

    const after = (await svc.services.pool.query('SELECT (SELECT count(*) FROM inbound_delivery)::int d, (SELECT count(*) FROM webhook_audit)::int a, (SELECT count(*) FROM session)::int s')).rows[0];
    assert.deepEqual(after, before, 'the dry run wrote nothing');
    // The real endpoint then accepts the same request the dry run approved.
    assert.equal((await post(t.url, good)).status, 202);

    const missing = await gql(svc.url, svc.adminKey, TEST, { i: { triggerId: 'trg_0000000000aaaaaaaaaaaaaaaa', headers: [], body: '' } });
    assert.equal(missing.errors?.[0]?.extensions?.code, 'NOT_FOUND');
  });

  it('testTrigger runs the route\'s checks in their order but counts and remembers nothing: no rate-limit hit, no flood count, no replay memory', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'dry-counts', rateLimitPerSecond: 1, inputs: [{ name: 'n', path: '$.n', type: 'NUMBER' }] });
    const TEST = 'mutation($i: TestTriggerInput!) { testTrigger(input: $i) { status code ignored mappedInputs messageId checks { name passed detail } } }';
    const dry = async (signed: { headers: Record<string, string>; body: string }) => (await gql(svc.url, svc.adminKey, TEST, {
      i: { triggerId: t.id, headers: Object.entries(signed.headers).map(([name, value]) => ({ name, value })), body: signed.body },
    })).data!.testTrigger;
    const good = standardWebhooks(t.secret, '{"n":1}', { id: 'msg_dry_counts' });
    const forged = standardWebhooks(`whsec_${Buffer.from('another secret entirely').toString('base64')}`, '{"n":1}');
    for (let i = 0; i < 5; i++) {
      assert.equal((await dry(good)).status, 202, 'a rate limit of 1/s never answers a dry run 429');
      assert.equal((await dry(forged)).code, 'INVALID_SIGNATURE');
    }
    const counted = await svc.services.pool.query(`SELECT key FROM rate_limit_window WHERE key LIKE $1`, [`%${t.id}%`]);
    assert.deepEqual(counted.rows, [], 'neither the rate limit nor the flood limit counted a dry run');
    const remembered = await svc.services.pool.query('SELECT 1 FROM inbound_message WHERE trigger_id = $1', [t.id]);
    assert.equal(remembered.rowCount, 0);

    // The real endpoint accepts it; the dry run then reads replay memory, before the body's checks.
    const accepted = await post(t.url, good);
    assert.equal(accepted.status, 202, JSON.stringify(accepted.json));
    const again = await dry(good);
    assert.deepEqual({ ...again, checks: again.checks.map((c: any) => [c.name, c.passed]) }, {
      status: 202, code: null, ignored: false, mappedInputs: null, messageId: 'msg_dry_counts',
      checks: [['contentType', true], ['ipAllowlist', true], ['clientCertificate', true], ['loop', true], ['signature', true], ['replay', true]],
    });
    assert.equal(again.checks.at(-1).detail, `message id already accepted as ${accepted.json.deliveryId}: the answer would repeat it and start no session`);
  });

  it('lists inbound deliveries and sessions with filters, newest first', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'listed', inputs: [{ name: 'n', path: '$.n', type: 'NUMBER' }] });
    await post(t.url, standardWebhooks(t.secret, '{"n":1}', { id: 'list-1' }));
    await post(t.url, standardWebhooks(t.secret, '{"n":"bad"}'));
    await post(t.url, standardWebhooks(t.secret, '{"n":2}', { id: 'list-2' }));
    const q = `query($f: InboundDeliveryFilter) { inboundDeliveries(filter: $f, first: 10) { edges { node { id outcome refusalCode messageId mappedInputs sourceIp trigger { name } session { id } } } } }`;
    const all = (await gql(svc.url, svc.adminKey, q, { f: { triggerId: t.id } })).data!.inboundDeliveries.edges.map((e: any) => e.node);
    assert.deepEqual(all.map((n: any) => [n.outcome, n.messageId]), [['ACCEPTED', 'list-2'], ['REFUSED', all[1].messageId], ['ACCEPTED', 'list-1']]);
    assert.equal(all[1].refusalCode, 'MAPPING_FAILED');
    assert.equal(all[0].trigger.name, 'listed');
    assert.equal(all[0].sourceIp, '127.0.0.1');
    const refused = (await gql(svc.url, svc.adminKey, q, { f: { triggerId: t.id, outcome: 'REFUSED' } })).data!.inboundDeliveries.edges;
    assert.equal(refused.length, 1);
    const byMessage = (await gql(svc.url, svc.adminKey, q, { f: { messageId: 'list-1' } })).data!.inboundDeliveries.edges;
    assert.deepEqual(byMessage[0].node.mappedInputs, { n: 1 });
    const sessions = (await gql(svc.url, svc.adminKey, 'query($t: ID!) { sessions(filter: {triggerId: $t}, first: 1) { edges { node { inputs } } pageInfo { hasNextPage endCursor } } }', { t: t.id })).data!.sessions;
    assert.deepEqual(sessions.edges[0].node.inputs, { n: 2 });
    assert.equal(sessions.pageInfo.hasNextPage, true);
    const next = (await gql(svc.url, svc.adminKey, 'query($t: ID!, $a: String) { sessions(filter: {triggerId: $t}, first: 1, after: $a) { edges { node { inputs } } pageInfo { hasNextPage } } }', { t: t.id, a: sessions.pageInfo.endCursor })).data!.sessions;
    assert.deepEqual(next.edges[0].node.inputs, { n: 1 });
    assert.equal(next.pageInfo.hasNextPage, false);
  });
});

describe('publishing events', () => {
  let svc: TestService;
  let publisher: string;
  before(async () => {
    svc = await startTestService();
    publisher = (await gql(svc.url, svc.adminKey, 'mutation { createApiKey(input: {name: "runtime", role: PUBLISHER}) { key } }')).data!.createApiKey.key;
  });
  after(() => svc.stop());

  const PUBLISH = 'mutation($i: PublishEventInput!) { publishEvent(input: $i) { event { id type data timestamp body } } }';

  it('publishEvent validates data against the catalogue and names the failing field', async () => {
    const bad = await gql(svc.url, publisher, PUBLISH, { i: { type: 'tool.called', data: { sessionId: 'ses_x', tool: 42, arguments: {} } } });
    assert.equal(bad.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(bad.errors?.[0]?.extensions?.field, 'data.tool');
    const unknown = await gql(svc.url, publisher, PUBLISH, { i: { type: 'tool.exploded', data: {} } });
    assert.equal(unknown.errors?.[0]?.extensions?.field, 'type');
    const ok = await gql(svc.url, publisher, PUBLISH, { i: { type: 'tool.called', data: { sessionId: 'ses_x', tool: 'grep', arguments: { q: 'x' } } } });
    const event = ok.data!.publishEvent.event;
    assert.match(event.id, /^evt_/);
    assert.deepEqual(event.data, { sessionId: 'ses_x', tool: 'grep', arguments: { q: 'x' } });
    assert.deepEqual(Object.keys(JSON.parse(event.body)), ['id', 'type', 'timestamp', 'workspaceId', 'data']);
    const viewer = (await gql(svc.url, svc.adminKey, 'mutation { createApiKey(input: {name: "v", role: VIEWER}) { key } }')).data!.createApiKey.key;
    assert.equal((await gql(svc.url, viewer, PUBLISH, { i: { type: 'tool.called', data: {} } })).errors?.[0]?.extensions?.code, 'FORBIDDEN');
  });

  it('POST /v1/events with a PUBLISHER key; idempotencyKey makes a repeat return the first event', async () => {
    const send = (body: unknown, key = publisher) =>
      fetch(`${svc.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const data = { importId: 'imp_1', source: 'github', itemsImported: 10, itemsFailed: 0 };
    const first = await send({ type: 'import.completed', data, idempotencyKey: 'imp_1-done' });
    assert.equal(first.status, 202);
    const a = (await first.json()) as any;
    const repeat = await send({ type: 'import.completed', data, idempotencyKey: 'imp_1-done' });
    assert.equal(repeat.status, 200);
    assert.deepEqual(await repeat.json(), { ...a, created: false });
    const { rows } = await svc.services.pool.query(`SELECT count(*)::int AS n FROM event WHERE idempotency_key = 'imp_1-done'`);
    assert.equal(rows[0].n, 1);
    const bad = await send({ type: 'import.completed', data: { ...data, itemsFailed: -1 } });
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json(), { error: { code: 'BAD_USER_INPUT', message: 'data.itemsFailed: Too small: expected number to be >=0', field: 'data.itemsFailed' } });
    assert.equal((await send({ type: 'import.completed', data }, 'whk_nope')).status, 401);
  });

  it('session.finished from the runtime moves the session; an unknown session is refused by name', async () => {
    const unknown = await gql(svc.url, publisher, PUBLISH, { i: { type: 'session.finished', data: { sessionId: 'ses_missing', agent: 'a', status: 'FAILED', durationMs: 5 } } });
    assert.equal(unknown.errors?.[0]?.extensions?.field, 'data.sessionId');
    const { rows } = await svc.services.pool.query('SELECT count(*)::int AS n FROM event WHERE type = $1', ['session.finished']);
    assert.equal(rows[0].n, 0, 'the refused event was not stored');
  });
});

describe('http agent runtime', () => {
  it('POSTs each session of an agent-run job to AGENT_RUNTIME_URL signed like an outbound webhook, marks it RUNNING, and retries only the refused one', async () => {
    const secret = `whsec_${Buffer.from('runtime-signing-key-0123456789ab').toString('base64')}`;
    const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
    const runtime = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        // The first call for the "hi" session is refused; every other call is taken.
        const refused = JSON.parse(body).inputs.q === 'hi' && received.filter((c) => JSON.parse(c.body).inputs.q === 'hi').length === 1;
        res.writeHead(refused ? 503 : 202).end();
      });
    });
    await new Promise<void>((r) => runtime.listen(0, '127.0.0.1', r));
    const svc = await startTestService({ AGENT_RUNTIME: 'http', AGENT_RUNTIME_URL: `http://127.0.0.1:${(runtime.address() as AddressInfo).port}/run`, AGENT_RUNTIME_SECRET: secret });
    try {
      const t = await createTrigger(svc.url, svc.adminKey, { name: 'remote', agent: 'coder', inputs: [{ name: 'q', path: '$.q' }] });
      // Two requests at once: usually one group commit, so one agent-run job for both sessions.
      const [r, other] = await Promise.all([post(t.url, standardWebhooks(t.secret, '{"q":"hi"}')), post(t.url, standardWebhooks(t.secret, '{"q":"ho"}'))]);
      const callsFor = (sessionId: string) => received.filter((c) => JSON.parse(c.body).sessionId === sessionId);
      // The first POST for "hi" is refused (503): the job is retried until the runtime takes it.
      await waitFor(async () => callsFor(r.json.sessionId).length >= 2, 'the retried runtime call', 20_000);
      const call = callsFor(r.json.sessionId)[1]!;
      const h = (n: string) => call.headers[n] as string;
      const check = verify({ scheme: 'STANDARD_WEBHOOKS', headers: { 'webhook-id': h('webhook-id'), 'webhook-timestamp': h('webhook-timestamp'), 'webhook-signature': h('webhook-signature') }, body: Buffer.from(call.body), secrets: [secret], toleranceSeconds: 300, nowSeconds: Math.floor(Date.now() / 1000) });
      assert.equal(check.ok, true);
      assert.deepEqual(JSON.parse(call.body), { sessionId: r.json.sessionId, workspaceId: svc.workspaceId, agent: 'coder', triggerId: t.id, inputs: { q: 'hi' } });
      const s = await waitFor(async () => {
        const node = (await gql(svc.url, svc.adminKey, SESSION, { id: r.json.sessionId })).data!.node;
        return node.status === 'RUNNING' ? node : undefined;
      }, 'RUNNING');
      assert.equal(s.output, null);
      // The retry handed over only what was still PENDING: the other session was POSTed once.
      assert.equal(callsFor(other.json.sessionId).length, 1);
      assert.equal(callsFor(r.json.sessionId).length, 2);
    } finally {
      await svc.stop();
      runtime.close();
    }
  });
});
