// SPEC §7: the schedule is the wait before each next attempt after a failure (5 s, 5 min, 30 min,
// 2 h, 5 h, 10 h, 10 h by default: 8 attempts over about 27.5 hours), each wait ±20 % so a
// subscriber that comes back is not hit by every retry at once. A Retry-After on 429/503 wins
// when it is longer, up to a bound (SPEC §15): a receiver's header must not push a delivery past
// the end of its schedule, nor a date the database or pg-boss cannot hold.

const DAY_MS = 24 * 60 * 60 * 1000;

/** Milliseconds until the next attempt after failed attempt number `attempt` (1-based), or null
 *  when that was the last one. */
export function nextAttemptDelay(
  schedule: number[], attempt: number, retryAfterSeconds: number | null, random: () => number = Math.random,
): number | null {
  const base = schedule[attempt - 1];
  if (base === undefined) return null;
  const jittered = Math.round(base * (0.8 + 0.4 * random()));
  return Math.max(jittered, honouredRetryAfterMs(schedule, attempt, retryAfterSeconds));
}

/**
 * The part of a Retry-After we follow: at most the waits the schedule has left after this attempt
 * and at most 24 h; a value that is not a positive finite number is ignored.
 */
export function honouredRetryAfterMs(schedule: number[], attempt: number, retryAfterSeconds: number | null): number {
  if (retryAfterSeconds === null || !Number.isFinite(retryAfterSeconds) || retryAfterSeconds <= 0) return 0;
  const remaining = schedule.slice(attempt - 1).reduce((a, b) => a + b, 0);
  return Math.min(retryAfterSeconds * 1000, remaining, DAY_MS);
}
