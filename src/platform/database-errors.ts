/**
 * Connection-level failures from pg (refused, reset, terminated, too many connections), as opposed
 * to SQL errors: the write is answered 503 to be retried, not failed for its content.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string; cause?: unknown } | undefined;
  if (!e) return false;
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08006', '08001', '08003', '08004', '3D000', '53300', 'P2037'].includes(e.code ?? '')) return true;
  if (/Connection terminated|connection timeout|timeout exceeded when trying to connect|Can't reach database|DatabaseNotReachable|not currently accepting connections|too many (database )?connections|too many clients/i.test(e.message ?? '')) return true;
  return e.cause !== undefined && e.cause !== e && isDatabaseUnavailable(e.cause);
}
