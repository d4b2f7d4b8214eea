// The two routes that carry the traffic, POST /hooks/{trigger_id} and POST /v1/events, are served
// without Express when their path is written plainly: its request and response setup (each
// request's prototypes swapped for its own) and its router took about a third of the gateway's CPU
// per publish (docs/benchmarks.md, eighth session). Plainly means a path (not an absolute URL)
// without a fragment, matching as Express's router would (any case, an optional trailing slash, the
// query string ignored), whose trigger id decodes. Anything else, OPTIONS included, goes to
// Express, whose routes call the same handlers: every request gets the answer it got before.
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import type { Services } from '../platform/services.ts';
import type { TrustFn } from './client-certificate.ts';
import { sendError } from './errors.ts';
import { eventsRoute } from './events-route.ts';
import { hooksRoute } from './hooks-route.ts';
import { countAnswer } from './metrics-route.ts';
import { assignRequestId, requestLocals } from './request-locals.ts';

// The routes as Express names them (in its router and in the metrics' route label), and as matched here.
const HOOKS_ROUTE = '/hooks/:triggerId';
const EVENTS_ROUTE = '/v1/events';
const HOOK = /^\/hooks\/([^/]+)\/?$/i;
const EVENTS = /^\/v1\/events\/?$/i;

export interface HotRoutes {
  /** Serves `req` when it is written plainly and returns true; false leaves it to Express. */
  serve: (req: IncomingMessage, res: ServerResponse) => boolean;
  /**
   * The same handlers for what `serve` leaves to Express (an absolute URL, a fragment, a bad
   * escape), in a router of their own: its OPTIONS answer names the methods (Allow: POST).
   */
  fallback: express.Router;
}

export function hotRoutes(services: Services, trust: TrustFn): HotRoutes {
  const { metrics } = services;
  const hooks = hooksRoute(services, trust);
  const events = eventsRoute(services);
  const begin = (res: ServerResponse, route: string) => {
    assignRequestId(res);
    countAnswer(metrics, res, () => route);
  };
  // The handlers answer every error themselves; what could still escape them is logged here, and
  // the connection closed if an answer had begun, as Express's final handler did.
  const settled = (res: ServerResponse) => (err: unknown) => {
    if (!res.headersSent) return void sendError(res, err, services.log);
    const e = err as Error | undefined;
    services.log.error({ requestId: requestLocals(res).requestId, err: { message: e?.message, stack: e?.stack } }, 'unexpected error after the answer began');
    res.destroy();
  };
  const serve = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'POST' || !req.url?.startsWith('/') || req.url.includes('#')) return false;
    const q = req.url.indexOf('?');
    const path = q < 0 ? req.url : req.url.slice(0, q);
    if (EVENTS.test(path)) {
      begin(res, EVENTS_ROUTE);
      events(req, res).catch(settled(res));
      return true;
    }
    const hook = HOOK.exec(path);
    if (!hook) return false;
    let triggerId: string;
    try {
      triggerId = decodeURIComponent(hook[1]!);
    } catch {
      return false;
    }
    begin(res, HOOKS_ROUTE);
    hooks(req, res, triggerId).catch(settled(res));
    return true;
  };
  const fallback = express.Router();
  fallback.post(HOOKS_ROUTE, (req, res) => hooks(req, res, req.params.triggerId));
  fallback.post(EVENTS_ROUTE, events);
  return { serve, fallback };
}
