// The two routes that carry the traffic, POST /hooks/{trigger_id} and POST /v1/events, are served
// without Express: its request and response setup (each request's prototypes swapped for its own)
// and its router took about a third of the gateway's CPU per publish (docs/benchmarks.md, eighth
// session). Everything else goes to Express. The paths match as Express's router matches them (any
// case, an optional trailing slash, the query string ignored), so a request reaches the same
// handler whichever way it is written; the answers carry the same request id, count in the same
// metrics under the same route names, and are shaped by the same errors.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Metrics } from '../platform/metrics.ts';
import type { Services } from '../platform/services.ts';
import type { TrustFn } from './client-certificate.ts';
import { sendRefusal } from './errors.ts';
import { eventsRoute } from './events-route.ts';
import { hooksRoute } from './hooks-route.ts';
import { countAnswer } from './metrics-route.ts';
import { assignRequestId } from './request-locals.ts';

const HOOK = /^\/hooks\/([^/]+)\/?$/i;
const EVENTS = /^\/v1\/events\/?$/i;

/** Serves `req` when it is a hot route's and returns true; false leaves it to Express. */
export type HotRoutes = (req: IncomingMessage, res: ServerResponse) => boolean;

export function hotRoutes(services: Services, metrics: Metrics, trust: TrustFn): HotRoutes {
  const hooks = hooksRoute(services, metrics, trust);
  const events = eventsRoute(services);
  const begin = (res: ServerResponse, route: string) => {
    assignRequestId(res);
    countAnswer(metrics, res, () => route);
  };
  return (req, res) => {
    if (req.method !== 'POST' || !req.url?.startsWith('/')) return false;
    const q = req.url.indexOf('?');
    const path = q < 0 ? req.url : req.url.slice(0, q);
    if (EVENTS.test(path)) {
      begin(res, '/v1/events');
      void events(req, res);
      return true;
    }
    const hook = HOOK.exec(path);
    if (!hook) return false;
    begin(res, '/hooks/:triggerId');
    let triggerId: string;
    try {
      triggerId = decodeURIComponent(hook[1]!);
    } catch {
      req.resume();
      sendRefusal(res, { status: 400, code: 'BAD_REQUEST', message: 'the trigger id in the path is not valid percent-encoding' });
      return true;
    }
    void hooks(req, res, triggerId);
    return true;
  };
}
