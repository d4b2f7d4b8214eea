// One port for everything (SPEC §3): GraphQL over HTTP and graphql-ws on /graphql, /healthz,
// /readyz, /metrics (or /metrics on METRICS_PORT alone), /hooks/*, /v1/events, /v1/audit/export, and
// the console at /console (with POST /v1/console/session); and with TLS_CERT_FILE the same app over
// HTTPS on TLS_PORT (SPEC §5 mTLS).
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type tls from 'node:tls';
import express from 'express';
import { forgetAllTriggers } from '../inbound/trigger-context.ts';
import type { Services } from '../platform/services.ts';
import { auditExportRouter } from './audit-export-route.ts';
import { consoleRouter } from './console-route.ts';
import { errorHandler, noSuchRoute } from './errors.ts';
import type { TrustFn } from './client-certificate.ts';
import { mountGraphql } from './graphql-route.ts';
import { healthRouter } from './health.ts';
import { hotRoutes } from './hot-routes.ts';
import { countRequests, listenForMetrics, serveMetrics } from './metrics-route.ts';
import { requestIds } from './request-locals.ts';

export interface HttpServer {
  server: http.Server;
  /** The HTTPS server, when TLS_CERT_FILE is set. */
  tlsServer: https.Server | undefined;
  /** Stops accepting, lets in-flight requests finish (up to the timeout), closes sockets. */
  close(timeoutMs: number): Promise<void>;
}

export async function createHttpServer(services: Services): Promise<HttpServer> {
  const { config, metrics } = services;
  const app = express();
  app.disable('x-powered-by');
  // No ETag on API answers: nothing here is cached by a conditional GET. The console's files keep
  // theirs (express.static).
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);
  // /hooks and /v1/events first, without Express (hot-routes.ts); the one TRUST_PROXY matcher for both.
  const hot = hotRoutes(services, app.get('trust proxy fn') as TrustFn);
  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!hot.serve(req, res)) app(req, res);
  };
  const server = http.createServer(handle);
  const tlsServer = httpsServer(services, handle);
  app.use(requestIds, countRequests(metrics));
  app.use(healthRouter(services));
  const metricsHandler = serveMetrics(services, metrics);
  if (config.metricsPort === undefined) app.get('/metrics', metricsHandler);
  app.use(hot.fallback);
  app.use(auditExportRouter(services));
  app.use(consoleRouter(services));
  // A person opening the gateway's address gets the console, not a 404.
  app.get('/', (_req, res) => res.redirect(302, '/console/'));
  const graphql = await mountGraphql(app, [server, ...(tlsServer ? [tlsServer] : [])], services);
  app.use(noSuchRoute);
  app.use(errorHandler(services.log));

  const stopReloading = tlsServer && services.tls.onServerChange((creds) => tlsServer.setSecureContext(secureContextOptions(services, creds)));
  // NOTIFYs sent while the LISTEN connection was down are lost: what they kept fresh is dropped.
  const stopFlushing = services.realtime.onReconnect(forgetAllTriggers);
  const metricsServer = config.metricsPort === undefined ? undefined : await listenForMetrics(config.metricsPort, config.host, metricsHandler);
  const drains = [drainer(server), ...(tlsServer ? [drainer(tlsServer)] : [])];
  return {
    server,
    tlsServer,
    close: async (timeoutMs) => {
      stopFlushing();
      stopReloading?.();
      await graphql.closeSockets();
      if (metricsServer) {
        metricsServer.closeAllConnections();
        await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      }
      await Promise.all(drains.map((drain) => drain(timeoutMs)));
      await graphql.stop();
    },
  };
}

/**
 * With TLS_CLIENT_CA_FILE the server asks for a client certificate but lets the handshake finish
 * without one or with one it cannot verify: each trigger decides (a 403 names the reason, where a
 * refused handshake would leave the sender guessing), and triggers without the requirement keep
 * working. The certificate is verified by the gateway (platform/tls-credentials.ts), the same way as
 * one a proxy forwards.
 */
function secureContextOptions(services: Services, creds: { cert: string; key: string }): tls.SecureContextOptions {
  const cas = services.tls.clientCaPems;
  return { cert: creds.cert, key: creds.key, ...(cas.length > 0 ? { ca: cas } : {}) };
}

function httpsServer(services: Services, app: http.RequestListener): https.Server | undefined {
  const creds = services.tls.server;
  if (!creds) return undefined;
  const asksForCertificate = services.tls.verifiesClients;
  return https.createServer({ ...secureContextOptions(services, creds), requestCert: asksForCertificate, rejectUnauthorized: false }, app);
}

/** Closing `server`: idle connections at once, busy ones when their request ends or the timeout passes. */
function drainer(server: http.Server | https.Server): (timeoutMs: number) => Promise<void> {
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
