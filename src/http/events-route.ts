// POST /v1/events (SPEC §6): the runtime's way in, with a PUBLISHER (or ADMIN) key. The body is
// {"type", "data", "idempotencyKey"?}; the answer is 202 with the event id, or an error naming
// the field.
import express from 'express';
import { publishEvent } from '../events/publish.ts';
import { authenticate, bearerToken } from '../auth/api-keys.ts';
import { type Principal, can } from '../auth/principal.ts';
import { DomainError } from '../platform/errors.ts';
import type { Services } from '../platform/services.ts';
import { isDatabaseUnavailable } from '../platform/database-errors.ts';

export function eventsRouter(services: Services): express.Router {
  const router = express.Router();
  const refuse = (res: express.Response, status: number, code: string, message: string) =>
    res.status(status).json({ error: { code, message } });
  // The key is checked before the body is read: without a valid key, a huge or malformed body is
  // answered 401 and discarded unparsed (SPEC §15: refusals cost bounded work).
  const requirePublisher: express.RequestHandler = async (req, res, next) => {
    try {
      const principal = await authenticate(services.pool, bearerToken(req.headers.authorization));
      if (!principal || !can(principal, 'publish')) {
        req.resume();
        if (!principal) return refuse(res, 401, 'UNAUTHENTICATED', 'a valid API key is required (Authorization: Bearer <key>)');
        return refuse(res, 403, 'FORBIDDEN', `a ${principal.role} key may not publish events`);
      }
      res.locals.principal = principal;
      next();
    } catch (err) {
      next(err);
    }
  };
  router.post('/v1/events', requirePublisher, express.json({ limit: services.config.inboundMaxBodyBytes }), async (req, res) => {
    const error = (status: number, code: string, message: string, field?: string) =>
      res.status(status).json({ error: { code, message, ...(field ? { field } : {}) } });
    try {
      const principal = res.locals.principal as Principal;
      const body = req.body as Record<string, unknown> | undefined;
      if (!body || typeof body !== 'object' || Array.isArray(body)) return error(400, 'BAD_USER_INPUT', 'body must be a JSON object {"type","data","idempotencyKey"?}');
      if (typeof body.type !== 'string') return error(400, 'BAD_USER_INPUT', 'type: required string', 'type');
      if (body.idempotencyKey !== undefined && typeof body.idempotencyKey !== 'string') return error(400, 'BAD_USER_INPUT', 'idempotencyKey: must be a string', 'idempotencyKey');
      const event = await publishEvent(services, principal, { type: body.type, data: body.data, idempotencyKey: body.idempotencyKey as string | undefined });
      return res.status(event.created ? 202 : 200).json({ id: event.id, type: event.type, created: event.created });
    } catch (err) {
      if (err instanceof DomainError) return error(err.code === 'CONFLICT' ? 409 : 400, err.code, err.message, err.field);
      if (isDatabaseUnavailable(err)) {
        res.setHeader('Retry-After', '5');
        return error(503, 'UNAVAILABLE', 'the gateway cannot reach its database; retry later');
      }
      services.log.error({ err: { message: (err as Error).message, stack: (err as Error).stack } }, 'publishing an event failed');
      return error(500, 'INTERNAL', 'internal error');
    }
  });
  return router;
}
