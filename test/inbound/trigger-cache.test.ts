// The /hooks trigger cache (src/inbound/trigger-context.ts): a change made in this process drops the
// entry at once, and a load that was in flight when the change came does not store what it read.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TriggerCache, type TriggerContext, forgetTrigger } from '../../src/inbound/trigger-context.ts';

const context = (secret: string) => ({ id: 'trg_1', secrets: [secret] }) as unknown as TriggerContext;

describe('TriggerCache', () => {
  it('serves from memory until forgetTrigger(), then loads again', async () => {
    let loads = 0;
    let secret = 'old';
    const cache = new TriggerCache(async () => (loads++, context(secret)), 60_000);
    assert.deepEqual((await cache.get('trg_1'))!.secrets, ['old']);
    secret = 'new';
    assert.deepEqual((await cache.get('trg_1'))!.secrets, ['old']);
    assert.equal(loads, 1);
    forgetTrigger('trg_1');
    assert.deepEqual((await cache.get('trg_1'))!.secrets, ['new']);
    assert.equal(loads, 2);
  });

  it('does not keep what a load read before an invalidation that came while it ran', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let secret = 'old';
    const cache = new TriggerCache(async () => {
      const read = context(secret);
      await gate;
      return read;
    }, 60_000);
    const inFlight = cache.get('trg_1');
    secret = 'new';
    cache.invalidate('trg_1');
    release();
    assert.deepEqual((await inFlight)!.secrets, ['old'], 'the caller that asked before the change gets what was read');
    assert.deepEqual((await cache.get('trg_1'))!.secrets, ['new'], 'the next one reads again');
  });
});

describe('TriggerCache under load', () => {
  it('sends one load for the requests that meet a missing entry together', async () => {
    let loads = 0;
    const cache = new TriggerCache(async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 20));
      return context('s');
    }, 60_000);
    const got = await Promise.all(Array.from({ length: 20 }, () => cache.get('trg_1')));
    assert.equal(loads, 1);
    assert.ok(got.every((g) => g!.secrets[0] === 's'));
  });
});
