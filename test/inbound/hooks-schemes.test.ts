// POST /hooks/{id} verifies over the raw bytes, for every scheme of SPEC §5, with requests signed by
// each sender's documented algorithm (test/support/senders.ts).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { gql, startTestService, type TestService } from '../support/service.ts';
import { github, post, slack, standardWebhooks, stripe } from '../support/senders.ts';
import { createTrigger } from '../support/triggers.ts';

describe('inbound signature schemes', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService();
  });
  after(() => svc.stop());

  /** Every session the trigger started, through the API. */
  const sessionsOf = async (triggerId: string): Promise<string[]> =>
    (await gql(svc.url, svc.adminKey, 'query($t: ID!) { sessions(filter: {triggerId: $t}, first: 100) { edges { node { id } } } }', { t: triggerId }))
      .data!.sessions.edges.map((e: { node: { id: string } }) => e.node.id);

  /** Each replay answers the first request's deliveryId and sessionId, and the trigger has one session. */
  async function assertReplays(triggerId: string, first: { status: number; json: any }, replays: Array<Promise<{ status: number; json: any }>>) {
    assert.equal(first.status, 202, JSON.stringify(first.json));
    for (const r of await Promise.all(replays)) {
      assert.equal(r.status, 202, JSON.stringify(r.json));
      assert.deepEqual(r.json, first.json);
    }
    assert.deepEqual(await sessionsOf(triggerId), [first.json.sessionId]);
  }

  const sessionOf = async (sessionId: string) =>
    (await gql(svc.url, svc.adminKey, 'query($id: ID!) { node(id: $id) { ... on Session { id agent inputs status } } }', { id: sessionId })).data!.node;

  it('STANDARD_WEBHOOKS: accepts a body with unicode escapes, odd whitespace and key order exactly as sent', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'sw-raw', inputs: [{ name: 'title', path: '$.title' }, { name: 'n', path: '$.n', type: 'NUMBER' }] });
    assert.match(t.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    const body = '{ "n" :1.50 ,\n\t"title":"caf\\u00e9 \\ud83d\\ude00",   "z": [ ] }';
    const r = await post(t.url, standardWebhooks(t.secret, body));
    assert.equal(r.status, 202, JSON.stringify(r.json));
    assert.match(r.json.deliveryId, /^ind_/);
    assert.match(r.json.sessionId, /^ses_/);
    assert.deepEqual((await sessionOf(r.json.sessionId)).inputs, { title: 'café 😀', n: 1.5 });
  });

  it('STANDARD_WEBHOOKS: refuses the same JSON re-serialized (the signature covers other bytes)', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'sw-reencoded' });
    const original = '{ "b": 1, "a": "\\u00e9" }';
    const signed = standardWebhooks(t.secret, original);
    const r = await post(t.url, { ...signed, body: JSON.stringify(JSON.parse(original)) });
    assert.equal(r.status, 401);
    assert.deepEqual(r.json, { error: { code: 'INVALID_SIGNATURE', message: 'signature verification failed' } });
  });

  it('STANDARD_WEBHOOKS: refuses timestamps outside ±toleranceSeconds, past and future', async () => {
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'sw-window', toleranceSeconds: 60 });
    const now = Math.floor(Date.now() / 1000);
    for (const ts of [now - 120, now + 120]) {
      const r = await post(t.url, standardWebhooks(t.secret, '{}', { ts }));
      assert.equal(r.status, 401);
      assert.equal(r.json.error.code, 'TIMESTAMP_OUT_OF_WINDOW');
      assert.match(r.json.error.message, ts < now ? /s old; the window is ±60 s/ : /s in the future; the window is ±60 s/);
    }
    assert.equal((await post(t.url, standardWebhooks(t.secret, '{}', { ts: now - 50 }))).status, 202);
  });

  it('GITHUB: JSON and form-encoded (payload field) bodies; the ping is answered and starts no session', async () => {
    const secret = "It's a Secret to Everybody";
    const t = await createTrigger(svc.url, svc.adminKey, {
      name: 'gh', signatureScheme: 'GITHUB', secret,
      inputs: [{ name: 'repo', path: '$.repository.full_name' }, { name: 'pr', path: '$.pull_request.number', type: 'NUMBER' }],
    });
    assert.equal(t.secret, secret);
    const payload = { action: 'opened', repository: { full_name: 'acme/app' }, pull_request: { number: 42 } };
    const json = await post(t.url, github(secret, JSON.stringify(payload)));
    assert.equal(json.status, 202);
    assert.deepEqual((await sessionOf(json.json.sessionId)).inputs, { repo: 'acme/app', pr: 42 });

    const form = `payload=${encodeURIComponent(JSON.stringify({ ...payload, pull_request: { number: 43 } }))}`;
    const r = await post(t.url, github(secret, form, { contentType: 'application/x-www-form-urlencoded' }));
    assert.equal(r.status, 202, JSON.stringify(r.json));
    assert.deepEqual((await sessionOf(r.json.sessionId)).inputs, { repo: 'acme/app', pr: 43 });

    const ping = await post(t.url, github(secret, JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 }), { event: 'ping' }));
    assert.equal(ping.status, 200);
    assert.deepEqual(ping.json, { ok: true, event: 'ping' });
    const badPing = await post(t.url, { ...github('wrong', '{"zen":"x"}', { event: 'ping' }) });
    assert.equal(badPing.status, 401, 'the ping is answered only after verification');
  });

  it('STRIPE: the whole whsec_ string is the key, any v1 may match, the event id is the replay id', async () => {
    const secret = 'whsec_stripe_test_0123456789abcdef';
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'stripe', signatureScheme: 'STRIPE', secret, inputs: [{ name: 'type', path: '$.type' }] });
    const body = JSON.stringify({ id: 'evt_1NG8Du2eZvKYlo2C', type: 'invoice.paid' });
    const r = await post(t.url, stripe(secret, body, { extraV1: ['0'.repeat(64), 'f'.repeat(64)] }));
    assert.equal(r.status, 202, JSON.stringify(r.json));
    const again = await post(t.url, stripe(secret, body));
    assert.deepEqual(again.json, r.json, 'the same event id is a replay');
    const other = await post(t.url, stripe(secret, JSON.stringify({ id: 'evt_other', type: 'invoice.paid' })));
    assert.notEqual(other.json.sessionId, r.json.sessionId);
    const wrongKey = await post(t.url, stripe(secret.replace('whsec_', ''), body));
    assert.equal(wrongKey.status, 401);
  });

  it('SLACK: v0 signature; url_verification is answered with the challenge; form bodies map as fields', async () => {
    const secret = '8f742231b10e8888abcd99yyyzzz85a5';
    const t = await createTrigger(svc.url, svc.adminKey, { name: 'slack', signatureScheme: 'SLACK', secret, inputs: [{ name: 'command', path: '$.command' }, { name: 'text', path: '$.text' }] });
    const challenge = await post(t.url, slack(secret, JSON.stringify({ token: 'x', challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P', type: 'url_verification' })));
    assert.equal(challenge.status, 200);
    assert.deepEqual(challenge.json, { challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
    const form = 'token=x&team_id=T1&command=%2Fdeploy&text=prod';
    const signed = slack(secret, form, { contentType: 'application/x-www-form-urlencoded' });
    const r = await post(t.url, signed);
    assert.equal(r.status, 202, JSON.stringify(r.json));
    assert.deepEqual((await sessionOf(r.json.sessionId)).inputs, { command: '/deploy', text: 'prod' });
    // Slack retries with the same signature: the gateway answers as before and starts no session.
    const retry = await post(t.url, signed, { 'x-slack-retry-num': '1' });
    assert.deepEqual(retry.json, r.json);
  });

  it('HMAC_SHA256: configured header, hex with prefix and id header, or base64', async () => {
    const secret = 'shared-secret-for-hmac';
    const hex = await createTrigger(svc.url, svc.adminKey, {
      name: 'hmac-hex', signatureScheme: 'HMAC_SHA256', secret, hmac: { header: 'X-Signature', encoding: 'HEX', prefix: 'sha256=', idHeader: 'X-Request-Id' },
    });
    const body = '{"ok":true}';
    const sig = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    const first = await post(hex.url, { body, headers: { 'content-type': 'application/json', 'x-signature': sig, 'x-request-id': 'req-1' } });
    assert.equal(first.status, 202);
    const dup = await post(hex.url, { body, headers: { 'content-type': 'application/json', 'x-signature': sig, 'x-request-id': 'req-1' } });
    assert.deepEqual(dup.json, first.json);
    const noPrefix = await post(hex.url, { body, headers: { 'content-type': 'application/json', 'x-signature': sig.slice(7) } });
    assert.equal(noPrefix.status, 401);

    const b64 = await createTrigger(svc.url, svc.adminKey, { name: 'hmac-b64', signatureScheme: 'HMAC_SHA256', secret, hmac: { header: 'X-Sig', encoding: 'BASE64' } });
    const ok = await post(b64.url, { body, headers: { 'content-type': 'application/json', 'x-sig': createHmac('sha256', secret).update(body).digest('base64') } });
    assert.equal(ok.status, 202);
    const bad = await post(b64.url, { body, headers: { 'content-type': 'application/json', 'x-sig': createHmac('sha256', 'other').update(body).digest('base64') } });
    assert.equal(bad.status, 401);
  });

  describe('replay protection cannot be dodged by re-encoding the signature or changing an unsigned id', () => {
    const upperHex = (value: string) => value.replace(/[0-9a-f]{64}$/, (hex) => hex.toUpperCase());

    it('GITHUB: upper-case hex, a missing or a changed X-GitHub-Delivery is still a replay', async () => {
      const secret = 'gh-replay-secret';
      const t = await createTrigger(svc.url, svc.adminKey, { name: 'gh-replay', signatureScheme: 'GITHUB', secret });
      const signed = github(secret, JSON.stringify({ action: 'opened', n: 1 }), { delivery: 'delivery-1' });
      const first = await post(t.url, signed);
      const { 'x-github-delivery': _dropped, ...withoutDelivery } = signed.headers;
      await assertReplays(t.id, first, [
        post(t.url, { ...signed, headers: { ...signed.headers, 'x-hub-signature-256': upperHex(signed.headers['x-hub-signature-256']!) } }),
        post(t.url, { ...signed, headers: withoutDelivery }),
        post(t.url, signed, { 'x-github-delivery': 'delivery-2' }),
        post(t.url, signed, { 'x-github-delivery': 'delivery-3', 'x-hub-signature-256': upperHex(signed.headers['x-hub-signature-256']!) }),
      ]);
      // A new body is a new message, with or without a delivery header, and a delivery id only
      // seen on a replay was not remembered.
      const other = github(secret, JSON.stringify({ action: 'opened', n: 2 }));
      const { 'x-github-delivery': _none, ...bare } = other.headers;
      const second = await post(t.url, { ...other, headers: bare });
      const third = await post(t.url, github(secret, JSON.stringify({ action: 'opened', n: 3 }), { delivery: 'delivery-2' }));
      for (const r of [second, third]) {
        assert.equal(r.status, 202);
        assert.match(r.json.sessionId, /^ses_/);
      }
      assert.equal(new Set(await sessionsOf(t.id)).size, 3);
    });

    it('SLACK: the same signature in upper-case hex is a replay', async () => {
      const secret = 'slack-replay-secret-0123456789';
      const t = await createTrigger(svc.url, svc.adminKey, { name: 'slack-replay', signatureScheme: 'SLACK', secret });
      const signed = slack(secret, JSON.stringify({ type: 'event_callback', event_id: 'Ev1' }));
      const first = await post(t.url, signed);
      await assertReplays(t.id, first, [
        post(t.url, signed, { 'x-slack-signature': `v0=${signed.headers['x-slack-signature']!.slice(3).toUpperCase()}` }),
        post(t.url, signed, { 'x-slack-retry-num': '1' }),
      ]);
    });

    it('HMAC_SHA256 (hex, id header): upper-case hex with a changed or missing id header is a replay', async () => {
      const secret = 'hmac-replay-secret';
      const t = await createTrigger(svc.url, svc.adminKey, {
        name: 'hmac-replay-hex', signatureScheme: 'HMAC_SHA256', secret, hmac: { header: 'X-Signature', encoding: 'HEX', prefix: 'sha256=', idHeader: 'X-Request-Id' },
      });
      const body = '{"order":1}';
      const hex = createHmac('sha256', secret).update(body).digest('hex');
      const send = (headers: Record<string, string>) => post(t.url, { body, headers: { 'content-type': 'application/json', ...headers } });
      const first = await send({ 'x-signature': `sha256=${hex}`, 'x-request-id': 'req-1' });
      await assertReplays(t.id, first, [
        send({ 'x-signature': `sha256=${hex.toUpperCase()}`, 'x-request-id': 'req-1' }),
        send({ 'x-signature': `sha256=${hex.toUpperCase()}`, 'x-request-id': 'req-2' }),
        send({ 'x-signature': `sha256=${hex}` }),
      ]);
    });

    it('HMAC_SHA256 (base64): base64url and unpadded forms of the same signature are replays', async () => {
      const secret = 'hmac-replay-b64-secret';
      const t = await createTrigger(svc.url, svc.adminKey, { name: 'hmac-replay-b64', signatureScheme: 'HMAC_SHA256', secret, hmac: { header: 'X-Sig', encoding: 'BASE64' } });
      // A body whose signature has + and / in base64, so that base64url spells it differently.
      let body = '';
      let mac = Buffer.alloc(0);
      for (let n = 0; !/[+/]/.test(mac.toString('base64')); n++) {
        body = JSON.stringify({ n });
        mac = createHmac('sha256', secret).update(body).digest();
      }
      const send = (sig: string) => post(t.url, { body, headers: { 'content-type': 'application/json', 'x-sig': sig } });
      const first = await send(mac.toString('base64'));
      await assertReplays(t.id, first, [send(mac.toString('base64url')), send(mac.toString('base64').replace(/=+$/, ''))]);
    });

    it('STRIPE: an event without an id is keyed on its signed bytes, whatever the order of the v1 signatures', async () => {
      const secret = 'whsec_stripe_replay_0123456789';
      const t = await createTrigger(svc.url, svc.adminKey, { name: 'stripe-replay', signatureScheme: 'STRIPE', secret });
      const signed = stripe(secret, JSON.stringify({ type: 'invoice.paid' }), { extraV1: ['0'.repeat(64)] });
      const first = await post(t.url, signed);
      const [ts, junk, good] = signed.headers['stripe-signature']!.split(',');
      await assertReplays(t.id, first, [
        post(t.url, signed, { 'stripe-signature': [ts, good, junk].join(',') }),
        post(t.url, signed, { 'stripe-signature': [ts, good!.toUpperCase().replace('V1=', 'v1=')].join(',') }),
      ]);
    });
  });
});
