// SPEC §11: /healthz answers while the process runs; /readyz also asks the database and pg-boss,
// each within a bound, so a load balancer stops sending requests this replica cannot serve.
import express from 'express';
import type { Services } from '../platform/services.ts';

/** How long a probe (here or in /metrics) waits for the database. */
export const PROBE_TIMEOUT_MS = 2000;

export function healthRouter(services: Pick<Services, 'pool' | 'boss'>): express.Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const [database, queue] = await Promise.all([
      probe(() => services.pool.query('SELECT 1')),
      probe(async () => {
        if ((await services.boss.schemaVersion()) === null) throw new Error('pg-boss not installed');
      }),
    ]);
    const ok = database === 'ok' && queue === 'ok';
    if (!ok) res.setHeader('Retry-After', '5');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', checks: { database, queue } });
  });
  return router;
}

async function probe(check: () => Promise<unknown>): Promise<'ok' | 'unavailable'> {
  try {
    await withTimeout(check(), PROBE_TIMEOUT_MS);
    return 'ok';
  } catch {
    return 'unavailable';
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });
}
