import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { SecretCipher } from '../../src/platform/crypto/cipher.ts';

describe('SecretCipher (AES-256-GCM at rest)', () => {
  const cipher = new SecretCipher(randomBytes(32));

  it('round-trips a secret and never stores it in clear', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const stored = cipher.encrypt(secret, 'trigger:trg_1');
    assert.match(stored, /^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.ok(!stored.includes(secret));
    assert.ok(!stored.includes(Buffer.from(secret).toString('base64')));
    assert.equal(cipher.decrypt(stored, 'trigger:trg_1'), secret);
  });

  it('uses a fresh IV each time', () => {
    assert.notEqual(cipher.encrypt('same', 'c'), cipher.encrypt('same', 'c'));
  });

  it('refuses a ciphertext moved to another owner (associated data)', () => {
    const stored = cipher.encrypt('s3cret', 'trigger:trg_1');
    assert.throws(() => cipher.decrypt(stored, 'trigger:trg_2'));
  });

  it('refuses a tampered ciphertext', () => {
    const [v, iv, tag, body] = cipher.encrypt('s3cret-value', 'ctx').split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0]! ^= 1;
    assert.throws(() => cipher.decrypt([v, iv, tag, flipped.toString('base64url')].join('.'), 'ctx'));
  });

  it('refuses a ciphertext whose tag was cut short (GCM checks only the tag bytes it is handed)', () => {
    const [v, iv, tag, body] = cipher.encrypt('s3cret-value', 'ctx').split('.');
    const full = Buffer.from(tag!, 'base64url');
    assert.equal(full.length, 16);
    // A 4-byte prefix of the right tag would let a forger succeed after ~2^32 tries, not 2^128.
    for (const length of [4, 8, 12, 15]) {
      const short = full.subarray(0, length).toString('base64url');
      assert.throws(() => cipher.decrypt([v, iv, short, body].join('.'), 'ctx'), /tag/, `a ${length}-byte tag opened the secret`);
    }
    const long = Buffer.concat([full, Buffer.alloc(1)]).toString('base64url');
    assert.throws(() => cipher.decrypt([v, iv, long, body].join('.'), 'ctx'), /tag/);
  });

  it('refuses a nonce that is not 12 bytes', () => {
    const [v, iv, tag, body] = cipher.encrypt('s3cret-value', 'ctx').split('.');
    const longer = Buffer.concat([Buffer.from(iv!, 'base64url'), Buffer.alloc(4)]).toString('base64url');
    assert.throws(() => cipher.decrypt([v, longer, tag, body].join('.'), 'ctx'), /nonce/);
  });

  it('refuses to open with another master key', () => {
    const stored = cipher.encrypt('s3cret', 'ctx');
    assert.throws(() => new SecretCipher(randomBytes(32)).decrypt(stored, 'ctx'));
  });

  it('needs a 32-byte master key', () => {
    assert.throws(() => new SecretCipher(randomBytes(16)), /32 bytes/);
  });
});
