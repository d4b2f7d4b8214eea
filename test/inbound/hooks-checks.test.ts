// SPEC §5's check order (404 → 413 → 415 → 403 (IP allowlist, webhook loop) → 429 → 401 → replay →
// 400), what each refusal writes (audit rows from 403 on, except 429), replay protection, IP
// allowlists, TRUST_PROXY, and 503 when the database is down (before the trigger is known, and from
// the writer with it cached).
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { refuseConnections } from '../support/db.ts';
import { gql, startTestService, type TestService } from '../support/service.ts';
import { post, standardWebhooks } from '../support/senders.ts';
import { createTrigger } from '../support/triggers.ts';
import { until } from '../support/wait.ts';

async function counts(svc: TestService) {
  const { rows } = await svc.services.pool.query(
    `SELECT (SELECT count(*) FROM webhook_audit)::int AS audit, (SELECT count(*) FROM inbound_delivery)::int AS deliveries,
            (SELECT count(*) FROM session)::int AS sessions`,
  );
  return rows[0] as { audit: number; deliveries: number; sessions: number };
}

async function metric(svc: TestService, outcome: string): Promise<number> {
  const text = await (await fetch(`${svc.url}/metrics`)).text();
  const m = new RegExp(`^webhook_gateway_inbound_requests_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

/** A raw POST with chunked transfer (no Content-Length), to test the limit while streaming. */
function postChunked(url: string, headers: Record<string, string>, chunks: Buffer[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', (err) => (String(err).includes('EPIPE') || String(err).includes('ECONNRESET') ? undefined : reject(err)));
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('inbound checks', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ INBOUND_MAX_BODY_BYTES: '2048', TRUST_PROXY: '127.0.0.1' });
  });
  after(() => svc.stop());

  it('404 for an unknown and for a disabled trigger alike, counted in metrics only', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'disabled-one', enabled: false });
    const before = await counts(svc);
    const m0 = await metric(svc, 'TRIGGER_NOT_FOUND');
    const unknown = await post(`${svc.url}/hooks/trg_0000000000aaaaaaaaaaaaaaaa`, standardWebhooks(t.secret, '{}'));
    const disabled = await post(t.url, standardWebhooks(t.secret, '{}'));
    const garbage = await post(`${svc.url}/hooks/not-an-id`, standardWebhooks(t.secret, '{}'));
    for (const r of [unknown, disabled, garbage]) {
      assert.equal(r.status, 404);
      assert.deepEqual(r.json, { error: { code: 'TRIGGER_NOT_FOUND', message: 'no such trigger' } });
    }
    assert.deepEqual(await counts(svc), before, 'a 404 writes nothing');
    assert.equal(await metric(svc, 'TRIGGER_NOT_FOUND'), m0 + 3);
  });

  it('404 for an unknown trigger without reading the body: answered at once, then the connection closes under the rest', async () => {
    // A raw connection, so that only the server can close it (node's client gives up on its own
    // once the answer is in, whatever the server does).
    const { port } = new URL(svc.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    socket.on('error', () => {}); // the server closes under the rest of the body
    let closed = false;
    const socketClosed = new Promise<void>((resolve) => socket.once('close', () => {
      closed = true;
      resolve();
    }));
    let answer = '';
    const answered = new Promise<void>((resolve) => socket.on('data', (d) => {
      answer += d;
      if (/\r\n\r\n[\s\S]*\}\}/.test(answer)) resolve();
    }));
    const piece = Buffer.alloc(64 * 1024, 32);
    const chunk = Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]);
    socket.write(`POST /hooks/trg_0000000000aaaaaaaaaaaaaaaa HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
    socket.write(chunk);
    await answered;
    assert.match(answer, /^HTTP\/1\.1 404 /);
    assert.match(answer, /\{"error":\{"code":"TRIGGER_NOT_FOUND","message":"no such trigger"\}\}$/);
    // Stream on, as fast as the connection takes it: a server draining the body would take all of
    // these 64 MiB (the limit is 2 KiB); this one closes the connection instead.
    const total = 64 * 1024 * 1024;
    let written = piece.length;
    while (!closed && written < total) {
      written += piece.length;
      if (!socket.write(chunk)) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), socketClosed]);
    }
    socket.destroy();
    assert.ok(closed && written < total, `the server read the whole ${total}-byte body of a request to an unknown trigger`);
  });

  it('413 before the body is read whole: by Content-Length, and while streaming a chunked body', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'limit' });
    const big = JSON.stringify({ pad: 'x'.repeat(3000) });
    const r = await post(t.url, standardWebhooks(t.secret, big));
    assert.equal(r.status, 413);
    assert.equal(r.json.error.code, 'PAYLOAD_TOO_LARGE');
    const signed = standardWebhooks(t.secret, big);
    const chunked = await postChunked(t.url, signed.headers, [Buffer.from(big.slice(0, 1500)), Buffer.from(big.slice(1500)), Buffer.alloc(1_000_000, 32)]);
    assert.equal(chunked.status, 413);
    assert.equal(JSON.parse(chunked.body).error.code, 'PAYLOAD_TOO_LARGE');
    // 413 comes before 415: a huge body with a wrong type is still 413.
    const both = await post(t.url, { body: big, headers: { 'content-type': 'text/plain' } });
    assert.equal(both.status, 413);
  });

  it('415 for other content types, before the IP allowlist', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'ctype', ipAllowlist: ['203.0.113.0/24'] });
    const r = await post(t.url, { ...standardWebhooks(t.secret, '{}'), headers: { ...standardWebhooks(t.secret, '{}').headers, 'content-type': 'text/plain' } });
    assert.equal(r.status, 415);
    assert.equal(r.json.error.code, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('403 outside the IP allowlist (IPv4 and IPv6 CIDRs), with an audit row; TRUST_PROXY decides whose X-Forwarded-For counts', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'allowlist', ipAllowlist: ['203.0.113.0/24', '2001:db8::/32'] });
    const before = await counts(svc);
    const direct = await post(t.url, standardWebhooks(t.secret, '{}'));
    assert.equal(direct.status, 403);
    assert.equal(direct.json.error.code, 'IP_NOT_ALLOWED');
    // The test's proxy (127.0.0.1) is trusted, so the client address it forwards counts.
    for (const ip of ['203.0.113.77', '2001:db8::1']) {
      const r = await post(t.url, standardWebhooks(t.secret, '{}'), { 'x-forwarded-for': ip });
      assert.equal(r.status, 202, `${ip}: ${JSON.stringify(r.json)}`);
    }
    for (const ip of ['198.51.100.1', '2001:db9::1']) {
      assert.equal((await post(t.url, standardWebhooks(t.secret, '{}'), { 'x-forwarded-for': ip })).status, 403, ip);
    }
    const after = await counts(svc);
    assert.equal(after.audit - before.audit, 5, 'one audit row per request, refused or accepted');
    const refused = await gql(svc.url, svc.adminKey, 'query($t: ID!) { inboundDeliveries(filter: {triggerId: $t, outcome: REFUSED}) { edges { node { refusalCode statusCode sourceIp } } } }', { t: t.id });
    const ips = refused.data!.inboundDeliveries.edges.map((e: any) => e.node.sourceIp).sort();
    assert.deepEqual(ips, ['127.0.0.1', '198.51.100.1', '2001:db9::1']);
  });

  it('does not believe X-Forwarded-For from an untrusted peer', async () => {
    const other = await startTestService({ TRUST_PROXY: '10.0.0.0/8' });
    try {
      const t = await createTrigger(other.url, other.adminKey, { name: 'untrusted', ipAllowlist: ['203.0.113.0/24'] });
      const r = await post(t.url, standardWebhooks(t.secret, '{}'), { 'x-forwarded-for': '203.0.113.5' });
      assert.equal(r.status, 403, 'a client may not pick its own address');
    } finally {
      await other.stop();
    }
  });

  it('403 WEBHOOK_LOOP after 413 and 415 and before the signature; recorded like the other 403s, with a delivery and an audit row', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'loop-marked' });
    // The id this deployment marks its deliveries and pings with (test/outbound/webhook-loop.test.ts
    // reads it off a ping).
    const own = { 'webhook-gateway-deployment': svc.services.deploymentId };
    const big = JSON.stringify({ pad: 'x'.repeat(3000) });
    assert.equal((await post(t.url, standardWebhooks(t.secret, big), own)).status, 413);
    assert.equal((await post(t.url, { body: '{}', headers: { 'content-type': 'text/plain' } }, own)).status, 415);

    const before = await counts(svc);
    const m0 = await metric(svc, 'WEBHOOK_LOOP');
    const unsigned = await post(t.url, { body: '{}', headers: { 'content-type': 'application/json' } }, own);
    assert.deepEqual([unsigned.status, unsigned.json.error.code], [403, 'WEBHOOK_LOOP'], 'refused before the signature is looked at');
    const far = await post(t.url, standardWebhooks(t.secret, '{}'), { 'webhook-gateway-deployment': 'AAAAAAAAAAAAAAAA', 'webhook-gateway-hops': '4' });
    assert.deepEqual([far.status, far.json.error.code], [403, 'WEBHOOK_LOOP']);
    const after = await counts(svc);
    assert.deepEqual([after.deliveries - before.deliveries, after.audit - before.audit, after.sessions - before.sessions], [2, 2, 0]);
    assert.equal(await metric(svc, 'WEBHOOK_LOOP'), m0 + 2);

    const listed = await gql(svc.url, svc.adminKey, 'query($t: ID!) { inboundDeliveries(filter: {triggerId: $t}) { edges { node { id outcome statusCode refusalCode refusalReason } } } }', { t: t.id });
    const refused = listed.data!.inboundDeliveries.edges.map((e: any) => e.node);
    assert.deepEqual(refused.map((d: any) => [d.outcome, d.statusCode, d.refusalCode]), [['REFUSED', 403, 'WEBHOOK_LOOP'], ['REFUSED', 403, 'WEBHOOK_LOOP']]);
    assert.deepEqual(refused.map((d: any) => d.refusalReason.replace(/.*(4 gateway hops|sent by this gateway itself).*/, '$1')).sort(),
      ['4 gateway hops', 'sent by this gateway itself']);
    const { rows: audit } = await svc.services.pool.query(
      `SELECT delivery_id, direction, outcome, status_code, error_class FROM webhook_audit WHERE trigger_id = $1`, [t.id]);
    assert.deepEqual(audit.map((a) => [a.delivery_id, a.direction, a.outcome, a.status_code, a.error_class]).sort(),
      refused.map((d: any) => [d.id, 'INBOUND', 'REFUSED', 403, 'WEBHOOK_LOOP']).sort());
  });

  it('429 past the rate limit, with Retry-After, writing nothing; the limit holds across replicas (shared in PostgreSQL)', async () => {
    const LIMIT = 3;
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'limited', rateLimitPerSecond: LIMIT });
    // A second replica on the same database.
    const replica = await startTestService({ DATABASE_URL: svc.databaseUrl, MASTER_KEY: svc.services.config.masterKey!.toString('base64') });
    try {
      const before = await counts(svc);
      // One request at a time, alternating between the replicas, until three were refused. The
      // limit counts fixed one-second windows in PostgreSQL, wherever the requests fall in them:
      // the answers are checked against the window counts read afterwards, not against the clock.
      const results: Array<Awaited<ReturnType<typeof post>>> = [];
      for (let i = 0; i < 200 && results.filter((r) => r.status === 429).length < 3; i++) {
        const base = i % 2 === 0 ? svc.url : replica.url;
        results.push(await post(`${base}/hooks/${t.id}`, standardWebhooks(t.secret, '{}')));
      }
      const { rows: windows } = await svc.services.pool.query<{ hits: number }>(
        'SELECT hits FROM rate_limit_window WHERE key = $1 ORDER BY window_start', [`trigger:${t.id}`]);
      assert.equal(windows.reduce((n, w) => n + w.hits, 0), results.length, 'every request counted once');
      // Requests go out one after another, so the windows follow each other in request order: in
      // each, the first LIMIT are accepted and the rest refused. A window held at most 3 accepted
      // and 3 refused requests, alternating, so neither replica alone saw more than the limit:
      // the refusals come from the count they share.
      const expected = windows.flatMap((w) => Array.from({ length: w.hits }, (_, k) => (k < LIMIT ? 202 : 429)));
      assert.deepEqual(results.map((r) => r.status), expected);
      for (const r of results.filter((x) => x.status === 429)) {
        assert.equal(r.headers.get('retry-after'), '1');
        assert.deepEqual(r.json.error, { code: 'RATE_LIMITED', message: `trigger rate limit of ${LIMIT} requests per second exceeded` });
      }
      const accepted = results.filter((r) => r.status === 202).length;
      const after = await counts(svc);
      assert.equal(after.audit - before.audit, accepted, '429s write no audit rows');
      assert.equal(after.deliveries - before.deliveries, accepted, '429s write no inbound deliveries');
    } finally {
      await replica.stop();
    }
  });

  it('401 for a bad signature, with an audit row; the failed message id is not remembered', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'sig' });
    const before = await counts(svc);
    const forged = standardWebhooks('whsec_' + Buffer.from('not the secret at all!').toString('base64'), '{"a":1}', { id: 'msg_same' });
    const r = await post(t.url, forged);
    assert.equal(r.status, 401);
    const mid = await counts(svc);
    assert.equal(mid.audit - before.audit, 1);
    assert.equal(mid.sessions, before.sessions);
    const genuine = await post(t.url, standardWebhooks(t.secret, '{"a":1}', { id: 'msg_same' }));
    assert.equal(genuine.status, 202, 'the forged request did not poison the replay memory');
  });

  it('replay: the same message id within the window answers the first deliveryId and sessionId and starts no second session', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'replay' });
    const first = await post(t.url, standardWebhooks(t.secret, '{"n":1}', { id: 'msg_replay_1' }));
    assert.equal(first.status, 202);
    const before = await counts(svc);
    // A retry, re-signed with a fresh timestamp, as Standard Webhooks senders do.
    const again = await post(t.url, standardWebhooks(t.secret, '{"n":1}', { id: 'msg_replay_1' }));
    assert.equal(again.status, 202);
    assert.deepEqual(again.json, first.json);
    const after = await counts(svc);
    assert.equal(after.sessions, before.sessions);
    assert.equal(after.audit - before.audit, 1, 'the replay is audited');
    // Concurrent duplicates: exactly one session.
    const results = await Promise.all(Array.from({ length: 8 }, () => post(t.url, standardWebhooks(t.secret, '{"n":2}', { id: 'msg_burst' }))));
    assert.equal(new Set(results.map((r) => r.json.sessionId)).size, 1);
    const { rows } = await svc.services.pool.query(`SELECT count(*)::int AS n FROM inbound_delivery WHERE message_id = 'msg_burst' AND outcome = 'ACCEPTED'`);
    assert.equal(rows[0].n, 1);
  });

  it('replay comes before the body check, and 400 refuses a malformed body with an audit row', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'malformed', inputs: [{ name: 'x', path: '$.x', type: 'NUMBER' }] });
    const before = await counts(svc);
    const broken = await post(t.url, standardWebhooks(t.secret, '{"x": 1,,}'));
    assert.equal(broken.status, 400);
    assert.equal(broken.json.error.code, 'MALFORMED_BODY');
    assert.match(broken.json.error.message, /not valid JSON/);
    const wrongType = await post(t.url, standardWebhooks(t.secret, '{"x": "1"}'));
    assert.equal(wrongType.status, 400);
    assert.deepEqual(wrongType.json.error, { code: 'MAPPING_FAILED', message: 'input "x": expected NUMBER, got STRING at $.x' });
    const after = await counts(svc);
    assert.equal(after.audit - before.audit, 2);
    assert.equal(after.sessions, before.sessions);
  });

  it('answers 503 with Retry-After while the database is unreachable, never a 202', async () => {
    const other = await startTestService();
    try {
      const t = await createTrigger(other.url, other.adminKey, { name: 'db-down' });
      const down = await refuseConnections(other.databaseUrl);
      try {
        assert.ok(down.terminated.length > 0, 'the service had connections to lose');
        const r = await post(t.url, standardWebhooks(t.secret, '{}'));
        assert.equal(r.status, 503);
        assert.equal(r.headers.get('retry-after'), '5');
        assert.equal(r.json.error.code, 'UNAVAILABLE');
      } finally {
        await down.restore();
      }
    } finally {
      await other.stop();
    }
  });

  it('answers 503 from the writer when the database goes away under a cached trigger: nothing half-written, the retry is accepted as new', async () => {
    const other = await startTestService();
    try {
      const t = await createTrigger(other.url, other.adminKey, { name: 'cached-db-down' });
      const warm = await post(t.url, standardWebhooks(t.secret, '{"warm":true}'));
      assert.equal(warm.status, 202, 'accepted: the trigger is in the cache now');
      // The echo runtime finishes the warm-up session first, so no job of its is cut off mid-way below.
      await until(async () => (await other.services.pool.query(`SELECT status FROM session WHERE id = $1`, [warm.json.sessionId])).rows[0]?.status === 'SUCCEEDED', 'the warm-up session finished');
      const down = await refuseConnections(other.databaseUrl);
      let refused: Awaited<ReturnType<typeof post>>;
      try {
        // The writer's own connection went too, and it cannot open another.
        assert.ok(down.terminated.some((c) => c.application_name === 'webhook-gateway:writer'), JSON.stringify(down.terminated));
        refused = await post(t.url, standardWebhooks(t.secret, '{"n":1}', { id: 'msg_while_down' }));
      } finally {
        await down.restore();
      }
      assert.equal(refused.status, 503, JSON.stringify(refused.json));
      assert.equal(refused.headers.get('retry-after'), '5');
      assert.equal(refused.json.error.code, 'UNAVAILABLE');

      const { rows: [left] } = await other.services.pool.query(
        `SELECT (SELECT count(*)::int FROM inbound_delivery WHERE trigger_id = $1 AND message_id = 'msg_while_down') AS deliveries,
                (SELECT count(*)::int FROM inbound_message WHERE trigger_id = $1 AND message_id = 'msg_while_down') AS remembered,
                (SELECT count(*)::int FROM session WHERE trigger_id = $1) AS sessions,
                (SELECT count(*)::int FROM webhook_audit WHERE trigger_id = $1) AS audit`, [t.id]);
      assert.deepEqual(left, { deliveries: 0, remembered: 0, sessions: 1, audit: 1 }, 'only the warm-up request is recorded');

      // The sender retries once the database is back: a first acceptance, not a replay.
      const retried = await until(async () => {
        const r = await post(t.url, standardWebhooks(t.secret, '{"n":1}', { id: 'msg_while_down' }));
        return r.status === 503 ? undefined : r;
      }, 'an answer other than 503 once the database is back');
      assert.equal(retried.status, 202, JSON.stringify(retried.json));
      assert.notEqual(retried.json.sessionId, warm.json.sessionId);
      const { rows } = await other.services.pool.query(`SELECT outcome FROM inbound_delivery WHERE trigger_id = $1 AND message_id = 'msg_while_down'`, [t.id]);
      assert.deepEqual(rows, [{ outcome: 'ACCEPTED' }]);
    } finally {
      await other.stop();
    }
  });
});
