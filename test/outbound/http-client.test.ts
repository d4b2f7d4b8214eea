// The delivery client against real receivers on 127.0.0.1: whatever bytes a receiver answers, the
// stored answer is text PostgreSQL accepts, cut at 4 KiB between characters (SPEC §7, §15).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeliveryClient, RESPONSE_BODY_LIMIT, storableText } from '../../src/platform/http-client.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';

describe('delivery client answers', () => {
  let r: Receiver;
  const client = new DeliveryClient({ allowInsecure: true, allowPrivate: true });
  before(async () => {
    r = await startReceiver();
  });
  after(async () => {
    await client.close();
    await r.close();
  });
  const answer = async (body: Buffer, headers: Record<string, string> = {}, status = 200) => {
    r.respond(() => ({ status, body, headers }));
    return client.post({ url: `${r.url}/hook`, owner: 'sub_test' }, '{}', { 'content-type': 'application/json' }, 2000);
  };

  it('keeps text as it is, and replaces NUL and invalid UTF-8 with U+FFFD', async () => {
    assert.equal((await answer(Buffer.from('plain ✓ text'))).responseBody, 'plain ✓ text');
    assert.equal((await answer(Buffer.from('a\0b'))).responseBody, 'a\u{FFFD}b');
    assert.equal((await answer(Buffer.from([0x61, 0xff, 0xc3, 0x28, 0xe2, 0x82]))).responseBody, 'a\u{FFFD}\u{FFFD}(\u{FFFD}');
    const binary = await answer(Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
    assert.ok(!binary.responseBody!.includes('\0'));
  });

  it('cuts at 4 KiB without splitting a character, however the bytes are chunked', async () => {
    // 'ab' then 3-byte characters: the limit falls inside one (2 + 3 x 1364 = 4094).
    const body = Buffer.from(`ab${'€'.repeat(3000)}`);
    const got = (await answer(body)).responseBody!;
    assert.equal(got, `ab${'€'.repeat(1364)}`);
    assert.ok(Buffer.byteLength(got) <= RESPONSE_BODY_LIMIT);
    // Exactly at the limit: nothing is cut, nothing is left out.
    const exact = Buffer.from('x'.repeat(RESPONSE_BODY_LIMIT));
    assert.equal((await answer(exact)).responseBody, exact.toString());
    assert.equal(storableText(Buffer.from([0x61, 0xe2, 0x82]), true), 'a');
    assert.equal(storableText(Buffer.from([0x61, 0xe2, 0x82]), false), 'a\u{FFFD}');
  });

  it('reads Retry-After of any size without failing: the retry policy bounds it', async () => {
    const huge = await answer(Buffer.from(''), { 'retry-after': '99999999999999999999' }, 429);
    assert.equal(huge.errorClass, 'HTTP_429');
    assert.ok(huge.retryAfterSeconds! > 1e19);
    const far = await answer(Buffer.from(''), { 'retry-after': 'Fri, 31 Dec 9999 23:59:59 GMT' }, 503);
    assert.ok(Number.isFinite(far.retryAfterSeconds));
    assert.equal((await answer(Buffer.from(''), { 'retry-after': 'soon' }, 429)).retryAfterSeconds, null);
  });
});
