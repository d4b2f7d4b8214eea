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
});
