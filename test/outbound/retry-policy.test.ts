import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
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

  it('reads DELIVERY_RETRY_SCHEDULE in any unit and names a bad one', () => {
    assert.deepEqual(loadConfig({ DELIVERY_RETRY_SCHEDULE: '10ms,0.5s,1m' }, []).deliveryRetryScheduleMs, [10, 500, 60_000]);
    assert.throws(() => loadConfig({ DELIVERY_RETRY_SCHEDULE: '5s,soon' }, []), /DELIVERY_RETRY_SCHEDULE: must be a comma-separated list/);
    assert.equal(loadConfig({ DELIVERY_AUTO_DISABLE_AFTER: '2h' }, []).deliveryAutoDisableAfterMs, 7_200_000);
  });
});
