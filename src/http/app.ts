// One port for everything (SPEC §3): GraphQL over HTTP and graphql-ws on /graphql, /healthz,
// /readyz, /metrics (or /metrics on METRICS_PORT alone), /hooks/*, /v1/events and /v1/audit/export.
import http from 'node:http';
import type net from 'node:net';
import express from 'express';
import { forgetAllTriggers } from '../inbound/trigger-context.ts';
import type { Services } from '../platform/services.ts';
import { auditExportRouter } from './audit-export-route.ts';
import { errorHandler, noSuchRoute } from './errors.ts';
import { eventsRouter } from './events-route.ts';
import { mountGraphql } from './graphql-route.ts';
import { healthRouter } from './health.ts';
import { hooksRouter } from './hooks-route.ts';
import { countRequests, listenForMetrics, serveMetrics } from './metrics-route.ts';
import { assignRequestId } from './request-locals.ts';

export interface HttpServer {
  server: http.Server;
  /** Stops accepting, lets in-flight requests finish (up to the timeout), closes sockets. */
  close(timeoutMs: number): Promise<void>;
}

export async function createHttpServer(services: Services): Promise<HttpServer> {
  const { config, metrics } = services;
  const app = express();
  const server = http.createServer(app);
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(assignRequestId, countRequests(metrics));
  app.use(healthRouter(services));
  const metricsHandler = serveMetrics(services, metrics);
  if (config.metricsPort === undefined) app.get('/metrics', metricsHandler);
  app.use(hooksRouter(services, metrics));
  app.use(eventsRouter(services));
  app.use(auditExportRouter(services));
  const graphql = await mountGraphql(app, server, services);
  app.use(noSuchRoute);
  app.use(errorHandler(services.log));

  // NOTIFYs sent while the LISTEN connection was down are lost: what they kept fresh is dropped.
  const stopFlushing = services.realtime.onReconnect(forgetAllTriggers);
  const metricsServer = config.metricsPort === undefined ? undefined : await listenForMetrics(config.metricsPort, config.host, metricsHandler);
  const drain = drainer(server);
  return {
    server,
    close: async (timeoutMs) => {
      stopFlushing();
      await graphql.closeSockets();
      if (metricsServer) {
        metricsServer.closeAllConnections();
        await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      }
      await drain(timeoutMs);
      await graphql.stop();
    },
  };
}

/** Closing `server`: idle connections at once, busy ones when their request ends or the timeout passes. */
function drainer(server: http.Server): (timeoutMs: number) => Promise<void> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return async (timeoutMs) => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => {
      for (const s of sockets) s.destroy();
    }, timeoutMs);
    await closed;
    clearTimeout(timer);
  };
}
