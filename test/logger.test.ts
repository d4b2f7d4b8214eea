import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger } from '../src/platform/logger.ts';

describe('logger', () => {
  it('writes JSON lines and redacts secret-bearing fields even if a caller passes them', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
    const log = createLogger('info', sink);
    log.info({ secret: 'whsec_abc', headers: { authorization: 'Bearer whk_x' }, payload: '{"card":"4242"}', signature: 'v1,zzz', trigger: 'trg_1' }, 'received');
    await new Promise((r) => setImmediate(r));
    const line = JSON.parse(lines[0]!);
    assert.equal(line.msg, 'received');
    assert.equal(line.trigger, 'trg_1');
    for (const leaked of ['whsec_abc', 'whk_x', '4242', 'v1,zzz']) assert.ok(!lines[0]!.includes(leaked), leaked);
    assert.equal(line.secret, '[redacted]');
  });
});
