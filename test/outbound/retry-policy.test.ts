import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/platform/config.ts';
import { nextAttemptDelay } from '../../src/outbound/retry-policy.ts';

describe('retry policy', () => {
  const schedule = loadConfig({}, []).deliveryRetryScheduleMs;

  it('defaults to SPEC §7: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, so 8 attempts over about 27.5 hours', () => {
    assert.deepEqual(schedule, [5e3, 3e5, 18e5, 72e5, 18e6, 36e6, 36e6]);
    assert.equal(schedule.length + 1, 8);
    assert.equal(schedule.reduce((a, b) => a + b, 0), ((27 * 60 + 35) * 60 + 5) * 1000, "27 h 35 min 5 s");
  });

  it('jitters each wait by ±20 % and stops after the last attempt', () => {
    assert.equal(nextAttemptDelay(schedule, 1, null, () => 0), 4000);
    assert.equal(nextAttemptDelay(schedule, 1, null, () => 1), 6000);
    assert.equal(nextAttemptDelay(schedule, 2, null, () => 0.5), 300_000);
    assert.equal(nextAttemptDelay(schedule, 7, null, () => 0.5), 36e6);
    assert.equal(nextAttemptDelay(schedule, 8, null), null);
    for (let i = 0; i < 200; i++) {
      const d = nextAttemptDelay(schedule, 3, null)!;
      assert.ok(d >= 1_440_000 && d <= 2_160_000, String(d));
    }
  });

  it('honours a longer Retry-After, not a shorter one', () => {
    assert.equal(nextAttemptDelay(schedule, 1, 120, () => 0.5), 120_000);
    assert.equal(nextAttemptDelay(schedule, 2, 1, () => 0.5), 300_000);
  });

  it('clamps a Retry-After to the schedule left and to 24 h, and ignores one that is not a positive finite number', () => {
    const day = 24 * 3600 * 1000;
    // After attempt 1 the default schedule has 27.5 h left: 24 h is the bound.
    assert.equal(nextAttemptDelay(schedule, 1, Number('99999999999999999999'), () => 0.5), day);
    assert.equal(nextAttemptDelay(schedule, 1, 1e300, () => 0.5), day);
    // After attempt 6 only 10 h + 10 h are left.
    assert.equal(nextAttemptDelay(schedule, 6, 10 * day / 1000, () => 0.5), 72e6);
    assert.equal(nextAttemptDelay(schedule, 7, 10 * day / 1000, () => 0.5), 36e6);
    const short = [100, 200, 200];
    assert.equal(nextAttemptDelay(short, 1, Number('99999999999999999999'), () => 0.5), 500);
    assert.equal(nextAttemptDelay(short, 3, 60, () => 0.5), 200);
    assert.equal(nextAttemptDelay(short, 4, 60), null, 'no attempt is left: a Retry-After does not add one');
    for (const ignored of [Infinity, -Infinity, NaN, -5, 0]) assert.equal(nextAttemptDelay(short, 1, ignored, () => 0.5), 100, String(ignored));
    for (const s of [1, 2, 3]) assert.ok(Number.isFinite(new Date(Date.now() + nextAttemptDelay(schedule, s, Number.MAX_VALUE)!).getTime()));
  });

  it('reads DELIVERY_RETRY_SCHEDULE in any unit and names a bad one', () => {
    assert.deepEqual(loadConfig({ DELIVERY_RETRY_SCHEDULE: '10ms,0.5s,1m' }, []).deliveryRetryScheduleMs, [10, 500, 60_000]);
    assert.throws(() => loadConfig({ DELIVERY_RETRY_SCHEDULE: '5s,soon' }, []), /DELIVERY_RETRY_SCHEDULE: must be a comma-separated list/);
    assert.equal(loadConfig({ DELIVERY_AUTO_DISABLE_AFTER: '2h' }, []).deliveryAutoDisableAfterMs, 7_200_000);
  });
});
