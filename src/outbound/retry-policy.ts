// SPEC §7: the schedule is the wait before each next attempt after a failure (5 s, 5 min, 30 min,
// 2 h, 5 h, 10 h, 10 h by default: 8 attempts over about 27.5 hours), each wait ±20 % so a
// subscriber that comes back is not hit by every retry at once. A Retry-After on 429/503 wins
// when it is longer.

/** Milliseconds until the next attempt after failed attempt number `attempt` (1-based), or null
 *  when that was the last one. */
export function nextAttemptDelay(
  schedule: number[], attempt: number, retryAfterSeconds: number | null, random: () => number = Math.random,
): number | null {
  const base = schedule[attempt - 1];
  if (base === undefined) return null;
  const jittered = Math.round(base * (0.8 + 0.4 * random()));
  return Math.max(jittered, (retryAfterSeconds ?? 0) * 1000);
}
