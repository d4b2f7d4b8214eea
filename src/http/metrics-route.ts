// SPEC §11: /metrics in Prometheus' text format, on the public port, or with METRICS_PORT on that
// port alone (it names queues and routes); and the count of every HTTP answer by route and status.
import http from 'node:http';
import express from 'express';
import type { Metrics } from '../platform/metrics.ts';
import type { Services } from '../platform/services.ts';
import { sendRefusal } from './errors.ts';
import { GRAPHQL_PATH } from './graphql-route.ts';
import { PROBE_TIMEOUT_MS, withTimeout } from './health.ts';

/** Counts the answer when it is sent, under the route `route()` names then. */
export function countAnswer(metrics: Metrics, res: http.ServerResponse, route: () => string): void {
  res.on('finish', () => metrics.httpRequests.inc({ route: route(), status: String(res.statusCode) }));
}

/** countAnswer for Express's routes: by the route that matched (all of /graphql as one). */
export function countRequests(metrics: Metrics): express.RequestHandler {
  return (req, res, next) => {
    countAnswer(metrics, res, () => String(req.route?.path ?? (req.path.startsWith(GRAPHQL_PATH) ? GRAPHQL_PATH : 'other')));
    next();
  };
}

export function serveMetrics(services: Pick<Services, 'boss'>, metrics: Metrics): express.RequestHandler {
  return async (_req, res) => {
    try {
      const queues = await withTimeout(services.boss.getQueues(), PROBE_TIMEOUT_MS);
      for (const q of queues) metrics.queueDepth.set({ queue: q.name }, q.queuedCount ?? 0);
    } catch {
      // queue depth is left at its last value when the database does not answer in time
    }
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  };
}

/** METRICS_PORT's own server: /metrics and nothing else. */
export async function listenForMetrics(port: number, host: string, serve: express.RequestHandler): Promise<http.Server> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', serve);
  app.use((_req, res) => sendRefusal(res, { status: 404, code: 'NOT_FOUND', message: 'only /metrics is served on this port' }));
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
