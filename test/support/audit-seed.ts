// Many audit rows in one workspace, written straight with SQL (generate_series): read paths are
// tested at a size real traffic would take minutes to build. The hashes are placeholders: these
// rows are for reading, not for verifying the chain.
import type pg from 'pg';

/**
 * Row i (1..count): even rows INBOUND on trigger trg_seed<i % 8> (delivery ind_seed<i>, every tenth
 * REFUSED, else ACCEPTED); odd rows OUTBOUND on subscription sub_seed<i % 8> (delivery
 * dlv_seed<i / 6>, every fifth FAILED, else SUCCEEDED). Times from 2026-01-01T00:00Z, 100 ms apart
 * with jitter, so time order and append order differ a little, as in life.
 */
export async function seedAuditRows(pool: pg.Pool, workspaceId: string, count: number): Promise<void> {
  await pool.query(`
    INSERT INTO webhook_audit (workspace_id, seq, direction, trigger_id, subscription_id, delivery_id, event_type, headers_sha256,
                               payload_sha256, occurred_at, duration_ms, attempt, status_code, outcome, error_class, source_ip, prev_hash, hash)
    SELECT $1, i,
           CASE WHEN i % 2 = 0 THEN 'INBOUND' ELSE 'OUTBOUND' END::"AuditDirection",
           CASE WHEN i % 2 = 0 THEN 'trg_seed' || (i % 8) END,
           CASE WHEN i % 2 = 1 THEN 'sub_seed' || (i % 8) END,
           CASE WHEN i % 2 = 0 THEN 'ind_seed' || i ELSE 'dlv_seed' || (i / 6) END,
           CASE WHEN i % 2 = 1 THEN (ARRAY['session.created', 'session.finished', 'tool.called'])[1 + (i / 2) % 3] END,
           repeat('a', 64), repeat('b', 64),
           timestamptz '2026-01-01T00:00:00Z' + i * interval '100 milliseconds' + (i % 7) * interval '37 milliseconds',
           5, CASE WHEN i % 2 = 1 THEN 1 + (i / 2) % 3 END,
           CASE WHEN i % 10 = 0 THEN 401 WHEN i % 2 = 0 THEN 202 WHEN i % 5 = 1 THEN 500 ELSE 200 END,
           CASE WHEN i % 10 = 0 THEN 'REFUSED' WHEN i % 2 = 0 THEN 'ACCEPTED' WHEN i % 5 = 1 THEN 'FAILED' ELSE 'SUCCEEDED' END,
           CASE WHEN i % 2 = 1 AND i % 5 = 1 THEN 'HTTP_500' END, '127.0.0.1', repeat('0', 64), repeat('0', 64)
    FROM generate_series(1, $2::int) AS i`, [workspaceId, count]);
  await pool.query('ANALYZE webhook_audit');
}
