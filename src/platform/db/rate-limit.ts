// Fixed one-second windows counted in PostgreSQL, so a limit holds across every replica. One
// upsert per request (or per batch, for many keys at once); old windows are pruned by the
// maintenance job.
import type pg from 'pg';

export async function hit(pool: pg.Pool, key: string, limitPerSecond: number, nowMs = Date.now()): Promise<boolean> {
  return (await countHits(pool, key, 1, nowMs)) <= limitPerSecond;
}

/** Counts `n` hits in a second's window; returns the window's count including them. */
export async function countHits(pool: pg.Pool, key: string, n = 1, nowMs = Date.now()): Promise<number> {
  return (await countHitsEach(pool, new Map([[key, n]]), nowMs)).get(key)!;
}

/**
 * Counts hits for several distinct keys in the same second's window, in one statement; returns each
 * key's count including them. Keys are written in sorted order so that two callers never lock the
 * same rows in opposite orders.
 */
export async function countHitsEach(pool: pg.Pool, hits: Map<string, number>, nowMs = Date.now()): Promise<Map<string, number>> {
  const keys = [...hits.keys()].sort();
  const { rows } = await pool.query<{ key: string; hits: number }>(
    `INSERT INTO rate_limit_window (key, window_start, hits)
     SELECT h.key, $2::bigint, h.n FROM unnest($1::text[], $3::int[]) AS h(key, n) ORDER BY h.key
     ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit_window.hits + EXCLUDED.hits
     RETURNING key, hits`,
    [keys, Math.floor(nowMs / 1000), keys.map((k) => hits.get(k)!)],
  );
  return new Map(rows.map((r) => [r.key, r.hits]));
}

export async function pruneWindows(pool: pg.Pool, nowMs = Date.now()): Promise<number> {
  const { rowCount } = await pool.query('DELETE FROM rate_limit_window WHERE window_start < $1', [Math.floor(nowMs / 1000) - 60]);
  return rowCount ?? 0;
}
