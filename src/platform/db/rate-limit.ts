// Fixed one-second windows counted in PostgreSQL, so a limit holds across every replica. One
// upsert per request; old windows are pruned by the maintenance job.
import type pg from 'pg';

export async function hit(pool: pg.Pool, key: string, limitPerSecond: number, nowMs = Date.now()): Promise<boolean> {
  return (await countHits(pool, key, 1, nowMs)) <= limitPerSecond;
}

/** Counts `n` hits in a second's window; returns the window's count including them. */
export async function countHits(pool: pg.Pool, key: string, n = 1, nowMs = Date.now()): Promise<number> {
  const window = Math.floor(nowMs / 1000);
  const { rows } = await pool.query<{ hits: number }>(
    `INSERT INTO rate_limit_window (key, window_start, hits) VALUES ($1, $2, $3)
     ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit_window.hits + $3
     RETURNING hits`,
    [key, window, n],
  );
  return rows[0]!.hits;
}

export async function pruneWindows(pool: pg.Pool, nowMs = Date.now()): Promise<number> {
  const { rowCount } = await pool.query('DELETE FROM rate_limit_window WHERE window_start < $1', [Math.floor(nowMs / 1000) - 60]);
  return rowCount ?? 0;
}
