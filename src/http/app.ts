// One port for everything (SPEC §3): GraphQL over HTTP and graphql-ws on /graphql, /healthz,
// /readyz, /metrics (or /metrics on METRICS_PORT alone), /hooks/* and /v1/events.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { NoSchemaIntrospectionCustomRule, specifiedRules } from 'graphql';
import { authenticate, bearerToken } from '../auth/api-keys.ts';
import type { Principal } from '../auth/principal.ts';
import type { Services } from '../platform/services.ts';
import type { GraphQLContext } from '../graphql/context.ts';
import { costLimit } from '../graphql/cost-limit.ts';
import { depthLimit } from '../graphql/depth-limit.ts';
import { formatGraphQLError } from '../graphql/errors.ts';
import { attachGraphqlWs } from '../graphql/graphql-ws.ts';
import type { Metrics } from '../platform/metrics.ts';
import { buildSchema } from '../graphql/schema.ts';
import { isDatabaseUnavailable } from '../platform/database-errors.ts';
import { hooksRouter } from './hooks-route.ts';
import { eventsRouter } from './events-route.ts';
import { forgetAllTriggers } from '../inbound/trigger-context.ts';

export const GRAPHQL_PATH = '/graphql';

export interface HttpServer {
  server: http.Server;
  /** Stops accepting, lets in-flight requests finish (up to the timeout), closes sockets. */
  close(timeoutMs: number): Promise<void>;
}

type Locals = { principal?: Principal; requestId: string };

export async function createHttpServer(services: Services, metrics: Metrics): Promise<HttpServer> {
  const { config, log } = services;
  const app = express();
  const server = http.createServer(app);
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);

  app.use((req, res, next) => {
    const requestId = randomUUID();
    (res.locals as Locals).requestId = requestId;
    res.setHeader('x-request-id', requestId);
    res.on('finish', () => {
      const route = req.route?.path ?? (req.path.startsWith(GRAPHQL_PATH) ? GRAPHQL_PATH : 'other');
      metrics.httpRequests.inc({ route: String(route), status: String(res.statusCode) });
    });
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const check = async (fn: () => Promise<unknown>) => {
      try {
        await withTimeout(fn(), 2000);
        return 'ok';
      } catch {
        return 'unavailable';
      }
    };
    const [database, queue] = await Promise.all([
      check(() => services.pool.query('SELECT 1')),
      check(async () => {
        if ((await services.boss.schemaVersion()) === null) throw new Error('pg-boss not installed');
      }),
    ]);
    const ok = database === 'ok' && queue === 'ok';
    if (!ok) res.setHeader('Retry-After', '5');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', checks: { database, queue } });
  });

  const serveMetrics: express.RequestHandler = async (_req, res) => {
    try {
      const queues = await withTimeout(services.boss.getQueues(), 2000);
      for (const q of queues) metrics.queueDepth.set({ queue: q.name }, q.queuedCount ?? 0);
    } catch {
      // queue depth is left at its last value when the database does not answer in time
    }
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  };
  // With METRICS_PORT, /metrics is not on the public port at all (it names queues and routes).
  if (config.metricsPort === undefined) app.get('/metrics', serveMetrics);

  app.use(hooksRouter(services, metrics));
  app.use(eventsRouter(services));
  // NOTIFYs sent while the LISTEN connection was down are lost: what they kept fresh is dropped.
  const stopFlushing = services.realtime.onReconnect(forgetAllTriggers);

  const schema = buildSchema();
  const formatError = formatGraphQLError(log);
  const limits = [depthLimit(config.graphqlMaxDepth), costLimit(config.graphqlMaxCost)];
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    introspection: config.graphqlIntrospection,
    validationRules: limits,
    formatError,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer: server })],
    includeStacktraceInErrorResponses: false,
    // main.ts owns shutdown: it drains HTTP, then jobs, then closes the database, in that order.
    stopOnTerminationSignals: false,
  });
  await apollo.start();

  // SPEC §4: a missing or bad key is an HTTP 401 before any GraphQL runs.
  const requireKey: express.RequestHandler = async (req, res, next) => {
    try {
      const principal = await authenticate(services.pool, bearerToken(req.headers.authorization));
      if (!principal) {
        res.status(401).setHeader('WWW-Authenticate', 'Bearer').json({
          errors: [{ message: 'a valid API key is required (Authorization: Bearer <key>)', extensions: { code: 'UNAUTHENTICATED' } }],
        });
        return;
      }
      (res.locals as Locals).principal = principal;
      next();
    } catch (err) {
      next(err);
    }
  };

  app.use(
    GRAPHQL_PATH,
    requireKey,
    express.json({ limit: config.graphqlMaxBodyBytes }),
    expressMiddleware(apollo, {
      context: async ({ res }) => {
        const locals = res.locals as Locals;
        return { services, principal: locals.principal, requestId: locals.requestId };
      },
    }),
  );

  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: 'no such route' } });
  });

  // Express 5 error handler: body-parser and database failures land here.
  app.use(((err, _req, res, _next) => {
    const status = typeof err?.status === 'number' ? err.status : 500;
    if (status === 413) {
      res.status(413).json({ error: { code: 'PAYLOAD_TOO_LARGE', message: `request body exceeds ${config.graphqlMaxBodyBytes} bytes` } });
      return;
    }
    if (status >= 400 && status < 500) {
      res.status(status).json({ error: { code: 'BAD_REQUEST', message: err.expose ? err.message : 'bad request' } });
      return;
    }
    const requestId = (res.locals as Locals).requestId;
    if (isDatabaseUnavailable(err)) {
      res.status(503).setHeader('Retry-After', '5').json({ error: { code: 'UNAVAILABLE', message: 'the database is unreachable; retry later' } });
      return;
    }
    log.error({ requestId, err: { message: err?.message, stack: err?.stack } }, 'unexpected error');
    res.status(500).json({ error: { code: 'INTERNAL', message: `internal error (request ${requestId})` } });
  }) as express.ErrorRequestHandler);

  // graphql-ws on the same path; the key comes in connectionParams.authorization.
  const wsServer = attachGraphqlWs({
    server,
    path: GRAPHQL_PATH,
    schema,
    rules: [...specifiedRules, ...limits, ...(config.graphqlIntrospection ? [] : [NoSchemaIntrospectionCustomRule])],
    services,
    formatError,
  });

  const metricsServer = config.metricsPort === undefined ? undefined : await listenForMetrics(config.metricsPort, config.host, serveMetrics);

  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  return {
    server,
    close: async (timeoutMs) => {
      stopFlushing();
      await wsServer.dispose();
      if (metricsServer) {
        metricsServer.closeAllConnections();
        await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      }
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, timeoutMs);
      await closed;
      clearTimeout(timer);
      await apollo.stop();
    },
  };
}

async function listenForMetrics(port: number, host: string, serveMetrics: express.RequestHandler): Promise<http.Server> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', serveMetrics);
  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: 'only /metrics is served on this port' } });
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });
}
