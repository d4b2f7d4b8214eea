// Which database errors are the database being unavailable (answered 503, retried whole) rather
// than a write's own fault (src/platform/database-errors.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDatabaseUnavailable } from '../../src/platform/database-errors.ts';

describe('isDatabaseUnavailable', () => {
  it('counts refused, reset, shut-down and too-many-connections failures, also as a cause, and no SQL error', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', '57P01', '08006', '53300']) assert.equal(isDatabaseUnavailable({ code }), true, code);
    assert.equal(isDatabaseUnavailable(new Error('wrapped', { cause: { code: '53300' } })), true);
    assert.equal(isDatabaseUnavailable(new Error('Connection terminated unexpectedly')), true);
    // Prisma's driver adapter reports 53300 as P2037.
    assert.equal(isDatabaseUnavailable(Object.assign(new Error('Too many database connections opened: sorry, too many clients already'), { code: 'P2037' })), true);
    for (const code of ['23503', '23505', '22P02', '40P01', '0A000']) assert.equal(isDatabaseUnavailable({ code }), false, code);
    assert.equal(isDatabaseUnavailable(undefined), false);
  });
});
