// Fixed one-second windows counted in PostgreSQL, so a limit holds across every replica. One
// upsert per request; old windows are pruned by the maintenance job.
import type pg from 'pg';

export async function hit(pool: pg.Pool, key: string, limitPerSecond: number, nowMs = Date.now()): Promise<boolean> {
  return (await countHit(pool, key, nowMs)) <= limitPerSecond;
}

/** Counts one hit in the current second's window; returns the window's count so far. */
export async function countHit(pool: pg.Pool, key: string, nowMs = Date.now()): Promise<number> {
  const window = Math.floor(nowMs / 1000);
  const { rows } = await pool.query<{ hits: number }>(
    `INSERT INTO rate_limit_window (key, window_start, hits) VALUES ($1, $2, 1)
     ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit_window.hits + 1
     RETURNING hits`,
    [key, window],
  );
  return rows[0]!.hits;
}

export async function pruneWindows(pool: pg.Pool, nowMs = Date.now()): Promise<number> {
  const { rowCount } = await pool.query('DELETE FROM rate_limit_window WHERE window_start < $1', [Math.floor(nowMs / 1000) - 60]);
  return rowCount ?? 0;
}
