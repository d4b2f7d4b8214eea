import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  type VerifyInput, signGitHub, signHmac, signSlack, signStandardWebhooks, signStripe, verify,
} from '../../src/signing/schemes.ts';

// Published vectors.
const SW = { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', ts: 1614265330, body: '{"test": 2432232314}', sig: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' };
const GH = { secret: "It's a Secret to Everybody", body: 'Hello, World!', sig: 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' };

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

const base = (over: Partial<VerifyInput>): VerifyInput => ({
  scheme: 'STANDARD_WEBHOOKS', headers: {}, body: Buffer.alloc(0), secrets: [], toleranceSeconds: 300, nowSeconds: SW.ts, ...over,
});

describe('signature schemes', () => {
  it('Standard Webhooks: signs the published vector', () => {
    assert.equal(signStandardWebhooks(SW.secret, SW.id, SW.ts, SW.body), SW.sig);
  });

  it('Standard Webhooks: verifies the published vector with an injected clock, any of several signatures', () => {
    const headers = { 'webhook-id': SW.id, 'webhook-timestamp': String(SW.ts), 'webhook-signature': `v1,bm90IGl0 ${SW.sig}` };
    assert.deepEqual(verify(base({ headers, body: Buffer.from(SW.body), secrets: ['whsec_b3RoZXI=', SW.secret] })), { ok: true, messageId: SW.id, replayKeys: [SW.id] });
  });

  it('Standard Webhooks: refuses the same JSON re-serialized, and stale or future timestamps', () => {
    const headers = { 'webhook-id': SW.id, 'webhook-timestamp': String(SW.ts), 'webhook-signature': SW.sig };
    const reencoded = Buffer.from(JSON.stringify(JSON.parse(SW.body)));
    const r = verify(base({ headers, body: reencoded, secrets: [SW.secret] }));
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.check, 'signature');
    assert.match(!r.ok ? r.reason : '', /computed over different bytes/);
    const old = verify(base({ headers, body: Buffer.from(SW.body), secrets: [SW.secret], nowSeconds: SW.ts + 412 }));
    assert.deepEqual(old, { ok: false, check: 'timestamp', reason: 'timestamp 412 s old; the window is ±300 s' });
    const future = verify(base({ headers, body: Buffer.from(SW.body), secrets: [SW.secret], nowSeconds: SW.ts - 301 }));
    assert.equal(!future.ok && future.reason, 'timestamp 301 s in the future; the window is ±300 s');
    const edge = verify(base({ headers, body: Buffer.from(SW.body), secrets: [SW.secret], nowSeconds: SW.ts + 300 }));
    assert.equal(edge.ok, true);
  });

  it('GitHub: signs and verifies the published vector; the key is the secret string', () => {
    assert.equal(signGitHub(GH.secret, GH.body), GH.sig);
    const r = verify(base({ scheme: 'GITHUB', headers: { 'x-hub-signature-256': GH.sig, 'x-github-delivery': 'd-1' }, body: Buffer.from(GH.body), secrets: [GH.secret] }));
    assert.deepEqual(r, { ok: true, messageId: 'd-1', replayKeys: ['d-1', `sha256:${sha256(GH.body)}`] });
    const wrong = verify(base({ scheme: 'GITHUB', headers: { 'x-hub-signature-256': GH.sig }, body: Buffer.from('Hello, World'), secrets: [GH.secret] }));
    assert.equal(wrong.ok, false);
    const malformed = verify(base({ scheme: 'GITHUB', headers: { 'x-hub-signature-256': 'sha1=abc' }, body: Buffer.from(GH.body), secrets: [GH.secret] }));
    assert.match(!malformed.ok ? malformed.reason : '', /not sha256=<hex>/);
  });

  it('Stripe: the key is the whole secret (whsec_ included), any v1 may match, t is checked', () => {
    const secret = 'whsec_test_secret';
    const body = Buffer.from('{"id":"evt_1","type":"charge.succeeded"}');
    const good = signStripe(secret, SW.ts, body);
    const v1 = good.split('v1=')[1];
    const header = `t=${SW.ts},v1=${'0'.repeat(64)},v1=${v1}`;
    assert.deepEqual(verify(base({ scheme: 'STRIPE', headers: { 'stripe-signature': header }, body, secrets: [secret] })),
      { ok: true, messageId: undefined, replayKeys: [`sha256:${sha256(`${SW.ts}.${body}`)}`] }, 'the event id is read from the body later; the signed bytes stand in');
    const stripped = verify(base({ scheme: 'STRIPE', headers: { 'stripe-signature': header }, body, secrets: ['test_secret'] }));
    assert.equal(stripped.ok, false, 'the whsec_ prefix is part of the key');
    const late = verify(base({ scheme: 'STRIPE', headers: { 'stripe-signature': header }, body, secrets: [secret], nowSeconds: SW.ts + 1000 }));
    assert.equal(!late.ok && late.check, 'timestamp');
  });

  it('Slack: v0:{ts}:{body}; the signed bytes are the replay key', () => {
    const secret = '8f742231b10e8888abcd99yyyzzz85a5';
    const body = Buffer.from('token=x&team_id=T1&command=%2Fweather');
    const sig = signSlack(secret, SW.ts, body);
    const r = verify(base({ scheme: 'SLACK', headers: { 'x-slack-signature': sig, 'x-slack-request-timestamp': String(SW.ts) }, body, secrets: [secret] }));
    assert.deepEqual(r, { ok: true, messageId: undefined, replayKeys: [`sha256:${sha256(`v0:${SW.ts}:${body}`)}`] });
    const noTs = verify(base({ scheme: 'SLACK', headers: { 'x-slack-signature': sig }, body, secrets: [secret] }));
    assert.deepEqual(noTs, { ok: false, check: 'timestamp', reason: 'missing X-Slack-Request-Timestamp header' });
  });

  it('HMAC_SHA256: configurable header, hex or base64, prefix and id header', () => {
    const body = Buffer.from('{"a":1}');
    const hex = signHmac('k', body, { encoding: 'HEX', prefix: 'sha256=' });
    const r = verify(base({ scheme: 'HMAC_SHA256', hmac: { header: 'X-Sig', encoding: 'HEX', prefix: 'sha256=', idHeader: 'X-Id' }, headers: { 'x-sig': hex, 'x-id': 'm-9' }, body, secrets: ['k'] }));
    assert.deepEqual(r, { ok: true, messageId: 'm-9', replayKeys: ['m-9', `sha256:${sha256(body)}`] });
    const b64 = signHmac('k', body, { encoding: 'BASE64' });
    const r2 = verify(base({ scheme: 'HMAC_SHA256', hmac: { header: 'X-Sig', encoding: 'BASE64' }, headers: { 'x-sig': b64 }, body, secrets: ['k'] }));
    assert.equal(r2.ok, true);
    assert.deepEqual(r2, { ok: true, messageId: undefined, replayKeys: [`sha256:${sha256(body)}`] }, 'without an id header, the signed bytes alone');
    const noPrefix = verify(base({ scheme: 'HMAC_SHA256', hmac: { header: 'X-Sig', encoding: 'HEX', prefix: 'sha256=' }, headers: { 'x-sig': hex.slice(7) }, body, secrets: ['k'] }));
    assert.match(!noPrefix.ok ? noPrefix.reason : '', /does not start with "sha256="/);
  });

  it('accepts any secret inside a rotation overlap', () => {
    const body = Buffer.from(GH.body);
    const r = verify(base({ scheme: 'GITHUB', headers: { 'x-hub-signature-256': signGitHub('old', body) }, body, secrets: ['new', 'old'] }));
    assert.equal(r.ok, true);
  });

  it('replay keys: one per message whatever the signature form, rotation secret or unsigned id; sender ids cannot pass for them', () => {
    const body = Buffer.from('{"a":1}');
    const keysOf = (over: Partial<VerifyInput>) => {
      const r = verify(base({ body, ...over }));
      assert.equal(r.ok, true, JSON.stringify(r));
      return r.ok ? r.replayKeys : [];
    };
    const signedKey = `sha256:${sha256(body)}`;
    const gh = signGitHub('old', body);
    for (const headers of [{ 'x-hub-signature-256': gh }, { 'x-hub-signature-256': gh.toUpperCase().replace('SHA256=', 'sha256=') }]) {
      assert.deepEqual(keysOf({ scheme: 'GITHUB', headers, secrets: ['new', 'old'] }), [signedKey]);
    }
    assert.deepEqual(keysOf({ scheme: 'GITHUB', headers: { 'x-hub-signature-256': signGitHub('new', body) }, secrets: ['new', 'old'] }), [signedKey], 'either secret of an overlap');
    const hmac = { header: 'X-Sig', encoding: 'BASE64' as const };
    const mac = Buffer.from(signHmac('k', body, { encoding: 'BASE64' }), 'base64');
    for (const sig of [mac.toString('base64'), mac.toString('base64url'), mac.toString('base64').replace(/=+$/, '')]) {
      assert.deepEqual(keysOf({ scheme: 'HMAC_SHA256', hmac, headers: { 'x-sig': sig }, secrets: ['k'] }), [signedKey], sig);
    }
    assert.deepEqual(keysOf({ scheme: 'GITHUB', headers: { 'x-hub-signature-256': gh, 'x-github-delivery': `sha256:${'0'.repeat(64)}` }, secrets: ['old'] })[0],
      `id:${sha256(`sha256:${'0'.repeat(64)}`)}`, 'an id shaped like a signed-bytes key is hashed apart');
    const long = 'x'.repeat(300);
    assert.deepEqual(keysOf({ headers: { 'webhook-id': long, 'webhook-timestamp': String(SW.ts), 'webhook-signature': signStandardWebhooks(SW.secret, long, SW.ts, body) }, secrets: [SW.secret] }),
      [`id:${sha256(long)}`], 'a long id is hashed, to fit the index');
  });
});
